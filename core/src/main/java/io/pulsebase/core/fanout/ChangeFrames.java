package io.pulsebase.core.fanout;

import io.pulsebase.core.log.Commit;
import io.pulsebase.protocol.JsonCodec;
import io.pulsebase.protocol.ServerMessage;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Builds the {@code db_change} frames of one transaction for one query — the only place they are built, for
 * live fan-out and for {@code since} replay alike — and the {@code snapshot} frames of a subscription. A transaction whose matching changes exceed
 * {@code maxChangesPerFrame} is sent as consecutive parts of the same position, every part but the last
 * marked {@code more}, so no single message grows with the size of a transaction (a {@code DELETE} of a
 * whole table would otherwise be one message of tens of megabytes, past what many WebSocket clients accept).
 */
public final class ChangeFrames {
    private ChangeFrames() {
    }

    /** The frames, in order; one frame when the changes fit. */
    public static List<Frame> encode(JsonCodec codec, String topic, Commit commit,
                                     List<ServerMessage.Change> changes, int maxChangesPerFrame) {
        if (changes.size() <= maxChangesPerFrame) {
            return List.of(frame(codec, topic, commit, changes, false));
        }
        List<Frame> frames = new ArrayList<>(changes.size() / maxChangesPerFrame + 1);
        for (int from = 0; from < changes.size(); from += maxChangesPerFrame) {
            int to = Math.min(from + maxChangesPerFrame, changes.size());
            frames.add(frame(codec, topic, commit, changes.subList(from, to), to < changes.size()));
        }
        return frames;
    }

    /** One {@code snapshot} frame: a page of a snapshot at {@code position}, {@code more} on every page but the last. */
    public static Frame snapshotPart(JsonCodec codec, String topic, List<Map<String, Object>> rows, long position,
                                     boolean more) {
        return Frame.encode(codec, new ServerMessage.Snapshot(topic, rows, position, more), position);
    }

    private static Frame frame(JsonCodec codec, String topic, Commit commit, List<ServerMessage.Change> part,
                               boolean more) {
        return Frame.encode(codec, new ServerMessage.DbChange(topic, commit.position(), part, commit.timestamp(),
                commit.meta(), more), commit.position());
    }
}
