// Unit tests of the pure logic: backoff, close-code advice, positions, frame application, part buffering,
// presence diffs, resume bookkeeping, the SSE parser.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { backoffDelay } from '../../src/backoff.js';
import { Channel, type ChannelHost } from '../../src/channel.js';
import { closeAdvice } from '../../src/close-codes.js';
import { comparePositions, maxPosition } from '../../src/positions.js';
import { SseParser, type SseEvent } from '../../src/sse.js';
import { ChannelState, keyFunction, TableState } from '../../src/state.js';
import type { DbChangeFrame, PresenceEvent, PresenceSyncEvent, SnapshotFrame } from '../../src/types.js';

const snap = (position: string, rows: object[], more = false): SnapshotFrame =>
  ({ type: 'snapshot', topic: 't', position, rows: rows as any, ...(more ? { more } : {}) });
const change = (position: string, changes: object[], more = false): DbChangeFrame =>
  ({ type: 'db_change', topic: 't', position, timestamp: 'x', changes: changes as any, ...(more ? { more } : {}) });
const ins = (id: number, v = '') => ({ operation: 'INSERT', data: { id, v } });
const upd = (old: object, data: object) => ({ operation: 'UPDATE', old, data });
const del = (id: number) => ({ operation: 'DELETE', data: null, old: { id } });

describe('backoff', () => {
  test('doubles from the base up to the cap, with jitter only below the ceiling', () => {
    const none = { baseMs: 1000, capMs: 30000, jitter: 0 };
    assert.deepEqual([0, 1, 2, 3, 4, 5, 6, 50].map((a) => backoffDelay(a, none)), [1000, 2000, 4000, 8000, 16000, 30000, 30000, 30000]);
    assert.equal(backoffDelay(2, { jitter: 0.5 }, () => 0), 2000);
    assert.equal(backoffDelay(2, { jitter: 0.5 }, () => 0.999999), 4000);
    for (let i = 0; i < 200; i++) {
      const d = backoffDelay(10, { baseMs: 10, capMs: 100 });
      assert.ok(d >= 50 && d <= 100, String(d));
    }
    assert.equal(backoffDelay(1e6, { baseMs: 1, capMs: 7, jitter: 0 }), 7);
  });
});

describe('close codes', () => {
  test('1000, 4004 and 4005 stop; 4003 refreshes the token; the rest reconnect', () => {
    assert.deepEqual([1000, 4004, 4005].map(closeAdvice), ['stop', 'stop', 'stop']);
    assert.equal(closeAdvice(4003), 'refresh_token');
    assert.deepEqual([1001, 1006, 1009, 1011, 4001, 4002, 4008, 4999].map(closeAdvice), Array(8).fill('reconnect'));
  });
});

describe('positions', () => {
  test('compare as 64-bit numbers without losing precision', () => {
    assert.equal(comparePositions('9', '10'), -1);
    assert.equal(comparePositions('18446744073709551615', '18446744073709551614'), 1);
    assert.equal(comparePositions('007', '7'), 0);
    assert.equal(maxPosition(null, '3'), '3');
    assert.equal(maxPosition('12', '9'), '12');
  });
});

describe('table state', () => {
  test('a snapshot then changes keep a copy keyed by primary key; duplicates are ignored', () => {
    const s = new TableState(keyFunction());
    assert.equal(s.applySnapshot(snap('5', [{ id: 1, v: 'a' }, { id: 2, v: 'b' }])).kind, 'snapshot');
    assert.equal(s.position, '5');
    assert.equal(s.applyChange(change('7', [ins(3, 'c'), upd({ id: 1, v: 'a' }, { id: 1, v: 'A' }), del(2)])).kind, 'transaction');
    assert.deepEqual([...s.rows.values()], [{ id: 1, v: 'A' }, { id: 3, v: 'c' }]);
    assert.equal(s.applyChange(change('7', [ins(9)])).kind, 'duplicate');
    assert.equal(s.applyChange(change('6', [ins(9)])).kind, 'duplicate');
    assert.equal(s.rows.size, 2);
    assert.equal(s.position, '7');
  });

  test('an UPDATE that changes the key moves the row; a composite key works', () => {
    const s = new TableState(keyFunction(['a', 'b']));
    s.applySnapshot(snap('1', [{ a: 1, b: 'x', v: 0 }]));
    s.applyChange(change('2', [upd({ a: 1, b: 'x', v: 0 }, { a: 2, b: 'x', v: 1 })]));
    assert.deepEqual([...s.rows.keys()], ['[2,"x"]']);
  });

  test('transaction parts are buffered and applied together at the last part', () => {
    const s = new TableState(keyFunction());
    s.applySnapshot(snap('10', []));
    assert.equal(s.applyChange(change('11', [ins(1), ins(2)], true)).kind, 'buffered');
    assert.equal(s.applyChange(change('11', [ins(3)], true)).kind, 'buffered');
    assert.equal(s.rows.size, 0);
    assert.equal(s.position, '10');
    const out = s.applyChange(change('11', [ins(4)]));
    assert.equal(out.kind, 'transaction');
    assert.equal(out.kind === 'transaction' && out.changes.length, 4);
    assert.equal(s.rows.size, 4);
    assert.equal(s.position, '11');
  });

  test('parts cut by a lost connection are dropped, and the replay applies the transaction once', () => {
    const s = new TableState(keyFunction());
    s.applySnapshot(snap('10', []));
    s.applyChange(change('11', [ins(1)], true));
    s.resetTransient();
    assert.equal(s.position, '10'); // resume since 10 replays all of 11
    s.applyChange(change('11', [ins(1)], true));
    s.applyChange(change('11', [ins(2)]));
    assert.deepEqual([...s.rows.keys()], ['1', '2']);
  });

  test('a snapshot in parts replaces the copy at its last part', () => {
    const s = new TableState(keyFunction());
    s.applySnapshot(snap('3', [{ id: 9 }]));
    assert.equal(s.applySnapshot(snap('8', [{ id: 1 }], true)).kind, 'buffered');
    assert.deepEqual([...s.rows.keys()], ['9']);
    const out = s.applySnapshot(snap('8', [{ id: 2 }]));
    assert.equal(out.kind, 'snapshot');
    assert.deepEqual([...s.rows.keys()], ['1', '2']);
    assert.equal(s.position, '8');
  });

  test('a row without the key column fails before the copy is touched', () => {
    const s = new TableState(keyFunction('id'));
    s.applySnapshot(snap('1', [{ id: 1 }]));
    assert.throws(() => s.applyChange(change('2', [ins(2), { operation: 'INSERT', data: { uuid: 'x' } }])), /primaryKey/);
    assert.deepEqual([...s.rows.keys()], ['1']);
  });

  test('a subscribe reply moves the position forward, never back, and not while parts are buffered', () => {
    const s = new TableState(keyFunction());
    s.noteReplyPosition('20');
    assert.equal(s.position, '20');
    s.noteReplyPosition('15');
    assert.equal(s.position, '20');
    s.applyChange(change('25', [ins(1)], true));
    s.noteReplyPosition('30');
    assert.equal(s.position, '20');
  });
});

describe('channel state', () => {
  test('persisted messages are accepted once, unpersisted always', () => {
    const c = new ChannelState();
    assert.equal(c.acceptEvent('5'), true);
    assert.equal(c.acceptEvent('5'), false);
    assert.equal(c.acceptEvent(undefined), true);
    assert.equal(c.acceptEvent('6'), true);
    assert.equal(c.position, '6');
  });

  test('presence_state (in parts) is answered with the differences from the members known before', () => {
    const c = new ChannelState();
    assert.equal(c.applyPresenceState({ type: 'presence_state', topic: 'a/b', members: [{ key: 'k1', data: { n: 1 } }], more: true }), null);
    const first = c.applyPresenceState({ type: 'presence_state', topic: 'a/b', members: [{ key: 'k2', data: {} }] })!;
    assert.deepEqual(first.joins.map((m) => m.key), ['k1', 'k2']);
    c.applyPresence({ type: 'presence', topic: 'a/b', event: 'join', key: 'k3', data: {} });
    const again = c.applyPresenceState({ type: 'presence_state', topic: 'a/b', members: [{ key: 'k1', data: { n: 2 } }, { key: 'k4', data: {} }] })!;
    assert.deepEqual(again.joins.map((m) => m.key), ['k4']);
    assert.deepEqual(again.updates.map((m) => m.key), ['k1']);
    assert.deepEqual(again.leaves.map((m) => m.key).sort(), ['k2', 'k3']);
    assert.deepEqual(c.memberList().map((m) => m.key), ['k1', 'k4']);
  });
});

describe('resume bookkeeping', () => {
  const host = { _reportHandlerError() {}, _reportError() {}, _subscribe() {}, _resubscribeLater() {}, _register() {} } as unknown as ChannelHost;

  test('a table subscription snapshots first, then resumes with since = its last position', () => {
    const ch = new Channel(host, 'orders', { snapshot: true, filter: "status = 'x'", events: ['INSERT'] });
    ch._wanted = true;
    assert.deepEqual(ch._subscribeMessage(), { type: 'subscribe', topic: 'orders', events: ['INSERT'], filter: "status = 'x'", snapshot: true });
    ch._frame(snap('40', [{ id: 1 }]) as any);
    ch._frame(change('42', [ins(2)]) as any);
    ch._frame(change('50', [ins(3)], true) as any); // half a transaction when the connection drops
    ch._connectionLost();
    assert.deepEqual(ch._subscribeMessage(), { type: 'subscribe', topic: 'orders', events: ['INSERT'], filter: "status = 'x'", since: '42' });
  });

  test('without snapshot a table resumes from the reply position; position_expired re-snapshots', () => {
    let resubscribed = 0;
    const h = { ...host, _subscribe() { resubscribed++; } } as unknown as ChannelHost;
    const ch = new Channel(h, 'orders');
    ch._wanted = true;
    assert.deepEqual(ch._subscribeMessage(), { type: 'subscribe', topic: 'orders' });
    ch._onSubscribed('77');
    assert.equal(ch._subscribeMessage().since, '77');
    const resyncs: unknown[] = [];
    ch.on('channel:resync', (e) => resyncs.push(e));
    ch._onSubscribeError(Object.assign(new Error('x'), { code: 'position_expired' }) as any);
    assert.equal(resubscribed, 1);
    assert.deepEqual(ch._subscribeMessage(), { type: 'subscribe', topic: 'orders', snapshot: true });
    ch._frame(snap('90', [{ id: 5 }]) as any);
    assert.equal(resyncs.length, 1);
    assert.equal(ch._subscribeMessage().since, '90');
  });

  test('a channel resumes with since = the larger of the reply position and the last persisted message', () => {
    const ch = new Channel(host, 'chat/general');
    ch._wanted = true;
    ch._onSubscribed('100');
    ch._frame({ type: 'event', topic: 'chat/general', event: 'm', data: 1, timestamp: 'x', position: '120' });
    ch._frame({ type: 'event', topic: 'chat/general', event: 'm', data: 2, timestamp: 'x' });
    assert.equal(ch._subscribeMessage().since, '120');
  });

  test('presence members and events carry the member\'s userId when the server sent one, and omit it otherwise', () => {
    const ch = new Channel(host, 'chat/online');
    ch._wanted = true;
    const seen: PresenceEvent[] = [];
    const syncs: PresenceSyncEvent[] = [];
    ch.on('presence:join', (e) => seen.push(e)).on('presence:update', (e) => seen.push(e))
      .on('presence:leave', (e) => seen.push(e)).on('presence:sync', (e) => syncs.push(e));
    ch._frame({ type: 'presence_state', topic: 'chat/online', members: [
      { key: 'k1', userId: 'ada', data: { tab: 1 } }, { key: 'k2', userId: 'ada', data: { tab: 2 } }, { key: 'k3', data: {} },
    ] });
    assert.deepEqual(syncs[0].members, [
      { key: 'k1', userId: 'ada', data: { tab: 1 } }, { key: 'k2', userId: 'ada', data: { tab: 2 } }, { key: 'k3', data: {} },
    ]);
    assert.equal('userId' in syncs[0].members[2], false);
    assert.deepEqual(seen.map((e) => [e.key, e.userId]), [['k1', 'ada'], ['k2', 'ada'], ['k3', undefined]]);
    ch._frame({ type: 'presence', topic: 'chat/online', event: 'join', key: 'k4', userId: 'bob', data: { userId: 'x' } });
    ch._frame({ type: 'presence', topic: 'chat/online', event: 'leave', key: 'k2', userId: 'ada', data: { tab: 2 } });
    ch._frame({ type: 'presence', topic: 'chat/online', event: 'update', key: 'k3', data: { n: 1 } });
    assert.deepEqual(seen.slice(3), [
      { topic: 'chat/online', key: 'k4', userId: 'bob', data: { userId: 'x' } },
      { topic: 'chat/online', key: 'k2', userId: 'ada', data: { tab: 2 } },
      { topic: 'chat/online', key: 'k3', data: { n: 1 } },
    ]);
    assert.deepEqual(ch.presence(), [
      { key: 'k1', userId: 'ada', data: { tab: 1 } }, { key: 'k3', data: { n: 1 } }, { key: 'k4', userId: 'bob', data: { userId: 'x' } },
    ]);
  });

  test('handlers run after the whole transaction is applied, and a throwing handler does not stop the others', () => {
    const errors: unknown[] = [];
    const h = { ...host, _reportHandlerError(e: unknown) { errors.push(e); } } as unknown as ChannelHost;
    const ch = new Channel(h, 't', { snapshot: true });
    ch._wanted = true;
    const sizes: number[] = [];
    ch.on('INSERT', () => { throw new Error('boom'); }).on('INSERT', () => sizes.push(ch.rows().length));
    ch._frame(snap('1', []) as any);
    ch._frame(change('2', [ins(1), ins(2)], true) as any);
    assert.deepEqual(sizes, []);
    ch._frame(change('2', [ins(3)]) as any);
    assert.deepEqual(sizes, [3, 3, 3]);
    assert.equal(errors.length, 3);
  });

  test('channel event names with a reserved prefix reach only "*"', () => {
    const ch = new Channel(host, 'a/b');
    ch._wanted = true;
    const named: string[] = [];
    const all: string[] = [];
    ch.on('channel:error', () => named.push('error')).on('x', () => named.push('x')).on('*', (e) => all.push(e.event));
    ch._frame({ type: 'event', topic: 'a/b', event: 'channel:error', data: null, timestamp: 't' });
    ch._frame({ type: 'event', topic: 'a/b', event: 'x', data: null, timestamp: 't' });
    assert.deepEqual(named, ['x']);
    assert.deepEqual(all, ['channel:error', 'x']);
  });
});

describe('SSE parser', () => {
  test('events, ids, comments, multi-line data and line ends split across chunks', () => {
    const got: SseEvent[] = [];
    const p = new SseParser((e) => got.push(e));
    p.push('retry: 1000\n\n: keep-alive\n\nid: 5\nevent: db_change\nda');
    p.push('ta: {"a":1}\r');
    p.push('\n\r\nevent: presence\ndata: x\ndata: y\n\n');
    assert.deepEqual(got, [
      { event: 'db_change', data: '{"a":1}', id: '5' },
      { event: 'presence', data: 'x\ny', id: '5' },
    ]);
  });
});
