package io.pulsebase.core.log;

import io.pulsebase.protocol.RawJson;
import java.util.List;

/**
 * The database's one ordered, durable log: table commits and persisted channel messages. Live fan-out, resume,
 * snapshots-then-deltas, channel history and (later) webhooks all read it.
 *
 * <p>Contract (every implementation must pass {@code EventLogContract}):
 * <ol>
 *   <li>Entries are returned in increasing position order, each committed entry exactly once.</li>
 *   <li>{@link #readAfter} from any position {@code p} with {@code horizon() <= p <= head()} returns exactly the
 *       entries with position {@code > p} (up to {@code max}); it never skips one.</li>
 *   <li>A position below {@link #horizon()} or above {@link #head()} throws {@link PositionExpiredException}:
 *       the caller cannot be brought up to date from the log and must re-snapshot.</li>
 *   <li>Entries become visible only once committed; a reader never sees half a transaction.</li>
 *   <li>Thread-safe: any thread may read, concurrently with capture and pruning. Calls may block on I/O, so
 *       they must not be made on a network event loop.</li>
 *   <li>Failures other than an expired position are thrown as unchecked exceptions; nothing is partially
 *       returned.</li>
 * </ol>
 */
public interface EventLog {

    /** The position of the newest committed entry, or 0 when the log is empty. */
    long head();

    /**
     * The oldest position a reader may resume from: every entry with a larger position is still in the log.
     * 0 until anything has been pruned.
     */
    long horizon();

    /**
     * Up to {@code max} entries with position greater than {@code after}, oldest first.
     *
     * @throws PositionExpiredException when {@code after < horizon()} or {@code after > head()}
     */
    List<LogEntry> readAfter(long after, int max);

    /**
     * Appends a persisted channel message as one entry of its own and answers it with its position and commit
     * time. Durable when this returns. Capture delivers it like any other entry (so live subscribers get it
     * through the same fan-out, after it is committed).
     */
    ChannelMessage append(String topic, String event, RawJson data, String id, String userId);

    /**
     * Persisted messages of one channel, newest first: up to {@code max} with a position below {@code before}.
     * Only what retention keeps.
     */
    List<ChannelMessage> history(String topic, long before, int max);

    /** Persisted messages that carry an id, committed at or after {@code fromMillis}, oldest first, at most max. */
    List<ChannelMessage> messagesWithIdSince(long fromMillis, int max);

    /**
     * Prunes entries that fall outside the retention; safe to call at any time.
     *
     * @return the number of entries removed
     */
    long prune(Retention retention);
}
