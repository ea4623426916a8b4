// Integration tests against a real Pulsebase server process (built jar, free port, temporary data folder).
import assert from 'node:assert/strict';
import { after, describe, test } from 'node:test';
import { createClient, type ChangeEvent, type MessageEvent, type PulsebaseClient, type ResyncEvent, type Status } from '../../src/node.js';
import { FAST, Proxy, Server, sleep, until } from '../helpers.js';

// Servers and proxies are torn down after the whole file (node:test's after() called inside a test would
// attach to that test).
const cleanups: Array<() => unknown> = [];
const cleanup = { after: (fn: () => unknown) => { cleanups.push(fn); } };
let server: Server;
let proxy: Proxy;
const clients: PulsebaseClient[] = [];
function client(base: string, options: Parameters<typeof createClient>[1] = {}) {
  const pb = createClient(base, { ...FAST, ...options });
  clients.push(pb);
  return pb;
}


const byId = (a: Record<string, unknown>, b: Record<string, unknown>) => Number(a.id) - Number(b.id);
const sorted = (rows: Record<string, unknown>[]) => [...rows].sort(byId);

describe('pulsebase client against a real server', { timeout: 90000 }, () => {
// One server for the tests that need no restarts, started by the first test that asks (a `before` hook of a
// describe block does not reliably run first under Node 20's runner).
let shared: Promise<void> | null = null;
function sharedServer(): Promise<void> {
  shared ??= (async () => {
    server = await Server.create(cleanup);
    await server.start();
    proxy = await Proxy.create(cleanup, () => server.port);
  })();
  return shared;
}
after(async () => {
  for (const pb of clients) pb.disconnect();
  for (const fn of cleanups.reverse()) await fn();
});

describe('tables', () => {
  test('snapshot, live changes, filter enter and leave; rows() equals the table and is updated before handlers run', async () => {
    await sharedServer();
    await server.sql('CREATE TABLE orders (id INTEGER PRIMARY KEY, status TEXT, total REAL)');
    await server.insert('orders', { status: 'pending', total: 1 });
    await server.insert('orders', { status: 'pending', total: 2 });
    await server.insert('orders', { status: 'shipped', total: 3 });
    const pb = client(server.base);
    const statuses: Status[] = [];
    pb.onStatusChange((s) => statuses.push(s));
    const seen: string[] = [];
    const txs: number[] = [];
    const orders = pb.channel('orders', { filter: "status = 'pending'", snapshot: true });
    orders
      .on('INSERT', ({ data }) => seen.push(`I${data!.id}:${orders.row(data!.id) === data}`))
      .on('UPDATE', ({ data, old }) => seen.push(`U${data!.id}:${old!.total}->${data!.total}`))
      .on('DELETE', ({ old }) => seen.push(`D${old!.id}:${orders.row(old!.id) === undefined}`))
      .on('channel:transaction', (tx) => txs.push(tx.changes.length))
      .subscribe();
    await orders.ready();
    assert.deepEqual(sorted(orders.rows()), await server.rows('orders', "status = 'pending'"));
    await server.insert('orders', { status: 'pending', total: 4 });                     // INSERT 4
    await server.request('PATCH', '/v1/tables/orders/rows/1', { status: 'shipped' });   // leaves: DELETE 1
    await server.request('PATCH', '/v1/tables/orders/rows/3', { status: 'pending' });   // enters: INSERT 3
    await server.request('PATCH', '/v1/tables/orders/rows/2', { total: 20 });           // UPDATE 2
    await server.sql('UPDATE orders SET total = total + 100 WHERE id IN (3, 4)');        // one transaction, two UPDATEs
    await until(() => seen.length >= 6, () => `6 events, got ${seen}`);
    assert.deepEqual(seen, ['I4:true', 'D1:true', 'I3:true', 'U2:2->20', 'U3:3->103', 'U4:4->104']);
    assert.deepEqual(txs, [1, 1, 1, 1, 2]);
    assert.deepEqual(sorted(orders.rows()), await server.rows('orders', "status = 'pending'"));
    assert.deepEqual(statuses, ['connecting', 'connected']);
    pb.disconnect();
    assert.equal(pb.status, 'disconnected');
  });

  test('a transaction and a snapshot sent in parts are each applied whole', async () => {
    await sharedServer();
    await server.sql('CREATE TABLE big (id INTEGER PRIMARY KEY, v INTEGER)');
    await server.sql('INSERT INTO big (v) WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE x < 2500) SELECT x FROM c');
    const pb = client(server.base);
    const snapshots: number[] = [];
    const firstDeleteSaw: number[] = [];
    let deletes = 0;
    const txs: number[] = [];
    const big = pb.channel('big', { snapshot: true })
      .on('channel:snapshot', (s) => snapshots.push(s.rows.length))
      .on('channel:transaction', (tx) => txs.push(tx.changes.length))
      .on('DELETE', () => { if (deletes++ === 0) firstDeleteSaw.push(big.rows().length); })
      .subscribe();
    await big.ready();
    assert.deepEqual(snapshots, [2500]);
    await server.sql('DELETE FROM big WHERE v <= 2200');
    await until(() => deletes === 2200, () => `2200 deletes, got ${deletes}`);
    assert.deepEqual(txs, [2200]);
    assert.deepEqual(firstDeleteSaw, [300]);
    assert.deepEqual(sorted(big.rows()), await server.rows('big'));
    pb.disconnect();
  });

  test('after a cut connection every missed change arrives once, in order, and the status says so', async () => {
    await sharedServer();
    await server.sql('CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT)');
    await server.insert('t', { v: 'a' });
    const pb = client(proxy.base);
    const statuses: Status[] = [];
    pb.onStatusChange((s) => statuses.push(s));
    const ids: number[] = [];
    const positions: string[] = [];
    const t = pb.channel('t', { snapshot: true })
      .on('INSERT', (e: ChangeEvent) => { ids.push(Number(e.data!.id)); positions.push(e.position); })
      .subscribe();
    await t.ready();
    await server.insert('t', { v: 'b' });
    await until(() => ids.length === 1, 'the live insert');
    proxy.offline = true;
    proxy.cut();
    await until(() => pb.status === 'reconnecting', 'reconnecting');
    for (let i = 0; i < 5; i++) await server.insert('t', { v: `offline-${i}` });
    proxy.offline = false;
    await until(() => ids.length === 6, () => `6 inserts, got ${ids}`);
    await server.insert('t', { v: 'after' });
    await until(() => ids.length === 7, () => `7 inserts, got ${ids}`);
    assert.deepEqual(ids, (await server.rows('t')).map((r) => Number(r.id)).slice(1));
    for (let i = 1; i < positions.length; i++) assert.ok(BigInt(positions[i]) > BigInt(positions[i - 1]));
    assert.deepEqual(sorted(t.rows()), await server.rows('t'));
    assert.deepEqual(statuses.slice(0, 4), ['connecting', 'connected', 'reconnecting', 'connected']);
    pb.disconnect();
  });

  test('a refused subscription rejects ready() and reports channel:error', async () => {
    await sharedServer();
    const pb = client(server.base);
    const errors: string[] = [];
    const ch = pb.channel('no_such_table').on('channel:error', (e) => errors.push(e.code)).subscribe();
    await assert.rejects(ch.ready(), (e: any) => e.code === 'unknown_table');
    assert.deepEqual(errors, ['unknown_table']);
    const bad = pb.channel('orders', { filter: 'colour = 1' }).subscribe();
    await assert.rejects(bad.ready(), (e: any) => e.code === 'invalid_filter');
    pb.disconnect();
  });
});

describe('channels', () => {
  test('publish, persisted history with paging, presence join/update/leave, re-track after a reconnect', async () => {
    await sharedServer();
    const a = client(proxy.base);
    const b = client(server.base);
    const got: MessageEvent[] = [];
    const joins: string[] = [];
    const leaves: string[] = [];
    const roomB = b.channel('chat/general')
      .on('message', (e) => got.push(e))
      .on('presence:join', (p) => joins.push((p.data as any).name))
      .on('presence:leave', (p) => leaves.push((p.data as any).name))
      .subscribe();
    await roomB.ready();
    const roomA = a.channel('chat/general').subscribe();
    await roomA.ready();
    const keyA = await roomA.track({ name: 'Ada', cursor: 42 });
    assert.ok(keyA);
    await until(() => roomB.presence().some((m) => m.key === keyA), 'Ada in presence');
    const r1 = await roomA.publish('message', { text: 'hi' }, { persist: true });
    assert.match(r1.position!, /^\d+$/);
    await roomA.publish('message', { text: 'ephemeral' });
    for (let i = 0; i < 4; i++) await roomA.publish('message', { n: i }, { persist: true });
    await until(() => got.length === 6, () => `6 messages, got ${got.length}`);
    assert.deepEqual(got.map((e) => e.data), [{ text: 'hi' }, { text: 'ephemeral' }, { n: 0 }, { n: 1 }, { n: 2 }, { n: 3 }]);
    assert.equal(got[0].position, r1.position);
    assert.equal(got[1].position, undefined);
    const page1 = await roomA.getHistory(3);
    assert.deepEqual(page1.messages.map((m) => m.data), [{ n: 3 }, { n: 2 }, { n: 1 }]);
    assert.equal(page1.more, true);
    const page2 = await roomA.getHistory(3, page1.messages.at(-1)!.position);
    assert.deepEqual(page2.messages.map((m) => m.data), [{ n: 0 }, { text: 'hi' }]);
    assert.equal(page2.more, false);
    // A's connection is cut: it leaves, then comes back (new key) and is tracked again by itself.
    proxy.cut();
    await until(() => leaves.includes('Ada') && joins.filter((n) => n === 'Ada').length === 2,
      () => `Ada left and joined again (joins ${joins}, leaves ${leaves})`);
    await until(() => roomB.presence().length === 1 && roomA.presence().length === 1, 'one member seen by both');
    assert.notEqual(roomB.presence()[0].key, keyA);
    await roomA.untrack();
    await until(() => roomB.presence().length === 0, 'Ada untracked');
    a.disconnect();
    b.disconnect();
  });

  test('persisted messages missed while offline are replayed once; publishes while offline are queued and sent on reconnect', async () => {
    await sharedServer();
    const a = client(proxy.base);
    const b = client(server.base);
    const got: unknown[] = [];
    const room = a.channel('room/offline').on('*', (e) => got.push(e.data)).subscribe();
    await room.ready();
    const roomB = b.channel('room/offline');
    const seenByB: unknown[] = [];
    roomB.on('note', (e) => seenByB.push(e.data)).subscribe();
    await roomB.ready();
    await roomB.publish('note', 1, { persist: true });
    await until(() => got.length === 1, 'first message');
    proxy.offline = true;
    proxy.cut();
    await until(() => a.status === 'reconnecting', 'reconnecting');
    await roomB.publish('note', 2, { persist: true });
    await roomB.publish('note', 'not persisted: missed');
    await roomB.publish('note', 3, { persist: true });
    const queued = [room.publish('note', 'from A while offline 1', { persist: true }), room.publish('note', 'from A while offline 2')];
    await sleep(100);
    proxy.offline = false;
    const results = await Promise.all(queued);
    assert.ok(results[0].position);
    await until(() => got.length === 5, () => `5 messages, got ${JSON.stringify(got)}`);
    // The queued publishes are sent in order, but an unpersisted message may overtake a persisted one that
    // is still being committed (docs/protocol.md, channel ordering).
    assert.deepEqual(got.slice(0, 3), [1, 2, 3]);
    assert.deepEqual(new Set(got.slice(3)), new Set(['from A while offline 1', 'from A while offline 2']));
    await until(() => seenByB.length === 6, () => `B saw ${JSON.stringify(seenByB)}`);
    a.disconnect();
    b.disconnect();
  });

  test('the offline queue is bounded, and disconnect() rejects what waits', async () => {
    await sharedServer();
    proxy.offline = true;
    const a = client(proxy.base, { offlineQueueSize: 2 });
    const room = a.channel('room/bounded');
    const p1 = room.publish('x', 1);
    const p2 = room.publish('x', 2);
    await assert.rejects(room.publish('x', 3), (e: any) => e.code === 'offline_queue_full');
    a.disconnect();
    await assert.rejects(p1, (e: any) => e.code === 'disconnected');
    await assert.rejects(p2, (e: any) => e.code === 'disconnected');
    proxy.offline = false;
  });
});

describe('SSE mode', () => {
  test('a table stream with snapshot resumes after a cut; channel events and presence arrive; publish goes over REST; track is refused', async () => {
    await sharedServer();
    await server.sql('CREATE TABLE s (id INTEGER PRIMARY KEY, v TEXT)');
    await server.insert('s', { v: 'a' });
    const pb = client(proxy.base, { transport: 'sse' });
    const inserts: number[] = [];
    const s = pb.channel('s', { snapshot: true }).on('INSERT', (e) => inserts.push(Number(e.data!.id))).subscribe();
    await s.ready();
    assert.equal(s.rows().length, 1);
    await server.insert('s', { v: 'b' });
    await until(() => inserts.length === 1, 'live insert over SSE');
    proxy.offline = true;
    proxy.cut();
    await server.insert('s', { v: 'c' });
    await server.insert('s', { v: 'd' });
    await sleep(100);
    proxy.offline = false;
    await until(() => inserts.length === 3, () => `3 inserts, got ${inserts}`);
    assert.deepEqual(sorted(s.rows()), await server.rows('s'));
    assert.equal(pb.status, 'connected');

    const ws = client(server.base);
    const wsRoom = ws.channel('chat/sse').subscribe();
    await wsRoom.ready();
    const room = pb.channel('chat/sse');
    const got: unknown[] = [];
    room.on('msg', (e) => got.push(e.data)).subscribe();
    await room.ready();
    await wsRoom.track({ name: 'Bo' });
    await until(() => room.presence().length === 1, 'presence over SSE');
    const r = await room.publish('msg', 'over REST', { persist: true });
    assert.ok(r.position);
    await until(() => got.length === 1, 'event over SSE');
    await assert.rejects(room.track({ name: 'x' }), (e: any) => e.code === 'not_supported');
    const h = await room.getHistory(10);
    assert.equal(h.messages[0].data, 'over REST');
    pb.disconnect();
    ws.disconnect();
  });

  test('streams without snapshot resume without a gap even when cut before their first event', async () => {
    await sharedServer();
    await server.sql('CREATE TABLE s2 (id INTEGER PRIMARY KEY, v TEXT)');
    const pb = client(proxy.base, { transport: 'sse' });
    const rows: unknown[] = [];
    const msgs: unknown[] = [];
    const t = pb.channel('s2').on('INSERT', (e) => rows.push(e.data!.v)).subscribe();
    const room = pb.channel('chat/sse-gap').on('m', (e) => msgs.push(e.data)).subscribe();
    await Promise.all([t.ready(), room.ready()]);
    proxy.offline = true;
    proxy.cut();
    await server.insert('s2', { v: 'while cut' });
    await server.request('POST', '/v1/publish', { topic: 'chat/sse-gap', event: 'm', data: 'while cut', persist: true });
    await sleep(100);
    proxy.offline = false;
    await until(() => rows.length === 1 && msgs.length === 1, () => `rows ${rows}, messages ${msgs}`);
    pb.disconnect();
  });
});

describe('restarts', () => {
  test('graceful restarts and crashes of the server: the client reconnects by itself and loses nothing', async () => {
    await sharedServer();
    const srv = await Server.create(cleanup);
    await srv.start();
    await srv.sql('CREATE TABLE r (id INTEGER PRIMARY KEY, v TEXT)');
    const pb = client(srv.base);
    const statuses: Status[] = [];
    pb.onStatusChange((s) => statuses.push(s));
    const ids: number[] = [];
    const r = pb.channel('r', { snapshot: true }).on('INSERT', (e) => ids.push(Number(e.data!.id))).subscribe();
    await r.ready();
    for (const how of ['SIGTERM', 'SIGKILL', 'SIGTERM']) {
      await srv.insert('r', { v: `before ${how}` });
      if (how === 'SIGTERM') await srv.stop(); else await srv.kill();
      await until(() => pb.status === 'reconnecting', 'reconnecting');
      await srv.start();
      await srv.insert('r', { v: `after ${how}` }); // most likely before the client is back: replayed
      await until(() => pb.status === 'connected', 'connected again');
    }
    const expected = (await srv.rows('r')).map((x) => Number(x.id));
    await until(() => ids.length === expected.length, () => `${expected.length} inserts, got ${ids}`);
    assert.deepEqual(ids, expected);
    assert.deepEqual(sorted(r.rows()), await srv.rows('r'));
    assert.ok(statuses.filter((s) => s === 'reconnecting').length >= 3);
    pb.disconnect();
    await srv.stop();
  });

  test('position_expired (the data folder was replaced): tables re-snapshot and channels go live, each with a channel:resync event', async () => {
    await sharedServer();
    const srv = await Server.create(cleanup);
    await srv.start();
    const px = await Proxy.create(cleanup, () => srv.port);
    await srv.sql('CREATE TABLE e (id INTEGER PRIMARY KEY, v TEXT)');
    for (let i = 0; i < 10; i++) await srv.insert('e', { v: `old-${i}` });
    const pb = client(px.base);
    const resyncs: ResyncEvent[] = [];
    const e = pb.channel('e', { snapshot: true }).on('channel:resync', (x) => resyncs.push(x)).subscribe();
    const room = pb.channel('news/x').on('channel:resync', (x) => resyncs.push(x)).subscribe();
    const news: unknown[] = [];
    room.on('n', (m) => news.push(m.data));
    await Promise.all([e.ready(), room.ready()]);
    await room.publish('n', 'old', { persist: true });
    await until(() => news.length === 1, 'old news');
    px.offline = true;
    px.cut();
    await srv.stop();
    srv.dataDir = srv.dataDir + '-replaced';
    await srv.start();
    await srv.sql('CREATE TABLE e (id INTEGER PRIMARY KEY, v TEXT)');
    await srv.insert('e', { v: 'new-0' });
    await srv.insert('e', { v: 'new-1' });
    px.offline = false;
    await until(() => resyncs.length === 2, () => `2 resyncs, got ${JSON.stringify(resyncs)}`);
    const tableResync = resyncs.find((x) => x.topic === 'e')!;
    assert.equal(tableResync.reason, 'position_expired');
    assert.equal(tableResync.diff!.deleted.length, 8);
    assert.equal(tableResync.diff!.updated.length, 2);
    assert.deepEqual(sorted(e.rows()), await srv.rows('e'));
    await room.publish('n', 'new', { persist: true });
    await until(() => news.length === 2, 'new news');
    assert.deepEqual(news, ['old', 'new']);
    pb.disconnect();
    await srv.stop();
  });
});
});
