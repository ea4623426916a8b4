package io.pulsebase.core.auth;

import io.pulsebase.protocol.ErrorCode;
import io.pulsebase.protocol.ProtocolException;

/**
 * The refusals of this package, in one place so that every message is a fixed text: none ever includes
 * the presented token or key, a configured secret, or a library's exception text (which may quote the
 * token's contents). Causes are deliberately not attached for the same reason.
 */
final class Refusals {
    private Refusals() {}

    static ProtocolException unauthorized(String reason) {
        return new ProtocolException(ErrorCode.UNAUTHORIZED, reason);
    }

    static ProtocolException forbidden(String reason) {
        return new ProtocolException(ErrorCode.FORBIDDEN, reason);
    }

    static ProtocolException unavailable(String reason) {
        return new ProtocolException(ErrorCode.UNAVAILABLE, reason);
    }
}
