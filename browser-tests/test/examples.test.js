// The example apps (examples/) in a real browser: served by examples/serve.mjs, talking to a real server.
// For each app two pages (in two browser contexts: separate storage, separate connections) see each other's
// changes; then the second context is cut off (network emulation) while the server is stopped with SIGTERM
// and started again on the same port and data folder, changes are made through the first pages and over
// REST, and when the network comes back every second page shows every change it missed.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import http from 'node:http';
import path from 'node:path';
import { Server, launchBrowser, until, freePort, ROOT } from './helpers.js';

const WAIT_MS = 20000;

/** Starts `node examples/serve.mjs` on a free port for `server`; `t.after` stops it (SIGTERM). */
async function startExamples(t, server) {
  const port = await freePort();
  const child = spawn(process.execPath, [path.join(ROOT, 'examples', 'serve.mjs'),
    '--host', '127.0.0.1', '--port', String(port), '--pulsebase', server.base],
  { stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout.on('data', (d) => { output += d; });
  child.stderr.on('data', (d) => { output += d; });
  const exited = new Promise((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
  let exit = null;
  exited.then((e) => { exit = e; });
  t.after(async () => {
    if (!exit) child.kill('SIGTERM');
    await exited;
  });
  // Building the SDK (only when clients/js/dist is missing or stale) may take a while.
  await until(() => {
    if (exit) throw new Error(`serve.mjs exited (${JSON.stringify(exit)}):\n${output}`);
    return output.includes('Pulsebase examples on');
  }, 'examples/serve.mjs to listen', 180000);
  return `http://127.0.0.1:${port}`;
}

/** The status of a GET sent with the path exactly as given (fetch would normalise `..`). */
function rawStatus(url) {
  const u = new URL(url);
  return new Promise((resolve, reject) => {
    http.get({ host: u.hostname, port: u.port, path: url.slice(u.origin.length) }, (res) => {
      res.resume();
      resolve(res.statusCode);
    }).on('error', reject);
  });
}

/** Opens an example page and waits until its client is connected. */
async function open(context, url) {
  const page = await context.newPage();
  page.setDefaultTimeout(WAIT_MS);
  page.pageErrors = [];
  page.consoleErrors = [];
  page.on('pageerror', (e) => page.pageErrors.push(String(e)));
  page.on('console', (m) => { if (m.type() === 'error') page.consoleErrors.push(m.text()); });
  await page.goto(url);
  await until(async () => (await badge(page)) === 'connected', `${url} to connect`, WAIT_MS);
  return page;
}

const badge = (page) => page.$eval('#status', (el) => el.dataset.status).catch(() => null);

/** Polls `read` until `check(value)` holds; on timeout the error shows the last value read. */
async function eventually(read, check, what, server) {
  let last;
  try {
    await until(async () => { last = await read(); return check(last); }, what, WAIT_MS);
  } catch (e) {
    e.message += `\n  last seen: ${JSON.stringify(last)}\n  server log tail:\n${server.logTail(2000)}`;
    throw e;
  }
  return last;
}

// ---- what each page shows (read from the DOM, as a user sees it) ----------------------------------------

const userList = (page) => page.$$eval('#users li', (lis) => lis.map((li) => ({
  id: Number(li.dataset.id), name: li.querySelector('.name').textContent })));
const tableUsers = async (server) => (await server.rows('users')).map((u) => ({ id: u.id, name: u.name }));

const chatState = (page) => page.evaluate(() => ({
  messages: [...document.querySelectorAll('#messages li:not(.pending)')].map((li) => ({
    position: li.dataset.position, author: li.querySelector('.author').textContent, text: li.querySelector('.text').textContent })),
  pending: document.querySelectorAll('#messages li.pending').length,
  online: document.getElementById('online').textContent,
  typing: document.getElementById('typing').textContent,
}));
/** Every persisted chat message, oldest first, as the pages show them. */
async function chatHistory(server) {
  const { messages } = await server.request('GET', '/v1/history?topic=chat/lobby&limit=1000');
  return messages.reverse().map((m) => ({ position: m.position, author: m.data.name, text: m.data.text }));
}

const dashboard = (page) => page.evaluate(() => ({
  rows: [...document.querySelectorAll('#orders tr')].map((tr) => ({ id: Number(tr.dataset.id), status: tr.dataset.status })),
  count: Number(document.getElementById('total-count').textContent),
  cents: Number(document.getElementById('total-amount').dataset.cents),
  badge: document.getElementById('status').dataset.status,
}));
/** What a dashboard with `status` (or all orders) must show: newest first, and its totals. */
async function expectedDashboard(server, status) {
  const rows = (await server.rows('orders')).filter((o) => !status || o.status === status).reverse();
  return {
    rows: rows.map((o) => ({ id: o.id, status: o.status })),
    count: rows.length,
    cents: rows.reduce((s, o) => s + o.amount_cents, 0),
  };
}
const sameDashboard = (shown, expected) => JSON.stringify(shown.rows) === JSON.stringify(expected.rows) &&
  shown.count === expected.count && shown.cents === expected.cents;

/**
 * Waits until the dashboard shows exactly the table's orders for `status` (null: all) with matching totals,
 * and `want(shown)` holds (so that a write still in flight cannot pass for the expected state).
 */
async function showsDashboard(page, server, status, what, want = () => true) {
  let expected;
  return eventually(async () => {
    expected = await expectedDashboard(server, status);
    return dashboard(page);
  }, (shown) => sameDashboard(shown, expected) && want(shown), what, server);
}
/** Waits until the page lists exactly the table's users, and they are `names`. */
async function showsUsers(page, server, what, names) {
  let expected;
  const shown = await eventually(async () => { expected = await tableUsers(server); return userList(page); },
    (list) => JSON.stringify(list) === JSON.stringify(expected) && JSON.stringify(list.map((u) => u.name)) === JSON.stringify(names),
    what, server);
  return shown;
}
/** Waits until the page shows exactly the channel's history (nothing pending), ending with `lastTexts`. */
async function showsChat(page, server, what, { lastTexts = [], online } = {}) {
  let expected;
  return eventually(async () => { expected = await chatHistory(server); return chatState(page); },
    (st) => JSON.stringify(st.messages) === JSON.stringify(expected) && st.pending === 0 &&
      JSON.stringify(st.messages.slice(-lastTexts.length || st.messages.length).map((m) => m.text)) ===
        JSON.stringify(lastTexts.length ? lastTexts : st.messages.map((m) => m.text)) &&
      (online === undefined || st.online === online),
    what, server);
}

test('example apps: two pages follow each other, and a page cut off during a restart catches up',
  { timeout: 150000 }, async (t) => {
    const server = await Server.create(t);
    await server.start();
    const examples = await startExamples(t, server);
    const { browser, context: a } = await launchBrowser(t);
    const b = await browser.newContext();
    t.after(() => b.close());
    const pages = [];
    const openIn = async (context, p) => { const page = await open(context, `${examples}/${p}`); pages.push(page); return page; };
    // Playwright's actionability checks wait for animation frames, which a background tab gets rarely: bring
    // the page a user acts on to the front, as the user would.
    const front = (page) => page.bringToFront();

    // Serving: the config names the server under test; the SDK is there; nothing outside the two folders.
    const config = await (await fetch(`${examples}/config.js`)).text();
    assert.ok(config.includes(JSON.stringify(server.base)), config);
    assert.equal((await fetch(`${examples}/sdk/index.js`)).status, 200);
    assert.equal(await rawStatus(`${examples}/sdk/..%2f..%2f..%2fREADME.md`), 404, 'nothing outside the served folders');

    let usersA, usersB, chatA, chatB, ordersA, ordersB;

    await t.test('live user list: adds and deletes show up in the other page', async () => {
      [usersA, usersB] = await Promise.all([openIn(a, 'users.html'), openIn(b, 'users.html')]);
      await front(usersA);
      await usersA.fill('#name', 'Ada');
      await usersA.fill('#email', 'ada@example.org');
      await usersA.click('#add button[type=submit]');
      await showsUsers(usersB, server, 'Ada in the second page', ['Ada']);
      await front(usersB);
      await usersB.fill('#name', 'Grace');
      await usersB.click('#add button[type=submit]');
      await showsUsers(usersB, server, 'Grace in the page that added her', ['Ada', 'Grace']);
      await usersB.fill('#name', 'Alan');
      await usersB.press('#name', 'Enter');
      await showsUsers(usersA, server, 'Grace and Alan in the first page', ['Ada', 'Grace', 'Alan']);
      await front(usersA);
      await usersA.click('#users li:has-text("Ada") button');
      await showsUsers(usersB, server, 'Ada deleted in the second page', ['Grace', 'Alan']);
      await showsUsers(usersA, server, 'Ada deleted in the first page', ['Grace', 'Alan']);
    });

    await t.test('chat: history on open, presence, typing indicator, messages both ways', async () => {
      for (const text of ['first!', 'anyone here?']) {
        await server.request('POST', '/v1/publish',
          { topic: 'chat/lobby', event: 'message', data: { name: 'Bot', text }, persist: true });
      }
      [chatA, chatB] = await Promise.all([openIn(a, 'chat.html?name=Ada'), openIn(b, 'chat.html?name=Bob')]);
      await showsChat(chatA, server, 'the history and both members in the first page',
        { lastTexts: ['first!', 'anyone here?'], online: '2 online: Ada (you), Bob' });
      await showsChat(chatB, server, 'the history and both members in the second page',
        { lastTexts: ['first!', 'anyone here?'], online: '2 online: Ada, Bob (you)' });

      await front(chatA);
      await chatA.type('#text', 'hel');   // key by key: input events, one unpersisted `typing` message
      await eventually(() => chatState(chatB), (st) => st.typing === 'Ada is typing…', 'the typing indicator', server);
      assert.equal((await chatState(chatA)).typing, '', 'no indicator for one\'s own typing');
      await chatA.type('#text', 'lo from Ada');
      await chatA.press('#text', 'Enter');
      const st = await showsChat(chatB, server, 'Ada\'s message in the second page', { lastTexts: ['hello from Ada'] });
      assert.equal(st.messages.at(-1).author, 'Ada');
      assert.equal(st.typing, '', 'the indicator goes with the message');
      await front(chatB);
      await chatB.fill('#text', 'hi Ada');
      await chatB.press('#text', 'Enter');
      await showsChat(chatA, server, 'Bob\'s message in the first page', { lastTexts: ['hello from Ada', 'hi Ada'] });

      // A third tab opens with the whole history, and is seen online; closing it leaves.
      const chatC = await openIn(a, 'chat.html?name=Cy');
      await showsChat(chatC, server, 'the whole history in a new page',
        { lastTexts: ['first!', 'anyone here?', 'hello from Ada', 'hi Ada'], online: '3 online: Ada, Bob, Cy (you)' });
      await eventually(() => chatState(chatB), (x) => x.online === '3 online: Ada, Bob (you), Cy', 'Cy online', server);
      await chatC.close();
      await eventually(() => chatState(chatB), (x) => x.online === '2 online: Ada, Bob (you)', 'Cy gone', server);
    });

    await t.test('orders dashboard: filter, running totals and changes across pages', async () => {
      [ordersA, ordersB] = await Promise.all([openIn(a, 'orders.html'), openIn(b, 'orders.html?status=pending')]);
      await front(ordersA);
      await ordersA.fill('#customer', 'Ada');
      await ordersA.fill('#amount', '12.50');
      await ordersA.click('#add button[type=submit]');
      let shown = await showsDashboard(ordersB, server, 'pending', 'the new order in the filtered page',
        (x) => x.count === 1);
      assert.equal(shown.cents, 1250);
      await ordersA.click('#random');   // five orders in one transaction, some pending, some not
      await showsDashboard(ordersA, server, null, 'the five random orders', (x) => x.count === 6);
      assert.doesNotMatch(await ordersA.textContent('#orders'), /false|undefined|NaN/);
      await showsDashboard(ordersB, server, 'pending', 'the pending ones of the five');
      // Ada's order is paid from the filtered page: it leaves the pending view.
      await front(ordersB);
      await ordersB.click('#orders tr[data-id="1"] button:has-text("mark paid")');
      shown = await showsDashboard(ordersB, server, 'pending', 'order 1 leaves the pending view',
        (x) => !x.rows.some((r) => r.id === 1));
      await showsDashboard(ordersA, server, null, 'order 1 paid in the unfiltered page',
        (x) => x.rows.find((r) => r.id === 1)?.status === 'paid');
      // Another filter: the page re-subscribes (with a snapshot).
      await ordersB.selectOption('#filter', 'paid');
      await showsDashboard(ordersB, server, 'paid', 'the paid view', (x) => x.rows.some((r) => r.id === 1));
      await ordersB.selectOption('#filter', 'pending');
      await showsDashboard(ordersB, server, 'pending', 'back to the pending view', (x) => !x.rows.some((r) => r.id === 1));
    });

    await t.test('after a restart (SIGTERM) the pages that were away show every change they missed', async (t) => {
      const t0 = Date.now();
      const mark = (what) => t.diagnostic(`${what} at +${Date.now() - t0} ms`);
      const before = { users: await userList(usersB), chat: (await chatState(chatB)).messages.length };
      await b.setOffline(true);
      await server.stop();
      await eventually(() => badge(ordersB), (x) => x === 'reconnecting', 'the badge to say reconnecting', server);
      await server.start();
      mark('server restarted');

      // The first pages reconnect by themselves; changes are made there and over REST.
      for (const page of [usersA, chatA, ordersA]) {
        await eventually(() => badge(page), (x) => x === 'connected', 'the first pages to reconnect', server);
      }
      mark('first pages reconnected');
      await front(usersA);
      await usersA.fill('#name', 'Hedy');
      await usersA.click('#add button[type=submit]');
      await showsUsers(usersA, server, 'Hedy in the first page', ['Grace', 'Alan', 'Hedy']);
      await usersA.click('#users li:has-text("Grace") button');
      await server.insert('users', { name: 'Barbara' });
      await showsUsers(usersA, server, 'the changes in the first page', ['Alan', 'Hedy', 'Barbara']);

      await front(chatA);
      await chatA.fill('#text', 'you missed this');
      await chatA.press('#text', 'Enter');
      await showsChat(chatA, server, 'the message in the first page', { lastTexts: ['you missed this'] });
      await server.request('POST', '/v1/publish',
        { topic: 'chat/lobby', event: 'message', data: { name: 'Bot', text: 'and this' }, persist: true });
      await showsChat(chatA, server, 'the messages in the first page', { lastTexts: ['you missed this', 'and this'] });

      await front(ordersA);
      await ordersA.fill('#customer', 'Edsger');
      await ordersA.fill('#amount', '99.99');
      await ordersA.click('#add button[type=submit]');
      await ordersA.click('#orders tr:has-text("Edsger") button:has-text("cancel")');   // in, then out of the pending view
      await showsDashboard(ordersA, server, null, 'Edsger cancelled', (x) => x.rows.find((r) => r.id === 7)?.status === 'cancelled');
      await server.insert('orders', { customer: 'Ken', amount_cents: 4200 });
      await server.sql("UPDATE orders SET status = 'shipped' WHERE status = 'paid'");   // one transaction, several rows
      await showsDashboard(ordersA, server, null, 'the changes in the first dashboard',
        (x) => x.count === 8 && !x.rows.some((r) => r.status === 'paid'));
      mark('changes made');

      // Nothing reached the second pages while they were offline.
      assert.deepEqual(await userList(usersB), before.users);
      assert.equal((await chatState(chatB)).messages.length, before.chat);
      assert.equal(await badge(ordersB), 'reconnecting');

      await b.setOffline(false);
      await showsUsers(usersB, server, 'the users after the reconnect', ['Alan', 'Hedy', 'Barbara']);
      mark('second users page caught up');
      await showsChat(chatB, server, 'the missed messages after the reconnect',
        { lastTexts: ['you missed this', 'and this'], online: '2 online: Ada, Bob (you)' });
      const orders = await showsDashboard(ordersB, server, 'pending', 'the pending orders after the reconnect',
        (x) => x.rows.some((r) => r.id === 8) && x.badge === 'connected');
      assert.ok(!orders.rows.some((r) => r.id === 7), 'the order added and cancelled while away is not shown');
      mark('second pages caught up');
    });

    for (const page of pages) {
      assert.deepEqual(page.pageErrors, [], `no page errors in ${page.url()}`);
      if (!page.isClosed()) {
        assert.equal(await page.$eval('#problem', (el) => el.hidden ? '' : el.textContent), '', `no problem shown in ${page.url()}`);
      }
    }
  });
