package io.pulsebase.core.capture;

/**
 * Captures committed changes of a database, whichever way they were written (this node's API, raw SQL,
 * another program), and hands them on in commit order. SQLite captures with triggers into its log table;
 * PostgreSQL will capture with logical replication (positions = commit LSN).
 *
 * <p>Contract (every implementation must pass {@code ChangeSourceContract}):
 * <ol>
 *   <li>After {@link #start}, every entry with position greater than {@code after} is delivered to the listener
 *       exactly once, in increasing position order, from a single thread.</li>
 *   <li>A transaction is delivered as one entry, never split.</li>
 *   <li>Tables created after start (through the API or by another program) are captured without a restart.</li>
 *   <li>When its connection to the database fails, the source retries and resumes from the last entry it
 *       delivered; {@link #running()} is false while it cannot capture.</li>
 *   <li>{@link #close} stops delivery; it returns after the capture thread has finished with the listener.</li>
 * </ol>
 */
public interface ChangeSource extends AutoCloseable {

    /** Starts capturing, delivering every entry after position {@code after}. Called once. */
    void start(long after, CommitListener listener);

    /**
     * A hint that a transaction was just committed through this node, so the source can look at once rather
     * than at its next poll. Cheap and non-blocking; may be called from any thread.
     */
    void poke();

    /** Whether capture is running and healthy (drives readiness in {@code /health}). */
    boolean running();

    /** The position of the last entry handed to the listener (0 before any). */
    long deliveredPosition();

    @Override
    void close();
}
