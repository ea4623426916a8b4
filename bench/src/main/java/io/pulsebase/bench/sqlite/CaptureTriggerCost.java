package io.pulsebase.bench.sqlite;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;

/**
 * What the capture trigger costs another program's commits, without a server: one-row autocommit INSERTs from
 * one thread into a fresh file (WAL, {@code synchronous=NORMAL}), for three schemas — no trigger ({@code none}),
 * the trigger writing a log declared {@code AUTOINCREMENT} ({@code format1}, Pulsebase's log before format 2)
 * and the trigger writing a plain-rowid log ({@code format2}, now). Reports commits per second and WAL frames
 * (pages) written per commit, counted over 2,000 commits with checkpoints off. The log tables and the trigger
 * text mirror storage-sqlite's {@code LogSchema} and {@code CaptureTriggers} for the bench table.
 *
 * <p>Usage: {@code java -cp pulsebase-bench.jar io.pulsebase.bench.sqlite.CaptureTriggerCost [commits] [rounds]}
 * (defaults 100000 and 3); the schemas alternate within each round.
 */
public final class CaptureTriggerCost {
    private CaptureTriggerCost() {
    }

    private static final String PAYLOAD = "x".repeat(64);

    public static void main(String[] args) throws Exception {
        int n = args.length > 0 ? Integer.parseInt(args[0]) : 100_000;
        int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 3;
        for (int r = 0; r < rounds; r++) {
            for (String v : new String[] {"none", "format1", "format2"}) {
                run(v, n, r);
            }
        }
    }

    static void run(String variant, int n, int round) throws Exception {
        Path dir = Files.createTempDirectory("tc");
        Path db = dir.resolve("t.db");
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + db); Statement s = c.createStatement()) {
            s.execute("PRAGMA journal_mode=WAL");
            s.execute("PRAGMA synchronous=NORMAL");
            s.execute("CREATE TABLE bench (id INTEGER PRIMARY KEY, room INTEGER, sent_ns INTEGER, payload TEXT)");
            if (!variant.equals("none")) {
                String ai = variant.equals("format1") ? " AUTOINCREMENT" : "";
                s.execute("CREATE TABLE _pb_log (seq INTEGER PRIMARY KEY" + ai + ", tx INTEGER NOT NULL,"
                        + " tbl TEXT NOT NULL, op TEXT NOT NULL, new TEXT, old TEXT, ts INTEGER NOT NULL)");
                s.execute("CREATE TABLE _pb_txctx (tx INTEGER NOT NULL)");
                s.execute("INSERT INTO _pb_txctx VALUES (0)");
                s.execute("CREATE INDEX _pb_log_messages ON _pb_log (tbl, seq) WHERE op = 'MESSAGE'");
                s.execute("CREATE TRIGGER _pb_ins_bench AFTER INSERT ON bench BEGIN INSERT INTO _pb_log(tx, tbl, op, new, old, ts)"
                        + " VALUES ((SELECT tx FROM _pb_txctx), 'bench', 'INSERT', json_object('id', NEW.id, 'room', NEW.room,"
                        + " 'sent_ns', NEW.sent_ns, 'payload', NEW.payload), NULL, CAST(unixepoch('subsec') * 1000 AS INTEGER)); END");
            }
            // frames per commit: 2,000 commits with the checkpoint off, then count WAL frames
            s.execute("PRAGMA wal_checkpoint(TRUNCATE)");
            s.execute("PRAGMA wal_autocheckpoint=0");
            long framesBefore = frames(db);
            insert(c, 2000);
            long frames = frames(db) - framesBefore;
            s.execute("PRAGMA wal_checkpoint(TRUNCATE)");
            s.execute("PRAGMA wal_autocheckpoint=1000");
            insert(c, 2000); // warm-up
            long t0 = System.nanoTime();
            insert(c, n);
            double secs = (System.nanoTime() - t0) / 1e9;
            System.out.printf("round %d %-8s commits/s %8.0f  us/commit %6.1f  WAL frames/commit %.2f%n",
                    round, variant, n / secs, secs * 1e6 / n, frames / 2000.0);
        }
        try (var w = Files.walk(dir)) { // the temp directory and its files
            w.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }

    static long frames(Path db) throws Exception {
        Path wal = Path.of(db + "-wal");
        long size = Files.exists(wal) ? Files.size(wal) : 0;
        return size <= 32 ? 0 : (size - 32) / (4096 + 24);
    }

    static void insert(Connection c, int n) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("INSERT INTO bench (room, sent_ns, payload) VALUES (?, ?, ?)")) {
            for (int i = 0; i < n; i++) {
                ps.setLong(1, i % 10);
                ps.setLong(2, System.nanoTime());
                ps.setString(3, PAYLOAD);
                ps.executeUpdate();
            }
        }
    }
}
