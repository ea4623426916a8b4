package io.pulsebase.storage.sqlite;

import java.time.Duration;
import java.util.Objects;

/**
 * How {@link SqliteStorage} opens and watches its database file.
 *
 * @param synchronous    SQLite's {@code synchronous} setting in WAL mode. {@link Synchronous#NORMAL} (the
 *                       default) survives a process crash ({@code kill -9}): a committed transaction is in the
 *                       WAL file before {@code COMMIT} returns, only the fsync is deferred to checkpoints, so a
 *                       power loss or OS crash may lose the last transactions. {@link Synchronous#FULL} fsyncs
 *                       the WAL at every commit and also survives power loss, at some write cost.
 * @param pollInterval   how often the capture thread looks for commits made by other programs (commits made
 *                       through {@link SqliteDatabase} wake it at once)
 * @param readerPoolSize read connections for snapshots, log reads and read-only SQL (WAL readers run
 *                       concurrently with the writer and with each other)
 * @param busyTimeout    how long a connection waits for a lock held by another program before failing
 */
public record SqliteOptions(Synchronous synchronous, Duration pollInterval, int readerPoolSize, Duration busyTimeout) {

    /** SQLite's durability setting for WAL mode. */
    public enum Synchronous {
        NORMAL,
        FULL
    }

    public SqliteOptions {
        Objects.requireNonNull(synchronous, "synchronous");
        if (pollInterval.isNegative() || pollInterval.isZero()) {
            throw new IllegalArgumentException("poll interval must be positive");
        }
        if (readerPoolSize < 1) {
            throw new IllegalArgumentException("reader pool needs at least one connection");
        }
        if (busyTimeout.isNegative() || busyTimeout.toMillis() > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("busy timeout out of range");
        }
    }

    /** {@code synchronous=NORMAL}, 10 ms poll, 4 readers, 5 s busy timeout. */
    public static SqliteOptions defaults() {
        return new SqliteOptions(Synchronous.NORMAL, Duration.ofMillis(10), 4, Duration.ofSeconds(5));
    }

    public SqliteOptions withSynchronous(Synchronous value) {
        return new SqliteOptions(value, pollInterval, readerPoolSize, busyTimeout);
    }

    /** {@code synchronous=FULL} when true, {@code NORMAL} otherwise. */
    public SqliteOptions withSynchronousFull(boolean full) {
        return withSynchronous(full ? Synchronous.FULL : Synchronous.NORMAL);
    }

    public SqliteOptions withPollInterval(Duration value) {
        return new SqliteOptions(synchronous, value, readerPoolSize, busyTimeout);
    }

    public SqliteOptions withReaderPoolSize(int value) {
        return new SqliteOptions(synchronous, pollInterval, value, busyTimeout);
    }

    public SqliteOptions withBusyTimeout(Duration value) {
        return new SqliteOptions(synchronous, pollInterval, readerPoolSize, value);
    }
}
