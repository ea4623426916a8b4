// Shared machinery for the browser tests: a headless Chromium, and the checks of what a page received. The
// server process (started, stopped, killed and restarted on the same port and data folder) and REST calls from
// Node come from the repository's test-support/server.js, shared with the TypeScript SDK's tests.
//
// Every wait is bounded; every server and browser is torn down by the test that started it (and, as a last
// resort, when this process exits).
import fs from 'node:fs';
import { chromium } from 'playwright-core';
import { until } from '@pulsebase/test-support/server';

export { JAR, ROOT, Server, freePort, java, portIsFree, sleep, until } from '@pulsebase/test-support/server';

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
