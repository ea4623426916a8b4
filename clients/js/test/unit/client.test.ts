// The client's connection logic against a scripted fake WebSocket: close-code advice, token refresh,
// restoring subscriptions with `since`, re-tracking, re-sending unanswered publishes with the same id.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { createClient, type WebSocketLike } from '../../src/index.js';
import { until } from '../helpers.js';

class FakeSocket implements WebSocketLike {
  static all: FakeSocket[] = [];
  readyState = 0;
  onopen: ((ev: unknown) => void) | null = null;
  onmessage: ((ev: { data: unknown }) => void) | null = null;
  onclose: ((ev: { code: number; reason: string }) => void) | null = null;
  onerror: ((ev: unknown) => void) | null = null;
  sent: any[] = [];
  constructor(readonly url: string) {
    FakeSocket.all.push(this);
    setTimeout(() => { this.readyState = 1; this.onopen?.({}); }, 1);
  }
  send(data: string) { this.sent.push(JSON.parse(data)); }
  close() { this.readyState = 3; }
  serverSends(frame: object) { this.onmessage?.({ data: JSON.stringify(frame) }); }
  serverCloses(code: number) { this.readyState = 3; this.onclose?.({ code, reason: '' }); }
  replyOk(type: string, extra: object = {}) {
    for (const m of this.sent.filter((x) => x.type === type && !x.answered)) {
      m.answered = true;
      this.serverSends({ type: 'reply', ref: m.ref, ok: true, ...extra });
    }
  }
}

const opts = { WebSocket: FakeSocket, reconnect: { baseMs: 1, capMs: 5 } };
const last = () => FakeSocket.all[FakeSocket.all.length - 1];

describe('client connection logic (fake socket)', () => {
  test('restores subscriptions with since and re-tracks after a reconnect; re-sends an unanswered publish with the same id', async () => {
    FakeSocket.all = [];
    const pb = createClient('http://h:1', { ...opts, token: 'tok' });
    const t = pb.channel('t', { snapshot: true }).subscribe();
    const room = pb.channel('chat/a').subscribe();
    await until(() => last()?.sent.length === 2, 'subscribes sent');
    const s1 = last();
    assert.equal(s1.url, 'ws://h:1/v1/realtime?token=tok');
    s1.serverSends({ type: 'snapshot', topic: 't', position: '10', rows: [{ id: 1 }] });
    s1.replyOk('subscribe', { position: '10' });
    s1.serverSends({ type: 'db_change', topic: 't', position: '12', timestamp: 'x', changes: [{ operation: 'INSERT', data: { id: 2 } }] });
    room.track({ name: 'Ada' });
    const pub = room.publish('m', { text: 'hi' }, { persist: true });
    await until(() => s1.sent.some((m) => m.type === 'publish'), 'publish sent');
    const id = s1.sent.find((m) => m.type === 'publish').id;
    s1.serverCloses(1006);
    await until(() => FakeSocket.all.length === 2 && last().sent.length === 4, 'restored');
    const s2 = last();
    assert.deepEqual(s2.sent.map((m) => [m.type, m.topic, m.since ?? m.snapshot ?? null]),
      [['subscribe', 't', '12'], ['subscribe', 'chat/a', '10'], ['track', 'chat/a', null], ['publish', 'chat/a', null]]);
    assert.equal(s2.sent[3].id, id);
    s2.replyOk('publish', { position: '13', duplicate: true });
    assert.deepEqual(await pub, { id, position: '13', duplicate: true });
    assert.equal(t.rows().length, 2);
    pb.disconnect();
  });

  test('4004 and 4005 do not reconnect; 1001 does', async () => {
    for (const [code, reconnects] of [[4004, false], [4005, false], [1001, true]] as const) {
      FakeSocket.all = [];
      const pb = createClient('http://h:1', opts);
      const errors: string[] = [];
      pb.onError((e) => errors.push(e.code));
      pb.connect();
      await until(() => pb.status === 'connected', 'connected');
      last().serverCloses(code);
      if (reconnects) {
        await until(() => FakeSocket.all.length === 2 && pb.status === 'connected', 'reconnected');
      } else {
        await new Promise((r) => setTimeout(r, 30));
        assert.equal(FakeSocket.all.length, 1);
        assert.equal(pb.status, 'disconnected');
        assert.deepEqual(errors, [`closed:${code}`]);
      }
      pb.disconnect();
    }
  });

  test('4003 calls the token refresher and reconnects with the new token; setToken sends auth', async () => {
    FakeSocket.all = [];
    let n = 0;
    const pb = createClient('http://h:1', { ...opts, token: 'old', tokenRefresher: async () => `new${++n}` });
    pb.connect();
    await until(() => pb.status === 'connected', 'connected');
    last().serverCloses(4003);
    await until(() => FakeSocket.all.length === 2 && pb.status === 'connected', 'reconnected');
    assert.equal(last().url, 'ws://h:1/v1/realtime?token=new1');
    pb.setToken('later');
    assert.deepEqual(last().sent.at(-1), { type: 'auth', token: 'later', ref: last().sent.at(-1).ref });
    pb.disconnect();
  });

  test('a silent connection is dropped after the ping timeout and replaced', async () => {
    FakeSocket.all = [];
    const pb = createClient('http://h:1', { ...opts, pingIntervalMs: 40, pingTimeoutMs: 40 });
    pb.connect();
    await until(() => pb.status === 'connected', 'connected');
    await until(() => FakeSocket.all[0].sent.some((m) => m.type === 'ping'), 'ping sent');
    await until(() => FakeSocket.all.length >= 2, 'a new socket after the timeout', 2000);
    pb.disconnect();
  });
});
