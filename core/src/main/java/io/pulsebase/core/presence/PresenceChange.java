package io.pulsebase.core.presence;

import java.util.Map;

/**
 * One change of a channel's presence: a member joined, updated its state, or left ({@code state} is then the
 * last state it had).
 */
public record PresenceChange(String topic, Kind kind, String key, Map<String, Object> state) {

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
