package io.pulsebase.protocol;

import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Every message a client sends over the WebSocket. Each may carry a {@code ref}; the server answers every
 * message that has one with exactly one {@link ServerMessage.Reply} carrying the same ref.
 *
 * <p>Values are immutable; {@code data}/{@code state}/{@code args} hold plain JSON values (Map, List,
 * String, Long, Double, Boolean or null).
 */
public sealed interface ClientMessage {

    /** The client's correlation id, or {@code null}. */
    String ref();

    /** The wire {@code type} of this message. */
    String type();

    /**
     * Subscribe to a table (topic without {@code /}) or a channel (topic with {@code /}).
     *
     * @param events     table operations to receive; empty means all (tables only)
     * @param filter     SQL-style boolean expression over the row's columns, or {@code null}
     * @param snapshot   send the current matching rows first
     * @param since      replay every matching event after this wire position, or {@code null}
     * @param eventNames channel event names to receive; empty means all (channels only)
     */
    record Subscribe(String ref, String topic, Set<Operation> events, String filter, boolean snapshot, String since,
                     Set<String> eventNames) implements ClientMessage {
        public Subscribe {
            events = events == null ? Set.of() : Set.copyOf(events);
            eventNames = eventNames == null ? Set.of() : Set.copyOf(eventNames);
        }

        /** A table subscription (no channel event names). */
        public Subscribe(String ref, String topic, Set<Operation> events, String filter, boolean snapshot,
                         String since) {
            this(ref, topic, events, filter, snapshot, since, Set.of());
        }

        @Override
        public String type() {
            return "subscribe";
        }
    }

    record Unsubscribe(String ref, String topic) implements ClientMessage {
        @Override
        public String type() {
            return "unsubscribe";
        }
    }

    /**
     * A channel message. {@code data} is the payload: as decoded by {@link JsonCodec} always a {@link RawJson}
     * (never parsed into objects on the server); a client building one may give any plain JSON value.
     */
    record Publish(String ref, String topic, String event, Object data, boolean persist, String id)
            implements ClientMessage {
        @Override
        public String type() {
            return "publish";
        }
    }

    record Track(String ref, String topic, Map<String, Object> state) implements ClientMessage {
        @Override
        public String type() {
            return "track";
        }
    }

    record Untrack(String ref, String topic) implements ClientMessage {
        @Override
        public String type() {
            return "untrack";
        }
    }

    /** Persisted channel messages, newest first; {@code limit} 0 means the server default (a sent limit is ≥ 1). */
    record History(String ref, String topic, int limit, String before) implements ClientMessage {
        @Override
        public String type() {
            return "history";
        }
    }

    record Call(String ref, String reducer, List<Object> args) implements ClientMessage {
        @Override
        public String type() {
            return "call";
        }
    }

    record Auth(String ref, String token) implements ClientMessage {
        @Override
        public String type() {
            return "auth";
        }
    }

    record Ping(String ref) implements ClientMessage {
        @Override
        public String type() {
            return "ping";
        }
    }
}
