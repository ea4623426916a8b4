package io.pulsebase.core.presence;

import java.util.Map;

/**
 * One change of a channel's presence: a member joined, updated its state, or left ({@code member} is then the
 * member as it last was).
 */
public record PresenceChange(String topic, Kind kind, PresenceMember member) {

    /** The member's key. */
    public String key() {
        return member.key();
    }

    /** The member's user, or {@code null}. */
    public String userId() {
        return member.userId();
    }

    /** The member's state (for a leave: its last state). */
    public Map<String, Object> state() {
        return member.state();
    }

    /** What happened; {@link #wireName()} is the {@code event} of the {@code presence} frame. */
    public enum Kind {
        JOIN("join"), UPDATE("update"), LEAVE("leave");

        private final String wireName;

        Kind(String wireName) {
            this.wireName = wireName;
        }

        public String wireName() {
            return wireName;
        }
    }
}
