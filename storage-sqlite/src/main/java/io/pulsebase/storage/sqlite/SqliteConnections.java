package io.pulsebase.storage.sqlite;

import io.pulsebase.protocol.ErrorCode;
import io.pulsebase.protocol.ProtocolException;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.sqlite.SQLiteConfig;

/**
 * The connections to one database file: a single writer guarded by a lock (SQLite has one writer at a time,
 * and queueing our own writers in Java keeps them off SQLite's busy-wait), and a small pool of read-only
 * readers, which WAL lets run concurrently with the writer and with each other.
 *
 * <p>Pulsebase's own write transactions (REST, SQL, {@link SqliteDatabase#transaction}) go through
 * {@link #commit} ({@link GroupCommit}): concurrent ones share one {@code COMMIT}. Occasional internal writes
 * (retention, trigger installation, the marker bump) take the lock directly with {@link #write} /
 * {@link #withWriter}, between batches.
 */
final class SqliteConnections implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(SqliteConnections.class);
    /** Statements kept prepared per connection (most recently used); SQLite re-prepares them after schema changes. */
    private static final int STATEMENTS_PER_CONNECTION = 256;
    /** SQL longer than this is prepared each time: a few huge one-off statements should not pin memory. */
    private static final int CACHED_SQL_LENGTH = 4096;

    private final String url;
    private final SqliteOptions options;
    private final ReentrantLock writeLock = new ReentrantLock(true);
    private final Connection writer;
    private final BlockingQueue<Connection> readers;
    private final List<Connection> allReaders = new ArrayList<>();
    /** Prepared statements per connection; a connection is used by one thread at a time. */
    private final Map<Connection, Map<String, PreparedStatement>> statements = new ConcurrentHashMap<>();
    private final Map<Connection, PreparedStatement> oneOff = new ConcurrentHashMap<>();
    private final GroupCommit groupCommit = new GroupCommit(this);
    private volatile boolean closed;

    SqliteConnections(Path file, SqliteOptions options) throws SQLException {
        this.url = "jdbc:sqlite:" + file.toAbsolutePath();
        this.options = options;
        this.writer = open(false);
        this.readers = new ArrayBlockingQueue<>(options.readerPoolSize());
        try {
            for (int i = 0; i < options.readerPoolSize(); i++) {
                Connection reader = open(true);
                allReaders.add(reader);
                readers.add(reader);
            }
        } catch (SQLException e) {
            closeQuietly();
            throw e;
        }
    }

    /** A new read-only connection owned by the caller (the capture thread keeps its own). */
    Connection openReader() throws SQLException {
        return open(true);
    }

    private Connection open(boolean readOnly) throws SQLException {
        SQLiteConfig config = new SQLiteConfig();
        config.setJournalMode(SQLiteConfig.JournalMode.WAL);
        config.setSynchronous(options.synchronous() == SqliteOptions.Synchronous.FULL
                ? SQLiteConfig.SynchronousMode.FULL
                : SQLiteConfig.SynchronousMode.NORMAL);
        config.setBusyTimeout((int) options.busyTimeout().toMillis());
        config.enforceForeignKeys(true);
        // Without recursive triggers, rows that INSERT OR REPLACE deletes on a conflict fire no DELETE trigger
        // and their removal would never be captured.
        config.enableRecursiveTriggers(true);
        // Otherwise sqlite-jdbc matches every statement against a regex and, after each INSERT, prepares and runs
        // "SELECT last_insert_rowid()" for getGeneratedKeys(), which nothing here calls (RETURNING does the job).
        config.setGetGeneratedKeys(false);
        Connection connection = config.createConnection(url);
        if (readOnly) {
            try (Statement statement = connection.createStatement()) {
                statement.execute("PRAGMA query_only = 1");
            }
        }
        return connection;
    }

    /** Runs {@code work} in one {@code BEGIN IMMEDIATE} transaction on the writer, committing when it returns. */
    <T> T write(SqlWork<T> work) throws SQLException {
        lockWriter();
        try {
            ensureOpen();
            run(writer, "BEGIN IMMEDIATE");
            T result;
            try {
                result = work.run(writer);
                run(writer, "COMMIT");
            } catch (SQLException | RuntimeException | Error e) {
                rollbackQuietly(writer);
                throw e;
            }
            return result;
        } finally {
            writeLock.unlock();
        }
    }

    /**
     * Runs {@code work} as one write transaction of its own as far as its outcome goes, committed with whatever
     * other transactions are waiting (see {@link GroupCommit}); answers after the commit. {@code alone}: work that
     * must not share its transaction (schema changes).
     */
    <T> T commit(SqlWork<T> work, boolean alone) throws SQLException {
        ensureOpen();
        return groupCommit.submit(work, alone);
    }

    /** Runs {@code work} on the writer outside any transaction (each statement commits on its own). */
    <T> T withWriter(SqlWork<T> work) throws SQLException {
        lockWriter();
        try {
            ensureOpen();
            return work.run(writer);
        } finally {
            writeLock.unlock();
        }
    }

    /** Runs {@code work} in one read transaction on a pooled reader: every query in it sees the same snapshot. */
    <T> T read(SqlWork<T> work) throws SQLException {
        Connection reader = borrowReader();
        try {
            run(reader, "BEGIN");
            T result;
            try {
                result = work.run(reader);
            } finally {
                // A read transaction has nothing to keep; ending it lets checkpoints pass our snapshot.
                rollbackQuietly(reader);
            }
            return result;
        } finally {
            readers.add(reader);
        }
    }

    private Connection borrowReader() {
        try {
            while (true) {
                ensureOpen();
                Connection reader = readers.poll(100, TimeUnit.MILLISECONDS);
                if (reader != null) {
                    if (closed) {
                        readers.add(reader);
                        ensureOpen();
                    }
                    return reader;
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ProtocolException(ErrorCode.UNAVAILABLE, "interrupted while waiting for a database reader");
        }
    }

    /**
     * A prepared statement for {@code sql} on {@code connection}, reused across calls: the caller closes its
     * result sets but never the statement. SQL too long to keep is prepared afresh and closed when the next
     * such statement is prepared on the connection.
     */
    PreparedStatement prepared(Connection connection, String sql) throws SQLException {
        Map<String, PreparedStatement> cache = statements.computeIfAbsent(connection, c -> new LruStatements());
        PreparedStatement statement = cache.get(sql);
        if (statement == null) {
            statement = connection.prepareStatement(sql);
            if (sql.length() <= CACHED_SQL_LENGTH) {
                cache.put(sql, statement);
            } else {
                PreparedStatement previous = oneOff.put(connection, statement);
                if (previous != null) {
                    previous.close();
                }
            }
        }
        return statement;
    }

    /**
     * Forgets and closes the cached statement for {@code sql} on {@code connection}: called when running it failed,
     * because sqlite-jdbc finalizes a statement whose execution failed (a read-only reader refusing a
     * {@code WITH ... INSERT}, a constraint violation), and a cached dead statement would fail every later call
     * with "statement is not executing".
     */
    void discard(Connection connection, String sql) {
        Map<String, PreparedStatement> cache = statements.get(connection);
        PreparedStatement statement = cache == null ? null : cache.remove(sql);
        if (statement != null) {
            try {
                statement.close();
            } catch (SQLException e) {
                log.debug("closing a failed statement failed", e);
            }
        }
    }

    /** Runs fixed SQL that returns nothing (BEGIN, COMMIT ...) with a cached statement. */
    void run(Connection connection, String sql) throws SQLException {
        prepared(connection, sql).execute();
    }

    private static final class LruStatements extends LinkedHashMap<String, PreparedStatement> {
        LruStatements() {
            super(64, 0.75f, true);
        }

        @Override
        protected boolean removeEldestEntry(Map.Entry<String, PreparedStatement> eldest) {
            if (size() <= STATEMENTS_PER_CONNECTION) {
                return false;
            }
            try {
                eldest.getValue().close();
            } catch (SQLException e) {
                log.debug("closing an evicted statement failed", e);
            }
            return true;
        }
    }

    /** Forgets the cached statements of a connection about to be closed. */
    void forget(Connection connection) {
        List<PreparedStatement> all = new ArrayList<>();
        Map<String, PreparedStatement> cache = statements.remove(connection);
        if (cache != null) {
            all.addAll(cache.values());
        }
        PreparedStatement single = oneOff.remove(connection);
        if (single != null) {
            all.add(single);
        }
        for (PreparedStatement statement : all) {
            try {
                statement.close();
            } catch (SQLException e) {
                log.debug("closing a cached statement failed", e);
            }
        }
    }

    private static void execute(Connection connection, String sql) throws SQLException {
        try (Statement statement = connection.createStatement()) {
            statement.execute(sql);
        }
    }

    void rollbackQuietly(Connection connection) {
        try {
            run(connection, "ROLLBACK");
        } catch (SQLException e) {
            // "no transaction is active": SQLite already rolled back (for example after SQLITE_FULL).
            log.trace("rollback", e);
        }
    }

    private void lockWriter() {
        try {
            if (!writeLock.tryLock(options.busyTimeout().toMillis() + 60_000, TimeUnit.MILLISECONDS)) {
                throw new ProtocolException(ErrorCode.UNAVAILABLE, "the database is busy; retry");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ProtocolException(ErrorCode.UNAVAILABLE, "interrupted while waiting for the database writer");
        }
    }

    private void ensureOpen() {
        if (closed) {
            throw new ProtocolException(ErrorCode.UNAVAILABLE, "the database is closed");
        }
    }

    /** Checkpoints the WAL into the database file and closes every connection. Idempotent. */
    @Override
    public void close() {
        // First run what is queued: those writes still commit.
        groupCommit.close();
        writeLock.lock();
        try {
            if (closed) {
                return;
            }
            closed = true;
            awaitReaders();
            try {
                execute(writer, "PRAGMA wal_checkpoint(TRUNCATE)");
            } catch (SQLException e) {
                log.warn("WAL checkpoint at close failed; SQLite will recover from the WAL at next open", e);
            }
            closeQuietly();
        } finally {
            writeLock.unlock();
        }
    }

    /** Waits briefly for borrowed readers to come back, so no query is cut off mid-read. */
    private void awaitReaders() {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        int back = 0;
        List<Connection> returned = new ArrayList<>();
        try {
            while (back < allReaders.size()) {
                Connection reader = readers.poll(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
                if (reader == null) {
                    log.warn("{} database readers still busy at close", allReaders.size() - back);
                    break;
                }
                returned.add(reader);
                back++;
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        readers.addAll(returned);
    }

    private void closeQuietly() {
        List<Connection> all = new ArrayList<>(allReaders);
        all.add(writer);
        for (Connection connection : all) {
            if (connection == null) {
                continue;
            }
            forget(connection);
            try {
                connection.close();
            } catch (SQLException e) {
                log.warn("closing a database connection failed", e);
            }
        }
    }
}
