package io.pulsebase.core.log;

import io.pulsebase.protocol.RawJson;

/**
 * A persisted channel message: one entry of the log, with its own position, replayed by {@code since} and read
 * back by history.
 *
 * @param data the payload, JSON text as published
 * @param id   the publisher's idempotency id, or {@code null}
 * @param userId the publisher's user (its token's {@code sub}), or {@code null} for API keys and anonymous callers
 */
public record ChannelMessage(long position, long timestamp, String topic, String event, RawJson data, String id,
                             String userId)
        implements LogEntry {
}
