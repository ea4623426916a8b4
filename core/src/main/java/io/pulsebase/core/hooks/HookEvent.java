package io.pulsebase.core.hooks;

import io.pulsebase.core.auth.Identity;
import io.pulsebase.protocol.RawJson;

/**
 * Something a connection did, offered to the configured {@link Hook}s. {@link Connect}, {@link Subscribe} and
 * {@link Message} are asked <em>before</em> they take effect and may be rejected; {@link Disconnect} and
 * {@link Unsubscribe} are told after the fact.
 */
public sealed interface HookEvent {
    /** The connection (a WebSocket session, an SSE stream, or {@code rest} for a REST call). */
    String connectionId();

    /** The verified caller. */
    Identity caller();

    /** {@code connect}, {@code disconnect}, {@code subscribe}, {@code unsubscribe} or {@code message}. */
    String type();

    /** Whether a rejection stops the action. */
    default boolean rejectable() {
        return this instanceof Connect || this instanceof Subscribe || this instanceof Message;
    }

    /** A connection opens ({@code transport}: {@code websocket} or {@code sse}). */
    record Connect(String connectionId, Identity caller, String transport, String remoteAddress) implements HookEvent {
        @Override
        public String type() {
            return "connect";
        }
    }

    /** A connection closed, with the WebSocket close code (0 when there was none). */
    record Disconnect(String connectionId, Identity caller, int closeCode) implements HookEvent {
        @Override
        public String type() {
            return "disconnect";
        }
    }

    /** A subscription to a table or a channel, with its filter (or {@code null}). */
    record Subscribe(String connectionId, Identity caller, String topic, String filter) implements HookEvent {
        @Override
        public String type() {
            return "subscribe";
        }
    }

    record Unsubscribe(String connectionId, Identity caller, String topic) implements HookEvent {
        @Override
        public String type() {
            return "unsubscribe";
        }
    }

    /** A channel message about to be published. */
    record Message(String connectionId, Identity caller, String topic, String event, RawJson data, boolean persist)
            implements HookEvent {
        @Override
        public String type() {
            return "message";
        }
    }
}
