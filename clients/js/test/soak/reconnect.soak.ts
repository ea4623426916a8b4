// Reconnect soak (npm run soak): a WebSocket client and an SSE client, subscribed to a table (with a
// snapshot) and to a channel, survive 200 connection cuts at random moments plus server restarts
// (SIGTERM and SIGKILL) while a writer commits continuously. At the end each client's rows() equals the
// table read over REST, it saw exactly one transaction event per commit (each position once, increasing)
// and every persisted channel message once, in order.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createClient, type PulsebaseClient, type Status } from '../../src/node.js';
import { Proxy, Server, sleep, until } from '../helpers.js';

const CUTS = Number(process.env.SOAK_CUTS || 200);
const RESTARTS: Record<number, 'SIGTERM' | 'SIGKILL'> = { 50: 'SIGTERM', 100: 'SIGKILL', 150: 'SIGTERM', 180: 'SIGKILL' };

test(`client survives ${CUTS} cuts and ${Object.keys(RESTARTS).length} server restarts with nothing lost or doubled`, { timeout: 600000 }, async () => {
  const cleanups: Array<() => unknown> = [];
  const server = await Server.create({ after: (fn) => { cleanups.push(fn); } });
  const clients: PulsebaseClient[] = [];
  try {
    await server.start();
    const proxy = await Proxy.create({ after: (fn) => { cleanups.push(fn); } }, () => server.port);
    await server.sql('CREATE TABLE soak (id INTEGER PRIMARY KEY, n INTEGER, v TEXT)');
    for (let i = 0; i < 20; i++) await server.insert('soak', { n: i, v: 'seed' });

    const watchers = (['websocket', 'sse'] as const).map((transport) => {
      const pb: PulsebaseClient = createClient(proxy.base, {
        transport, reconnect: { baseMs: 20, capMs: 300 }, pingIntervalMs: 5000, pingTimeoutMs: 5000,
      });
      clients.push(pb);
      const w = { transport, pb, positions: [] as string[], changes: 0, messages: [] as number[], statuses: [] as Status[], resumes: [] as string[], errors: [] as string[] };
      pb.onStatusChange((s) => w.statuses.push(s));
      pb.onError((e) => w.errors.push(`${e.code}: ${e.message}`));
      const table = pb.channel('soak', { snapshot: true })
        .on('channel:transaction', (tx) => { w.positions.push(tx.position); w.changes += tx.changes.length; })
        .subscribe();
      const room = pb.channel('soak/feed')
        .on('channel:subscribed', () => w.resumes.push(room.position ?? 'null')).on('seq', (m) => w.messages.push(m.data as number)).subscribe();
      return Object.assign(w, { table, room });
    });
    await Promise.all(watchers.flatMap((w) => [w.table.ready(), w.room.ready()]));
    const startPositions = watchers.map((w) => w.table.position);

    // The writer: one commit at a time through REST, straight to the server (not through the proxy).
    let paused = false;
    let stop = false;
    let idle: Promise<void> = Promise.resolve();
    const commits: string[] = [];
    let changed = 0;
    const published: number[] = [];
    const publishedAt = new Map<number, string>();
    let seq = 0;
    const writer = (async () => {
      for (let i = 0; !stop; i++) {
        if (paused) { await sleep(5); continue; }
        let done!: () => void;
        idle = new Promise((r) => { done = r; });
        try {
          const k = i % 10;
          if (k < 5) {
            commits.push((await server.insert('soak', { n: i, v: `w${i}` })).position); changed += 1;
          } else if (k < 7) {
            const r = await server.sql('UPDATE soak SET n = n + 1 WHERE id IN (SELECT id FROM soak ORDER BY random() LIMIT 3)');
            if (r.changes > 0) { commits.push(r.position); changed += r.changes; }
          } else if (k < 8) {
            const r = await server.sql('DELETE FROM soak WHERE id IN (SELECT id FROM soak ORDER BY random() LIMIT 2)');
            if (r.changes > 0) { commits.push(r.position); changed += r.changes; }
          } else if (k < 9) {
            const r = await server.sql(`INSERT INTO soak (n, v) VALUES (${i}, 'a'), (${i}, 'b'), (${i}, 'c')`);
            commits.push(r.position); changed += r.changes;
          } else {
            const r = await server.request('POST', '/v1/publish', { topic: 'soak/feed', event: 'seq', data: ++seq, persist: true });
            published.push(seq);
            publishedAt.set(seq, r.position);
          }
        } finally {
          done();
        }
        await sleep(Math.random() * 4);
      }
    })();

    let restarts = 0;
    for (let cut = 1; cut <= CUTS; cut++) {
      await sleep(10 + Math.random() * 120);
      const how = RESTARTS[cut];
      if (how) {
        paused = true;
        await idle; // no write in flight: a commit's outcome is always known
        if (how === 'SIGTERM') await server.stop(); else await server.kill();
        await sleep(100 + Math.random() * 300);
        await server.start();
        restarts++;
        paused = false;
      } else {
        proxy.cut();
      }
    }
    stop = true;
    await writer;

    for (const w of watchers) {
      const report = () => `${w.transport}: ${w.positions.length} transactions for ${commits.length} commits, ` +
        `${w.messages.length}/${published.length} messages, status ${w.pb.status}, errors ${w.errors.slice(-5)}; ` +
        `missing messages: ${published.filter((n) => !w.messages.includes(n)).map((n) => `${n}@${publishedAt.get(n)}`)}; ` +
        `resumed channel from: ${w.resumes.slice(-12)}`;
      await until(() => w.positions.length >= commits.length && w.messages.length >= published.length, report, 60000, 50);
      await sleep(300); // anything extra (a duplicate) would arrive now
      assert.equal(w.positions.length, commits.length, report());
      assert.deepEqual(w.positions, commits, `${w.transport}: the positions seen are the commits' positions, in order`);
      assert.equal(w.changes, changed, `${w.transport}: row changes`);
      assert.deepEqual(w.messages, published, `${w.transport}: persisted messages once, in order`);
      const table = await server.rows('soak');
      const local = [...w.table.rows()].sort((a, b) => Number(a.id) - Number(b.id));
      assert.deepEqual(local, table, `${w.transport}: rows() equals the table`);
      const reconnects = w.statuses.filter((s) => s === 'reconnecting').length;
      console.log(`# soak ${w.transport}: ${CUTS - restarts} cuts + ${restarts} restarts, ${reconnects} reconnecting phases, ` +
        `${commits.length} commits (${changed} row changes) and ${published.length} messages received exactly once; ` +
        `${table.length} rows equal; started at position ${startPositions[watchers.indexOf(w)]}`);
      w.pb.disconnect();
    }
  } finally {
    for (const pb of clients) pb.disconnect();
    for (const fn of cleanups.reverse()) await fn();
  }
});
