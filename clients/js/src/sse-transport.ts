// SSE mode: one event stream per subscription (a stream's `events` and `filter` apply to all its topics, so
// subscriptions with different options cannot share one). Each stream reconnects by itself with backoff and
// resumes with `since` = its subscription's position.
import type { Channel } from './channel.js';
import { errorFromBody, PulsebaseError, RETRYABLE_CODES } from './errors.js';
import { readSse, type SseEvent } from './sse.js';
import type { TopicFrame } from './types.js';

/** @internal */
export interface SseHost {
  _sseUrl(query: URLSearchParams): string;
  _headers(): Record<string, string>;
  _fetch(): typeof fetch;
  _backoff(attempt: number): number;
  _idleTimeoutMs(): number;
  _streamStateChanged(): void;
  _reportError(error: PulsebaseError): void;
  _startPosition(channel: Channel): Promise<string | null>;
}

/** @internal */
export class SseSubscription {
  state: 'connecting' | 'open' | 'retrying' | 'closed' = 'connecting';
  private attempt = 0;
  private gen = 0;
  private controller: AbortController | null = null;
  private retryTimer: ReturnType<typeof setTimeout> | null = null;
  private idleTimer: ReturnType<typeof setTimeout> | null = null;
  private awaitingSnapshot = false;

  constructor(private readonly host: SseHost, private readonly channel: Channel) {}

  /** (Re)opens the stream now, from the subscription's current resume point. */
  restart(): void {
    this.stop();
    const gen = ++this.gen;
    this.setState('connecting');
    void this.run(gen);
  }

  close(): void {
    this.stop();
    this.gen++;
    this.setState('closed');
  }

  private stop(): void {
    if (this.retryTimer) clearTimeout(this.retryTimer);
    this.retryTimer = null;
    if (this.idleTimer) clearTimeout(this.idleTimer);
    this.idleTimer = null;
    this.controller?.abort();
    this.controller = null;
  }

  private async run(gen: number): Promise<void> {
    const ctl = new AbortController();
    this.controller = ctl;
    let msg = this.channel._subscribeMessage();
    if (!msg.snapshot && msg.since === undefined) {
      // An SSE stream does not say where it starts (there is no subscribe reply), so a stream cut before
      // its first positioned event could not resume without a gap. Read a starting position over REST
      // first and start the stream from it: whatever commits in between is replayed.
      let start: string | null;
      try {
        start = await this.host._startPosition(this.channel);
      } catch (e) {
        if (gen !== this.gen) return;
        const err = e instanceof PulsebaseError ? e : new PulsebaseError('internal', String(e));
        if (err.code.startsWith('http_5') || err.code === 'network' || RETRYABLE_CODES.has(err.code)) return this.retry(gen);
        this.setState('closed');
        this.channel._onSubscribeError(err);
        return;
      }
      if (gen !== this.gen) return;
      if (start !== null) this.channel._noteStartPosition(start);
      msg = this.channel._subscribeMessage();
    }
    const q = new URLSearchParams();
    q.set('topic', this.channel.topic);
    if (Array.isArray(msg.events)) q.set('events', (msg.events as string[]).join(','));
    if (typeof msg.filter === 'string') q.set('filter', msg.filter);
    if (msg.snapshot) q.set('snapshot', 'true');
    else if (typeof msg.since === 'string') q.set('since', msg.since);
    let res: Response;
    try {
      res = await this.host._fetch()(this.host._sseUrl(q), {
        headers: { accept: 'text/event-stream', ...this.host._headers() },
        signal: ctl.signal,
        cache: 'no-store',
      });
    } catch {
      if (gen === this.gen) this.retry(gen);
      return;
    }
    if (gen !== this.gen) { ctl.abort(); return; }
    if (!res.ok || !res.body) {
      let body: unknown = null;
      try { body = await res.json(); } catch { /* not JSON */ }
      if (gen !== this.gen) return;
      const err = errorFromBody(body, `http_${res.status}`);
      if (res.status >= 500 || RETRYABLE_CODES.has(err.code)) return this.retry(gen);
      this.setState('closed');
      this.channel._onSubscribeError(err); // position_expired: restarts this stream with a snapshot
      return;
    }
    this.attempt = 0;
    this.setState('open');
    // No reply over SSE: a snapshot subscription counts as subscribed once its snapshot is complete (as a
    // WebSocket reply comes after the snapshot), any other once the stream has started.
    this.awaitingSnapshot = msg.snapshot === true;
    if (!this.awaitingSnapshot) this.channel._onSubscribed(null);
    this.touch(gen, ctl);
    let refused: PulsebaseError | null = null;
    try {
      await readSse(res.body, (e) => {
        if (gen !== this.gen || refused) return;
        refused = this.dispatch(e);
        if (refused) ctl.abort();
      }, () => this.touch(gen, ctl));
    } catch {
      // aborted or network failure: handled below
    }
    if (gen !== this.gen) return;
    if (this.idleTimer) clearTimeout(this.idleTimer);
    this.channel._connectionLost();
    if (refused) {
      this.setState('closed');
      this.channel._onSubscribeError(refused);
      return;
    }
    this.retry(gen);
  }

  /** Hands one event to the channel; answers the error of a refusal that arrived inside the stream. */
  private dispatch(e: SseEvent): PulsebaseError | null {
    let data: Record<string, unknown>;
    try {
      data = JSON.parse(e.data);
    } catch {
      return null;
    }
    const type = data.type ?? e.event;
    if (type === 'error') {
      const err = new PulsebaseError(String(data.code ?? 'internal'), String(data.message ?? ''));
      if (err.code === 'position_expired' || !data.topic || data.topic === this.channel.topic) return err;
      this.host._reportError(err);
      return null;
    }
    if (type === 'heartbeat') return null;
    this.channel._frame({ ...data, type } as unknown as TopicFrame);
    if (this.awaitingSnapshot && type === 'snapshot' && !data.more) {
      this.awaitingSnapshot = false;
      this.channel._onSubscribed(null);
    }
    return null;
  }

  private touch(gen: number, ctl: AbortController): void {
    if (this.idleTimer) clearTimeout(this.idleTimer);
    this.idleTimer = setTimeout(() => { if (gen === this.gen) ctl.abort(); }, this.host._idleTimeoutMs());
  }

  private retry(gen: number): void {
    if (gen !== this.gen) return;
    this.setState('retrying');
    const delay = this.host._backoff(this.attempt++);
    this.retryTimer = setTimeout(() => {
      this.retryTimer = null;
      if (gen !== this.gen) return;
      const next = ++this.gen;
      this.setState('connecting');
      void this.run(next);
    }, delay);
  }

  private setState(state: SseSubscription['state']): void {
    if (this.state === state) return;
    this.state = state;
    this.host._streamStateChanged();
  }
}
