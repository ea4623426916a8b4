package io.pulsebase.client;

import io.pulsebase.protocol.ErrorCode;

/**
 * A failure the SDK reports: a server refusal (with its {@link ErrorCode}), or a client-side condition (then
 * {@link #code()} is null) — see the subclasses.
 */
public class PulsebaseException extends RuntimeException {
    private final ErrorCode code;

    public PulsebaseException(ErrorCode code, String message) {
        super(code == null ? message : code.wireName() + ": " + message);
        this.code = code;
    }

    public PulsebaseException(String message, Throwable cause) {
        super(message, cause);
        this.code = null;
    }

    /** The server's error code, or null for a client-side failure. */
    public ErrorCode code() {
        return code;
    }

    /**
     * A request was sent but the connection dropped before its reply: whether the server acted on it is unknown.
     * Only publishes without an idempotency id fail this way (those with one are resent).
     */
    public static final class ConnectionLostException extends PulsebaseException {
        public ConnectionLostException(String message) {
            super(null, message);
        }
    }

    /** The client is disconnected and its offline queue is full (or disabled): the request was not sent. */
    public static final class OfflineException extends PulsebaseException {
        public OfflineException(String message) {
            super(null, message);
        }
    }

    /** The client was closed (by {@link PulsebaseClient#close()} or a close code that forbids reconnecting). */
    public static final class ClosedException extends PulsebaseException {
        public ClosedException(String message) {
            super(null, message);
        }
    }
}
