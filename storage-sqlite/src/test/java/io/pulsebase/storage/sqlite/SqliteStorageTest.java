package io.pulsebase.storage.sqlite;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.pulsebase.core.log.Commit;
import io.pulsebase.core.log.Retention;
import io.pulsebase.core.store.SqlResult;
import io.pulsebase.testkit.contract.EntryRecorder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Opening, closing and reopening the file. */
class SqliteStorageTest {
    @TempDir
    Path dir;

    @Test
    void openCreatesTheFileInWalModeWithTheInternalTables() {
        try (SqliteStorage storage = SqliteStorage.open(dir.resolve("nested/data"))) {
            assertThat(storage.file()).isEqualTo(dir.resolve("nested/data/pulsebase.db"));
            assertThat(Files.exists(storage.file())).isTrue();
            SqlResult mode = storage.database().execute("PRAGMA journal_mode", List.of());
            assertThat(mode.rows()).containsExactly(Map.of("journal_mode", "wal"));
            SqlResult internal = storage.database().execute(
                    "SELECT name FROM sqlite_master WHERE type = 'table' AND name LIKE '\\_pb\\_%' ESCAPE '\\' ORDER BY name",
                    List.of());
            assertThat(internal.rows()).extracting(r -> r.get("name")).containsExactly("_pb_log", "_pb_meta", "_pb_txctx");
            assertThat(storage.database().tables()).isEmpty();
        }
    }

    @Test
    void positionsKeepIncreasingAcrossReopenEvenAfterPruning() {
        long last;
        try (SqliteStorage storage = SqliteStorage.open(dir)) {
            storage.database().execute("CREATE TABLE t (id INTEGER PRIMARY KEY)", List.of());
            for (int i = 0; i < 5; i++) {
                storage.database().insert("t", Map.of());
            }
            last = storage.log().head();
            assertThat(storage.log().prune(new Retention(Duration.ofDays(1), 1))).isEqualTo(4);
            storage.database().execute("DELETE FROM t", List.of());
            last = storage.log().head();
        }
        try (SqliteStorage storage = SqliteStorage.open(dir)) {
            assertThat(storage.log().head()).isEqualTo(last);
            assertThat(storage.log().prune(new Retention(Duration.ofDays(1), 1))).isEqualTo(1);
            long next = storage.database().insert("t", Map.of()).position();
            assertThat(next).isGreaterThan(last);
            assertThat(storage.log().readAfter(last, 10)).extracting(e -> e.position()).containsExactly(next);
        }
    }

    @Test
    void tablesWrittenWhileWeWereDownGetTriggersAtOpen() throws SQLException {
        try (SqliteStorage storage = SqliteStorage.open(dir)) {
            storage.database().execute("CREATE TABLE t (id INTEGER PRIMARY KEY)", List.of());
        }
        try (Connection external = DriverManager.getConnection("jdbc:sqlite:" + dir.resolve(SqliteStorage.FILE_NAME));
                Statement statement = external.createStatement()) {
            statement.execute("CREATE TABLE offline (id INTEGER PRIMARY KEY, v TEXT)");
            statement.execute("INSERT INTO offline VALUES (1, 'written while down')");
        }
        try (SqliteStorage storage = SqliteStorage.open(dir)) {
            EntryRecorder recorder = new EntryRecorder();
            long head = storage.log().head();
            storage.changeSource().start(head, recorder);
            long position = storage.database().insert("offline", Map.of("v", "after open")).position();
            await().atMost(Duration.ofSeconds(20)).until(() -> recorder.size() >= 1);
            assertThat(recorder.positions()).containsExactly(position);
            assertThat(((Commit) recorder.entries().get(0)).changes().get(0).newRow())
                    .isEqualTo(Map.of("id", 2L, "v", "after open"));
            assertThat(storage.database().snapshot("offline", null, List.of(), 0).rows()).hasSize(2);
        }
    }

    @Test
    void captureResumesAfterTheGivenPositionAcrossRestarts() {
        long delivered;
        try (SqliteStorage storage = SqliteStorage.open(dir)) {
            storage.database().execute("CREATE TABLE t (id INTEGER PRIMARY KEY)", List.of());
            EntryRecorder recorder = new EntryRecorder();
            storage.changeSource().start(0, recorder);
            storage.database().insert("t", Map.of());
            await().atMost(Duration.ofSeconds(20)).until(() -> recorder.size() == 1);
            delivered = storage.changeSource().deliveredPosition();
            storage.changeSource().close();
            storage.database().insert("t", Map.of());
        }
        try (SqliteStorage storage = SqliteStorage.open(dir)) {
            EntryRecorder recorder = new EntryRecorder();
            storage.changeSource().start(delivered, recorder);
            long third = storage.database().insert("t", Map.of()).position();
            await().atMost(Duration.ofSeconds(20)).until(() -> recorder.size() >= 2);
            assertThat(recorder.positions()).hasSize(2).endsWith(third);
            assertThat(recorder.positions().get(0)).isGreaterThan(delivered);
        }
    }

    @Test
    void closeIsIdempotentAndCheckpointsTheWal() {
        SqliteStorage storage = SqliteStorage.open(dir);
        storage.database().execute("CREATE TABLE t (id INTEGER PRIMARY KEY)", List.of());
        storage.database().insert("t", Map.of());
        storage.changeSource().start(0, new EntryRecorder());
        storage.close();
        storage.close();
        storage.database().close();
        Path wal = dir.resolve(SqliteStorage.FILE_NAME + "-wal");
        assertThat(!Files.exists(wal) || wal.toFile().length() == 0).as("WAL empty after close").isTrue();
        assertThat(storage.changeSource().running()).isFalse();
    }
}
