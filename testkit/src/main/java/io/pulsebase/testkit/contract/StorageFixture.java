package io.pulsebase.testkit.contract;

import io.pulsebase.core.capture.ChangeSource;
import io.pulsebase.core.log.EventLog;
import java.util.List;

/**
 * An engine under contract test: a database, its change source and its log, opened on fresh, empty storage.
 * Writes go through the engine's own write path, so they are captured as in production.
 */
public interface StorageFixture extends AutoCloseable {

    /** Creates a table with an integer primary key {@code id} and a text column {@code v}. */
    void createTable(String table);

    /** Commits the writes as ONE transaction, in order; answers the log position of that transaction. */
    long commit(List<RowWrite> writes);

    /** The engine's log. */
    EventLog log();

    /** The engine's change source, not started yet (the test starts it, once). */
    ChangeSource changeSource();

    /** Whether {@link #reopen} is supported (a durable engine's fixture should support it). */
    default boolean canReopen() {
        return false;
    }

    /**
     * Closes this engine and opens it again on the same storage, as after a process restart. This fixture
     * must not be used afterwards; the returned one replaces it.
     */
    default StorageFixture reopen() {
        throw new UnsupportedOperationException("this fixture cannot reopen its storage");
    }

    @Override
    void close();
}
