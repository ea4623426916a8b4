// A subscription handle: `pb.channel(topic)`. A topic without '/' is a table (a live local copy of its
// matching rows); with '/' it is a channel (messages, presence, history).
import { Emitter } from './emitter.js';
import { PulsebaseError, RETRYABLE_CODES } from './errors.js';
import { ChannelState, diffRows, keyFunction, TableState } from './state.js';
import type {
  ChangeEvent, HistoryPage, Member, MessageEvent, PresenceEvent, PresenceSyncEvent, PublishOptions, PublishResult,
  ResyncEvent, Row, SnapshotEvent, SubscribedEvent, TopicFrame, TransactionEvent,
} from './types.js';

export interface ChannelOptions {
  /**
   * Tables: operations to receive (`INSERT`, `UPDATE`, `DELETE`); channels: event names. Default: all.
   * A table subscription limited to some operations keeps a copy (`rows()`) that only those operations
   * maintain.
   */
  events?: string[];
  /** Tables only: a SQL `WHERE` subset over the row's columns, e.g. `status = 'pending'`. */
  filter?: string;
  /** Tables only: start with a snapshot of the matching rows (default false: live changes from now on). */
  snapshot?: boolean;
  /**
   * Tables only: the primary key column (or columns) by which `rows()` identifies a row. The server does
   * not say which column is the key; default `'id'`. A row without it is reported as a
   * `missing_primary_key` error and not applied.
   */
  primaryKey?: string | string[];
}

/** The part of the client a channel talks to. */
export interface ChannelHost {
  _subscribe(channel: Channel): void;
  _resubscribeLater(channel: Channel): void;
  _unsubscribe(channel: Channel): Promise<void>;
  _track(channel: Channel): void;
  _untrack(channel: Channel): Promise<void>;
  _publish(topic: string, event: string, data: unknown, options: PublishOptions): Promise<PublishResult>;
  _history(topic: string, limit: number | undefined, before: string | undefined): Promise<HistoryPage>;
  _register(channel: Channel): void;
  _reportHandlerError(error: unknown, event: string): void;
  _reportError(error: PulsebaseError): void;
}

type TableHandlers = {
  INSERT: ChangeEvent; UPDATE: ChangeEvent; DELETE: ChangeEvent;
  /** Tables: every change (a ChangeEvent); channels: every message (a MessageEvent). */
  '*': ChangeEvent & MessageEvent;
  'channel:snapshot': SnapshotEvent; 'channel:transaction': TransactionEvent;
};
type CommonHandlers = {
  'channel:subscribed': SubscribedEvent; 'channel:resync': ResyncEvent; 'channel:error': PulsebaseError;
  'presence:join': PresenceEvent; 'presence:update': PresenceEvent; 'presence:leave': PresenceEvent;
  'presence:sync': PresenceSyncEvent;
};
type Known = TableHandlers & CommonHandlers;
/** The payload a handler of `event` receives; any other name is a channel event name. */
export type EventPayload<E extends string> = E extends keyof Known ? Known[E] : MessageEvent;

const RESERVED_PREFIXES = ['presence:', 'channel:'];

export class Channel {
  readonly topic: string;
  /** True for a table (no '/' in the topic). */
  readonly isTable: boolean;
  /** @internal */ readonly _table: TableState | null;
  /** @internal */ readonly _chan: ChannelState | null;
  /** @internal */ _wanted = false;
  /** @internal */ _trackState: Record<string, unknown> | null = null;
  /** @internal */ _trackKey: string | null = null;
  private readonly host: ChannelHost;
  private readonly options: ChannelOptions;
  private readonly emitter: Emitter;
  private joinedOnce = false;
  private joined = false;
  private resyncReason: string | null = null;
  private readyWaiters: Array<{ resolve: () => void; reject: (e: PulsebaseError) => void }> = [];
  private trackWaiters: Array<{ resolve: (key: string) => void; reject: (e: PulsebaseError) => void }> = [];
  private failure: PulsebaseError | null = null;

  /** @internal */
  constructor(host: ChannelHost, topic: string, options: ChannelOptions = {}) {
    this.host = host;
    this.topic = topic;
    this.options = { ...options };
    this.isTable = !topic.includes('/');
    if (!this.isTable && (options.filter !== undefined || options.snapshot)) {
      throw new PulsebaseError('bad_request', `filter and snapshot apply to tables only, not to channel '${topic}'`);
    }
    this._table = this.isTable ? new TableState(keyFunction(options.primaryKey ?? 'id')) : null;
    this._chan = this.isTable ? null : new ChannelState();
    this.emitter = new Emitter((e, ev) => host._reportHandlerError(e, `${topic} ${ev}`));
  }

  /** @internal the options, to tell whether a second `channel()` call asks for the same subscription. */
  _sameOptions(options: ChannelOptions): boolean {
    return JSON.stringify(normalize(options)) === JSON.stringify(normalize(this.options));
  }

  on<E extends string>(event: E, handler: (payload: EventPayload<E>) => void): this {
    this.emitter.on(event, handler);
    return this;
  }

  off<E extends string>(event: E, handler: (payload: EventPayload<E>) => void): this {
    this.emitter.off(event, handler);
    return this;
  }

  /** Starts receiving (connecting the client if it is idle). Restored by itself after every reconnect. */
  subscribe(): this {
    if (this._wanted) return this;
    this._wanted = true;
    this.failure = null;
    this.host._register(this);
    this.host._subscribe(this);
    return this;
  }

  /** Stops receiving; on a channel also leaves presence if tracked. The local copy stays as it was. */
  async unsubscribe(): Promise<void> {
    const wasWanted = this._wanted;
    this._wanted = false;
    this.joined = false;
    this._table?.resetTransient();
    this._chan?.resetTransient();
    const untrack = this._trackState !== null ? this.untrack() : Promise.resolve();
    this.rejectReady(new PulsebaseError('disconnected', `unsubscribed from '${this.topic}'`));
    await Promise.all([wasWanted ? this.host._unsubscribe(this) : Promise.resolve(), untrack]);
  }

  /** Resolves once the server has accepted the subscription (the first time); rejects if it refused it. */
  ready(): Promise<void> {
    if (this.joined || (this.joinedOnce && this._wanted)) return Promise.resolve();
    if (this.failure) return Promise.reject(this.failure);
    return new Promise((resolve, reject) => this.readyWaiters.push({ resolve, reject }));
  }

  /** Tables: the live local copy (snapshot plus every applied transaction), in arrival order. */
  rows(): Row[] {
    return this._table ? [...this._table.rows.values()] : [];
  }

  /** Tables: one row of the local copy by its primary key value (an array for a composite key). */
  row(key: unknown): Row | undefined {
    return this._table?.rows.get(JSON.stringify(key));
  }

  /** The position to resume from: the last complete positioned frame (or subscribe reply). */
  get position(): string | null {
    return this._table?.position ?? this._chan?.position ?? null;
  }

  /** Channels: the current presence members (including this client's own, once tracked). */
  presence(): Member[] {
    return this._chan?.memberList() ?? [];
  }

  /**
   * Channels: publishes a message. Resolves with the server's answer. While disconnected the message
   * waits in the client's bounded offline queue and is sent on reconnect (see the README).
   */
  publish(event: string, data?: unknown, options: PublishOptions = {}): Promise<PublishResult> {
    return this.host._publish(this.topic, event, data ?? null, options);
  }

  /**
   * Channels: joins presence with `state` (again: updates it). Kept by the client and tracked again after
   * every reconnect. Resolves with this member's key (which changes with every connection).
   */
  track(state: Record<string, unknown> = {}): Promise<string> {
    this._trackState = state;
    const p = new Promise<string>((resolve, reject) => this.trackWaiters.push({ resolve, reject }));
    // `room.track(...)` is often not awaited: a refusal by the server is also reported through client.onError, so it must not surface as an unhandled rejection.
    p.catch(() => {});
    this.host._track(this);
    return p;
  }

  /** Channels: leaves presence. */
  untrack(): Promise<void> {
    this._trackState = null;
    this._trackKey = null;
    this.settleTrack(null, new PulsebaseError('disconnected', 'untracked'));
    const p = this.host._untrack(this);
    p.catch(() => {});
    return p;
  }

  /** Channels: persisted messages, newest first; page back with `before` = the oldest position received. */
  getHistory(limit?: number, before?: string): Promise<HistoryPage> {
    return this.host._history(this.topic, limit, before);
  }

  // ---- called by the client -------------------------------------------------------------------------

  /** @internal The subscribe message for the next (re)subscribe: resume with `since`, or snapshot. */
  _subscribeMessage(): Record<string, unknown> {
    const msg: Record<string, unknown> = { type: 'subscribe', topic: this.topic };
    if (this.options.events && this.options.events.length) msg.events = this.options.events;
    if (this._table) {
      if (this.options.filter !== undefined) msg.filter = this.options.filter;
      const wantsSnapshot = this.resyncReason !== null || (this.options.snapshot && !this._table.hasSnapshot);
      if (wantsSnapshot) msg.snapshot = true;
      else if (this._table.position !== null) msg.since = this._table.position;
    } else if (this._chan && this._chan.position !== null) {
      msg.since = this._chan.position;
    }
    return msg;
  }

  /** @internal The server accepted the subscription (a reply, or an SSE stream that started). */
  _onSubscribed(position: string | null): void {
    if (!this._wanted) return;
    this._table?.noteReplyPosition(position);
    this._chan?.noteReplyPosition(position);
    const resumed = this.joinedOnce;
    this.joinedOnce = true;
    this.joined = true;
    if (this.resyncReason !== null && this._chan) {
      const reason = this.resyncReason;
      this.resyncReason = null;
      this.emitter.emit('channel:resync', { topic: this.topic, reason } satisfies ResyncEvent);
    }
    for (const w of this.readyWaiters.splice(0)) w.resolve();
    this.emitter.emit('channel:subscribed', { topic: this.topic, position: this.position, resumed } satisfies SubscribedEvent);
  }

  /** @internal A starting position read over REST (SSE mode, where no subscribe reply says it). */
  _noteStartPosition(position: string): void {
    this._table?.noteReplyPosition(position);
    this._chan?.noteReplyPosition(position);
  }

  /** @internal The server refused the subscription. */
  _onSubscribeError(error: PulsebaseError): void {
    if (!this._wanted) return;
    if (error.code === 'position_expired' && this.resyncReason === null) {
      // Cannot resume: start over (tables with a snapshot, channels live) and say so, rather than go on
      // with a gap.
      this.resyncReason = 'position_expired';
      this._table?.forgetPosition();
      this._chan?.forgetPosition();
      this.host._subscribe(this);
      return;
    }
    if (RETRYABLE_CODES.has(error.code)) {
      this.host._resubscribeLater(this);
      return;
    }
    this._wanted = false;
    this.failure = error;
    this.emitter.emit('channel:error', error);
    this.host._reportError(error);
    this.rejectReady(error);
  }

  /** @internal The connection was lost: half-received parts are dropped (the resume replays them). */
  _connectionLost(): void {
    this.joined = false;
    this._table?.resetTransient();
    this._chan?.resetTransient();
  }

  /** @internal A track reply. */
  _onTracked(key: string | null, error: PulsebaseError | null): void {
    if (key !== null) this._trackKey = key;
    this.settleTrack(key, error);
  }

  /** @internal */
  _frame(frame: TopicFrame): void {
    if (!this._wanted) return;
    try {
      switch (frame.type) {
        case 'snapshot': return this.onSnapshot(frame);
        case 'db_change': return this.onChange(frame);
        case 'event': return this.onEvent(frame);
        case 'presence_state': return this.onPresenceState(frame);
        case 'presence': return this.onPresence(frame);
      }
    } catch (error) {
      const e = error instanceof PulsebaseError ? error : new PulsebaseError('internal', String(error));
      this.emitter.emit('channel:error', e);
      this.host._reportError(e);
    }
  }

  private onSnapshot(frame: Extract<TopicFrame, { type: 'snapshot' }>): void {
    if (!this._table) return;
    const out = this._table.applySnapshot(frame);
    if (out.kind !== 'snapshot') return;
    const rows = this.rows();
    this.emitter.emit('channel:snapshot', { topic: this.topic, position: out.position, rows } satisfies SnapshotEvent);
    if (this.resyncReason !== null) {
      const reason = this.resyncReason;
      this.resyncReason = null;
      const diff = diffRows(out.previous, this._table.rows);
      this.emitter.emit('channel:resync', { topic: this.topic, reason, rows, diff } satisfies ResyncEvent);
    }
  }

  private onChange(frame: Extract<TopicFrame, { type: 'db_change' }>): void {
    if (!this._table) return;
    const out = this._table.applyChange(frame);
    if (out.kind !== 'transaction') return;
    // The copy already holds the whole transaction when the first handler runs.
    this.emitter.emit('channel:transaction', {
      topic: this.topic, position: out.position, timestamp: out.timestamp, changes: out.changes, meta: out.meta,
    } satisfies TransactionEvent);
    for (const c of out.changes) {
      const e: ChangeEvent = {
        type: c.operation, topic: this.topic, data: c.data ?? null, old: c.old ?? null,
        position: out.position, timestamp: out.timestamp, meta: out.meta,
      };
      this.emitter.emit(c.operation, e);
      this.emitter.emit('*', e);
    }
  }

  private onEvent(frame: Extract<TopicFrame, { type: 'event' }>): void {
    if (!this._chan || !this._chan.acceptEvent(frame.position)) return;
    const e: MessageEvent = { topic: this.topic, event: frame.event, data: frame.data, timestamp: frame.timestamp };
    if (frame.id !== undefined) e.id = frame.id;
    if (frame.userId !== undefined) e.userId = frame.userId;
    if (frame.position !== undefined) e.position = frame.position;
    if (frame.event !== '*' && !RESERVED_PREFIXES.some((p) => frame.event.startsWith(p))) this.emitter.emit(frame.event, e);
    this.emitter.emit('*', e);
  }

  private onPresenceState(frame: Extract<TopicFrame, { type: 'presence_state' }>): void {
    if (!this._chan) return;
    const diff = this._chan.applyPresenceState(frame);
    if (!diff) return;
    for (const m of diff.leaves) this.emitter.emit('presence:leave', { topic: this.topic, ...m } satisfies PresenceEvent);
    for (const m of diff.joins) this.emitter.emit('presence:join', { topic: this.topic, ...m } satisfies PresenceEvent);
    for (const m of diff.updates) this.emitter.emit('presence:update', { topic: this.topic, ...m } satisfies PresenceEvent);
    this.emitter.emit('presence:sync', { topic: this.topic, members: diff.members } satisfies PresenceSyncEvent);
  }

  private onPresence(frame: Extract<TopicFrame, { type: 'presence' }>): void {
    if (!this._chan) return;
    this._chan.applyPresence(frame);
    const e: PresenceEvent = { topic: this.topic, key: frame.key, data: frame.data };
    if (frame.userId !== undefined) e.userId = frame.userId;
    this.emitter.emit(`presence:${frame.event}`, e);
  }

  private rejectReady(error: PulsebaseError): void {
    for (const w of this.readyWaiters.splice(0)) w.reject(error);
  }

  private settleTrack(key: string | null, error: PulsebaseError | null): void {
    for (const w of this.trackWaiters.splice(0)) {
      if (key !== null) w.resolve(key);
      else w.reject(error ?? new PulsebaseError('internal', 'track failed'));
    }
  }
}

function normalize(o: ChannelOptions) {
  return { events: o.events ?? null, filter: o.filter ?? null, snapshot: !!o.snapshot, primaryKey: o.primaryKey ?? 'id' };
}
