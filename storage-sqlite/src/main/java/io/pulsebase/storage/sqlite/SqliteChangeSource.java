package io.pulsebase.storage.sqlite;

import io.pulsebase.core.capture.ChangeSource;
import io.pulsebase.core.capture.CommitListener;
import io.pulsebase.core.log.Commit;
import io.pulsebase.core.log.LogEntry;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.LockSupport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Capture for SQLite: the triggers have already written every committed row change into {@code _pb_log}, in
 * the writer's transaction; this source tails that table on one platform thread, {@code pulsebase-capture}.
 *
 * <p>The thread wakes on {@link #poke()} (after each commit through {@link SqliteDatabase}) or every poll
 * interval, and reads only when {@code PRAGMA data_version} says another connection committed. It reads rows
 * after the last delivered position in batches, groups consecutive rows with the same transaction marker into
 * one {@link Commit} (a batch boundary never splits one) and hands each to the listener. When
 * {@code PRAGMA schema_version} changes, it brings the capture triggers in line with the tables: tables created
 * or altered by other programs are captured from then on.
 *
 * <p>Transaction grouping. The marker is the value in {@code _pb_txctx}. Pulsebase's own write transactions
 * bump it at their start and end, so each of them is exactly one entry. Other programs writing the file do not
 * bump it; after delivering rows that carry the current marker, this thread bumps it, so their later writes
 * get a new one. <b>Known limitations:</b> transactions of other programs committed between two polls share a
 * marker and are delivered as one entry (positions stay exact: resuming from any delivered position yields
 * exactly the rows after it); rows another program writes into a brand-new table before this thread has
 * installed its triggers (within one poll interval) are not captured, though they appear in snapshots; and
 * other programs' connections do not run with {@code recursive_triggers}, so rows that their
 * {@code INSERT OR REPLACE} deletes on a conflict are not captured as deletes.
 *
 * <p>Failures (for example {@code SQLITE_BUSY} past the busy timeout, or I/O errors) are retried with backoff
 * on a fresh connection, resuming after the last delivered entry; {@link #running()} is false meanwhile.
 */
public final class SqliteChangeSource implements ChangeSource {
    private static final Logger log = LoggerFactory.getLogger(SqliteChangeSource.class);
    private static final int BATCH = 1000;
    private static final long INITIAL_BACKOFF_MILLIS = 50;
    private static final long MAX_BACKOFF_MILLIS = 5_000;

    private final SqliteConnections connections;
    private final TableCatalog catalog;
    private final long pollNanos;
    private final long busyTimeoutMillis;
    private final AtomicBoolean poked = new AtomicBoolean();
    private final Object lifecycle = new Object();
    private volatile Thread thread;
    private volatile CommitListener listener;
    private volatile long delivered;
    private volatile boolean running;
    private volatile boolean closed;

    SqliteChangeSource(SqliteConnections connections, TableCatalog catalog, SqliteOptions options) {
        this.connections = connections;
        this.catalog = catalog;
        this.pollNanos = options.pollInterval().toNanos();
        this.busyTimeoutMillis = options.busyTimeout().toMillis();
    }

    @Override
    public void start(long after, CommitListener listener) {
        synchronized (lifecycle) {
            if (thread != null || closed) {
                throw new IllegalStateException("the change source was already started or closed");
            }
            this.listener = listener;
            this.delivered = after;
            Thread t = new Thread(this::capture, "pulsebase-capture");
            t.setDaemon(true);
            thread = t;
            t.start();
        }
    }

    @Override
    public void poke() {
        if (!poked.getAndSet(true)) {
            Thread t = thread;
            if (t != null) {
                LockSupport.unpark(t);
            }
        }
    }

    @Override
    public boolean running() {
        return running && !closed;
    }

    @Override
    public long deliveredPosition() {
        return delivered;
    }

    private void capture() {
        try {
            captureLoop();
        } catch (Throwable t) {
            log.error("capture stopped: the capture thread failed", t);
            throw t;
        } finally {
            running = false;
        }
    }

    private void captureLoop() {
        Connection connection = null;
        long dataVersion = Long.MIN_VALUE;
        long schemaVersion = Long.MIN_VALUE;
        long backoff = INITIAL_BACKOFF_MILLIS;
        while (!closed) {
            try {
                if (connection == null) {
                    connection = connections.openReader();
                    dataVersion = Long.MIN_VALUE;
                    schemaVersion = Long.MIN_VALUE;
                }
                boolean wasPoked = poked.getAndSet(false);
                long version = pragma(connection, "PRAGMA data_version");
                if (wasPoked || version != dataVersion) {
                    dataVersion = version;
                    long schema = catalog.schemaVersion(connection);
                    if (schema != schemaVersion) {
                        syncTriggers(connection);
                        schemaVersion = schema;
                    }
                    drain(connection);
                }
                if (!running) {
                    if (backoff != INITIAL_BACKOFF_MILLIS) {
                        log.info("capture recovered at position {}", delivered);
                    }
                    running = true;
                }
                backoff = INITIAL_BACKOFF_MILLIS;
            } catch (SQLException | RuntimeException e) {
                running = false;
                if (closed) {
                    break;
                }
                if (backoff == INITIAL_BACKOFF_MILLIS) {
                    log.warn("capture failed; retrying in {} ms from position {}", backoff, delivered, e);
                } else {
                    log.warn("capture still failing ({}); retrying in {} ms", e.getMessage(), backoff);
                }
                connection = closeQuietly(connection);
                sleep(TimeUnit.MILLISECONDS.toNanos(backoff));
                backoff = Math.min(backoff * 2, MAX_BACKOFF_MILLIS);
                continue;
            }
            if (!poked.get()) {
                sleep(pollNanos);
            }
        }
        running = false;
        closeQuietly(connection);
    }

    /** Installs triggers for tables that other programs created or altered; a write only when one is needed. */
    private void syncTriggers(Connection connection) throws SQLException {
        if (!CaptureTriggers.upToDate(connection, catalog)) {
            boolean changed = connections.write(w -> CaptureTriggers.install(w, catalog));
            if (changed) {
                log.info("capture triggers updated for a schema change");
            }
        }
    }

    /**
     * Delivers every committed entry after {@link #delivered}, up to the log head as it was when the drain
     * began. Every row at or below that head belongs to a transaction that had committed (writers are
     * serialized, so a transaction still open has only larger sequence numbers), so the bound never splits a
     * transaction; and it keeps a writer that commits back to back from growing one entry without end while
     * the drain chases it.
     */
    private void drain(Connection connection) throws SQLException {
        EntryAssembler assembler = new EntryAssembler();
        long cursor = delivered;
        long head = pragma(connection, LogRow.HEAD);
        long lastTx = 0;
        boolean any = false;
        while (!closed && cursor < head) {
            // Rows are collected before delivery so no read transaction stays open while the listener blocks.
            List<LogRow> rows = new ArrayList<>(Math.min(BATCH, 64));
            PreparedStatement ps = connections.prepared(connection, "SELECT " + LogRow.COLUMNS
                    + " FROM _pb_log WHERE seq > ? AND seq <= ? ORDER BY seq LIMIT " + BATCH);
            ps.setLong(1, cursor);
            ps.setLong(2, head);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    rows.add(LogRow.read(rs));
                }
            }
            for (LogRow row : rows) {
                assembler.add(row, this::deliver);
                cursor = row.seq();
                lastTx = row.tx();
                any = true;
            }
            if (rows.size() < BATCH) {
                break;
            }
        }
        assembler.finish(this::deliver);
        if (any && !closed) {
            separateForeignWrites(connection, lastTx);
        }
    }

    private void deliver(LogEntry entry) {
        if (closed) {
            return;
        }
        try {
            listener.onEntry(entry);
        } catch (RuntimeException e) {
            log.error("the capture listener failed on entry {}; it is not delivered again", entry.position(), e);
        }
        delivered = entry.position();
    }

    /**
     * When the last delivered rows carry the current marker, they were written by another program (our own
     * transactions bump the marker when they end): bump it, so that program's next transaction gets its own
     * marker. The bump holds the write lock, so no transaction is open while it runs and it never splits one.
     * It is tried once without waiting: a program writing back to back holds the lock most of the time, and
     * waiting for it (the busy timeout) would stall capture; the next drain tries again.
     */
    private void separateForeignWrites(Connection connection, long lastTx) throws SQLException {
        if (pragma(connection, "SELECT tx FROM _pb_txctx") != lastTx) {
            return;
        }
        try {
            connections.withWriter(w -> {
                try (Statement statement = w.createStatement()) {
                    statement.execute("PRAGMA busy_timeout = 0");
                    try {
                        return statement.executeUpdate("UPDATE _pb_txctx SET tx = tx + 1 WHERE tx = " + lastTx);
                    } finally {
                        statement.execute("PRAGMA busy_timeout = " + busyTimeoutMillis);
                    }
                }
            });
        } catch (SQLException e) {
            if (!SqliteErrors.isBusy(e)) {
                throw e;
            }
            // Another program holds the write lock: it is writing its next transaction, which now shares the
            // marker (the documented merge). Nothing is lost; capture goes on.
            log.debug("could not bump the transaction marker: the database is busy", e);
        }
    }

    private long pragma(Connection connection, String sql) throws SQLException {
        try (ResultSet rs = connections.prepared(connection, sql).executeQuery()) {
            rs.next();
            return rs.getLong(1);
        }
    }

    private Connection closeQuietly(Connection connection) {
        if (connection != null) {
            connections.forget(connection);
            try {
                connection.close();
            } catch (SQLException e) {
                log.debug("closing the capture connection failed", e);
            }
        }
        return null;
    }

    private void sleep(long nanos) {
        if (!closed) {
            LockSupport.parkNanos(this, nanos);
        }
    }

    /**
     * Stops capture: no entry is delivered after this returns. Waits for the capture thread to finish the
     * listener call in progress; a listener still blocked after two seconds is interrupted.
     */
    @Override
    public void close() {
        Thread t;
        synchronized (lifecycle) {
            closed = true;
            t = thread;
        }
        running = false;
        if (t == null || t == Thread.currentThread()) {
            return;
        }
        LockSupport.unpark(t);
        try {
            t.join(2_000);
            if (t.isAlive()) {
                t.interrupt();
                t.join();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
