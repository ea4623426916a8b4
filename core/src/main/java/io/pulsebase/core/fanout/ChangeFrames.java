package io.pulsebase.core.fanout;

import io.pulsebase.core.log.Commit;
import io.pulsebase.core.store.TableSnapshot;
import io.pulsebase.protocol.JsonCodec;
import io.pulsebase.protocol.ServerMessage;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;

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

    /**
     * The {@code snapshot} frames of a table snapshot: one, or consecutive parts of at most
     * {@code maxRowsPerFrame} rows, every part but the last marked {@code more}. Each part is encoded when the
     * iteration reaches it, so a large snapshot's bytes are not all held at once next to its rows (a sender that
     * paces parts to the client holds one encoded part at a time).
     */
    public static Iterable<Frame> snapshot(JsonCodec codec, String topic, TableSnapshot snapshot,
                                           int maxRowsPerFrame) {
        List<Map<String, Object>> rows = snapshot.rows();
        return () -> new Iterator<>() {
            private int from;
            private boolean sent;

            @Override
            public boolean hasNext() {
                return !sent; // an empty snapshot is one empty part
            }

            @Override
            public Frame next() {
                if (sent) {
                    throw new NoSuchElementException();
                }
                int to = Math.min(from + maxRowsPerFrame, rows.size());
                Frame part = Frame.encode(codec, new ServerMessage.Snapshot(topic, rows.subList(from, to),
                        snapshot.position(), to < rows.size()), snapshot.position());
                from = to;
                sent = from >= rows.size();
                return part;
            }
        };
    }

    private static Frame frame(JsonCodec codec, String topic, Commit commit, List<ServerMessage.Change> part,
                               boolean more) {
        return Frame.encode(codec, new ServerMessage.DbChange(topic, commit.position(), part, commit.timestamp(),
                commit.meta(), more), commit.position());
    }
}
