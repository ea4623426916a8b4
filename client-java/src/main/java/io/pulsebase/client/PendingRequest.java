package io.pulsebase.client;

import io.pulsebase.protocol.ClientMessage;
import io.pulsebase.protocol.ServerMessage;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * A request that expects one reply, as handed to {@link RequestTracker}. At most one of the three callbacks runs,
 * once, on the event thread; none when the tracker did not take the request (not connected, and not queueable: see
 * {@link RequestTracker#request} and {@link RequestTracker#send}, whose callers handle that case).
 *
 * @param message  the message for a given ref (a re-sent request gets a new ref)
 * @param onReply  the server's reply, ok or not
 * @param resend   sent again after a reconnect when the connection dropped before the reply (reads, and
 *                 publishes with an idempotency id)
 * @param onLost   the connection dropped before the reply and the request is not re-sent, or it could not wait
 *                 for a connection (offline queue full or disabled)
 * @param onClosed the client was closed first
 */
record PendingRequest(Function<String, ClientMessage> message, Consumer<ServerMessage.Reply> onReply, boolean resend,
                      Consumer<PulsebaseException> onLost, Consumer<PulsebaseException> onClosed) {

    /** A request whose every outcome is ignored but the reply (subscribes: their owner re-sends them itself). */
    static PendingRequest replyOnly(Function<String, ClientMessage> message, Consumer<ServerMessage.Reply> onReply) {
        return new PendingRequest(message, onReply, false, e -> { }, e -> { });
    }
}
