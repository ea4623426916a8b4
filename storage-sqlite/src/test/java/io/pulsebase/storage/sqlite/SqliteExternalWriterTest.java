package io.pulsebase.storage.sqlite;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.pulsebase.core.log.Commit;
import io.pulsebase.core.log.LogEntry;
import io.pulsebase.core.log.RowChange;
import io.pulsebase.protocol.Operation;
import io.pulsebase.testkit.contract.EntryRecorder;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Another program writing the same file with plain JDBC, knowing nothing of Pulsebase. */
class SqliteExternalWriterTest {
    private static final Duration WAIT = Duration.ofSeconds(20);

    @TempDir
    Path dir;

    private SqliteStorage storage;
    private Connection external;
    private final EntryRecorder recorder = new EntryRecorder();

    @BeforeEach
    void open() throws SQLException {
        storage = SqliteStorage.open(dir, SqliteFixture.OPTIONS);
        storage.database().execute("CREATE TABLE items (id INTEGER PRIMARY KEY, v TEXT)", List.of());
        storage.changeSource().start(storage.log().head(), recorder);
        external = DriverManager.getConnection("jdbc:sqlite:" + storage.file());
        run("PRAGMA busy_timeout = 5000");
    }

    @AfterEach
    void close() throws SQLException {
        external.close();
        storage.close();
    }

    private void run(String... statements) throws SQLException {
        try (Statement statement = external.createStatement()) {
            for (String sql : statements) {
                statement.execute(sql);
            }
        }
    }

    private List<Commit> awaitEntries(int count) {
        await().atMost(WAIT).until(() -> recorder.size() >= count);
        return recorder.entries().stream().map(Commit.class::cast).toList();
    }

    private boolean hasTrigger(String name) throws SQLException {
        try (Statement statement = external.createStatement();
                ResultSet rs = statement.executeQuery(
                        "SELECT count(*) FROM sqlite_master WHERE type = 'trigger' AND name = '" + name + "'")) {
            rs.next();
            return rs.getInt(1) == 1;
        }
    }

    @Test
    void anExternalInsertIsCaptured() throws SQLException {
        run("INSERT INTO items (id, v) VALUES (1, 'from outside')");
        List<Commit> entries = awaitEntries(1);
        assertThat(entries.get(0).changes()).containsExactly(
                new RowChange("items", Operation.INSERT, Map.of("id", 1L, "v", "from outside"), null));
        assertThat(entries.get(0).position()).isEqualTo(storage.log().head());
    }

    @Test
    void anExternalMultiRowTransactionArrivesAsOneEntry() throws SQLException {
        run("BEGIN", "INSERT INTO items (id, v) VALUES (1, 'a')", "INSERT INTO items (id, v) VALUES (2, 'b')",
                "UPDATE items SET v = 'A' WHERE id = 1", "DELETE FROM items WHERE id = 2", "COMMIT");
        List<Commit> entries = awaitEntries(1);
        assertThat(entries.get(0).changes()).extracting(RowChange::operation)
                .containsExactly(Operation.INSERT, Operation.INSERT, Operation.UPDATE, Operation.DELETE);
    }

    @Test
    void externalTransactionsSeenInDifferentPollsAreSeparateEntries() throws SQLException {
        run("INSERT INTO items (id, v) VALUES (1, 'a')");
        awaitEntries(1);
        // Let capture mark the end of what it saw before the next external write.
        await().atMost(WAIT).until(() -> txMarker() != lastMarker());
        run("INSERT INTO items (id, v) VALUES (2, 'b')");
        List<Commit> entries = awaitEntries(2);
        assertThat(entries).hasSize(2);
        assertThat(entries.get(1).changes()).hasSize(1);
        assertThat(storage.log().readAfter(0, 10)).extracting(LogEntry::position)
                .containsExactly(entries.get(0).position(), entries.get(1).position());
    }

    private long txMarker() throws SQLException {
        try (Statement s = external.createStatement(); ResultSet rs = s.executeQuery("SELECT tx FROM _pb_txctx")) {
            rs.next();
            return rs.getLong(1);
        }
    }

    private long lastMarker() throws SQLException {
        try (Statement s = external.createStatement();
                ResultSet rs = s.executeQuery("SELECT tx FROM _pb_log ORDER BY seq DESC LIMIT 1")) {
            rs.next();
            return rs.getLong(1);
        }
    }

    @Test
    void ourAndExternalWritesInterleaveAsSeparateEntriesInCommitOrder() throws SQLException {
        run("INSERT INTO items (id, v) VALUES (1, 'outside')");
        long ours = storage.database().insert("items", Map.of("id", 2, "v", "inside")).position();
        run("INSERT INTO items (id, v) VALUES (3, 'outside again')");
        List<Commit> entries = awaitEntries(3);
        assertThat(entries).extracting(c -> c.changes().get(0).newRow().get("id")).containsExactly(1L, 2L, 3L);
        assertThat(entries.get(1).position()).isEqualTo(ours);
        assertThat(entries).allSatisfy(c -> assertThat(c.changes()).hasSize(1));
    }

    @Test
    void aTableCreatedExternallyAfterStartIsCaptured() throws SQLException {
        run("CREATE TABLE late (k TEXT PRIMARY KEY, n REAL)");
        await().atMost(WAIT).until(() -> hasTrigger("_pb_ins_late"));
        run("INSERT INTO late VALUES ('a', 1.0)", "UPDATE late SET n = 2 WHERE k = 'a'");
        List<Commit> entries = awaitEntries(1);
        assertThat(entries.stream().flatMap(c -> c.changes().stream()).toList()).containsExactly(
                new RowChange("late", Operation.INSERT, Map.of("k", "a", "n", 1.0), null),
                new RowChange("late", Operation.UPDATE, Map.of("k", "a", "n", 2.0), Map.of("k", "a", "n", 1.0)));
        assertThat(storage.database().snapshot("late", null, List.of(), 0).rows())
                .containsExactly(Map.of("k", "a", "n", 2.0));
    }

    @Test
    void anExternallyAddedColumnIsPickedUp() throws SQLException {
        run("ALTER TABLE items ADD COLUMN tag TEXT");
        await().atMost(WAIT).until(() -> {
            try (Statement s = external.createStatement(); ResultSet rs = s.executeQuery(
                    "SELECT sql FROM sqlite_master WHERE name = '_pb_ins_items'")) {
                return rs.next() && rs.getString(1).contains("'tag'");
            }
        });
        run("INSERT INTO items (id, v, tag) VALUES (1, 'a', 'new')");
        List<Commit> entries = awaitEntries(1);
        assertThat(entries.get(0).changes().get(0).newRow()).isEqualTo(Map.of("id", 1L, "v", "a", "tag", "new"));
    }

    @Test
    void anExternallyDroppedTableLosesItsTriggersAndOthersKeepWorking() throws SQLException {
        run("CREATE TABLE temp_t (id INTEGER PRIMARY KEY)");
        await().atMost(WAIT).until(() -> hasTrigger("_pb_ins_temp_t"));
        run("DROP TABLE temp_t");
        assertThat(hasTrigger("_pb_ins_temp_t")).isFalse();
        run("INSERT INTO items (id, v) VALUES (1, 'still')");
        assertThat(awaitEntries(1).get(0).changes().get(0).table()).isEqualTo("items");
        assertThat(storage.changeSource().running()).isTrue();
    }
}
