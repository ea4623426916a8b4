// A plain browser WebSocket client, written as a user would (about twenty lines), resumes with `since`
// after server restarts and crashes: the page receives every row exactly once, in order.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Server, launchBrowser, until, sleep, deliveryReport, awaitCaughtUp, insertRows } from './helpers.js';

/** Runs in the page. Subscribes with a snapshot, remembers the last position, and on close reconnects
 *  200 ms later with `since: last`. */
function resumingClient() {
  window.got = []; window.opens = 0; window.closes = []; window.failures = []; window.subscribed = 0;
  let last = null;
  function connect() {
    const ws = new WebSocket(`ws://${location.host}/v1/realtime`);
    ws.onopen = () => {
      window.opens++;
      const resume = last === null ? { snapshot: true } : { since: last };
      ws.send(JSON.stringify({ type: 'subscribe', ref: 'sub', topic: 't', ...resume }));
    };
    ws.onmessage = (m) => {
      const f = JSON.parse(m.data);
      if (f.type === 'snapshot' || f.type === 'db_change') {
        last = f.position;
        const ids = f.type === 'snapshot' ? f.rows.map((r) => r.id)
          : f.changes.filter((c) => c.operation === 'INSERT').map((c) => c.data.id);
        window.got.push({ kind: f.type, position: f.position, ids });
      } else if (f.type === 'reply') {
        if (f.ok) window.subscribed++; else window.failures.push(f);
      } else if (f.type === 'error') {
        window.failures.push(f);
      }
    };
    ws.onclose = (e) => { window.closes.push({ code: e.code, reason: e.reason }); setTimeout(connect, 200); };
  }
  connect();
}

const pageState = (page) => page.evaluate(() => ({
  opens: window.opens, closes: window.closes, failures: window.failures, subscribed: window.subscribed,
  got: window.got,
}));

/** Waits until the page holds as many rows as the table; fails fast if the server refused the client. */
const caughtUp = (page, server, what) => awaitCaughtUp(server, what, () => pageState(page), (state) => {
  if (state.failures.length) throw new Error(`the server refused: ${JSON.stringify(state.failures)}`);
});

test('WebSocket client resumes with since across a graceful restart, a crash and an offline spell',
  { timeout: 180000 }, async (t) => {
    const server = await Server.create(t);
    await server.start();
    await server.sql('CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT NOT NULL)');
    await insertRows(server, 3, 'before-subscribe');

    const { context, page } = await launchBrowser(t);
    await page.goto(`${server.base}/health`);
    await page.evaluate(resumingClient);
    let state = await caughtUp(page, server, 'the snapshot');
    assert.equal(state.got[0].kind, 'snapshot');

    await insertRows(server, 3, 'live');
    await server.sql("INSERT INTO t (v) VALUES ('live-tx-a'), ('live-tx-b')");
    await caughtUp(page, server, 'live changes');

    // Graceful restart: the server closes the socket with 1001 server_shutdown.
    await insertRows(server, 2, 'before-stop');
    await server.stop();
    await sleep(700); // a few failed reconnects against the closed port
    await server.start();
    await insertRows(server, 3, 'after-restart');
    await server.sql("INSERT INTO t (v) VALUES ('after-restart-tx-a'), ('after-restart-tx-b')");
    state = await caughtUp(page, server, 'catch-up after the graceful restart');
    assert.ok(state.closes.some((c) => c.code === 1001), `a 1001 close on shutdown: ${JSON.stringify(state.closes)}`);

    // Crash: kill -9, the browser sees an abnormal close (1006).
    await insertRows(server, 2, 'before-kill');
    await caughtUp(page, server, 'rows before the crash');
    await server.kill();
    await sleep(700);
    await server.start();
    await insertRows(server, 3, 'after-crash');
    state = await caughtUp(page, server, 'catch-up after the crash');
    assert.ok(state.closes.some((c) => c.code === 1006), `a 1006 close after the crash: ${JSON.stringify(state.closes)}`);

    // Offline spell (network emulation): the server restarts and commits rows before the client can
    // reconnect, so they can only come from the `since` replay.
    const opensBefore = state.opens;
    await context.setOffline(true);
    await server.stop();
    await server.start();
    await insertRows(server, 3, 'while-offline');
    await server.sql("INSERT INTO t (v) VALUES ('offline-tx-a'), ('offline-tx-b')");
    await sleep(1000);
    assert.equal((await pageState(page)).opens, opensBefore, 'no reconnect while offline');
    await context.setOffline(false);
    state = await caughtUp(page, server, 'catch-up after coming back online');
    assert.equal(state.opens, opensBefore + 1);

    await insertRows(server, 2, 'live-at-the-end');
    state = await caughtUp(page, server, 'live changes at the end');

    const table = await server.rows('t');
    const report = deliveryReport(state.got, table);
    assert.ok(report.ok, `page vs table: ${report.text}`);
    assert.equal(table.length, 3 + 3 + 2 + 2 + 5 + 2 + 3 + 5 + 2);
    assert.equal(state.got.filter((f) => f.kind === 'snapshot').length, 1, 'one snapshot only');
    assert.deepEqual(state.failures, [], 'every (re)subscribe was answered ok');
    assert.ok(state.subscribed >= 4, `subscribed on the first connection and after each of 3 outages (${state.subscribed})`);
    const closeCodes = {};
    for (const c of state.closes) closeCodes[c.code] = (closeCodes[c.code] || 0) + 1;
    t.diagnostic(`${table.length} rows in ${state.got.length} frames; ${state.opens} connections, ` +
      `${state.subscribed} subscribed; close events by code: ${JSON.stringify(closeCodes)}`);
    assert.deepEqual(page.pageErrors, []);
  });
