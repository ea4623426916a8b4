package io.pulsebase.core.log;

import java.util.List;

/**
 * The database's one ordered, durable log. Live fan-out, resume, snapshots-then-deltas and (later) history
 * and webhooks all read it.
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
     * Prunes entries that fall outside the retention; safe to call at any time.
     *
     * @return the number of entries removed
     */
    long prune(Retention retention);
}
