package io.pulsebase.client;

import java.util.Map;

/**
 * A presence change on a channel.
 *
 * @param key           the member's key (one per connection and channel); null for {@link Type#SYNC}
 * @param data          the member's state (for a leave: its last state); null for {@link Type#SYNC}
 * @param members       every member after this change (immutable, key → state, in join order)
 * @param userId        the member's user (its token's {@code sub}, set by the server), or null: for {@link Type#SYNC}
 *                      and for members without a user (API keys, anonymous callers, security disabled)
 * @param memberDetails every member after this change with its user (immutable, key → member, in join order): to
 *                      group the tabs of one user
 */
public record PresenceEvent(String topic, Type type, String key, Object data, Map<String, Object> members,
                            String userId, Map<String, PresenceMember> memberDetails) {
    public enum Type {
        /** The full member list arrived (on every subscribe and resubscribe after a reconnect). */
        SYNC,
        JOIN,
        UPDATE,
        LEAVE
    }

    /** The member that joined, updated or left (for a leave: as it last was); null for {@link Type#SYNC}. */
    public PresenceMember member() {
        return key == null ? null : new PresenceMember(key, userId, data);
    }
}
