// The client: one WebSocket (or, in SSE mode, one event stream per subscription), reconnect with
// backoff, resume of every subscription from its position, presence re-tracking, the offline queue.
import { backoffDelay, type BackoffOptions } from './backoff.js';
import { Channel, type ChannelHost, type ChannelOptions } from './channel.js';
import { closeAdvice, CloseCode } from './close-codes.js';
import { errorFromBody, PulsebaseError, RETRYABLE_CODES } from './errors.js';
import { asPosition } from './positions.js';
import { SseSubscription, type SseHost } from './sse-transport.js';
import type { HistoryPage, PublishOptions, PublishResult, Status, TopicFrame } from './types.js';

/** The subset of the WHATWG WebSocket that the client uses (the browser's, Node 22's, or the `ws` package's). */
export interface WebSocketLike {
  readonly readyState: number;
  onopen: ((ev: unknown) => void) | null;
  onmessage: ((ev: { data: unknown }) => void) | null;
  onclose: ((ev: { code: number; reason: string }) => void) | null;
  onerror: ((ev: unknown) => void) | null;
  send(data: string): void;
  close(code?: number, reason?: string): void;
}
export type WebSocketConstructor = new (url: string) => WebSocketLike;

export interface ClientOptions {
  /** A JWT, sent as `?token=` on the WebSocket and `Authorization: Bearer` over HTTP. */
  token?: string;
  /** An API key, sent as `?apikey=`. */
  apikey?: string;
  /** Called when the server closes with 4003 token_expired: its answer is used for the reconnect. */
  tokenRefresher?: () => string | Promise<string>;
  /** `websocket` (default) or `sse`: receive-only event streams, publish over REST, no presence tracking. */
  transport?: 'websocket' | 'sse';
  /** A WebSocket implementation; default: the global one, or in Node without one the `ws` package. */
  WebSocket?: WebSocketConstructor;
  /** A fetch implementation (SSE mode and REST calls); default: the global one. */
  fetch?: typeof fetch;
  /** Reconnect backoff (default 1 s doubling up to 30 s, half of it random). */
  reconnect?: BackoffOptions;
  /** Send a ping after this long without any frame from the server (default 25000 ms). */
  pingIntervalMs?: number;
  /** Drop the connection and reconnect when nothing arrives this long after the ping (default 10000 ms). */
  pingTimeoutMs?: number;
  /** Give up a connection attempt after this long (default 10000 ms). */
  connectTimeoutMs?: number;
  /** Publishes and history requests that may wait for a connection (default 100); beyond: `offline_queue_full`. */
  offlineQueueSize?: number;
  /** A publish or history request not answered within this time rejects with `timeout` (default 30000 ms). */
  requestTimeoutMs?: number;
  /** Where exceptions thrown by your handlers go (default `console.error`). */
  onHandlerError?: (error: unknown, event: string) => void;
}

interface Request {
  msg: Record<string, unknown>;
  /** User requests (publish with an id, history) are sent again after a reconnect; internal ones are redone by the restore. */
  user: boolean;
  onReply: (reply: Record<string, unknown>) => void;
  onFail?: (error: PulsebaseError) => void;
  timer?: ReturnType<typeof setTimeout>;
}

let webSocketLoader: () => Promise<WebSocketConstructor | undefined> =
  async () => (globalThis as { WebSocket?: WebSocketConstructor }).WebSocket;

/** @internal The Node entry point installs a loader that falls back to the `ws` package. */
export function setWebSocketLoader(loader: () => Promise<WebSocketConstructor | undefined>): void {
  webSocketLoader = loader;
}

const OPEN = 1;

export class PulsebaseClient implements ChannelHost, SseHost {
  /** The server's HTTP base URL, without a trailing slash. */
  readonly url: string;
  private readonly opts: ClientOptions;
  private token: string | undefined;
  private _status: Status = 'idle';
  private readonly statusListeners = new Set<(s: Status) => void>();
  private readonly errorListeners = new Set<(e: PulsebaseError) => void>();
  private readonly channels = new Map<string, Channel>();
  private wanted = false;
  private everConnected = false;
  // WebSocket transport
  private ws: WebSocketLike | null = null;
  private gen = 0;
  private attempt = 0;
  private connected = false;
  private reconnectTimer: ReturnType<typeof setTimeout> | null = null;
  private connectTimer: ReturnType<typeof setTimeout> | null = null;
  private livenessTimer: ReturnType<typeof setInterval> | null = null;
  private lastReceived = 0;
  private pingSent = false;
  private nextRef = 1;
  private readonly inflight = new Map<string, Request>();
  private outbox: Request[] = [];
  private readonly resubscribeTimers = new Map<Channel, ReturnType<typeof setTimeout>>();
  private resubscribeAttempts = new Map<Channel, number>();
  // SSE transport
  private readonly streams = new Map<Channel, SseSubscription>();
  private idSeq = 0;
  private readonly idPrefix = randomId();

  constructor(url: string, options: ClientOptions = {}) {
    this.url = url.replace(/\/+$/, '');
    this.opts = { ...options };
    this.token = options.token;
  }

  get status(): Status {
    return this._status;
  }

  get transport(): 'websocket' | 'sse' {
    return this.opts.transport ?? 'websocket';
  }

  /** Calls `listener` on every status change; returns a function that removes it. */
  onStatusChange(listener: (status: Status) => void): () => void {
    this.statusListeners.add(listener);
    return () => this.statusListeners.delete(listener);
  }

  /** Errors without a better place: `error` frames, refused subscriptions, close codes that end the connection. */
  onError(listener: (error: PulsebaseError) => void): () => void {
    this.errorListeners.add(listener);
    return () => this.errorListeners.delete(listener);
  }

  /**
   * A subscription handle for a table (`orders`) or a channel (`chat/general`). One per topic and client:
   * asking again with the same options returns the same handle; different options throw (a connection
   * holds one subscription per topic: unsubscribe first, or use a second client).
   */
  channel(topic: string, options: ChannelOptions = {}): Channel {
    const existing = this.channels.get(topic);
    if (existing) {
      if (existing._sameOptions(options)) return existing;
      throw new PulsebaseError('bad_request',
        `'${topic}' is already open on this client with other options; unsubscribe it first or use another client`);
    }
    const ch = new Channel(this, topic, options);
    this.channels.set(topic, ch);
    return ch;
  }

  /** Connects (subscribing and publishing connect by themselves while the client is idle). */
  connect(): void {
    if (this.wanted) return;
    this.wanted = true;
    this.attempt = 0;
    if (this.transport === 'sse') {
      for (const ch of this.channels.values()) if (ch._wanted) this.openStream(ch);
      this.updateSseStatus();
      return;
    }
    this.openSocket();
  }

  /**
   * Closes the connection for good (until `connect()`): pending publishes and history requests reject with
   * `disconnected`; subscriptions stay registered and resume from their positions on `connect()`.
   */
  disconnect(): void {
    this.wanted = false;
    this.clearTimers();
    for (const t of this.resubscribeTimers.values()) clearTimeout(t);
    this.resubscribeTimers.clear();
    if (this.ws) {
      const ws = this.ws;
      this.detach();
      try { ws.close(CloseCode.NORMAL, 'normal'); } catch { /* already closed */ }
    }
    for (const s of this.streams.values()) s.close();
    this.streams.clear();
    this.connectionLost();
    this.failQueued(new PulsebaseError('disconnected', 'the client was disconnected'));
    this.setStatus('disconnected');
  }

  /** Drops the current connection and reconnects at once, resuming every subscription (e.g. after a network change). */
  reconnect(): void {
    if (!this.wanted) return this.connect();
    if (this.transport === 'sse') {
      for (const s of this.streams.values()) s.restart();
      return;
    }
    if (this.ws) this.socketClosed(CloseCode.ABNORMAL, 'reconnect requested', true);
    else {
      if (this.reconnectTimer) clearTimeout(this.reconnectTimer);
      this.reconnectTimer = null;
      this.openSocket();
    }
  }

  /** Replaces the token: sent to the open connection (`auth`) and used by every later connection. */
  setToken(token: string): void {
    this.token = token;
    if (this.connected) this.sendInternal({ type: 'auth', token }, () => {});
  }

  // ---- ChannelHost ------------------------------------------------------------------------------------

  /** @internal */
  _register(channel: Channel): void {
    const existing = this.channels.get(channel.topic);
    if (existing && existing !== channel) {
      throw new PulsebaseError('bad_request', `'${channel.topic}' is already open on this client`);
    }
    this.channels.set(channel.topic, channel);
  }

  /** @internal */
  _subscribe(channel: Channel): void {
    if (this.transport === 'sse') {
      if (!this.wanted && this._status === 'idle') this.connect();
      else if (this.wanted) this.openStream(channel);
      return;
    }
    if (!this.wanted) {
      if (this._status === 'idle') this.connect();
      return; // restored on connect
    }
    if (this.connected) this.sendSubscribe(channel);
  }

  /** @internal a retryable refusal (`unavailable`, …): subscribe again after a backoff delay. */
  _resubscribeLater(channel: Channel): void {
    const n = this.resubscribeAttempts.get(channel) ?? 0;
    this.resubscribeAttempts.set(channel, n + 1);
    const old = this.resubscribeTimers.get(channel);
    if (old) clearTimeout(old);
    this.resubscribeTimers.set(channel, setTimeout(() => {
      this.resubscribeTimers.delete(channel);
      if (channel._wanted) this._subscribe(channel);
    }, backoffDelay(n, this.opts.reconnect)));
  }

  /** @internal */
  async _unsubscribe(channel: Channel): Promise<void> {
    const t = this.resubscribeTimers.get(channel);
    if (t) clearTimeout(t);
    this.resubscribeTimers.delete(channel);
    if (this.channels.get(channel.topic) === channel && channel._trackState === null) this.channels.delete(channel.topic);
    if (this.transport === 'sse') {
      this.streams.get(channel)?.close();
      this.streams.delete(channel);
      this.updateSseStatus();
      return;
    }
    if (!this.connected) return;
    await new Promise<void>((resolve) => {
      this.sendInternal({ type: 'unsubscribe', topic: channel.topic }, () => resolve(), () => resolve());
    });
  }

  /** @internal */
  _track(channel: Channel): void {
    if (this.transport === 'sse') {
      channel._trackState = null;
      channel._onTracked(null, new PulsebaseError('not_supported',
        'presence tracking needs a WebSocket: the server has no REST or SSE way to track (SSE mode)'));
      return;
    }
    this.channels.set(channel.topic, channel);
    if (!this.wanted) {
      if (this._status === 'idle') this.connect();
      else if (this._status === 'disconnected') {
        channel._onTracked(null, new PulsebaseError('disconnected', 'the client is disconnected: call connect()'));
      }
      return;
    }
    if (this.connected) this.sendTrack(channel);
  }

  /** @internal */
  async _untrack(channel: Channel): Promise<void> {
    if (!channel._wanted && this.channels.get(channel.topic) === channel) this.channels.delete(channel.topic);
    if (this.transport === 'sse' || !this.connected) return;
    await new Promise<void>((resolve, reject) => {
      this.sendInternal({ type: 'untrack', topic: channel.topic }, () => resolve(), (e) => reject(e));
    });
  }

  /** @internal */
  async _publish(topic: string, event: string, data: unknown, options: PublishOptions): Promise<PublishResult> {
    const id = options.id ?? `${this.idPrefix}-${++this.idSeq}`;
    const body: Record<string, unknown> = { topic, event, data, id };
    if (options.persist) body.persist = true;
    const reply = this.transport === 'sse'
      ? await this.restWithRetry('POST', '/v1/publish', body)
      : await this.userRequest({ type: 'publish', ...body });
    const result: PublishResult = { id };
    const position = asPosition(reply.position);
    if (position !== null) result.position = position;
    if (reply.duplicate === true) result.duplicate = true;
    return result;
  }

  /** @internal */
  async _history(topic: string, limit: number | undefined, before: string | undefined): Promise<HistoryPage> {
    let reply: Record<string, unknown>;
    if (this.transport === 'sse') {
      const q = new URLSearchParams({ topic });
      if (limit !== undefined) q.set('limit', String(limit));
      if (before !== undefined) q.set('before', before);
      reply = await this.restWithRetry('GET', `/v1/history?${q}`);
    } else {
      const msg: Record<string, unknown> = { type: 'history', topic };
      if (limit !== undefined) msg.limit = limit;
      if (before !== undefined) msg.before = before;
      reply = await this.userRequest(msg);
    }
    return { messages: (reply.messages as HistoryPage['messages']) ?? [], more: reply.more === true };
  }

  /** @internal */
  _reportHandlerError(error: unknown, event: string): void {
    if (this.opts.onHandlerError) this.opts.onHandlerError(error, event);
    else console.error(`pulsebase: a handler of '${event}' threw`, error);
  }

  /** @internal */
  _reportError(error: PulsebaseError): void {
    for (const l of [...this.errorListeners]) {
      try { l(error); } catch (e) { this._reportHandlerError(e, 'error'); }
    }
  }

  // ---- SseHost ----------------------------------------------------------------------------------------

  /** @internal */
  _sseUrl(query: URLSearchParams): string {
    if (this.opts.apikey) query.set('apikey', this.opts.apikey);
    return `${this.url}/v1/realtime/sse?${query}`;
  }

  /** @internal */
  _headers(): Record<string, string> {
    return this.token ? { authorization: `Bearer ${this.token}` } : {};
  }

  /** @internal */
  _fetch(): typeof fetch {
    const f = this.opts.fetch ?? (globalThis as { fetch?: typeof fetch }).fetch;
    if (!f) throw new PulsebaseError('not_supported', 'no fetch available: pass the fetch option');
    return f;
  }

  /** @internal */
  _backoff(attempt: number): number {
    return backoffDelay(attempt, this.opts.reconnect);
  }

  /** @internal */
  _idleTimeoutMs(): number {
    return (this.opts.pingIntervalMs ?? 25000) + (this.opts.pingTimeoutMs ?? 10000) + 30000;
  }

  /**
   * @internal Where an SSE stream without snapshot may start: a table's current log position
   * (`GET /v1/tables/{t}/rows?limit=1`), or a channel's newest persisted message (`GET /v1/history`;
   * "0" when it has none, so that every message persisted from now on is replayed).
   */
  async _startPosition(channel: Channel): Promise<string | null> {
    if (channel.isTable) {
      const r = await this.rest('GET', `/v1/tables/${encodeURIComponent(channel.topic)}/rows?limit=1`);
      return asPosition(r.position);
    }
    const r = await this.rest('GET', `/v1/history?${new URLSearchParams({ topic: channel.topic, limit: '1' })}`);
    const newest = (r.messages as Array<{ position?: unknown }> | undefined)?.[0];
    return asPosition(newest?.position) ?? '0';
  }

  /** @internal */
  _streamStateChanged(): void {
    this.updateSseStatus();
  }

  // ---- WebSocket transport ----------------------------------------------------------------------------

  private async openSocket(): Promise<void> {
    const gen = ++this.gen;
    this.setStatus(this.everConnected ? 'reconnecting' : 'connecting');
    let Ctor: WebSocketConstructor | undefined;
    try {
      Ctor = this.opts.WebSocket ?? await webSocketLoader();
    } catch (e) {
      Ctor = undefined;
    }
    if (gen !== this.gen || !this.wanted) return;
    if (!Ctor) {
      this.wanted = false;
      this._reportError(new PulsebaseError('not_supported',
        'no WebSocket implementation: pass the WebSocket option (or use transport: "sse")'));
      this.setStatus('disconnected');
      return;
    }
    const q = new URLSearchParams();
    if (this.token) q.set('token', this.token);
    if (this.opts.apikey) q.set('apikey', this.opts.apikey);
    const qs = q.toString();
    const url = `${this.url.replace(/^http/i, 'ws')}/v1/realtime${qs ? `?${qs}` : ''}`;
    let ws: WebSocketLike;
    try {
      ws = new Ctor(url);
    } catch (e) {
      this._reportError(new PulsebaseError('bad_request', `cannot open ${url}: ${String(e)}`));
      this.scheduleReconnect(false);
      return;
    }
    this.ws = ws;
    this.connectTimer = setTimeout(() => {
      if (gen === this.gen && !this.connected) this.socketClosed(CloseCode.ABNORMAL, 'connect timeout', true);
    }, this.opts.connectTimeoutMs ?? 10000);
    ws.onopen = () => { if (gen === this.gen) this.socketOpened(); };
    ws.onmessage = (ev) => { if (gen === this.gen) this.received(ev.data); };
    ws.onclose = (ev) => { if (gen === this.gen) this.socketClosed(ev.code, ev.reason, false); };
    ws.onerror = () => { /* a close event follows */ };
  }

  private socketOpened(): void {
    if (this.connectTimer) clearTimeout(this.connectTimer);
    this.connectTimer = null;
    this.connected = true;
    this.everConnected = true;
    this.lastReceived = Date.now();
    this.pingSent = false;
    // Order matters: the server handles one connection's messages in order, so the subscriptions are
    // restored (and their missed changes queued) before anything else.
    for (const ch of this.channels.values()) {
      if (ch._wanted) this.sendSubscribe(ch);
      if (ch._trackState !== null) this.sendTrack(ch);
    }
    const queued = this.outbox;
    this.outbox = [];
    for (const r of queued) this.sendRequest(r);
    this.startLiveness();
    this.setStatus('connected');
  }

  private received(data: unknown): void {
    this.lastReceived = Date.now();
    this.pingSent = false;
    const text = typeof data === 'string' ? data : new TextDecoder().decode(data as ArrayBuffer);
    let frame: Record<string, unknown>;
    try {
      frame = JSON.parse(text);
    } catch {
      this._reportError(new PulsebaseError('invalid_json', 'the server sent a frame that is not JSON'));
      return;
    }
    switch (frame.type) {
      case 'reply': {
        const r = this.inflight.get(String(frame.ref));
        if (!r) return;
        this.inflight.delete(String(frame.ref));
        if (r.timer) clearTimeout(r.timer);
        if (frame.ok === true) {
          this.attempt = 0; // the connection works: the next loss starts the backoff afresh
          r.onReply(frame);
        } else {
          const err = errorFromBody(frame, 'internal');
          if (r.onFail) r.onFail(err);
        }
        return;
      }
      case 'heartbeat':
        return;
      case 'error':
        this._reportError(new PulsebaseError(String(frame.code ?? 'internal'), String(frame.message ?? '')));
        return;
      default: {
        const ch = this.channels.get(String(frame.topic));
        if (ch) ch._frame(frame as unknown as TopicFrame);
      }
    }
  }

  /** `forced`: the client dropped the socket itself (no close event will be waited for). */
  private socketClosed(code: number, reason: string, forced: boolean): void {
    const ws = this.ws;
    this.detach();
    if (forced && ws) {
      const t = (ws as { terminate?: () => void }).terminate;
      try { if (t) t.call(ws); else ws.close(); } catch { /* gone */ }
    }
    this.connectionLost();
    if (!this.wanted) {
      this.setStatus('disconnected');
      return;
    }
    const advice = closeAdvice(code);
    if (advice === 'stop') {
      this.wanted = false;
      const err = new PulsebaseError(`closed:${code}`, `the server closed the connection (${code} ${reason}); not reconnecting`);
      this.failQueued(err);
      this._reportError(err);
      this.setStatus('disconnected');
      return;
    }
    this.setStatus(this.everConnected ? 'reconnecting' : 'connecting');
    this.scheduleReconnect(advice === 'refresh_token');
  }

  private scheduleReconnect(refreshToken: boolean): void {
    if (this.reconnectTimer) clearTimeout(this.reconnectTimer);
    const delay = backoffDelay(this.attempt++, this.opts.reconnect);
    this.reconnectTimer = setTimeout(async () => {
      this.reconnectTimer = null;
      if (!this.wanted) return;
      if (refreshToken && this.opts.tokenRefresher) {
        try {
          this.token = await this.opts.tokenRefresher();
        } catch (e) {
          this._reportError(new PulsebaseError('token_refresh_failed', `the token refresher failed: ${String(e)}`));
          if (this.wanted) this.scheduleReconnect(true);
          return;
        }
        if (!this.wanted) return;
      }
      this.openSocket();
    }, delay);
  }

  /** Forgets the socket: handlers detached, per-connection state reset, requests requeued or dropped. */
  private detach(): void {
    const ws = this.ws;
    if (ws) {
      ws.onopen = ws.onmessage = ws.onclose = null;
      ws.onerror = () => {};
    }
    this.ws = null;
    this.gen++;
    this.connected = false;
    if (this.connectTimer) clearTimeout(this.connectTimer);
    this.connectTimer = null;
    if (this.livenessTimer) clearInterval(this.livenessTimer);
    this.livenessTimer = null;
    // User requests sent but not answered go back to the front of the queue, in their order: a publish
    // carries an id, so if the server did get it, the re-send is answered `duplicate` and not delivered twice.
    const again: Request[] = [];
    for (const r of this.inflight.values()) if (r.user) again.push(r);
    this.inflight.clear();
    this.outbox = again.concat(this.outbox);
  }

  private connectionLost(): void {
    for (const ch of this.channels.values()) ch._connectionLost();
  }

  private sendSubscribe(ch: Channel): void {
    this.sendInternal(ch._subscribeMessage(),
      (reply) => {
        this.resubscribeAttempts.delete(ch);
        ch._onSubscribed(asPosition(reply.position));
      },
      (err) => ch._onSubscribeError(err));
  }

  private sendTrack(ch: Channel): void {
    const state = ch._trackState;
    if (state === null) return;
    this.sendInternal({ type: 'track', topic: ch.topic, state },
      (reply) => ch._onTracked(typeof reply.key === 'string' ? reply.key : '', null),
      (err) => {
        if (ch._trackState === state) ch._trackState = null;
        ch._onTracked(null, err);
        this._reportError(err);
      });
  }

  private sendInternal(msg: Record<string, unknown>, onReply: Request['onReply'], onFail?: Request['onFail']): void {
    this.sendRequest({ msg, user: false, onReply, onFail });
  }

  private sendRequest(r: Request): void {
    const ws = this.ws;
    if (!ws || !this.connected) {
      if (r.user) this.outbox.push(r);
      return;
    }
    const ref = String(this.nextRef++);
    this.inflight.set(ref, r);
    try {
      ws.send(JSON.stringify({ ...r.msg, ref }));
    } catch {
      // The socket is closing: its close event requeues the request.
    }
  }

  /** A publish or history request: sent now, or queued (bounded) until connected; rejects after the request timeout. */
  private userRequest(msg: Record<string, unknown>): Promise<Record<string, unknown>> {
    return new Promise((resolve, reject) => {
      if (this._status === 'disconnected') {
        reject(new PulsebaseError('disconnected', 'the client is disconnected: call connect()'));
        return;
      }
      const r: Request = { msg, user: true, onReply: resolve, onFail: reject };
      if (!this.connected && this.outbox.length >= (this.opts.offlineQueueSize ?? 100)) {
        reject(new PulsebaseError('offline_queue_full',
          `not connected and ${this.outbox.length} requests are already waiting (offlineQueueSize)`));
        return;
      }
      r.timer = setTimeout(() => {
        this.outbox = this.outbox.filter((x) => x !== r);
        for (const [ref, x] of this.inflight) if (x === r) this.inflight.delete(ref);
        reject(new PulsebaseError('timeout', `no answer within ${this.opts.requestTimeoutMs ?? 30000} ms`));
      }, this.opts.requestTimeoutMs ?? 30000);
      const done = r.onReply;
      const fail = r.onFail!;
      r.onReply = (reply) => { clearTimeout(r.timer); done(reply); };
      r.onFail = (e) => { clearTimeout(r.timer); fail(e); };
      if (this._status === 'idle') this.connect();
      this.sendRequest(r);
    });
  }

  private failQueued(error: PulsebaseError): void {
    const all = this.outbox.concat([...this.inflight.values()].filter((r) => r.user));
    this.outbox = [];
    for (const [ref, r] of this.inflight) if (r.user) this.inflight.delete(ref);
    for (const r of all) r.onFail?.(error);
    for (const ch of this.channels.values()) if (ch._trackState !== null) ch._onTracked(null, error);
  }

  private startLiveness(): void {
    const interval = this.opts.pingIntervalMs ?? 25000;
    const timeout = this.opts.pingTimeoutMs ?? 10000;
    const gen = this.gen;
    this.livenessTimer = setInterval(() => {
      if (gen !== this.gen || !this.connected) return;
      const idle = Date.now() - this.lastReceived;
      if (idle >= interval + timeout) {
        this.socketClosed(CloseCode.HEARTBEAT_TIMEOUT, 'no answer to ping', true);
      } else if (idle >= interval && !this.pingSent) {
        this.pingSent = true;
        this.sendInternal({ type: 'ping' }, () => {});
      }
    }, Math.max(50, Math.min(interval, timeout) / 2));
  }

  private clearTimers(): void {
    if (this.reconnectTimer) clearTimeout(this.reconnectTimer);
    this.reconnectTimer = null;
    if (this.connectTimer) clearTimeout(this.connectTimer);
    this.connectTimer = null;
    if (this.livenessTimer) clearInterval(this.livenessTimer);
    this.livenessTimer = null;
  }

  private setStatus(status: Status): void {
    if (status === this._status) return;
    this._status = status;
    for (const l of [...this.statusListeners]) {
      try { l(status); } catch (e) { this._reportHandlerError(e, 'status'); }
    }
  }

  // ---- SSE transport ----------------------------------------------------------------------------------

  private openStream(ch: Channel): void {
    let s = this.streams.get(ch);
    if (!s) {
      s = new SseSubscription(this, ch);
      this.streams.set(ch, s);
    }
    s.restart();
    this.updateSseStatus();
  }

  private updateSseStatus(): void {
    if (this.transport !== 'sse' || !this.wanted) return;
    const states = [...this.streams.values()].map((s) => s.state);
    if (states.some((s) => s === 'open')) this.everConnected = true;
    if (states.length === 0) return;
    if (states.every((s) => s === 'open' || s === 'closed')) this.setStatus('connected');
    else if (this.everConnected) this.setStatus('reconnecting');
    else this.setStatus('connecting');
  }

  /** One REST call; network failures reject with `network`, HTTP errors with the server's error code. */
  private async rest(method: string, path: string, body?: unknown): Promise<Record<string, unknown>> {
    const q = this.opts.apikey ? `${path.includes('?') ? '&' : '?'}apikey=${encodeURIComponent(this.opts.apikey)}` : '';
    let res: Response;
    try {
      res = await this._fetch()(`${this.url}${path}${q}`, {
        method,
        headers: { ...this._headers(), ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
    } catch (e) {
      throw new PulsebaseError('network', `${method} ${path}: ${String(e)}`);
    }
    const text = await res.text();
    let json: unknown = null;
    try { json = text ? JSON.parse(text) : {}; } catch { /* not JSON */ }
    if (res.ok) return (json ?? {}) as Record<string, unknown>;
    throw errorFromBody(json, `http_${res.status}`);
  }

  /** One REST call, retried with backoff on network errors and 5xx answers until the request timeout. */
  private async restWithRetry(method: string, path: string, body?: unknown): Promise<Record<string, unknown>> {
    if (this._status === 'disconnected') throw new PulsebaseError('disconnected', 'the client is disconnected: call connect()');
    const deadline = Date.now() + (this.opts.requestTimeoutMs ?? 30000);
    for (let attempt = 0; ; attempt++) {
      try {
        return await this.rest(method, path, body);
      } catch (e) {
        const err = e as PulsebaseError;
        const retryable = err.code === 'network' || err.code.startsWith('http_5') || RETRYABLE_CODES.has(err.code);
        if (!retryable) throw err;
      }
      const wait = this._backoff(attempt);
      if (Date.now() + wait > deadline) throw new PulsebaseError('timeout', `${method} ${path}: no answer in time`);
      await new Promise((r) => setTimeout(r, wait));
    }
  }
}

function randomId(): string {
  const c = (globalThis as { crypto?: { randomUUID?: () => string } }).crypto;
  if (c?.randomUUID) return c.randomUUID().slice(0, 13);
  return Math.random().toString(36).slice(2, 10) + Date.now().toString(36);
}

/** Creates a client for the server at `url` (its HTTP base, e.g. `http://localhost:8080`). */
export function createClient(url: string, options: ClientOptions = {}): PulsebaseClient {
  return new PulsebaseClient(url, options);
}
