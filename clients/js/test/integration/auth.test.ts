// The SDK against a server with security on (HS256 tokens and a service key): a token that expires is
// refreshed through the tokenRefresher and the stream resumes without loss; setToken() before expiry keeps
// the connection, and with other claims re-decides table subscriptions (a fresh snapshot replaces the local copy);
// presence members carry their user; refused credentials stop the client instead of looping.
import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import {
  createClient, type MessageEvent, type PresenceEvent, type PresenceSyncEvent, type PulsebaseClient, type Status,
} from '../../src/node.js';
import { FAST, Server, sleep, until } from '../helpers.js';

const SECRET = 'a-test-secret-of-at-least-32-bytes-0123456789';
const SERVICE_KEY = 'service-key-for-sdk-tests-0001';

/** An HS256 JWT for `sub`, valid for `seconds`, with any `extra` claims. */
function token(sub: string, seconds: number, extra: Record<string, unknown> = {}): string {
  const b64 = (o: unknown) => Buffer.from(JSON.stringify(o)).toString('base64url');
  const now = Math.floor(Date.now() / 1000);
  const body = `${b64({ alg: 'HS256', typ: 'JWT' })}.${b64({ sub, iat: now, exp: now + seconds, ...extra })}`;
  return `${body}.${createHmac('sha256', SECRET).update(body).digest('base64url')}`;
}

const cleanups: Array<() => unknown> = [];
const cleanup = { after: (fn: () => unknown) => { cleanups.push(fn); } };
const clients: PulsebaseClient[] = [];
function client(base: string, options: Parameters<typeof createClient>[1] = {}) {
  const pb = createClient(base, { ...FAST, ...options });
  clients.push(pb);
  return pb;
}
after(async () => {
  for (const pb of clients) pb.disconnect();
  for (const fn of cleanups.reverse()) await fn();
});

let shared: Promise<Server> | null = null;
function securedServer(): Promise<Server> {
  shared ??= (async () => {
    const dir = mkdtempSync(join(tmpdir(), 'pb-sdk-auth-'));
    writeFileSync(join(dir, 'hs256'), SECRET + '\n');
    writeFileSync(join(dir, 'service'), SERVICE_KEY + '\n');
    const server = await Server.create(cleanup, {
      extraArgs: ['--auth-hs256-secret-file', join(dir, 'hs256'), '--auth-service-key-file', join(dir, 'service'),
        '--auth-clock-skew', 'PT0S'],
    });
    await server.start();
    return server;
  })();
  return shared;
}

describe('the SDK on a server with security on', { timeout: 60000 }, () => {
  test('an expired token closes with 4003; the refresher\'s token reconnects and every persisted message arrives once', async () => {
    const server = await securedServer();
    let refreshed = 0;
    const user = client(server.base, {
      token: token('ada', 3),
      tokenRefresher: () => { refreshed++; return token('ada', 600); },
    });
    const got: MessageEvent[] = [];
    const room = user.channel('chat/auth-expiry').on('message', (e) => got.push(e)).subscribe();
    await room.ready();
    const backend = client(server.base, { apikey: SERVICE_KEY });
    const backendRoom = backend.channel('chat/auth-expiry');
    // Publish across the expiry: some before, some while the user reconnects, some after.
    for (let i = 0; i < 40; i++) {
      await backendRoom.publish('message', { n: i }, { persist: true });
      await sleep(100);
    }
    await until(() => got.length === 40, () => `40 messages, got ${got.length}`);
    assert.equal(refreshed, 1, 'the refresher ran once, after the 4003 close');
    assert.deepEqual(got.map((e) => (e.data as { n: number }).n), [...Array(40).keys()]);
  });

  test('setToken() before expiry refreshes the open connection: no close, no reconnect', async () => {
    const server = await securedServer();
    const user = client(server.base, { token: token('bob', 3) });
    const statuses: Status[] = [];
    user.onStatusChange((s) => statuses.push(s));
    const got: MessageEvent[] = [];
    const room = user.channel('chat/auth-refresh').on('message', (e) => got.push(e)).subscribe();
    await room.ready();
    user.setToken(token('bob', 600));
    await sleep(4000); // past the first token's expiry
    const backend = client(server.base, { apikey: SERVICE_KEY });
    await backend.channel('chat/auth-refresh').publish('message', { after: 'expiry' }, { persist: true });
    await until(() => got.length === 1, 'the message after the first expiry');
    assert.ok(!statuses.includes('reconnecting'), `statuses ${statuses}`);
  });

  test('presence members carry their user: two tabs share it, the service key has none, state cannot set it', async () => {
    const server = await securedServer();
    const topic = 'chat/auth-presence';
    const watcher = client(server.base, { token: token('carol', 600) });
    const joins: PresenceEvent[] = [];
    const room = watcher.channel(topic).on('presence:join', (e) => joins.push(e)).subscribe();
    await room.ready();
    const k1 = await client(server.base, { token: token('ada', 600) }).channel(topic).track({ tab: 1 });
    const k2 = await client(server.base, { token: token('ada', 600) }).channel(topic).track({ tab: 2, userId: 'mallory' });
    const kb = await client(server.base, { apikey: SERVICE_KEY }).channel(topic).track({ bot: true });
    await until(() => room.presence().length === 3, () => `3 members, got ${JSON.stringify(room.presence())}`);
    assert.deepEqual(room.presence(), [
      { key: k1, userId: 'ada', data: { tab: 1 } },
      { key: k2, userId: 'ada', data: { tab: 2, userId: 'mallory' } },
      { key: kb, data: { bot: true } },
    ]);
    await until(() => joins.length === 3, 'three joins');
    assert.deepEqual(joins.map((e) => [e.key, e.userId]), [[k1, 'ada'], [k2, 'ada'], [kb, undefined]]);
    assert.equal('userId' in joins[2], false);
    // A late subscriber's presence_state carries the users too.
    const late = client(server.base, { token: token('dan', 600) });
    const syncs: PresenceSyncEvent[] = [];
    await late.channel(topic).on('presence:sync', (e) => syncs.push(e)).subscribe().ready();
    await until(() => syncs.length === 1, 'the sync');
    assert.deepEqual(syncs[0].members.map((m) => m.userId), ['ada', 'ada', undefined]);
  });

  test('setToken() with other claims re-decides a table subscription: the local copy becomes what the new token may see', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'pb-sdk-policies-'));
    writeFileSync(join(dir, 'hs256'), SECRET + '\n');
    writeFileSync(join(dir, 'service'), SERVICE_KEY + '\n');
    writeFileSync(join(dir, 'policies.json'), JSON.stringify({ tables: { docs: { select: 'team IN auth.teams' } } }));
    const server = await Server.create(cleanup, {
      extraArgs: ['--auth-hs256-secret-file', join(dir, 'hs256'), '--auth-service-key-file', join(dir, 'service'),
        '--policies', join(dir, 'policies.json')],
    });
    await server.start();
    const sql = (q: string) => server.request('POST', `/v1/sql?apikey=${SERVICE_KEY}`, { sql: q });
    await sql('CREATE TABLE docs (id INTEGER PRIMARY KEY, team TEXT, title TEXT)');
    await sql("INSERT INTO docs (team, title) VALUES ('red', 'r1'), ('blue', 'b1'), ('blue', 'b2')");
    const user = client(server.base, { token: token('ada', 600, { teams: ['red'] }) });
    const docs = user.channel('docs', { snapshot: true }).subscribe();
    await docs.ready();
    const titles = () => docs.rows().map((r) => String(r.title)).sort();
    assert.deepEqual(titles(), ['r1']);
    user.setToken(token('ada', 600, { teams: ['blue'] }));
    await until(() => titles().join() === 'b1,b2', () => `blue rows only, got ${titles()}`);
    await sql("INSERT INTO docs (team, title) VALUES ('red', 'r2'), ('blue', 'b3')");
    await until(() => titles().includes('b3'), () => `b3, got ${titles()}`);
    assert.deepEqual(titles(), ['b1', 'b2', 'b3']);
  });

  test('a badly signed token is refused with 4004 and the client stops instead of reconnecting', async () => {
    const server = await securedServer();
    const forged = token('eve', 600).replace(/\.[^.]+$/, '.' + Buffer.from('forged').toString('base64url'));
    const user = client(server.base, { token: forged });
    const errors: string[] = [];
    user.onError((e) => errors.push(e.code));
    const statuses: Status[] = [];
    user.onStatusChange((s) => statuses.push(s));
    user.channel('chat/auth-refused').subscribe();
    await until(() => statuses.includes('disconnected'), () => `disconnected (statuses ${statuses})`);
    await sleep(500);
    assert.ok(errors.includes('closed:4004'), `errors ${errors}`);
    assert.equal(statuses.filter((s) => s === 'connecting').length, 1, `one attempt only: ${statuses}`);
  });
});
