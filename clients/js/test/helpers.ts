// Test machinery: a real Pulsebase server process on a free port and a temporary data folder (started,
// stopped with SIGTERM, killed, restarted on the same port), REST calls, and a TCP proxy between client
// and server that can cut every connection at once or refuse new ones (an "offline" client).
// Same approach as browser-tests/test/helpers.js. Every wait is bounded.
import { spawn, execFileSync, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

// build/test/helpers.js → clients/js → repository root
export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', '..', '..');
export const JAR = process.env.PULSEBASE_JAR || path.join(ROOT, 'server', 'target', 'pulsebase.jar');

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
const raceTimer = (ms: number) => new Promise<null>((resolve) => setTimeout(() => resolve(null), ms).unref());

export async function until<T>(check: () => T | Promise<T>, what: string | (() => string), timeoutMs = 15000, everyMs = 20): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value) return value;
    if (Date.now() > deadline) {
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${typeof what === 'function' ? what() : what}`);
    }
    await sleep(everyMs);
  }
}

let javaCommand: { bin: string; flags: string[] } | undefined;
/** The java binary and flags bin/pulsebase would use (bin/lib/jdk.sh; run-tests.sh passes them down). */
export function java() {
  if (javaCommand) return javaCommand;
  if (process.env.PULSEBASE_JAVA) {
    javaCommand = { bin: process.env.PULSEBASE_JAVA, flags: (process.env.PULSEBASE_JVM_FLAGS || '').split(/\s+/).filter(Boolean) };
    return javaCommand;
  }
  const out = execFileSync('bash', ['-c',
    '. "$1/bin/lib/jdk.sh" && pulsebase_find_jdk >&2 && printf "%s\\n" "$JAVA_HOME/bin/java" && pulsebase_jvm_flags',
    'find-jdk', ROOT], { encoding: 'utf8', timeout: 30000, stdio: ['ignore', 'pipe', 'inherit'] });
  const [bin, flags = ''] = out.split('\n');
  javaCommand = { bin, flags: flags.split(/\s+/).filter(Boolean) };
  return javaCommand;
}

/** A free port below 32768 (outside Linux's ephemeral range, so nothing takes it while a server restarts). */
export async function freePort(): Promise<number> {
  for (let attempt = 0; attempt < 200; attempt++) {
    const port = 20000 + Math.floor(Math.random() * 12000);
    if (await portIsFree(port)) return port;
  }
  throw new Error('no free port found in 20000-31999');
}

function portIsFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const probe = net.createServer();
    probe.once('error', () => resolve(false));
    probe.listen({ port, host: '127.0.0.1', exclusive: true }, () => probe.close(() => resolve(true)));
  });
}

const live = new Set<ChildProcess>();
process.on('exit', () => {
  for (const child of live) {
    try { child.kill('SIGKILL'); } catch { /* gone */ }
  }
});
for (const signal of ['SIGINT', 'SIGTERM'] as const) process.once(signal, () => process.exit(130));

type Cleanup = { after(fn: () => unknown): void };

export class Server {
  readonly port: number;
  dataDir: string;
  readonly logFile: string;
  readonly base: string;
  readonly extraArgs: string[];
  private child: (ChildProcess & { exited?: Promise<{ code: number | null; signal: string | null }> }) | null = null;
  private starts = 0;
  readonly dir: string;

  constructor(opts: { port: number; dir: string; extraArgs?: string[] }) {
    this.port = opts.port;
    this.dir = opts.dir;
    this.dataDir = path.join(opts.dir, 'data');
    this.logFile = path.join(opts.dir, 'server.log');
    this.base = `http://127.0.0.1:${opts.port}`;
    this.extraArgs = opts.extraArgs ?? [];
  }

  /** A server on a fresh port and temporary data folder, removed by `t.after`. Not started. */
  static async create(t: Cleanup, opts: { extraArgs?: string[] } = {}): Promise<Server> {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pulsebase-js-'));
    const server = new Server({ port: await freePort(), dir, extraArgs: opts.extraArgs });
    t.after(async () => {
      await server.kill();
      if (!process.env.PULSEBASE_KEEP_TEST_DATA) fs.rmSync(dir, { recursive: true, force: true });
    });
    return server;
  }

  logTail(chars = 3000): string {
    try { return fs.readFileSync(this.logFile, 'utf8').slice(-chars); } catch { return '(no server log)'; }
  }

  get running(): boolean {
    return this.child !== null;
  }

  async start({ timeoutMs = 60000 } = {}): Promise<void> {
    if (this.child) throw new Error('server already running');
    const { bin, flags } = java();
    if (!fs.existsSync(JAR)) throw new Error(`${JAR} is missing: run bin/pulsebase build-if-needed`);
    const log = fs.openSync(this.logFile, 'a');
    fs.writeSync(log, `\n===== start #${++this.starts} at ${new Date().toISOString()} =====\n`);
    const child = spawn(bin, [...flags, '-jar', JAR, 'start', '--host', '127.0.0.1', '--port', String(this.port),
      '--data', this.dataDir, ...this.extraArgs], { stdio: ['ignore', log, log] }) as NonNullable<Server['child']>;
    fs.closeSync(log);
    this.child = child;
    live.add(child);
    let exit: unknown = null;
    child.exited = new Promise((resolve) => child.once('exit', (code, signal) => {
      live.delete(child);
      exit = { code, signal };
      resolve({ code, signal });
    }));
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      if (exit) {
        this.child = null;
        throw new Error(`server exited during start (${JSON.stringify(exit)}); log:\n${this.logTail()}`);
      }
      try {
        const res = await fetch(`${this.base}/health`, { signal: AbortSignal.timeout(2000) });
        await res.arrayBuffer();
        if (res.status === 200) return;
      } catch { /* not yet */ }
      if (Date.now() > deadline) {
        await this.kill();
        throw new Error(`server not healthy within ${timeoutMs} ms; log:\n${this.logTail()}`);
      }
      await sleep(50);
    }
  }

  /** SIGTERM: a graceful stop (clients get 1001). */
  async stop({ timeoutMs = 20000 } = {}): Promise<void> {
    const child = this.child;
    if (!child) return;
    child.kill('SIGTERM');
    const result = await Promise.race([child.exited!, raceTimer(timeoutMs)]);
    if (!result) {
      child.kill('SIGKILL');
      await child.exited;
      this.child = null;
      throw new Error(`server did not stop within ${timeoutMs} ms of SIGTERM; log:\n${this.logTail()}`);
    }
    this.child = null;
  }

  /** SIGKILL: a crash. */
  async kill(): Promise<void> {
    const child = this.child;
    if (!child) return;
    child.kill('SIGKILL');
    await Promise.race([child.exited!, raceTimer(10000)]);
    this.child = null;
  }

  async request(method: string, urlPath: string, body?: unknown): Promise<any> {
    const res = await fetch(this.base + urlPath, {
      method,
      headers: body === undefined ? {} : { 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
      signal: AbortSignal.timeout(10000),
    });
    const text = await res.text();
    if (res.status < 200 || res.status > 299) throw new Error(`${method} ${urlPath} answered ${res.status}: ${text}`);
    return JSON.parse(text);
  }

  sql(sql: string, params?: unknown[]): Promise<any> {
    return this.request('POST', '/v1/sql', params === undefined ? { sql } : { sql, params });
  }

  insert(table: string, row: Record<string, unknown>): Promise<any> {
    return this.request('POST', `/v1/tables/${table}/rows`, row);
  }

  /** Every row of `table` in primary-key order. */
  async rows(table: string, filter?: string): Promise<Record<string, unknown>[]> {
    const f = filter ? `&filter=${encodeURIComponent(filter)}` : '';
    return (await this.request('GET', `/v1/tables/${table}/rows?order=id.asc&limit=10000${f}`)).rows;
  }
}

/**
 * A TCP proxy in front of a server: `cut()` destroys every connection through it at once (the client sees
 * an abnormal close, as after a network failure); while `offline` is set new connections are refused.
 */
export class Proxy {
  offline = false;
  readonly sockets = new Set<net.Socket>();
  private server: net.Server | null = null;
  port = 0;

  constructor(private readonly target: () => number) {}

  static async create(t: Cleanup, target: () => number): Promise<Proxy> {
    const p = new Proxy(target);
    await p.listen();
    t.after(() => p.close());
    return p;
  }

  get base(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  async listen(): Promise<void> {
    this.server = net.createServer((client) => {
      if (this.offline) {
        client.resetAndDestroy?.() ?? client.destroy();
        return;
      }
      const upstream = net.connect({ port: this.target(), host: '127.0.0.1' });
      this.sockets.add(client);
      this.sockets.add(upstream);
      const drop = () => {
        client.destroy();
        upstream.destroy();
        this.sockets.delete(client);
        this.sockets.delete(upstream);
      };
      client.on('error', drop).on('close', drop);
      upstream.on('error', drop).on('close', drop);
      client.pipe(upstream);
      upstream.pipe(client);
    });
    await new Promise<void>((resolve) => this.server!.listen({ port: 0, host: '127.0.0.1' }, resolve));
    this.port = (this.server!.address() as net.AddressInfo).port;
  }

  /** Destroys every connection through the proxy (with a TCP reset where the runtime supports it). */
  cut(): number {
    const n = this.sockets.size / 2;
    for (const s of [...this.sockets]) {
      try { s.resetAndDestroy?.() ?? s.destroy(); } catch { s.destroy(); }
    }
    this.sockets.clear();
    return n;
  }

  async close(): Promise<void> {
    this.cut();
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }
}

/** Fast reconnect settings for tests. */
export const FAST = { reconnect: { baseMs: 50, capMs: 400 }, pingIntervalMs: 5000, pingTimeoutMs: 5000 };
