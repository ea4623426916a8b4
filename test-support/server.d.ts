// Types of server.js (a real Pulsebase server process for JavaScript tests).

/** The repository root. */
export const ROOT: string;
/** The server jar: PULSEBASE_JAR, or server/target/pulsebase.jar. */
export const JAR: string;

export function sleep(ms: number): Promise<void>;
/** Polls `check` until it returns a truthy value, which it answers; throws after `timeoutMs` (default 15 s). */
export function until<T>(check: () => T | Promise<T>, what: string | (() => string), timeoutMs?: number,
  everyMs?: number): Promise<T>;
/** The java binary and JVM flags bin/pulsebase would use. */
export function java(): { bin: string; flags: string[] };
/** A free TCP port in 20000-31999 (outside Linux's ephemeral range). */
export function freePort(): Promise<number>;
export function portIsFree(port: number): Promise<boolean>;

/** What `Server.create` needs of a test context (node:test's `t`, or anything with `after`). */
export interface Cleanup {
  after(fn: () => unknown): void;
}

export interface Exit {
  code: number | null;
  signal: string | null;
}

/** One Pulsebase server on a fixed port and data folder that can be stopped, killed and started again. */
export class Server {
  constructor(opts: { port: number; dataDir: string; logFile: string; extraArgs?: string[] });
  /** A server on a fresh port (unless given) and a fresh temporary data folder, not started; `t.after` cleans up. */
  static create(t: Cleanup, opts?: { port?: number; extraArgs?: string[] }): Promise<Server>;
  readonly port: number;
  /** May be changed while stopped: the next start uses the new folder. */
  dataDir: string;
  readonly logFile: string;
  readonly extraArgs: string[];
  /** `http://127.0.0.1:<port>` */
  readonly base: string;
  readonly running: boolean;
  logTail(chars?: number): string;
  /** Starts the process and waits until GET /health answers 200 (default at most 60 s). */
  start(opts?: { timeoutMs?: number }): Promise<void>;
  /** SIGTERM, a graceful stop (clients get 1001); waits for the exit (default at most 20 s, then SIGKILL and throws). */
  stop(opts?: { timeoutMs?: number }): Promise<Exit | undefined>;
  /** SIGKILL: a crash. */
  kill(): Promise<void>;
  /** A REST call; answers the parsed JSON body, throws unless the status is 2xx. */
  request(method: string, urlPath: string, body?: unknown): Promise<any>;
  sql(sql: string, params?: unknown[]): Promise<any>;
  insert(table: string, row: Record<string, unknown>): Promise<any>;
  /** Every row of `table` (matching `filter`, when given) in primary-key order. */
  rows(table: string, filter?: string): Promise<Record<string, unknown>[]>;
}
