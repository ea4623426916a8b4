// A real Pulsebase server process for JavaScript tests (clients/js and browser-tests both import this; it
// depends on nothing but Node): on a free port and a temporary data folder, started, stopped with SIGTERM,
// killed and started again on the same port and data; REST calls. Types: server.d.ts.
//
// Every wait is bounded; every server is torn down by the test that started it (`t.after`) and, as a last
// resort, killed when this process exits.
import { spawn, execFileSync } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
export const JAR = process.env.PULSEBASE_JAR || path.join(ROOT, 'server', 'target', 'pulsebase.jar');

export const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
/** Like sleep, but does not keep the process alive: for the losing side of a Promise.race. */
const raceTimer = (ms) => new Promise((resolve) => setTimeout(() => resolve(null), ms).unref());

/** Polls `check` (sync or async) until it returns a truthy value, which it answers; throws after `timeoutMs`. */
export async function until(check, what, timeoutMs = 15000, everyMs = 50) {
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

let javaCommand;
/**
 * The java binary and JVM flags the launcher (bin/pulsebase) would use: bin/lib/jdk.sh finds a JDK 21+
 * (honouring JAVA_HOME). The test scripts pass its answer down in PULSEBASE_JAVA / PULSEBASE_JVM_FLAGS.
 */
export function java() {
  if (javaCommand) return javaCommand;
  if (process.env.PULSEBASE_JAVA) {
    javaCommand = {
      bin: process.env.PULSEBASE_JAVA,
      flags: (process.env.PULSEBASE_JVM_FLAGS || '').split(/\s+/).filter(Boolean),
    };
    return javaCommand;
  }
  const out = execFileSync('bash', ['-c',
    '. "$1/bin/lib/jdk.sh" && pulsebase_find_jdk >&2 && printf "%s\\n" "$JAVA_HOME/bin/java" && pulsebase_jvm_flags',
    'find-jdk', ROOT], { encoding: 'utf8', timeout: 30000, stdio: ['ignore', 'pipe', 'inherit'] });
  const [bin, flags = ''] = out.split('\n');
  javaCommand = { bin, flags: flags.split(/\s+/).filter(Boolean) };
  return javaCommand;
}

/**
 * A free TCP port below 32768, outside Linux's ephemeral range, so that no outgoing connection takes it
 * while the server is down between a stop and a restart.
 */
export async function freePort() {
  for (let attempt = 0; attempt < 200; attempt++) {
    const port = 20000 + Math.floor(Math.random() * 12000);
    if (await portIsFree(port)) return port;
  }
  throw new Error('no free port found in 20000-31999');
}

export function portIsFree(port) {
  return new Promise((resolve) => {
    const probe = net.createServer();
    probe.once('error', () => resolve(false));
    probe.listen({ port, host: '127.0.0.1', exclusive: true }, () => probe.close(() => resolve(true)));
  });
}

const live = new Set();
process.on('exit', () => {
  for (const child of live) {
    try { child.kill('SIGKILL'); } catch { /* already gone */ }
  }
});
// Interrupted (Ctrl-C, a CI timeout): exit, which runs the handler above (and playwright's browser cleanup).
for (const signal of ['SIGINT', 'SIGTERM']) process.once(signal, () => process.exit(130));

/** One Pulsebase server on a fixed port and data folder that can be stopped, killed and started again. */
export class Server {
  constructor({ port, dataDir, logFile, extraArgs = [] }) {
    this.port = port;
    this.dataDir = dataDir;
    this.logFile = logFile;
    this.extraArgs = extraArgs;
    this.base = `http://127.0.0.1:${port}`;
    this.child = null;
    this.starts = 0;
  }

  /** A server on a fresh port (unless given) and a fresh temporary data folder, not started; `t.after` cleans up. */
  static async create(t, { port, extraArgs } = {}) {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pulsebase-test-'));
    const server = new Server({
      port: port ?? await freePort(),
      dataDir: path.join(dir, 'data'),
      logFile: path.join(dir, 'server.log'),
      extraArgs,
    });
    t.after(async () => {
      await server.kill();
      if (!process.env.PULSEBASE_KEEP_TEST_DATA) fs.rmSync(dir, { recursive: true, force: true });
    });
    return server;
  }

  /** The end of the server's log (every start appends to it), for failure messages. */
  logTail(chars = 4000) {
    try {
      return fs.readFileSync(this.logFile, 'utf8').slice(-chars);
    } catch {
      return '(no server log)';
    }
  }

  get running() {
    return this.child !== null;
  }

  /** Starts the process and waits until GET /health answers 200. */
  async start({ timeoutMs = 60000 } = {}) {
    if (this.child) throw new Error('server already running');
    const { bin, flags } = java();
    if (!fs.existsSync(JAR)) throw new Error(`${JAR} is missing: build it with bin/pulsebase build`);
    const log = fs.openSync(this.logFile, 'a');
    fs.writeSync(log, `\n===== start #${++this.starts} at ${new Date().toISOString()} =====\n`);
    const child = spawn(bin, [...flags, '-jar', JAR, 'start', '--host', '127.0.0.1',
      '--port', String(this.port), '--data', this.dataDir, ...this.extraArgs], { stdio: ['ignore', log, log] });
    fs.closeSync(log);
    this.child = child;
    live.add(child);
    let exit = null;
    child.exited = new Promise((resolve) => child.once('exit', (code, signal) => {
      live.delete(child);
      exit = { code, signal };
      resolve(exit);
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
      } catch { /* not listening yet */ }
      if (Date.now() > deadline) {
        await this.kill();
        throw new Error(`server not healthy within ${timeoutMs} ms; log:\n${this.logTail()}`);
      }
      await sleep(50);
    }
  }

  /** SIGTERM (a graceful stop: clients get 1001, streams end, the database is closed); waits for the exit. */
  async stop({ timeoutMs = 20000 } = {}) {
    const child = this.child;
    if (!child) return undefined;
    child.kill('SIGTERM');
    const result = await Promise.race([child.exited, raceTimer(timeoutMs)]);
    if (!result) {
      child.kill('SIGKILL');
      await child.exited;
      this.child = null;
      throw new Error(`server did not stop within ${timeoutMs} ms of SIGTERM; log:\n${this.logTail()}`);
    }
    this.child = null;
    return result;
  }

  /** SIGKILL: a crash. Waits for the exit (at most 10 s). */
  async kill() {
    const child = this.child;
    if (!child) return;
    child.kill('SIGKILL');
    await Promise.race([child.exited, raceTimer(10000)]);
    this.child = null;
  }

  /** A REST call; answers the parsed JSON body, throws (with the body) unless the status is 2xx. */
  async request(method, urlPath, body) {
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

  sql(sql, params) {
    return this.request('POST', '/v1/sql', params === undefined ? { sql } : { sql, params });
  }

  insert(table, row) {
    return this.request('POST', `/v1/tables/${table}/rows`, row);
  }

  /** Every row of `table` (matching `filter`, when given) in primary-key order. */
  async rows(table, filter) {
    const f = filter ? `&filter=${encodeURIComponent(filter)}` : '';
    return (await this.request('GET', `/v1/tables/${table}/rows?order=id.asc&limit=10000${f}`)).rows;
  }
}
