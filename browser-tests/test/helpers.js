// Shared machinery for the browser tests: a real Pulsebase server process (started, stopped, killed and
// restarted on the same port and data folder), REST calls from Node, and a headless Chromium.
//
// Every wait is bounded; every server and browser is torn down by the test that started it (and, as a
// last resort, when this process exits).
import { spawn, execFileSync } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
export const JAR = process.env.PULSEBASE_JAR || path.join(ROOT, 'server', 'target', 'pulsebase.jar');
export const CHROMIUM = process.env.PULSEBASE_CHROMIUM || '/usr/bin/chromium';

/** Flags for the Debian chromium in a container / CI (no sandbox, no GPU, no background traffic). */
export const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--disable-dev-shm-usage',
  // Belt and braces: no name other than localhost resolves, so the browser cannot reach anything but the
  // server under test.
  '--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE localhost, EXCLUDE 127.0.0.1',
];

export const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
/** Like sleep, but does not keep the process alive: for the losing side of a Promise.race. */
const raceTimer = (ms) => new Promise((resolve) => setTimeout(resolve, ms).unref());

/** Polls `check` (sync or async) until it returns a truthy value; throws `what` after `timeoutMs`. */
export async function until(check, what, timeoutMs = 15000, everyMs = 50) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(everyMs);
  }
}

let javaCommand;
/**
 * The java binary and JVM flags the launcher (bin/pulsebase) would use: bin/lib/jdk.sh finds a JDK 21+
 * (honouring JAVA_HOME). run.sh passes its answer down in PULSEBASE_JAVA / PULSEBASE_JVM_FLAGS.
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
// Interrupted (Ctrl-C, a CI timeout): exit, which runs the handler above and playwright's browser cleanup.
for (const signal of ['SIGINT', 'SIGTERM']) process.once(signal, () => process.exit(130));

/** One Pulsebase server on a fixed port and data folder that can be stopped, killed and started again. */
export class Server {
  constructor({ port, dataDir, logFile }) {
    this.port = port;
    this.dataDir = dataDir;
    this.logFile = logFile;
    this.base = `http://127.0.0.1:${port}`;
    this.child = null;
    this.starts = 0;
  }

  /** A server on a fresh port and a fresh temporary data folder; `t.after` cleans up. */
  static async create(t, { port } = {}) {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pulsebase-browser-'));
    const server = new Server({
      port: port ?? await freePort(),
      dataDir: path.join(dir, 'data'),
      logFile: path.join(dir, 'server.log'),
    });
    t.after(async () => {
      await server.kill();
      if (!process.env.PULSEBASE_KEEP_TEST_DATA) fs.rmSync(dir, { recursive: true, force: true });
    });
    return server;
  }

  logTail(chars = 4000) {
    try {
      const text = fs.readFileSync(this.logFile, 'utf8');
      return text.slice(-chars);
    } catch {
      return '(no server log)';
    }
  }

  /** Starts the process and waits until GET /health answers 200. */
  async start({ timeoutMs = 60000 } = {}) {
    if (this.child) throw new Error('server already running');
    const { bin, flags } = java();
    if (!fs.existsSync(JAR)) throw new Error(`${JAR} is missing: build it with bin/pulsebase build`);
    const log = fs.openSync(this.logFile, 'a');
    fs.writeSync(log, `\n===== start #${++this.starts} at ${new Date().toISOString()} =====\n`);
    const child = spawn(bin, [...flags, '-jar', JAR, 'start', '--host', '127.0.0.1',
      '--port', String(this.port), '--data', this.dataDir], { stdio: ['ignore', log, log] });
    fs.closeSync(log);
    this.child = child;
    live.add(child);
    child.exited = new Promise((resolve) => child.once('exit', (code, signal) => {
      live.delete(child);
      resolve({ code, signal });
    }));
    const deadline = Date.now() + timeoutMs;
    let exit = null;
    child.exited.then((e) => { exit = e; });
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

  /** SIGTERM (a graceful stop: streams are ended, the database closed) and waits for the exit. */
  async stop({ timeoutMs = 20000 } = {}) {
    const child = this.child;
    if (!child) return;
    child.kill('SIGTERM');
    const result = await Promise.race([child.exited, raceTimer(timeoutMs).then(() => null)]);
    if (!result) {
      child.kill('SIGKILL');
      await child.exited;
      this.child = null;
      throw new Error(`server did not stop within ${timeoutMs} ms of SIGTERM; log:\n${this.logTail()}`);
    }
    this.child = null;
    return result;
  }

  /** SIGKILL: a crash. Waits for the exit. */
  async kill() {
    const child = this.child;
    if (!child) return;
    child.kill('SIGKILL');
    await Promise.race([child.exited, raceTimer(10000)]);
    this.child = null;
  }

  /** A REST call; throws (with the body) unless the status is 2xx. */
  async request(method, urlPath, body) {
    const res = await fetch(this.base + urlPath, {
      method,
      headers: body === undefined ? {} : { 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
      signal: AbortSignal.timeout(10000),
    });
    const text = await res.text();
    if (res.status < 200 || res.status > 299) {
      throw new Error(`${method} ${urlPath} answered ${res.status}: ${text}`);
    }
    return JSON.parse(text);
  }

  sql(sql, params) {
    return this.request('POST', '/v1/sql', params === undefined ? { sql } : { sql, params });
  }

  insert(table, row) {
    return this.request('POST', `/v1/tables/${table}/rows`, row);
  }

  /** Every row of `table` in primary-key order. */
  async rows(table) {
    return (await this.request('GET', `/v1/tables/${table}/rows?order=id.asc&limit=10000`)).rows;
  }
}

/** A headless Debian Chromium (playwright gives it a fresh temporary profile); `t.after` closes it. */
export async function launchBrowser(t) {
  if (!fs.existsSync(CHROMIUM)) {
    throw new Error(`${CHROMIUM} is missing: install Debian's chromium package (apt-get install -y chromium)`);
  }
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: CHROMIUM_ARGS,
    timeout: 60000,
  });
  t.after(() => browser.close());
  const context = await browser.newContext();
  const page = await context.newPage();
  page.setDefaultTimeout(30000);
  // Anything the page itself reports is kept for failure messages.
  page.pageErrors = [];
  page.on('pageerror', (e) => page.pageErrors.push(String(e)));
  return { browser, context, page };
}

/**
 * Exactly-once, in-order check. `received` is what the page recorded: positioned frames
 * `{kind, position, ids}` in arrival order. `tableRows` is the table in id order.
 */
export function deliveryReport(received, tableRows) {
  const ids = received.flatMap((f) => f.ids);
  const expected = tableRows.map((r) => r.id);
  const problems = [];
  const seen = new Map();
  for (const id of ids) seen.set(id, (seen.get(id) || 0) + 1);
  const duplicates = [...seen].filter(([, n]) => n > 1).map(([id, n]) => `${id}×${n}`);
  const missing = expected.filter((id) => !seen.has(id));
  const unexpected = ids.filter((id) => !expected.includes(id));
  if (duplicates.length) problems.push(`duplicates: ${duplicates.join(', ')}`);
  if (missing.length) problems.push(`missing: ${missing.join(', ')}`);
  if (unexpected.length) problems.push(`not in the table: ${unexpected.join(', ')}`);
  if (!problems.length && ids.join() !== expected.join()) problems.push('out of order');
  for (let i = 1; i < received.length; i++) {
    if (!(BigInt(received[i].position) > BigInt(received[i - 1].position))) {
      problems.push(`position not increasing at frame ${i}: ${received[i - 1].position} then ${received[i].position}`);
    }
  }
  return {
    ok: problems.length === 0,
    problems,
    text: `${problems.join('; ') || 'ok'}\n  received ids: [${ids.join(', ')}]\n  table ids:    [${expected.join(', ')}]\n` +
      `  frames: ${received.map((f) => `${f.kind}@${f.position}[${f.ids.join(',')}]`).join(' ')}`,
  };
}

/**
 * Waits until the page has received as many row ids as table `t` holds. `readState` reads the page's state;
 * `failFast(state)` may throw to stop early. On failure the error carries the page state, a delivery report
 * and the server log tail.
 */
export async function awaitCaughtUp(server, what, readState, failFast) {
  const expected = (await server.rows('t')).length;
  let state;
  try {
    await until(async () => {
      state = await readState();
      failFast(state);
      return state.got.flatMap((f) => f.ids).length >= expected;
    }, what, 20000);
  } catch (e) {
    e.message += `\n  page state: ${JSON.stringify({ ...state, got: undefined })}` +
      `\n  ${deliveryReport(state?.got ?? [], await server.rows('t')).text}\n  server log tail:\n${server.logTail(3000)}`;
    throw e;
  }
  return state;
}

/** Inserts `n` rows into table `t` through REST, one transaction each. */
export async function insertRows(server, n, label) {
  for (let i = 0; i < n; i++) await server.insert('t', { v: `${label}-${i}` });
}
