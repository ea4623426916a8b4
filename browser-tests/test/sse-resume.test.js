// A browser EventSource on /v1/realtime/sse survives server restarts without the page doing anything:
// the browser reconnects by itself (retry: 1000) with Last-Event-ID, and the page receives every row of
// the table exactly once, in order, with strictly increasing positions.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Server, launchBrowser, until, sleep, deliveryReport, awaitCaughtUp, insertRows } from './helpers.js';

/** Runs in the page: a plain EventSource that records what arrives. Nothing here reconnects by hand. */
function openEventSource() {
  window.got = [];          // positioned frames: {kind, position, lastEventId, ids, ops}
  window.opens = 0;         // 'open' events: 1 + the number of successful reconnects
  window.networkErrors = 0; // 'error' events without data (disconnects, failed reconnect attempts)
  window.serverErrors = []; // 'error' events the server sent (event: error)
  const es = new EventSource('/v1/realtime/sse?topic=t&snapshot=true');
  window.es = es;
  es.addEventListener('open', () => { window.opens++; });
  es.addEventListener('error', (e) => {
    if (e.data) window.serverErrors.push(e.data); else window.networkErrors++;
  });
  es.addEventListener('snapshot', (e) => {
    const f = JSON.parse(e.data);
    window.got.push({ kind: 'snapshot', position: f.position, lastEventId: e.lastEventId,
      ids: f.rows.map((r) => r.id), ops: [] });
  });
  es.addEventListener('db_change', (e) => {
    const f = JSON.parse(e.data);
    window.got.push({ kind: 'db_change', position: f.position, lastEventId: e.lastEventId,
      ids: f.changes.filter((c) => c.operation === 'INSERT').map((c) => c.data.id),
      ops: f.changes.map((c) => c.operation) });
  });
}

const pageState = (page) => page.evaluate(() => ({
  readyState: window.es.readyState, opens: window.opens, networkErrors: window.networkErrors,
  serverErrors: window.serverErrors, got: window.got,
}));

/** Waits until the page holds as many rows as the table; fails fast if the EventSource gave up. */
const caughtUp = (page, server, what) => awaitCaughtUp(server, what, () => pageState(page), (state) => {
  if (state.readyState === 2) {
    throw new Error('the EventSource closed for good (readyState CLOSED): the server refused a reconnect');
  }
});

async function sseResume(t, { crash }) {
  const down = crash ? () => server.kill() : () => server.stop();
  const server = await Server.create(t);
  await server.start();
  await server.sql('CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT NOT NULL)');
  await insertRows(server, 3, 'before-subscribe'); // these arrive in the snapshot

  const { context, page } = await launchBrowser(t);
  // The EventSource requests the server answered, with the headers the browser really sent (failed
  // attempts against a closed port only expose provisional headers, so they are not looked at).
  const sseRequests = [];
  page.on('response', async (res) => {
    if (!res.url().includes('/v1/realtime/sse')) return;
    const entry = { status: res.status(), lastEventId: undefined };
    sseRequests.push(entry);
    entry.lastEventId = (await res.request().allHeaders())['last-event-id'] ?? null;
  });
  await page.goto(`${server.base}/health`);
  await page.evaluate(openEventSource);
  let state = await caughtUp(page, server, 'the snapshot');
  assert.equal(state.got[0].kind, 'snapshot');

  // Live changes: single-row transactions and one two-row transaction (one frame).
  await insertRows(server, 4, 'live');
  await server.sql("INSERT INTO t (v) VALUES ('live-tx-a'), ('live-tx-b')");
  state = await caughtUp(page, server, 'live changes');
  assert.equal(state.opens, 1);

  // 1) Down and up again. Rows are written right before going down and right after coming back up; the
  //    browser is retrying on its own (once a second) against a closed port meanwhile.
  await insertRows(server, 2, 'just-before-down-1');
  const opensAtDown = (await pageState(page)).opens;
  await down();
  await until(async () => (await pageState(page)).readyState === 0, 'the EventSource to notice the disconnect', 10000);
  await sleep(1500); // at least one failed reconnect attempt against the closed port
  await server.start();
  const opensBefore = (await pageState(page)).opens;
  await insertRows(server, 3, 'right-after-restart-1');
  await server.sql("INSERT INTO t (v) VALUES ('after-restart-tx-a'), ('after-restart-tx-b'), ('after-restart-tx-c')");
  const opensAfterWrites = (await pageState(page)).opens;
  state = await caughtUp(page, server, 'catch-up after restart 1');
  assert.ok(state.opens >= 2, 'the EventSource reconnected');
  t.diagnostic(`restart 1: the browser reconnected ${opensAfterWrites === opensAtDown ? 'after' :
    opensBefore === opensAtDown ? 'while' : 'before'} the rows right after the restart were written ` +
    `(opens at down ${opensAtDown}, at healthy ${opensBefore}, after the writes ${opensAfterWrites}, at the end ${state.opens})`);

  // 2) The same, but the browser is held offline (network emulation, not page code) until the server is
  //    back up AND has committed more rows: those rows must come through the Last-Event-ID catch-up.
  await insertRows(server, 2, 'just-before-down-2');
  await caughtUp(page, server, 'rows before going down again');
  const opensBeforeOffline = (await pageState(page)).opens;
  await context.setOffline(true);
  await down();
  await server.start();
  await insertRows(server, 3, 'while-browser-offline');
  await server.sql("INSERT INTO t (v) VALUES ('offline-tx-a'), ('offline-tx-b')");
  await sleep(2500); // the browser keeps retrying and failing while offline
  const offlineState = await pageState(page);
  assert.equal(offlineState.opens, opensBeforeOffline, 'no reconnect succeeded while the browser was offline');
  assert.equal(offlineState.readyState, 0, 'the EventSource is still trying to reconnect');
  await context.setOffline(false);
  state = await caughtUp(page, server, 'catch-up after coming back online');
  assert.equal(state.opens, opensBeforeOffline + 1, 'exactly one successful reconnect');

  // Live again after the catch-up.
  await insertRows(server, 2, 'live-at-the-end');
  state = await caughtUp(page, server, 'live changes after the restarts');

  const table = await server.rows('t');
  const report = deliveryReport(state.got, table);
  assert.ok(report.ok, `page vs table: ${report.text}`);
  assert.equal(table.length, 3 + 4 + 2 + 2 + 3 + 3 + 2 + 3 + 2 + 2);
  assert.equal(state.got.filter((f) => f.kind === 'snapshot').length, 1, 'one snapshot only: reconnects resume');
  for (const f of state.got) assert.equal(f.lastEventId, f.position, 'each event id is its position');
  assert.deepEqual(state.serverErrors, []);

  // The browser itself sent Last-Event-ID on every reconnect, naming a position it had received.
  const positions = new Set(state.got.map((f) => f.position));
  assert.equal(sseRequests.length, state.opens, `one answered SSE request per open: ${JSON.stringify(sseRequests)}`);
  assert.ok(sseRequests.every((r) => r.status === 200), JSON.stringify(sseRequests));
  assert.equal(sseRequests[0].lastEventId, null, 'the first request has no Last-Event-ID');
  for (const r of sseRequests.slice(1)) {
    assert.ok(positions.has(r.lastEventId), `reconnect sent Last-Event-ID ${r.lastEventId}, a received position`);
  }
  t.diagnostic(`${table.length} rows in ${state.got.length} frames; ${state.opens} opens; ` +
    `Last-Event-ID of the answered requests: ${sseRequests.map((r) => r.lastEventId ?? '(none)').join(', ')}; ` +
    `${state.networkErrors} error events`);
  assert.deepEqual(page.pageErrors, []);
}

test('EventSource resumes with Last-Event-ID across graceful restarts (SIGTERM)', { timeout: 180000 },
  (t) => sseResume(t, { crash: false }));

test('EventSource resumes with Last-Event-ID across crashes (SIGKILL)', { timeout: 180000 },
  (t) => sseResume(t, { crash: true }));
