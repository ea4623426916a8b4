/** A row: column name → value (INTEGER/REAL → number, TEXT → string, NULL → null, BLOB → hex string). */
export type Row = Record<string, unknown>;

export type Operation = 'INSERT' | 'UPDATE' | 'DELETE';

export interface RowChange {
  operation: Operation;
  data: Row | null;
  old?: Row | null;
}

export interface SnapshotFrame {
  type: 'snapshot';
  topic: string;
  position: string;
  rows: Row[];
  more?: boolean;
}

export interface DbChangeFrame {
  type: 'db_change';
  topic: string;
  position: string;
  timestamp: string;
  changes: RowChange[];
  meta?: Record<string, unknown>;
  more?: boolean;
}

export interface EventFrame {
  type: 'event';
  topic: string;
  event: string;
  data: unknown;
  timestamp: string;
  /** The publisher's idempotency id (the SDK gives every publish one). */
  id?: string;
  /** The publisher's user (its token's `sub`); absent for API keys and anonymous publishers. */
  userId?: string;
  /** Persisted messages only. */
  position?: string;
}

/** A presence member: one per connection that tracks the channel. */
export interface Member {
  /** The tracking connection's id (a new one after every reconnect). */
  key: string;
  /**
   * The member's user: the `sub` of the token its connection was opened with, set by the server (a tracked
   * state cannot set or change it). Absent for API keys, anonymous callers and tokens without `sub`. Several
   * members (a user's tabs) may share it.
   */
  userId?: string;
  /** The member's state, as it tracked it. */
  data: unknown;
}

export interface PresenceStateFrame {
  type: 'presence_state';
  topic: string;
  members: Member[];
  more?: boolean;
}

export interface PresenceFrame {
  type: 'presence';
  topic: string;
  event: 'join' | 'update' | 'leave';
  key: string;
  /** The member's user, as in {@link Member}. */
  userId?: string;
  data: unknown;
}

export type TopicFrame = SnapshotFrame | DbChangeFrame | EventFrame | PresenceStateFrame | PresenceFrame;

/** Delivered to `INSERT` / `UPDATE` / `DELETE` / `*` handlers of a table subscription. */
export interface ChangeEvent {
  /** `INSERT`, `UPDATE` or `DELETE`, as seen by this subscription (entering the filter is an INSERT). */
  type: Operation;
  topic: string;
  /** The row after the change; `null` for a DELETE. */
  data: Row | null;
  /** The row before the change (UPDATE and DELETE). */
  old: Row | null;
  /** The transaction's position. */
  position: string;
  /** The transaction's commit time (ISO-8601 UTC). */
  timestamp: string;
  meta?: Record<string, unknown>;
}

/** Delivered to the handlers of a channel event name (and to `*`): the `event` frame without its `type`. */
export type MessageEvent = Omit<EventFrame, 'type'>;

/** Delivered to `presence:join`, `presence:update` and `presence:leave` handlers: the member and its topic. */
export interface PresenceEvent extends Member {
  topic: string;
}

export interface PresenceSyncEvent {
  topic: string;
  members: Member[];
}

export interface SnapshotEvent {
  topic: string;
  position: string;
  rows: Row[];
}

export interface ResyncEvent {
  topic: string;
  /** Why the stream could not be resumed: `position_expired`. */
  reason: string;
  /** Tables: the new copy, and how it differs from the old one (the changes that could not be replayed). */
  rows?: Row[];
  diff?: { inserted: Row[]; updated: Array<{ data: Row; old: Row }>; deleted: Row[] };
}

export interface SubscribedEvent {
  topic: string;
  /** Where the subscription stands (null over SSE, where there is no reply). */
  position: string | null;
  /** True when this was a resume after a reconnect. */
  resumed: boolean;
}

export interface TransactionEvent {
  topic: string;
  position: string;
  timestamp: string;
  changes: RowChange[];
  meta?: Record<string, unknown>;
}

export interface HistoryMessage {
  event: string;
  data: unknown;
  timestamp: string;
  position: string;
  id?: string;
}

export interface HistoryPage {
  messages: HistoryMessage[];
  /** True when older messages exist: page back with `getHistory(limit, messages.at(-1).position)`. */
  more: boolean;
}

export interface PublishOptions {
  /** Store the message in the log: it gets a position, is in history and is replayed on resume. */
  persist?: boolean;
  /** Idempotency key; the SDK generates one when absent so that a re-send after a reconnect is not delivered twice. */
  id?: string;
}

export interface PublishResult {
  /** Persisted messages only. */
  position?: string;
  /** The server had already accepted a publish with this id (within its idempotency window). */
  duplicate?: boolean;
  id: string;
}

export type Status = 'idle' | 'connecting' | 'connected' | 'reconnecting' | 'disconnected';
