package io.pulsebase.core.fanout;

import io.pulsebase.core.broker.BrokerMessage;
import io.pulsebase.core.log.ChannelMessage;
import io.pulsebase.core.presence.PresenceChange;
import io.pulsebase.core.presence.PresenceMember;
import io.pulsebase.protocol.JsonCodec;
import io.pulsebase.protocol.ServerMessage;
import java.util.ArrayList;
import java.util.List;

/**
 * Builds the frames of channels — the only place they are built, for live fan-out and replay alike: {@code event}
 * frames (positioned for persisted messages), {@code presence} frames, and {@code presence_state} in parts of at
 * most {@code maxMembersPerFrame} members.
 */
public final class ChannelFrames {
    private ChannelFrames() {
    }

    /** A persisted message: its frame carries the position (an SSE id, a point to resume from). */
    public static Frame event(JsonCodec codec, ChannelMessage message) {
        return Frame.encode(codec, new ServerMessage.Event(message.topic(), message.event(), message.data(),
                message.timestamp(), message.userId(), message.id(), message.position()), message.position());
    }

    /** An unpersisted message: no position. */
    public static Frame event(JsonCodec codec, BrokerMessage.Broadcast message) {
        return Frame.encode(codec, new ServerMessage.Event(message.topic(), message.event(), message.data(),
                message.timestamp(), message.userId(), message.id(), 0));
    }

    public static Frame presence(JsonCodec codec, PresenceChange change) {
        return Frame.encode(codec, new ServerMessage.Presence(change.topic(), change.kind().wireName(), change.key(),
                change.userId(), change.state()));
    }

    /** The channel's members: one frame, or consecutive parts with {@code more} on every part but the last. */
    public static List<Frame> presenceState(JsonCodec codec, String topic, List<PresenceMember> members,
                                            int maxMembersPerFrame) {
        List<Frame> frames = new ArrayList<>(members.size() / maxMembersPerFrame + 1);
        int from = 0;
        do {
            int to = Math.min(from + maxMembersPerFrame, members.size());
            List<ServerMessage.PresenceMember> part = new ArrayList<>(to - from);
            for (PresenceMember m : members.subList(from, to)) {
                part.add(new ServerMessage.PresenceMember(m.key(), m.userId(), m.state()));
            }
            frames.add(Frame.encode(codec, new ServerMessage.PresenceState(topic, part, to < members.size())));
            from = to;
        } while (from < members.size());
        return frames;
    }
}
