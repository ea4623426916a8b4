package io.pulsebase.storage.sqlite;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The embedded engines on one SQLite file, {@code <dataDir>/pulsebase.db}: the {@link SqliteDatabase}, the
 * {@link SqliteChangeSource} that captures its commits and the {@link SqliteEventLog} they are captured into,
 * sharing one writer connection and a pool of readers.
 *
 * <p>The file runs in WAL mode with {@code busy_timeout} and foreign keys on. With the default
 * {@code synchronous=NORMAL} a committed transaction survives the process being killed ({@code kill -9});
 * {@code FULL} also survives power loss (see {@link SqliteOptions}). Since the log is written by triggers in
 * the same transaction as the data, a change is never committed without its log entry.
 *
 * <p>Opening creates the directory, the internal tables ({@code _pb_log}, {@code _pb_txctx}, {@code _pb_meta})
 * if missing (migrating a log of an older format, see {@link LogSchema}, which also states the invariant that
 * keeps positions from being reused) and the capture triggers of every existing table, all in one write
 * transaction; it is safe on an existing database, including one that other programs created and write to.
 */
public final class SqliteStorage implements AutoCloseable {
    /** The database file's name inside the data directory. */
    public static final String FILE_NAME = "pulsebase.db";

    private final Path file;
    private final SqliteConnections connections;
    private final SqliteDatabase database;
    private final SqliteChangeSource changeSource;
    private final SqliteEventLog log;
    private final AtomicBoolean closed = new AtomicBoolean();

    private SqliteStorage(Path file, SqliteConnections connections, SqliteOptions options) {
        TableCatalog catalog = new TableCatalog(connections);
        this.file = file;
        this.connections = connections;
        this.changeSource = new SqliteChangeSource(connections, catalog, options);
        this.database = new SqliteDatabase(connections, catalog, changeSource::poke, this::close);
        this.log = new SqliteEventLog(connections, database);
    }

    /** Opens (creating when needed) {@code <dataDir>/pulsebase.db} with default options. */
    public static SqliteStorage open(Path dataDir) {
        return open(dataDir, SqliteOptions.defaults());
    }

    /**
     * Opens (creating when needed) {@code <dataDir>/pulsebase.db}. Capture does not start until
     * {@link SqliteChangeSource#start} is called.
     *
     * @throws UncheckedIOException when the directory cannot be created
     * @throws SqliteStorageException when the file cannot be opened or initialized
     */
    public static SqliteStorage open(Path dataDir, SqliteOptions options) {
        try {
            Files.createDirectories(dataDir);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create the data directory " + dataDir, e);
        }
        Path file = dataDir.resolve(FILE_NAME);
        SqliteConnections connections;
        try {
            connections = new SqliteConnections(file, options);
        } catch (SQLException e) {
            throw new SqliteStorageException("cannot open " + file, e);
        }
        try {
            TableCatalog catalog = new TableCatalog(connections);
            connections.write(c -> {
                LogSchema.prepare(c);
                CaptureTriggers.install(c, catalog);
                return null;
            });
        } catch (SQLException | RuntimeException e) {
            connections.close();
            throw e instanceof SQLException sql ? new SqliteStorageException("cannot initialize " + file, sql)
                    : (RuntimeException) e;
        }
        return new SqliteStorage(file, connections, options);
    }

    /** The store; closing it closes this whole storage. */
    public SqliteDatabase database() {
        return database;
    }

    /** The capture of this file's commits; started by the caller, once. */
    public SqliteChangeSource changeSource() {
        return changeSource;
    }

    /** The ordered log of this file. */
    public SqliteEventLog log() {
        return log;
    }

    /** The database file. */
    public Path file() {
        return file;
    }

    /**
     * Stops capture (after the entry being delivered, if any), checkpoints the WAL into the database file and
     * closes every connection. Idempotent.
     */
    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        changeSource.close();
        connections.close();
    }
}
