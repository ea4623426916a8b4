package io.pulsebase.protocol;

import java.util.List;
import java.util.Map;

/**
 * Every message the server sends. Positions are {@code long} here and strings of digits on the wire.
 * Rows are maps from column name to a JSON value (Long, Double, String, Boolean or null; BLOBs as
 * upper-case hex strings).
 */
public sealed interface ServerMessage {

    /** The wire {@code type}. */
    String type();

    /**
     * The answer to a client message that carried a {@code ref}.
     *
     * @param result extra result fields on success (for example {@code position}), never {@code null}
     * @param error  the error on failure, else {@code null}
     */
    record Reply(String ref, boolean ok, Map<String, Object> result, ErrorBody error) implements ServerMessage {
        public static Reply ok(String ref, Map<String, Object> result) {
            return new Reply(ref, true, result == null ? Map.of() : result, null);
        }

        public static Reply error(String ref, ErrorCode code, String message) {
            return new Reply(ref, false, Map.of(), new ErrorBody(code, message));
        }

        @Override
        public String type() {
            return "reply";
        }
    }

    /** The error carried by a failed reply, a REST error body, or an {@link ErrorMessage}. */
    record ErrorBody(ErrorCode code, String message) {
    }

    /**
     * Initial rows of a {@code snapshot: true} subscription, read at {@code position}: all of them, or — for
     * more rows than one frame may carry — one part, with {@code more} set on every part but the last. The
     * parts arrive consecutively; the snapshot is complete (and replaces the client's copy) with the last.
     */
    record Snapshot(String topic, List<Map<String, Object>> rows, long position, boolean more)
            implements ServerMessage {
        /** A whole snapshot in one frame. */
        public Snapshot(String topic, List<Map<String, Object>> rows, long position) {
            this(topic, rows, position, false);
        }

        @Override
        public String type() {
            return "snapshot";
        }
    }

    /**
     * Changes of one committed transaction that match one subscription: all of them, or — for a transaction
     * larger than one frame may carry — one part, with {@code more} set on every part but the last. The parts
     * of a transaction share its position and arrive consecutively; a client applies the transaction when
     * the part without {@code more} arrives, and only then takes its position as the one to resume from.
     *
     * @param timestamp commit time, milliseconds since the epoch (sent as ISO-8601 UTC)
     * @param meta      optional metadata (reducer, caller), or empty
     * @param more      further parts of this transaction follow
     */
    record DbChange(String topic, long position, List<Change> changes, long timestamp, Map<String, Object> meta,
                    boolean more) implements ServerMessage {
        /** A whole transaction in one frame. */
        public DbChange(String topic, long position, List<Change> changes, long timestamp, Map<String, Object> meta) {
            this(topic, position, changes, timestamp, meta, false);
        }

        @Override
        public String type() {
            return "db_change";
        }
    }

    /** One row change inside a {@link DbChange}; {@code old} is set for UPDATE and DELETE. */
    record Change(Operation operation, Map<String, Object> data, Map<String, Object> old) {
    }

    /** A channel message; {@code position} and {@code id} only for persisted messages (position 0 = none). */
    record Event(String topic, String event, Object data, long timestamp, String userId, String id, long position)
            implements ServerMessage {
        @Override
        public String type() {
            return "event";
        }
    }

    /**
     * The members of a channel's presence when a subscription starts: all of them, or — for more than one frame
     * carries — one part, with {@code more} set on every part but the last.
     */
    record PresenceState(String topic, List<PresenceMember> members, boolean more) implements ServerMessage {
        @Override
        public String type() {
            return "presence_state";
        }
    }

    /** One member: {@code userId} is its user (the tracking connection's token {@code sub}), or {@code null}. */
    record PresenceMember(String key, String userId, Object data) {
    }

    /**
     * {@code event} is {@code join}, {@code update} or {@code leave}; {@code userId} is the member's user, or
     * {@code null}.
     */
    record Presence(String topic, String event, String key, String userId, Object data) implements ServerMessage {
        @Override
        public String type() {
            return "presence";
        }
    }

    record Heartbeat() implements ServerMessage {
        @Override
        public String type() {
            return "heartbeat";
        }
    }

    /** A problem with a message that had no {@code ref} (for example JSON that does not parse). */
    record ErrorMessage(ErrorCode code, String message) implements ServerMessage {
        @Override
        public String type() {
            return "error";
        }
    }
}
