package io.pulsebase.storage.sqlite;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;

/**
 * The internal tables ({@code _pb_log}, {@code _pb_txctx}, {@code _pb_meta}) and the invariant that keeps log
 * positions from ever being reused.
 *
 * <h2>Positions</h2>
 *
 * A position is a {@code seq} of {@code _pb_log}, which is the table's rowid ({@code seq INTEGER PRIMARY KEY},
 * without {@code AUTOINCREMENT}). SQLite gives an inserted row {@code max(rowid) + 1} (1 in an empty table), and
 * it has one writer at a time, so positions grow in commit order. Unlike {@code AUTOINCREMENT}, that rule
 * would reuse a number if the rows holding the highest ones were deleted, or if the table became empty. So
 * everything here rests on one invariant:
 *
 * <blockquote><b>Once any position has been given out, {@code _pb_log} is never empty and its highest
 * {@code seq} is the highest position ever given out (the head).</b> Equivalently: the newest row is never
 * deleted, and {@code pruned_through} (the horizon, in {@code _pb_meta}) never exceeds {@code max(seq)}.
 * </blockquote>
 *
 * <p>It holds because:
 * <ul>
 *   <li>The only deletes from {@code _pb_log} are retention's ({@link SqliteEventLog#prune}), which by
 *       {@link io.pulsebase.core.log.Retention}'s contract never prunes the newest entry, and checks again inside
 *       its write transaction that the bound lies below {@code max(seq)}. So the newest row survives every
 *       prune, and the head is {@code SELECT max(seq) FROM _pb_log} (one B-tree descent, like the
 *       {@code sqlite_sequence} lookup it replaces).</li>
 *   <li>Anything else that tries — raw SQL sent through Pulsebase, another program, a bug — is stopped by the
 *       trigger {@link #KEEP_NEWEST} ({@code BEFORE DELETE ON _pb_log}), which aborts a statement that would
 *       delete the row holding {@code max(seq)} (a {@code DELETE} of the whole table included: SQLite skips its
 *       truncate shortcut on a table with triggers). It is installed and kept with the capture triggers
 *       ({@link CaptureTriggers}); it costs nothing on inserts. Its sibling {@link #KEEP_SEQ} refuses to change
 *       any row's {@code seq}, which could otherwise lower {@code max(seq)} without a delete.</li>
 *   <li>A rolled-back transaction (or a savepoint of a group commit rolled back) frees its numbers for reuse,
 *       but those positions were never committed, so nobody saw them; {@code AUTOINCREMENT} behaves the same,
 *       since {@code sqlite_sequence} rolls back with it.</li>
 *   <li>Other programs writing the file, with or without Pulsebase running, only insert through the capture
 *       triggers, which take {@code max(seq) + 1} like any insert. They must not delete from {@code _pb_log}
 *       (it is Pulsebase's table, like the rest of {@code _pb_*}).</li>
 *   <li>Opening ({@link #prepare}) repairs a file where the invariant does not hold — the log is empty or its
 *       last row lies below {@code pruned_through} (someone deleted rows by hand), or a format-1 file whose
 *       {@code sqlite_sequence} counter is above its last row: it inserts a <i>floor row</i> ({@code op =
 *       'FLOOR'}, no change, its own transaction marker) at the highest position known to have been given out,
 *       and raises {@code pruned_through} to it. The floor row then carries {@code max(seq)}, so the next insert
 *       gets a larger number; and it lies at the horizon, where no reader looks ({@code readAfter} and capture
 *       read rows strictly after a position at or above the horizon); readers skip it anyway
 *       ({@link LogRow#isFloor}).</li>
 * </ul>
 *
 * <h2>Formats</h2>
 *
 * {@code _pb_meta.format} is 2. Format 1 (Pulsebase before this change) declared {@code seq} as
 * {@code INTEGER PRIMARY KEY AUTOINCREMENT}, which makes every log insert also update {@code sqlite_sequence}:
 * one more B-tree page written to the WAL per commit, a third of the pages of a one-row transaction. Opening a
 * format-1 file migrates it in the opening write transaction ({@code BEGIN IMMEDIATE}, so no other program
 * writes meanwhile and a failure leaves the file as it was): the capture triggers are dropped, the rows are
 * copied with their {@code seq} into a table of the new shape that replaces the old one, the floor is restored
 * from {@code sqlite_sequence} if needed, the format becomes 2, and the triggers are installed again by the
 * caller in the same transaction. A format-2 file cannot be opened by a format-1 Pulsebase (it would read the
 * head from {@code sqlite_sequence}); a file of a newer format is refused.
 */
final class LogSchema {
    /** The format this code writes. */
    static final int FORMAT = 2;

    /** The {@code op} of a floor row; not an operation a trigger ever writes, nor a message's. */
    static final String FLOOR_OP = "FLOOR";

    /** The name of the trigger that refuses to delete the newest log row. */
    static final String KEEP_NEWEST = "_pb_log_keep_newest";

    /**
     * Deleting the newest row aborts the statement, whoever runs it (retention, raw SQL through Pulsebase,
     * another program). Inserts never fire it; a prune pays one {@code max(seq)} descent per deleted row.
     */
    static final String KEEP_NEWEST_SQL = "CREATE TRIGGER " + KEEP_NEWEST + " BEFORE DELETE ON _pb_log"
            + " WHEN OLD.seq >= (SELECT max(seq) FROM _pb_log) BEGIN SELECT RAISE(ABORT,"
            + " 'the newest _pb_log row keeps log positions from being reused and cannot be deleted'); END";

    /** The trigger that keeps log positions as they were given out ({@link #KEEP_SEQ_SQL}). */
    static final String KEEP_SEQ = "_pb_log_keep_seq";

    /**
     * Changing a log row's {@code seq} aborts the statement, whoever runs it: raising the newest row's would make
     * the next position jump (harmless), but lowering it below an earlier position would let {@code max(seq) + 1}
     * give a position out again. Nothing of Pulsebase updates {@code seq}; inserts never fire it.
     */
    static final String KEEP_SEQ_SQL = "CREATE TRIGGER " + KEEP_SEQ + " BEFORE UPDATE OF seq ON _pb_log"
            + " BEGIN SELECT RAISE(ABORT, 'log positions (_pb_log.seq) cannot be changed'); END";

    private static final String LOG_COLUMNS = "(seq INTEGER PRIMARY KEY, tx INTEGER NOT NULL,"
            + " tbl TEXT NOT NULL, op TEXT NOT NULL, new TEXT, old TEXT, ts INTEGER NOT NULL)";

    private static final String[] CREATE = {
        "CREATE TABLE IF NOT EXISTS _pb_txctx (tx INTEGER NOT NULL)",
        "INSERT INTO _pb_txctx (tx) SELECT 0 WHERE NOT EXISTS (SELECT 1 FROM _pb_txctx)",
        "CREATE TABLE IF NOT EXISTS _pb_meta (key TEXT PRIMARY KEY, value)",
        "INSERT OR IGNORE INTO _pb_meta (key, value) VALUES ('pruned_through', 0)",
    };

    /** Channel history: the messages of one channel by position, without touching row changes. */
    private static final String MESSAGES_INDEX =
            "CREATE INDEX IF NOT EXISTS _pb_log_messages ON _pb_log (tbl, seq) WHERE op = '" + MessageRows.OP + "'";

    private LogSchema() {
    }

    /**
     * Creates the internal tables if missing, migrates a format-1 log and restores the invariant; must run in a
     * write transaction, followed in it by {@link CaptureTriggers#install} (a migration drops the triggers).
     */
    static void prepare(Connection c) throws SQLException {
        boolean hadLog = exists(c, "_pb_log");
        try (Statement statement = c.createStatement()) {
            for (String sql : CREATE) {
                statement.execute(sql);
            }
        }
        long format = meta(c, "format", hadLog ? 1 : FORMAT);
        if (format > FORMAT) {
            throw new SQLException("the log has format " + format + ", newer than this Pulsebase's " + FORMAT
                    + "; open it with a newer version");
        }
        long floor = meta(c, "pruned_through", 0);
        if (!hadLog) {
            execute(c, "CREATE TABLE _pb_log " + LOG_COLUMNS);
        } else if (autoincrement(c)) {
            floor = Math.max(floor, formatOneCounter(c));
            migrate(c);
        }
        execute(c, MESSAGES_INDEX);
        long last = maxSeq(c);
        if (last < floor) {
            insertFloor(c, floor);
        }
        setMeta(c, "format", FORMAT);
    }

    /** Whether {@code _pb_log} is the format-1 table ({@code AUTOINCREMENT}). */
    private static boolean autoincrement(Connection c) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(
                "SELECT sql FROM sqlite_master WHERE type = 'table' AND name = '_pb_log'");
                ResultSet rs = ps.executeQuery()) {
            return rs.next() && rs.getString(1).toUpperCase(java.util.Locale.ROOT).contains("AUTOINCREMENT");
        }
    }

    /** The highest number format 1 gave out: its {@code sqlite_sequence} counter (0 if none). */
    private static long formatOneCounter(Connection c) throws SQLException {
        if (!exists(c, "sqlite_sequence")) {
            return 0;
        }
        try (PreparedStatement ps = c.prepareStatement("SELECT seq FROM sqlite_sequence WHERE name = '_pb_log'");
                ResultSet rs = ps.executeQuery()) {
            return rs.next() ? rs.getLong(1) : 0;
        }
    }

    /**
     * Replaces the format-1 table by one without {@code AUTOINCREMENT}, every row kept with its {@code seq}.
     * The triggers name {@code _pb_log} in their bodies, and SQLite checks them when a table is renamed, so
     * they are dropped first.
     */
    private static void migrate(Connection c) throws SQLException {
        CaptureTriggers.dropAll(c);
        execute(c, "DROP INDEX IF EXISTS _pb_log_messages");
        execute(c, "CREATE TABLE _pb_log_format2 " + LOG_COLUMNS);
        execute(c, "INSERT INTO _pb_log_format2 (seq, tx, tbl, op, new, old, ts)"
                + " SELECT seq, tx, tbl, op, new, old, ts FROM _pb_log ORDER BY seq");
        execute(c, "DROP TABLE _pb_log"); // also drops its sqlite_sequence row
        execute(c, "ALTER TABLE _pb_log_format2 RENAME TO _pb_log");
    }

    /**
     * Puts a floor row at {@code floor} (the highest position known to have been given out, above every row) and
     * raises the horizon to it: positions up to it are gone, so resuming below it must re-snapshot.
     */
    private static void insertFloor(Connection c, long floor) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("INSERT INTO _pb_log (seq, tx, tbl, op, new, old, ts)"
                + " VALUES (?, (SELECT tx FROM _pb_txctx), '', '" + FLOOR_OP + "', NULL, NULL, ?)")) {
            ps.setLong(1, floor);
            ps.setLong(2, System.currentTimeMillis());
            ps.executeUpdate();
        }
        // The next rows get a marker of their own, so the floor row is never grouped with them.
        execute(c, "UPDATE _pb_txctx SET tx = tx + 1");
        setMeta(c, "pruned_through", floor);
    }

    static long maxSeq(Connection c) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT max(seq) FROM _pb_log");
                ResultSet rs = ps.executeQuery()) {
            return rs.next() ? rs.getLong(1) : 0; // NULL (empty) reads as 0
        }
    }

    private static boolean exists(Connection c, String table) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(
                "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?")) {
            ps.setString(1, table);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next();
            }
        }
    }

    private static long meta(Connection c, String key, long absent) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT value FROM _pb_meta WHERE key = ?")) {
            ps.setString(1, key);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? rs.getLong(1) : absent;
            }
        }
    }

    private static void setMeta(Connection c, String key, long value) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("INSERT INTO _pb_meta (key, value) VALUES (?, ?)"
                + " ON CONFLICT (key) DO UPDATE SET value = excluded.value")) {
            ps.setString(1, key);
            ps.setLong(2, value);
            ps.executeUpdate();
        }
    }

    private static void execute(Connection c, String sql) throws SQLException {
        try (Statement statement = c.createStatement()) {
            statement.execute(sql);
        }
    }
}
