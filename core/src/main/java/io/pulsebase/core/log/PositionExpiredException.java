package io.pulsebase.core.log;

import io.pulsebase.protocol.ErrorCode;
import io.pulsebase.protocol.ProtocolException;

/** A read from a position the log cannot serve: older than retention, or ahead of the log's head. */
public final class PositionExpiredException extends ProtocolException {
    public PositionExpiredException(String message) {
        super(ErrorCode.POSITION_EXPIRED, message);
    }
}
