package io.pulsebase.client;

import java.util.Map;

/**
 * A presence change on a channel.
 *
 * @param key     the member's key (one per connection and channel); null for {@link Type#SYNC}
 * @param data    the member's state (for a leave: its last state); null for {@link Type#SYNC}
 * @param members every member after this change (immutable, key → state)
 */
public record PresenceEvent(String topic, Type type, String key, Object data, Map<String, Object> members) {
    public enum Type {
        /** The full member list arrived (on every subscribe and resubscribe after a reconnect). */
        SYNC,
        JOIN,
        UPDATE,
        LEAVE
    }
}
