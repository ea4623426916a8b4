package io.pulsebase.core.presence;

import io.pulsebase.protocol.ErrorCode;
import io.pulsebase.protocol.ProtocolException;

/** A join refused because the channel already has the maximum number of members. */
public final class PresenceFullException extends ProtocolException {
    public PresenceFullException(String topic, int maxMembers) {
        super(ErrorCode.TOO_MANY_MEMBERS, "channel '" + topic + "' already has " + maxMembers + " members");
    }
}
