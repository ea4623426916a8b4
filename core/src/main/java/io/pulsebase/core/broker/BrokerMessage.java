package io.pulsebase.core.broker;

import io.pulsebase.core.log.LogEntry;
import io.pulsebase.core.presence.PresenceChange;
import io.pulsebase.protocol.RawJson;

/**
 * What travels between nodes through a {@link Broker}: durable events with their log entry (and so a position),
 * and ephemeral traffic without one (unpersisted channel messages, presence changes).
 */
public sealed interface BrokerMessage {

    /** A durable entry from the log, already committed. */
    record Logged(LogEntry entry) implements BrokerMessage {
    }

    /**
     * An unpersisted channel message: delivered to the channel's current subscribers, never stored.
     *
     * @param data plain JSON value
     * @param id   the publisher's idempotency id, or {@code null}
     */
    record Broadcast(String topic, String event, RawJson data, String id, String userId, long timestamp) implements BrokerMessage {
    }

    /** A member joined, updated its state or left a channel's presence. */
    record Presence(PresenceChange change) implements BrokerMessage {
    }
}
