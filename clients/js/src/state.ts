// The pure bookkeeping of one subscription: applying frames to a local copy, buffering parts, positions.
// No I/O here, so that it can be tested frame by frame.
import { PulsebaseError } from './errors.js';
import { comparePositions, maxPosition } from './positions.js';
import type { DbChangeFrame, Member, PresenceFrame, PresenceStateFrame, Row, RowChange, SnapshotFrame } from './types.js';

export type KeyOf = (row: Row) => string;

/** Builds the row-key function for a primary key column or, for a composite key, several columns. */
export function keyFunction(primaryKey: string | string[] = 'id'): KeyOf {
  const columns = Array.isArray(primaryKey) ? primaryKey : [primaryKey];
  if (columns.length === 0) throw new Error('primaryKey must name at least one column');
  return (row) => {
    const values = columns.map((c) => {
      const v = row[c];
      if (v === undefined) {
        throw new PulsebaseError('missing_primary_key',
          `row has no column '${c}': set the primaryKey option of the subscription (it defaults to 'id')`);
      }
      return v;
    });
    return JSON.stringify(values.length === 1 ? values[0] : values);
  };
}

export type TableOutcome =
  | { kind: 'buffered' }
  | { kind: 'duplicate' }
  | { kind: 'snapshot'; position: string; rows: Row[]; previous: Map<string, Row> }
  | { kind: 'transaction'; position: string; timestamp: string; changes: RowChange[]; meta?: Record<string, unknown> };

/**
 * The live local copy of a table subscription. A transaction sent in parts (`more: true`) is buffered and
 * applied at its last part, all at once; so is a snapshot in parts. Frames at or before the current
 * position are duplicates and ignored. `position` is the last complete positioned frame: the `since` to
 * resume from.
 */
export class TableState {
  readonly rows = new Map<string, Row>();
  position: string | null = null;
  hasSnapshot = false;
  private readonly keyOf: KeyOf;
  private txPosition: string | null = null;
  private txParts: RowChange[] = [];
  private snapPosition: string | null = null;
  private snapParts: Row[] | null = null;

  constructor(keyOf: KeyOf) {
    this.keyOf = keyOf;
  }

  /** True while parts of a transaction or snapshot are buffered. */
  get buffering(): boolean {
    return this.txPosition !== null || this.snapParts !== null;
  }

  applySnapshot(frame: SnapshotFrame): TableOutcome {
    if (this.snapParts === null || this.snapPosition !== frame.position) {
      this.snapParts = [];
      this.snapPosition = frame.position;
    }
    for (const row of frame.rows) this.snapParts.push(row);
    if (frame.more) return { kind: 'buffered' };
    const rows = this.snapParts;
    this.snapParts = null;
    this.snapPosition = null;
    const next = new Map<string, Row>();
    for (const row of rows) next.set(this.keyOf(row), row); // may throw before anything changed
    const previous = new Map(this.rows);
    this.rows.clear();
    for (const [k, v] of next) this.rows.set(k, v);
    this.position = frame.position;
    this.hasSnapshot = true;
    // A transaction half-received before the snapshot belongs to the old copy.
    this.txParts = [];
    this.txPosition = null;
    return { kind: 'snapshot', position: frame.position, rows, previous };
  }

  applyChange(frame: DbChangeFrame): TableOutcome {
    if (this.txPosition !== null && this.txPosition !== frame.position) {
      // Parts of another transaction without its last part: cannot happen on one connection (frames of one
      // position are consecutive); drop the incomplete one rather than apply half of it.
      this.txParts = [];
      this.txPosition = null;
    }
    if (this.txPosition === null && this.position !== null && comparePositions(frame.position, this.position) <= 0) {
      return { kind: 'duplicate' };
    }
    if (frame.more) {
      this.txPosition = frame.position;
      for (const c of frame.changes) this.txParts.push(c);
      return { kind: 'buffered' };
    }
    const changes = this.txParts.length ? this.txParts.concat(frame.changes) : frame.changes;
    this.txParts = [];
    this.txPosition = null;
    // Keys first, so that a row without the key column fails before the copy is touched.
    const keyed = changes.map((c) => ({
      c,
      oldKey: c.old ? this.keyOf(c.old) : null,
      newKey: c.data ? this.keyOf(c.data) : null,
    }));
    for (const { c, oldKey, newKey } of keyed) {
      switch (c.operation) {
        case 'INSERT':
          if (newKey !== null) this.rows.set(newKey, c.data as Row);
          break;
        case 'UPDATE':
          if (oldKey !== null && oldKey !== newKey) this.rows.delete(oldKey);
          if (newKey !== null) this.rows.set(newKey, c.data as Row);
          break;
        case 'DELETE': {
          const k = oldKey ?? newKey;
          if (k !== null) this.rows.delete(k);
          break;
        }
      }
    }
    this.position = frame.position;
    return { kind: 'transaction', position: frame.position, timestamp: frame.timestamp, changes, meta: frame.meta };
  }

  /** A subscribe reply's position: where the subscription stands. Kept when larger (and nothing is half-received). */
  noteReplyPosition(position: string | null): void {
    if (position !== null && !this.buffering) this.position = maxPosition(this.position, position);
  }

  /** The connection was lost: parts received so far are dropped (the resume replays them whole). */
  resetTransient(): void {
    this.txParts = [];
    this.txPosition = null;
    this.snapParts = null;
    this.snapPosition = null;
  }

  /** Forget the position (after position_expired): the next subscribe takes a snapshot. */
  forgetPosition(): void {
    this.resetTransient();
    this.position = null;
    this.hasSnapshot = false;
  }

  key(row: Row): string {
    return this.keyOf(row);
  }
}

/** The differences between an old and a new copy, keyed alike. */
export function diffRows(previous: Map<string, Row>, next: Map<string, Row>) {
  const inserted: Row[] = [];
  const updated: Array<{ data: Row; old: Row }> = [];
  const deleted: Row[] = [];
  for (const [k, row] of next) {
    const old = previous.get(k);
    if (old === undefined) inserted.push(row);
    else if (!sameJson(old, row)) updated.push({ data: row, old });
  }
  for (const [k, row] of previous) if (!next.has(k)) deleted.push(row);
  return { inserted, updated, deleted };
}

function sameJson(a: unknown, b: unknown): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

export type PresenceDiff = { joins: Member[]; updates: Member[]; leaves: Member[]; members: Member[] };

/**
 * The bookkeeping of a channel subscription: the position of the last persisted message (to resume with
 * `since`) and the presence members. A `presence_state` in parts is applied at its last part and
 * answered with the differences from the members known before (so a resubscribe after a reconnect
 * reports who joined and left meanwhile).
 */
export class ChannelState {
  position: string | null = null;
  /** The members by key, in join order. */
  readonly members = new Map<string, Member>();
  private stateParts: Member[] | null = null;

  /** True when a persisted message is new (and records its position); false for a duplicate. */
  acceptEvent(position: string | undefined | null): boolean {
    if (position === undefined || position === null) return true;
    if (this.position !== null && comparePositions(position, this.position) <= 0) return false;
    this.position = position;
    return true;
  }

  applyPresenceState(frame: PresenceStateFrame): PresenceDiff | null {
    if (this.stateParts === null) this.stateParts = [];
    for (const m of frame.members) this.stateParts.push(m);
    if (frame.more) return null;
    const next = new Map<string, Member>();
    for (const m of this.stateParts) next.set(m.key, member(m));
    this.stateParts = null;
    const joins: Member[] = [];
    const updates: Member[] = [];
    const leaves: Member[] = [];
    for (const [key, m] of next) {
      const known = this.members.get(key);
      if (!known) joins.push({ ...m });
      else if (!sameJson(known.data, m.data) || known.userId !== m.userId) updates.push({ ...m });
    }
    for (const [key, m] of this.members) if (!next.has(key)) leaves.push({ ...m });
    this.members.clear();
    for (const [k, v] of next) this.members.set(k, v);
    return { joins, updates, leaves, members: this.memberList() };
  }

  applyPresence(frame: PresenceFrame): void {
    if (frame.event === 'leave') this.members.delete(frame.key);
    else this.members.set(frame.key, member(frame));
  }

  noteReplyPosition(position: string | null): void {
    if (position !== null) this.position = maxPosition(this.position, position);
  }

  resetTransient(): void {
    this.stateParts = null;
  }

  forgetPosition(): void {
    this.resetTransient();
    this.position = null;
  }

  memberList(): Member[] {
    return [...this.members.values()].map((m) => ({ ...m }));
  }
}

/** A member as the SDK hands it out: `userId` only when the server sent one. */
function member(m: { key: string; userId?: string; data: unknown }): Member {
  const out: Member = { key: m.key, data: m.data };
  if (m.userId !== undefined && m.userId !== null) out.userId = m.userId;
  return out;
}
