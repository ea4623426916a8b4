package io.pulsebase.core.auth;

import io.pulsebase.protocol.CloseCode;
import io.pulsebase.protocol.ErrorCode;
import io.pulsebase.protocol.ProtocolException;

/**
 * A correctly signed token whose {@code exp} (plus the allowed clock skew) has passed. Its code is
 * {@link ErrorCode#UNAUTHORIZED} like any other refusal, so REST and replies need nothing special; it is a
 * subclass so that a WebSocket can close with {@link CloseCode#TOKEN_EXPIRED} (4003: refresh the token, then
 * reconnect) instead of {@link CloseCode#UNAUTHORIZED} (4004: do not retry with the same credentials).
 */
public final class TokenExpiredException extends ProtocolException {
    TokenExpiredException() {
        super(ErrorCode.UNAUTHORIZED, "token expired");
    }
}
