package io.pulsebase.bench.load;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.concurrent.TimeUnit;
import org.sqlite.SQLiteConfig;
import org.sqlite.SQLiteOpenMode;

/**
 * {@code --writer jdbc}: the server's own SQLite file, written by this process as "another program" would —
 * plain sqlite-jdbc connections that know nothing of Pulsebase; the capture triggers the server installed on
 * {@code bench_fanout} log every committed row, and the server's capture thread picks them up on its next
 * poll.
 *
 * <p>Each connection: {@code busy_timeout=5000}, {@code synchronous=NORMAL}, the journal mode left as the
 * server set it (WAL), autocommit (each multi-row INSERT is its own transaction). The file is never created:
 * a wrong path fails instead of silently writing into a new, uncaptured database.
 */
final class JdbcTarget {
    static final int BUSY_TIMEOUT_MS = 5000;

    /** What {@link #verify} found, for the report. */
    record Info(String journalMode, String sqliteVersion, int captureTriggers) {
    }

    private JdbcTarget() {
    }

    /** A new connection to {@code file}, set up as described above; the caller owns it. */
    static Connection open(Path file) throws SQLException {
        if (!Files.isRegularFile(file)) {
            throw new SQLException("no SQLite file at " + file + " (the server's <data dir>/pulsebase.db)");
        }
        SQLiteConfig config = new SQLiteConfig();
        config.resetOpenMode(SQLiteOpenMode.CREATE); // open an existing file only
        Connection c = config.createConnection("jdbc:sqlite:" + file);
        try (Statement s = c.createStatement()) {
            s.execute("PRAGMA busy_timeout=" + BUSY_TIMEOUT_MS);
            s.execute("PRAGMA synchronous=NORMAL");
        } catch (SQLException e) {
            c.close();
            throw e;
        }
        c.setAutoCommit(true);
        return c;
    }

    /**
     * Checks, before any subscriber connects, that {@code file} is the server's database: WAL mode, and capture
     * triggers on the scenario's table (which the server installs when the table is created; waits up to 5 s
     * for them). Without triggers nothing written here would ever be delivered.
     */
    static Info verify(Path file, BenchTable table) throws SQLException, InterruptedException {
        try (Connection c = open(file); Statement s = c.createStatement()) {
            String mode = single(s, "PRAGMA journal_mode");
            String version = single(s, "SELECT sqlite_version()");
            if (!"wal".equalsIgnoreCase(mode)) {
                throw new SQLException(file + " is in journal_mode " + mode + ", not WAL: is it the server's file?");
            }
            long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
            while (true) {
                int triggers = Integer.parseInt(single(s, "SELECT count(*) FROM sqlite_master WHERE type = 'trigger'"
                        + " AND tbl_name = '" + table.name + "'"));
                if (triggers > 0) {
                    return new Info(mode.toLowerCase(java.util.Locale.ROOT), version, triggers);
                }
                if (System.nanoTime() > end) {
                    throw new SQLException(file + " has no capture triggers on " + table.name
                            + ": not the database of the server the subscribers connect to");
                }
                Thread.sleep(50);
            }
        }
    }

    private static String single(Statement s, String sql) throws SQLException {
        try (ResultSet rs = s.executeQuery(sql)) {
            if (!rs.next()) {
                throw new SQLException("no answer to " + sql);
            }
            return rs.getString(1);
        }
    }
}
