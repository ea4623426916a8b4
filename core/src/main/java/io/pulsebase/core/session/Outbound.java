package io.pulsebase.core.session;

import io.pulsebase.core.fanout.Frame;
import io.pulsebase.protocol.CloseCode;
import java.net.SocketAddress;

/**
 * The transport's side of one client connection, as the core sees it. Implemented by the network edge
 * (WebSocket, SSE); the core never touches sockets.
 *
 * <p>Contract:
 * <ul>
 *   <li>{@link #send} never blocks and may be called from any thread. Frames offered by one thread are
 *       written in the order offered.</li>
 *   <li>The outbound queue is bounded in bytes. When a frame would overflow it, {@code send} returns
 *       {@code false} and the transport closes the connection with {@link CloseCode#SLOW_CONSUMER}; the
 *       client resumes from its last position and loses nothing. A single frame larger than the bound is
 *       accepted when the queue is empty, so a large snapshot can still be sent.</li>
 *   <li>After the connection closed, {@code send} returns {@code false} and drops the frame.</li>
 * </ul>
 */
public interface Outbound {

    /** Queues a frame for writing; {@code false} when the connection is closed or overflowed. */
    boolean send(Frame frame);

    /** Bytes queued but not yet written to the socket. */
    long queuedBytes();

    /** The queue's bound in bytes: beyond it {@link #send} refuses and the connection is closed. */
    long capacityBytes();

    /**
     * Closes the connection with a close code (WebSocket) or ends the stream (SSE). Idempotent. {@code detail} is
     * for the server's log; the client sees the code and its short reason.
     */
    void close(CloseCode code, String detail);

    /**
     * Like {@link #close(CloseCode, String)}, but the client sees {@code reason} instead of the code's short reason
     * (a WebSocket close frame's reason, clipped to the 123 bytes a close frame allows): for refusals whose named
     * error a browser could not see otherwise. Never put a credential in it.
     */
    default void close(CloseCode code, String detail, String reason) {
        close(code, detail);
    }

    /**
     * Stops reading the client's messages until {@link #resumeReading()}: the session has too many waiting to be
     * handled, and TCP should push back on the client instead. May be called from any thread; idempotent.
     * Transports that receive nothing (SSE) ignore it.
     */
    default void suspendReading() {
    }

    /** Reads the client's messages again after {@link #suspendReading()}. Any thread; idempotent. */
    default void resumeReading() {
    }

    /**
     * The connection's stream starts at this log position (called once, before any frame, for streams whose
     * subscriptions were anchored at the log head): a transport that resumes by a last-seen position (SSE and its
     * {@code Last-Event-ID}) records it, so a reconnect before the first positioned event still resumes exactly.
     * Default: nothing (WebSocket clients get the position in the subscribe reply).
     */
    default void startsAt(long position) {
    }

    /** {@code websocket} or {@code sse}, for hooks and logs. */
    default String transport() {
        return "unknown";
    }

    /** The client's address, for hooks and logs; {@code null} when unknown. */
    default SocketAddress remoteAddress() {
        return null;
    }

    /** The close code sent or received once the connection is closed (0 when none, or still open). */
    default int closeStatus() {
        return 0;
    }
}
