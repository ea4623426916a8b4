package io.pulsebase.bench.load;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.SplittableRandom;
import java.util.function.Consumer;

/**
 * What plain SQLite commits without Pulsebase: the same table (without capture triggers), the same
 * transactions (one multi-row INSERT of {@code rowsPerTx} rows, same payload, random room, {@code sent_ns}
 * taken per transaction) committed back to back by one thread through JDBC (the same sqlite-jdbc driver
 * the server embeds), into a fresh file in WAL mode with {@code synchronous=NORMAL} — the server's
 * default durability.
 */
final class SqliteBaseline {

    record Result(long commits, long rows, double seconds, String sqliteVersion, Path file) {
        double commitsPerSecond() {
            return commits / seconds;
        }

        double rowsPerSecond() {
            return rows / seconds;
        }
    }

    private SqliteBaseline() {
    }

    /** Writes for {@code warmup} seconds (not counted), then measures {@code seconds}; deletes the file after. */
    static Result run(LoadOptions o, Consumer<String> progress) throws IOException, SQLException {
        Path parent = o.baselineDir();
        if (parent != null) {
            Files.createDirectories(parent);
        }
        Path dir = parent == null ? Files.createTempDirectory("pulsebase-baseline-")
                : Files.createTempDirectory(parent, "pulsebase-baseline-");
        Path file = dir.resolve("baseline.db");
        try {
            progress.accept("sqlite-baseline: " + o.rowsPerTx() + " row(s)/tx, " + o.payloadBytes()
                    + " B payload, WAL, synchronous=NORMAL, " + file);
            try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + file)) {
                String version;
                try (Statement s = c.createStatement()) {
                    try (ResultSet rs = s.executeQuery("PRAGMA journal_mode=WAL")) {
                        rs.next();
                        if (!"wal".equalsIgnoreCase(rs.getString(1))) {
                            throw new SQLException("could not switch to WAL mode");
                        }
                    }
                    s.execute("PRAGMA synchronous=NORMAL");
                    s.execute(BenchTable.of(o.scenario()).create());
                    try (ResultSet rs = s.executeQuery("SELECT sqlite_version()")) {
                        rs.next();
                        version = rs.getString(1);
                    }
                }
                c.setAutoCommit(true); // every executeUpdate is its own transaction, as each POST /v1/sql is
                try (PreparedStatement insert = c.prepareStatement(BenchTable.of(o.scenario()).insertSql(o.rowsPerTx()))) {
                    SplittableRandom random = new SplittableRandom(0x5eed);
                    long warmEnd = System.nanoTime() + o.warmup() * 1_000_000_000L;
                    while (System.nanoTime() < warmEnd) {
                        commit(insert, o, random);
                    }
                    long start = System.nanoTime();
                    long end = start + o.seconds() * 1_000_000_000L;
                    long commits = 0;
                    long now;
                    while ((now = System.nanoTime()) < end) {
                        commit(insert, o, random);
                        commits++;
                    }
                    double seconds = (now - start) / 1e9;
                    return new Result(commits, commits * o.rowsPerTx(), seconds, version, file);
                }
            }
        } finally {
            for (String name : new String[] {"baseline.db", "baseline.db-wal", "baseline.db-shm"}) {
                Files.deleteIfExists(dir.resolve(name));
            }
            Files.deleteIfExists(dir);
        }
    }

    private static void commit(PreparedStatement insert, LoadOptions o, SplittableRandom random) throws SQLException {
        int room = o.rooms() == 1 ? 0 : random.nextInt(o.rooms());
        long sent = System.nanoTime();
        int p = 1;
        BenchTable table = BenchTable.of(o.scenario());
        for (int k = 0; k < o.rowsPerTx(); k++) {
            p = table.bind(insert, p, room, sent, k, o.payloadBytes());
        }
        int n = insert.executeUpdate();
        if (n != o.rowsPerTx()) {
            throw new SQLException("inserted " + n + " rows, expected " + o.rowsPerTx());
        }
    }
}
