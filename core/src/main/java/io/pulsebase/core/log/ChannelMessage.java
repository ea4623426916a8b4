package io.pulsebase.core.log;

/**
 * A persisted channel message: one entry of the log, with its own position, replayed by {@code since} and read
 * back by history.
 *
 * @param data plain JSON value (Map, List, String, Long, Double, Boolean or {@code null})
 * @param id   the publisher's idempotency id, or {@code null}
 */
public record ChannelMessage(long position, long timestamp, String topic, String event, Object data, String id)
        implements LogEntry {
}
