package io.pulsebase.core.log;

/**
 * One durable event in the database's single ordered log. Every entry has a position; within one database
 * a later entry always has a larger position, and positions are never reused.
 *
 * <p>Sealed so that every consumer handles every kind: table commits, persisted channel messages, and
 * event-store appends as they land.
 */
public sealed interface LogEntry permits Commit, ChannelMessage {
    /** The entry's position in the log. */
    long position();

    /** Commit time, milliseconds since the epoch. */
    long timestamp();
}
