package io.pulsebase.protocol;

/**
 * WebSocket close codes the server uses, each with what a client should do next. The 4000–4999 range is
 * Pulsebase's own; 1000/1001/1009 are the standard ones it also sends.
 *
 * <p>An SDK reads {@link #advice()}: reconnect (with backoff) and resume from its last position, refresh
 * its token first, or stay disconnected.
 */
public enum CloseCode {
    /** The client asked to close. */
    NORMAL(1000, "normal", Advice.DO_NOT_RECONNECT),
    /** The server is shutting down or restarting; reconnect with backoff and resume. */
    GOING_AWAY(1001, "server_shutdown", Advice.RECONNECT),
    /** A frame exceeded the maximum frame size. The offending message is lost; reconnect and resume. */
    MESSAGE_TOO_BIG(1009, "too_large", Advice.RECONNECT),
    /** Unexpected server error; reconnect with backoff and resume. */
    INTERNAL_ERROR(1011, "internal", Advice.RECONNECT),
    /** The connection's outbound queue overflowed; nothing is lost: reconnect and resume from the last position. */
    SLOW_CONSUMER(4001, "slow_consumer", Advice.RECONNECT),
    /** Nothing was received from the client for two heartbeat intervals; reconnect and resume. */
    HEARTBEAT_TIMEOUT(4002, "heartbeat_timeout", Advice.RECONNECT),
    /** The token expired or was revoked; get a new token, then reconnect and resume. */
    TOKEN_EXPIRED(4003, "token_expired", Advice.REFRESH_TOKEN_THEN_RECONNECT),
    /** Credentials were refused; do not reconnect with the same credentials. */
    UNAUTHORIZED(4004, "unauthorized", Advice.DO_NOT_RECONNECT),
    /** The client broke the protocol in a way the connection cannot survive; do not reconnect unchanged. */
    PROTOCOL_ERROR(4005, "protocol_error", Advice.DO_NOT_RECONNECT),
    /** The server refused the connection for now (connection limit or rate limit); reconnect later with backoff. */
    TRY_AGAIN_LATER(4008, "try_again_later", Advice.RECONNECT);

    /** What a client should do after the server closed with a given code. */
    public enum Advice {
        RECONNECT,
        REFRESH_TOKEN_THEN_RECONNECT,
        DO_NOT_RECONNECT
    }

    private final int code;
    private final String reason;
    private final Advice advice;

    CloseCode(int code, String reason, Advice advice) {
        this.code = code;
        this.reason = reason;
        this.advice = advice;
    }

    /** The numeric WebSocket close code. */
    public int code() {
        return code;
    }

    /** The short reason sent in the close frame. */
    public String reason() {
        return reason;
    }

    /** What a client should do next. */
    public Advice advice() {
        return advice;
    }

    /** The close code with that number, or {@code null}. */
    public static CloseCode of(int code) {
        for (CloseCode c : values()) {
            if (c.code == code) {
                return c;
            }
        }
        return null;
    }
}
