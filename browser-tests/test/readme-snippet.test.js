// The README's "Five minutes to a live subscription" works as written in a real browser: its curl commands
// (sent as curl would send them) and its console snippets, pasted verbatim into the page opened at
// http://localhost:8080/health, log what the README says they log.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { ROOT, Server, launchBrowser, until, portIsFree } from './helpers.js';

const README = fs.readFileSync(path.join(ROOT, 'README.md'), 'utf8');
const SNIPPETS = [...README.matchAll(/```js\n([\s\S]*?)```/g)].map((m) => m[1]);
// curl -s [-X METHOD] localhost:8080/path -d '<json>'
const CURLS = [...README.matchAll(/curl -s (?:-X (\w+) )?localhost:8080(\S+) -d '([^']*)'/g)]
  .map((m) => ({ method: m[1] || 'POST', path: m[2], body: m[3] }));

test('README browser-console snippets work verbatim', { timeout: 120000 }, async (t) => {
  assert.equal(SNIPPETS.length, 4, 'README has four js snippets: subscribe, resume with since, EventSource, channel');
  assert.ok(CURLS.length >= 5, `README has the five curl writes (found ${CURLS.length})`);
  const [subscribeJs, resumeJs, eventSourceJs, channelJs] = SNIPPETS;
  const [createTable, firstRow, insertDocs, patchDone, upperAll] = CURLS;
  assert.match(createTable.body, /CREATE TABLE todos/);

  // The README's port, 8080, when it is free; otherwise the snippets get another port and nothing else changes.
  const port = await portIsFree(8080) ? 8080 : undefined;
  const server = await Server.create(t, { port });
  const adapt = (text) => text.replaceAll('localhost:8080', `localhost:${server.port}`);
  if (server.port !== 8080) t.diagnostic(`port 8080 is busy: snippets run with localhost:${server.port}`);
  await server.start();

  // As `curl -s URL -d '...'` sends it: POST (unless -X), form content type, the body as written.
  const curl = async ({ method, path: urlPath, body }) => {
    const res = await fetch(server.base + urlPath, {
      method, body, headers: { 'content-type': 'application/x-www-form-urlencoded' },
      signal: AbortSignal.timeout(10000),
    });
    const text = await res.text();
    assert.ok(res.ok, `${method} ${urlPath} ${body} answered ${res.status}: ${text}`);
    return JSON.parse(text);
  };
  await curl(createTable);
  await curl(firstRow);

  const { page } = await launchBrowser(t);
  const logged = []; // what console.log printed, as values
  page.on('console', async (msg) => {
    const slot = logged.length;
    logged.push(undefined);
    const args = await Promise.all(msg.args().map((a) => a.jsonValue().catch(() => String(a))));
    logged[slot] = args.length === 1 ? args[0] : { consoleText: msg.text(), level: msg.type() };
  });
  const frames = (from = 0) => logged.slice(from).filter((f) => f && typeof f === 'object' && f.type);
  const waitFor = (what, predicate, from = 0) =>
    until(() => frames(from).find(predicate), what, 15000).catch((e) => {
      e.message += `\n  console so far: ${JSON.stringify(logged)}\n  server log tail:\n${server.logTail(3000)}`;
      throw e;
    });
  const paste = (code) => page.addScriptTag({ content: adapt(code) }); // a classic script, as the console runs it

  await page.goto(`http://localhost:${server.port}/health`);

  // "You see a snapshot with the row."
  await paste(subscribeJs);
  const snapshot = await waitFor('the snapshot', (f) => f.type === 'snapshot');
  assert.equal(snapshot.topic, 'todos');
  assert.deepEqual(snapshot.rows.map((r) => r.title), ['try Pulsebase']);

  // "Now change the table from the terminal and watch the console."
  await curl(insertDocs);
  const insert = await waitFor('the INSERT', (f) => f.type === 'db_change' && f.changes[0].operation === 'INSERT');
  assert.equal(insert.changes[0].data.title, 'write the docs');

  await curl(patchDone); // leaves the filter: DELETE
  const leave = await waitFor('the DELETE', (f) => f.type === 'db_change' && f.changes[0].operation === 'DELETE');
  assert.equal(leave.changes[0].old.id, 1);
  assert.equal(leave.changes[0].data, null);

  await curl(upperAll); // one transaction, one frame (only row 2 still matches done = 0)
  const update = await waitFor('the UPDATE', (f) => f.type === 'db_change' && f.changes[0].operation === 'UPDATE');
  assert.equal(update.changes.length, 1);
  assert.equal(update.changes[0].data.title, 'WRITE THE DOCS');
  assert.equal(await page.evaluate(() => last), update.position, '`last` holds the latest position');

  // "Close the socket (ws.close()), make more changes, then resume exactly where you were."
  await paste('ws.close()');
  await until(() => page.evaluate(() => ws.readyState === WebSocket.CLOSED), 'ws to close');
  await curl({ method: 'POST', path: '/v1/tables/todos/rows', body: '{"title": "made while closed"}' });
  const mark = logged.length;
  await paste(resumeJs);
  const missed = await waitFor('the missed INSERT', (f) => f.type === 'db_change', mark);
  assert.equal(missed.changes[0].data.title, 'made while closed');
  assert.ok(BigInt(missed.position) > BigInt(update.position));
  await waitFor('the reply to subscribe ref 2', (f) => f.type === 'reply' && f.ref === '2', mark);
  const afterResume = frames(mark);
  assert.deepEqual(afterResume.filter((f) => f.type !== 'reply').map((f) => f.changes?.[0]?.data?.title),
    ['made while closed'], 'exactly the missed change, no snapshot, no duplicate');
  assert.ok(afterResume.find((f) => f.type === 'reply').ok);

  // "Or with Server-Sent Events": its db_change is logged next to ws2's.
  await paste(eventSourceJs);
  await until(() => page.evaluate(() => es.readyState === EventSource.OPEN), 'the EventSource to open');
  const mark2 = logged.length;
  await curl({ method: 'POST', path: '/v1/tables/todos/rows', body: '{"title": "seen twice"}' });
  await until(() => frames(mark2).filter((f) => f.type === 'db_change').length >= 2,
    'ws2 and es both to log the change', 15000).catch((e) => {
    e.message += `\n  console since the insert: ${JSON.stringify(logged.slice(mark2))}`;
    throw e;
  });
  const both = frames(mark2).filter((f) => f.type === 'db_change');
  assert.equal(both.length, 2);
  assert.deepEqual(both[0], both[1], 'the SSE event carries the same JSON as the WebSocket frame');
  assert.equal(both[0].changes[0].data.title, 'seen twice');

  // "Channels: chat, presence, history" — the snippet, then say('hello') and loadHistory() as the README says.
  const mark3 = logged.length;
  await paste(channelJs);
  const state = await waitFor('the presence_state', (f) => f.type === 'presence_state', mark3);
  assert.equal(state.topic, 'chat/lobby');
  const join = await waitFor('our own join', (f) => f.type === 'presence' && f.event === 'join', mark3);
  assert.deepEqual(join.data, { name: 'Ada' });
  await page.evaluate(() => say('hello'));
  const event = await waitFor('the message event', (f) => f.type === 'event' && f.topic === 'chat/lobby', mark3);
  assert.deepEqual(event.data, { text: 'hello' });
  assert.ok(event.position, 'a persisted message has a position');
  await page.evaluate(() => loadHistory());
  const history = await waitFor('the history reply', (f) => f.type === 'reply' && f.ref === 'h', mark3);
  assert.deepEqual(history.messages.map((m) => m.data.text), ['hello']);
  assert.deepEqual(page.pageErrors, []);
});
