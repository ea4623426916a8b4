package io.pulsebase.client;

import java.time.Instant;

/**
 * A channel message (live, replayed on resume, or from history).
 *
 * @param id       the publisher's idempotency id, or null
 * @param position the log position of a persisted message; 0 for an unpersisted one
 * @param userId   the publisher's user id once the server verifies tokens, else null
 */
public record ChannelEvent(String topic, String event, Object data, Instant timestamp, String id, long position,
                           String userId) {
    /** Whether the message was persisted (has a position, is in history, is replayed on resume). */
    public boolean persisted() {
        return position > 0;
    }
}
