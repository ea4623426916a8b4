package io.pulsebase.storage.sqlite;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.pulsebase.core.log.ChannelMessage;
import io.pulsebase.core.log.Commit;
import io.pulsebase.core.log.LogEntry;
import io.pulsebase.core.log.PositionExpiredException;
import io.pulsebase.core.log.Retention;
import io.pulsebase.testkit.contract.EntryRecorder;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Log positions are never reused ({@link LogSchema}'s invariant): not after pruning, not across reopening, not
 * after another program's deletes, not across the migration from format 1 ({@code AUTOINCREMENT}).
 */
class SqliteLogPositionsTest {
    /** Format 1's internal tables, as Pulsebase created them before format 2. */
    private static final String[] FORMAT_1 = {
        "CREATE TABLE IF NOT EXISTS _pb_log (seq INTEGER PRIMARY KEY AUTOINCREMENT, tx INTEGER NOT NULL,"
                + " tbl TEXT NOT NULL, op TEXT NOT NULL, new TEXT, old TEXT, ts INTEGER NOT NULL)",
        "CREATE TABLE IF NOT EXISTS _pb_txctx (tx INTEGER NOT NULL)",
        "INSERT INTO _pb_txctx (tx) SELECT 0 WHERE NOT EXISTS (SELECT 1 FROM _pb_txctx)",
        "CREATE TABLE IF NOT EXISTS _pb_meta (key TEXT PRIMARY KEY, value)",
        "INSERT OR IGNORE INTO _pb_meta (key, value) VALUES ('format', 1), ('pruned_through', 0)",
        "CREATE INDEX IF NOT EXISTS _pb_log_messages ON _pb_log (tbl, seq) WHERE op = 'MESSAGE'",
        "CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT)",
        // A format-1 capture trigger (its body names _pb_log, which the migration replaces).
        "CREATE TRIGGER \"_pb_ins_t\" AFTER INSERT ON \"t\" BEGIN INSERT INTO _pb_log(tx, tbl, op, new, old, ts)"
                + " VALUES ((SELECT tx FROM _pb_txctx), 't', 'INSERT', json_object('id', NEW.id, 'v', NEW.v), NULL,"
                + " CAST(unixepoch('subsec') * 1000 AS INTEGER)); END",
    };

    @TempDir
    Path dir;

    @Test
    void prunedAsFarAsPossibleThenWrittenAgainPositionsKeepGrowingAcrossReopen() throws Exception {
        List<Long> given = new ArrayList<>();
        try (SqliteStorage storage = SqliteStorage.open(dir)) {
            storage.database().execute("CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT)", List.of());
            for (int i = 0; i < 5; i++) {
                given.add(storage.database().insert("t", Map.of("v", "a" + i)).position());
            }
            Thread.sleep(5);
            // Older than 1 ms and more than 1 entry: everything but the newest entry goes.
            assertThat(storage.log().prune(new Retention(Duration.ofMillis(1), 1))).isEqualTo(4);
            assertThat(storage.log().head()).isEqualTo(last(given));
            assertThat(storage.log().horizon()).isEqualTo(given.get(3));
            Thread.sleep(5);
            assertThat(storage.log().prune(new Retention(Duration.ofMillis(1), 1))).isZero();
            assertThat(rows(storage)).isEqualTo(1);
        }
        try (SqliteStorage storage = SqliteStorage.open(dir)) {
            assertThat(storage.log().head()).isEqualTo(last(given));
            long next = storage.database().insert("t", Map.of("v", "b")).position();
            assertThat(next).isGreaterThan(last(given));
            given.add(next);
            storage.database().execute("DELETE FROM t", List.of());
            given.add(storage.log().head());
            Thread.sleep(5);
            storage.log().prune(new Retention(Duration.ofMillis(1), 1));
            assertThat(rows(storage)).isEqualTo(6); // the newest entry: six deletes in one transaction
        }
        // Another program writes while Pulsebase is down: its rows continue above the head too.
        try (Connection external = external(); Statement s = external.createStatement()) {
            s.execute("INSERT INTO t (v) VALUES ('offline')");
        }
        try (SqliteStorage storage = SqliteStorage.open(dir)) {
            long offline = storage.log().head();
            assertThat(offline).isGreaterThan(last(given));
            List<LogEntry> replay = storage.log().readAfter(last(given), 10);
            assertThat(replay).extracting(LogEntry::position).containsExactly(offline);
            given.add(offline);
            given.add(storage.database().insert("t", Map.of("v", "c")).position());
            assertThat(given).isSorted().doesNotHaveDuplicates();
            assertThat(storage.log().head()).isEqualTo(last(given));
        }
        try (SqliteStorage storage = SqliteStorage.open(dir)) {
            assertThat(storage.log().head()).isEqualTo(last(given));
        }
    }

    @Test
    void theNewestRowCannotBeDeletedByAnyone() throws Exception {
        long head;
        try (SqliteStorage storage = SqliteStorage.open(dir)) {
            storage.database().execute("CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT)", List.of());
            for (int i = 0; i < 3; i++) {
                storage.database().insert("t", Map.of("v", "a" + i));
            }
            head = storage.log().head();
            assertThatThrownBy(() -> storage.database().execute("DELETE FROM _pb_log", List.of()))
                    .isInstanceOf(RuntimeException.class);
            assertThat(rows(storage)).isEqualTo(3);
        }
        try (Connection external = external(); Statement s = external.createStatement()) {
            assertThatThrownBy(() -> s.execute("DELETE FROM _pb_log")).isInstanceOf(SQLException.class)
                    .hasMessageContaining("cannot be deleted");
            assertThatThrownBy(() -> s.execute("DELETE FROM _pb_log WHERE seq = " + head))
                    .isInstanceOf(SQLException.class);
            assertThatThrownBy(() -> s.execute("UPDATE _pb_log SET seq = 1 WHERE seq = " + head))
                    .isInstanceOf(SQLException.class).hasMessageContaining("cannot be changed");
            // Older rows may go (that is what pruning does); the head stays.
            s.execute("DELETE FROM _pb_log WHERE seq < " + head);
            s.execute("INSERT INTO t (v) VALUES ('after')");
            assertThat(query(s, "SELECT max(seq) FROM _pb_log")).isEqualTo(head + 1);
        }
    }

    @Test
    void anEmptiedLogIsRepairedAtOpenAbovePrunedThrough() throws Exception {
        long horizon;
        long head;
        try (SqliteStorage storage = SqliteStorage.open(dir)) {
            storage.database().execute("CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT)", List.of());
            for (int i = 0; i < 4; i++) {
                storage.database().insert("t", Map.of("v", "a" + i));
            }
            storage.log().prune(new Retention(Duration.ofDays(1), 1));
            horizon = storage.log().horizon();
            head = storage.log().head();
        }
        // Someone bypasses the guard and empties the log, then makes pruned_through cover the whole log.
        try (Connection external = external(); Statement s = external.createStatement()) {
            s.execute("DROP TRIGGER " + LogSchema.KEEP_NEWEST);
            s.execute("DELETE FROM _pb_log");
            s.execute("UPDATE _pb_meta SET value = " + head + " WHERE key = 'pruned_through'");
        }
        assertThat(horizon).isLessThan(head);
        try (SqliteStorage storage = SqliteStorage.open(dir)) {
            assertThat(storage.log().head()).isEqualTo(head);
            assertThat(storage.log().horizon()).isEqualTo(head);
            assertThat(storage.log().readAfter(head, 10)).isEmpty();
            EntryRecorder recorder = new EntryRecorder();
            storage.changeSource().start(0, recorder); // reads across the floor row
            long next = storage.database().insert("t", Map.of("v", "b")).position();
            assertThat(next).isEqualTo(head + 1);
            await().atMost(Duration.ofSeconds(20)).until(() -> recorder.size() >= 1);
            assertThat(recorder.positions()).containsExactly(next);
            assertThat(storage.log().readAfter(head, 10)).extracting(LogEntry::position).containsExactly(next);
            assertThat(trigger(storage)).isEqualTo(1); // the guard is back
        }
    }

    @Test
    void aFormat1FileIsMigratedKeepingEveryEntryAndPosition() throws Exception {
        try (Connection old = external(); Statement s = old.createStatement()) {
            for (String sql : FORMAT_1) {
                s.execute(sql);
            }
            for (int i = 0; i < 6; i++) {
                s.execute("INSERT INTO t (v) VALUES ('r" + i + "')");
                if (i % 2 == 1) {
                    s.execute("UPDATE _pb_txctx SET tx = tx + 1"); // two rows per entry
                }
            }
            s.execute("INSERT INTO _pb_log (tx, tbl, op, new, old, ts) VALUES ((SELECT tx FROM _pb_txctx), 'room',"
                    + " 'MESSAGE', '{\"event\":\"said\",\"data\":{\"n\":1}}', NULL, 1000)");
            s.execute("UPDATE _pb_txctx SET tx = tx + 1");
            // Format 1 pruned the first entry (rows 1 and 2).
            s.execute("DELETE FROM _pb_log WHERE seq <= 2");
            s.execute("UPDATE _pb_meta SET value = 2 WHERE key = 'pruned_through'");
            assertThat(query(s, "SELECT seq FROM sqlite_sequence WHERE name = '_pb_log'")).isEqualTo(7);
        }
        List<LogEntry> before;
        try (SqliteStorage storage = SqliteStorage.open(dir)) {
            assertThat(storage.log().head()).isEqualTo(7);
            assertThat(storage.log().horizon()).isEqualTo(2);
            before = storage.log().readAfter(2, 100);
            assertThat(before).extracting(LogEntry::position).containsExactly(4L, 6L, 7L);
            assertThat(((Commit) before.get(0)).changes()).extracting(c -> c.newRow().get("v"))
                    .containsExactly("r2", "r3");
            assertThat(((ChannelMessage) before.get(2)).event()).isEqualTo("said");
            assertThat(storage.log().history("room", Long.MAX_VALUE, 10)).extracting(ChannelMessage::position)
                    .containsExactly(7L);
            assertThatThrownBy(() -> storage.log().readAfter(1, 10)).isInstanceOf(PositionExpiredException.class);
            assertThat(storage.database().execute("SELECT value FROM _pb_meta WHERE key = 'format'", List.of())
                    .rows()).containsExactly(Map.of("value", 2L));
            assertThat(storage.database().execute("SELECT sql FROM sqlite_master WHERE name = '_pb_log'",
                    List.of()).rows().get(0).get("sql").toString()).doesNotContainIgnoringCase("AUTOINCREMENT");
            assertThat(storage.database().execute("SELECT count(*) AS n FROM sqlite_sequence WHERE name = '_pb_log'",
                    List.of()).rows()).containsExactly(Map.of("n", 0L));
            assertThat(trigger(storage)).isEqualTo(1);
            long next = storage.database().insert("t", Map.of("v", "new")).position();
            assertThat(next).isEqualTo(8);
        }
        try (SqliteStorage storage = SqliteStorage.open(dir)) {
            assertThat(storage.log().head()).isEqualTo(8);
            List<LogEntry> after = storage.log().readAfter(2, 100);
            assertThat(after).extracting(LogEntry::position).containsExactly(4L, 6L, 7L, 8L);
            assertThat(after.subList(0, 3)).isEqualTo(before);
        }
    }

    @Test
    void aFormat1CounterAboveTheLastRowIsKeptAsTheFloor() throws Exception {
        try (Connection old = external(); Statement s = old.createStatement()) {
            for (String sql : FORMAT_1) {
                s.execute(sql);
            }
            for (int i = 0; i < 5; i++) {
                s.execute("INSERT INTO t (v) VALUES ('r" + i + "')");
                s.execute("UPDATE _pb_txctx SET tx = tx + 1");
            }
            // Format 1 allowed deleting the newest rows: AUTOINCREMENT still remembered 5.
            s.execute("DELETE FROM _pb_log WHERE seq >= 4");
        }
        try (SqliteStorage storage = SqliteStorage.open(dir)) {
            assertThat(storage.log().head()).isEqualTo(5);
            assertThat(storage.log().horizon()).isEqualTo(5); // 4 and 5 are gone: resuming below re-snapshots
            long next = storage.database().insert("t", Map.of("v", "new")).position();
            assertThat(next).isEqualTo(6);
            assertThat(storage.log().readAfter(5, 10)).extracting(LogEntry::position).containsExactly(6L);
        }
    }

    @Test
    void anEmptyFormat1LogWithAPastKeepsItsCounter() throws Exception {
        try (Connection old = external(); Statement s = old.createStatement()) {
            for (String sql : FORMAT_1) {
                s.execute(sql);
            }
            for (int i = 0; i < 3; i++) {
                s.execute("INSERT INTO t (v) VALUES ('r" + i + "')");
            }
            s.execute("DELETE FROM _pb_log");
        }
        try (SqliteStorage storage = SqliteStorage.open(dir)) {
            assertThat(storage.log().head()).isEqualTo(3);
            assertThat(storage.database().insert("t", Map.of("v", "new")).position()).isEqualTo(4);
        }
        try (SqliteStorage storage = SqliteStorage.open(dir)) {
            assertThat(storage.log().head()).isEqualTo(4);
        }
    }

    @Test
    void aNewerFormatIsRefused() throws Exception {
        try (SqliteStorage storage = SqliteStorage.open(dir)) {
            storage.database().execute("CREATE TABLE t (id INTEGER PRIMARY KEY)", List.of());
        }
        try (Connection c = external(); Statement s = c.createStatement()) {
            s.execute("UPDATE _pb_meta SET value = 3 WHERE key = 'format'");
        }
        assertThatThrownBy(() -> SqliteStorage.open(dir)).isInstanceOf(SqliteStorageException.class)
                .hasStackTraceContaining("newer");
    }

    private Connection external() throws SQLException {
        return DriverManager.getConnection("jdbc:sqlite:" + dir.resolve(SqliteStorage.FILE_NAME));
    }

    private static long query(Statement s, String sql) throws SQLException {
        try (ResultSet rs = s.executeQuery(sql)) {
            rs.next();
            return rs.getLong(1);
        }
    }

    private static long rows(SqliteStorage storage) {
        return (Long) storage.database().execute("SELECT count(*) AS n FROM _pb_log", List.of()).rows().get(0).get("n");
    }

    private static long trigger(SqliteStorage storage) {
        return (Long) storage.database().execute("SELECT count(*) AS n FROM sqlite_master WHERE type = 'trigger'"
                + " AND name = '" + LogSchema.KEEP_NEWEST + "'", List.of()).rows().get(0).get("n");
    }

    private static long last(List<Long> positions) {
        return positions.get(positions.size() - 1);
    }
}
