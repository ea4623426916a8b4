package io.pulsebase.storage.sqlite;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.pulsebase.core.log.Commit;
import io.pulsebase.core.log.LogEntry;
import io.pulsebase.core.log.RowChange;
import io.pulsebase.core.store.WriteResult;
import io.pulsebase.protocol.Operation;
import io.pulsebase.testkit.contract.EntryRecorder;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Capture of writes through {@link SqliteDatabase}: value types, schema changes, concurrency. */
class SqliteCaptureTest {
    private static final Duration WAIT = Duration.ofSeconds(20);

    @TempDir
    Path dir;

    private SqliteStorage storage;
    private SqliteDatabase db;
    private final EntryRecorder recorder = new EntryRecorder();

    @BeforeEach
    void open() {
        storage = SqliteStorage.open(dir, SqliteFixture.OPTIONS);
        db = storage.database();
        storage.changeSource().start(storage.log().head(), recorder);
    }

    @AfterEach
    void close() {
        storage.close();
    }

    private long sql(String sql, Object... params) {
        return db.execute(sql, Arrays.asList(params)).position();
    }

    private Commit awaitEntry(long position) {
        await().atMost(WAIT).until(() -> recorder.positions().contains(position));
        return (Commit) recorder.entries().stream().filter(e -> e.position() == position).findFirst().orElseThrow();
    }

    @Test
    void blobRealIntegerTextAndNullRowsAreEqualInSnapshotsAndCapture() {
        sql("CREATE TABLE kinds (id INTEGER PRIMARY KEY, i INTEGER, r REAL, t TEXT, b BLOB, n NUMERIC, x)");
        long position = sql("INSERT INTO kinds (i, r, t, b, n, x) VALUES"
                        + " (?, ?, ?, ?, ?, ?), (9223372036854775807, 1.0, '', x'00FF10', '12', 1e300),"
                        + " (-5, -0.0, 'é\"\\u', zeroblob(3), '1.5', 0.1 + 0.2), (NULL, 2.5e-8, NULL, NULL, NULL, 'text')",
                42L, 0.30000000000000004, "tëxt ✓", new byte[] {1, 2, (byte) 0xAB}, 7.0, null);

        List<Map<String, Object>> snapshot = db.snapshot("kinds", null, List.of(), 0).rows();
        Commit captured = awaitEntry(position);

        assertThat(captured.changes()).extracting(RowChange::newRow).containsExactlyElementsOf(snapshot);
        assertThat(snapshot.get(0)).containsEntry("i", 42L).containsEntry("r", 0.30000000000000004)
                .containsEntry("b", "0102AB").containsEntry("n", 7L).containsEntry("x", null);
        assertThat(snapshot.get(1)).containsEntry("i", Long.MAX_VALUE).containsEntry("r", 1.0)
                .containsEntry("t", "").containsEntry("b", "00FF10").containsEntry("n", 12L).containsEntry("x", 1e300);
        assertThat(snapshot.get(2)).containsEntry("r", 0.0).containsEntry("b", "000000").containsEntry("n", 1.5)
                .containsEntry("x", 0.30000000000000004);
        assertThat(snapshot.get(3)).containsEntry("i", null).containsEntry("r", 2.5e-8).containsEntry("x", "text");
        for (Map<String, Object> row : snapshot) {
            assertThat(db.get("kinds", row.get("id"))).contains(row);
        }
    }

    @Test
    void addedColumnsAppearInCapturedRows() {
        sql("CREATE TABLE items (id INTEGER PRIMARY KEY, name TEXT)");
        long before = sql("INSERT INTO items (name) VALUES ('a')");
        sql("ALTER TABLE items ADD COLUMN price REAL DEFAULT 1.5");
        long after = sql("UPDATE items SET name = 'b'");
        assertThat(awaitEntry(before).changes().get(0).newRow()).containsOnlyKeys("id", "name");
        RowChange update = awaitEntry(after).changes().get(0);
        assertThat(update.newRow()).isEqualTo(Map.of("id", 1L, "name", "b", "price", 1.5));
        assertThat(update.oldRow()).isEqualTo(Map.of("id", 1L, "name", "a", "price", 1.5));
    }

    @Test
    void droppedAndRenamedColumnsAndTablesKeepBeingCapturedOnce() {
        sql("CREATE TABLE items (id INTEGER PRIMARY KEY, name TEXT, extra TEXT)");
        sql("ALTER TABLE items DROP COLUMN extra");
        sql("ALTER TABLE items RENAME COLUMN name TO title");
        sql("ALTER TABLE items RENAME TO products");
        long position = sql("INSERT INTO products (title) VALUES ('a')");
        Commit commit = awaitEntry(position);
        assertThat(commit.changes()).containsExactly(
                new RowChange("products", Operation.INSERT, Map.of("id", 1L, "title", "a"), null));
        assertThat(sql("SELECT count(*) FROM _pb_log")).isNotNegative();
        assertThat(db.execute("SELECT count(*) AS n FROM _pb_log", List.of()).rows())
                .containsExactly(Map.of("n", 1L));
    }

    @Test
    void rowsReplacedOnConflictAreCapturedAsDeletes() {
        sql("CREATE TABLE users (id INTEGER PRIMARY KEY, email TEXT UNIQUE)");
        sql("INSERT INTO users (id, email) VALUES (1, 'a@x'), (2, 'b@x')");
        long position = sql("INSERT OR REPLACE INTO users (id, email) VALUES (3, 'a@x')");
        assertThat(awaitEntry(position).changes()).containsExactly(
                new RowChange("users", Operation.DELETE, null, Map.of("id", 1L, "email", "a@x")),
                new RowChange("users", Operation.INSERT, Map.of("id", 3L, "email", "a@x"), null));
    }

    @Test
    void tablesWiderThanOneJsonCallAreCapturedWhole() {
        StringBuilder ddl = new StringBuilder("CREATE TABLE wide (id INTEGER PRIMARY KEY");
        for (int i = 0; i < 150; i++) {
            ddl.append(", c").append(i).append(" INTEGER DEFAULT ").append(i);
        }
        sql(ddl.append(", \"we\"\"ird}\" TEXT)").toString());
        Map<String, Object> values = new LinkedHashMap<>();
        values.put("c149", -1);
        values.put("c38", "}"); // the last column of the first json_object call
        values.put("c39", "{"); // the first of the second
        values.put("c79", null);
        values.put("we\"ird}", "}");
        WriteResult inserted = db.insert("wide", values);
        Map<String, Object> captured = awaitEntry(inserted.position()).changes().get(0).newRow();
        assertThat(captured).hasSize(152).isEqualTo(inserted.row()).containsEntry("c0", 0L).containsEntry("c149", -1L)
                .containsEntry("c38", "}").containsEntry("c39", "{").containsEntry("c79", null)
                .containsEntry("we\"ird}", "}");
        assertThat(new ArrayList<>(captured.keySet())).isEqualTo(new ArrayList<>(inserted.row().keySet()));
    }

    @Test
    void withoutRowidAndStrictTablesAreCaptured() {
        sql("CREATE TABLE kv (k TEXT PRIMARY KEY, v INTEGER) WITHOUT ROWID");
        sql("CREATE TABLE strict_t (id INTEGER PRIMARY KEY, r REAL) STRICT");
        WriteResult put = db.insert("kv", Map.of("k", "a", "v", 1));
        WriteResult changed = db.update("kv", "a", Map.of("v", 2));
        WriteResult removed = db.delete("kv", "a");
        WriteResult strict = db.insert("strict_t", Map.of("r", 2));
        assertThat(awaitEntry(put.position()).changes()).containsExactly(
                new RowChange("kv", Operation.INSERT, Map.of("k", "a", "v", 1L), null));
        assertThat(awaitEntry(changed.position()).changes()).containsExactly(
                new RowChange("kv", Operation.UPDATE, Map.of("k", "a", "v", 2L), Map.of("k", "a", "v", 1L)));
        assertThat(awaitEntry(removed.position()).changes()).containsExactly(
                new RowChange("kv", Operation.DELETE, null, Map.of("k", "a", "v", 2L)));
        assertThat(awaitEntry(strict.position()).changes().get(0).newRow()).isEqualTo(Map.of("id", 1L, "r", 2.0));
    }

    @Test
    void namesNeedingQuotesAreCaptured() {
        sql("CREATE TABLE \"odd \"\"name'\" (\"key col\" TEXT PRIMARY KEY, \"va'l\" INTEGER)");
        WriteResult inserted = db.insert("odd \"name'", Map.of("key col", "k", "va'l", 1));
        Map<String, Object> expected = new LinkedHashMap<>();
        expected.put("key col", "k");
        expected.put("va'l", 1L);
        assertThat(inserted.row()).isEqualTo(expected);
        assertThat(awaitEntry(inserted.position()).changes())
                .containsExactly(new RowChange("odd \"name'", Operation.INSERT, expected, null));
    }

    @Test
    void aSnapshotAndTheLogMeetAtItsPosition() {
        sql("CREATE TABLE items (id INTEGER PRIMARY KEY, v TEXT)");
        sql("INSERT INTO items (v) VALUES ('a'), ('b')");
        long snapshotPosition = db.snapshot("items", null, List.of(), 0).position();
        long later = sql("INSERT INTO items (v) VALUES ('c')");
        List<LogEntry> after = storage.log().readAfter(snapshotPosition, 100);
        assertThat(after).extracting(LogEntry::position).containsExactly(later);
    }

    @Test
    void concurrentWritersAreDeliveredOnceInCommitOrder() throws Exception {
        sql("CREATE TABLE items (id INTEGER PRIMARY KEY, v TEXT)");
        int threads = 4;
        int perThread = 100;
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        List<Future<List<Long>>> futures = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            int thread = t;
            futures.add(pool.submit(() -> {
                List<Long> positions = new ArrayList<>();
                for (int i = 0; i < perThread; i++) {
                    positions.add(switch (i % 3) {
                        case 0 -> db.insert("items", Map.of("v", "t" + thread)).position();
                        case 1 -> sql("UPDATE items SET v = v || '.' WHERE id = (SELECT max(id) FROM items)");
                        default -> sql("INSERT INTO items (v) VALUES (?), (?)", "x", "y");
                    });
                }
                return positions;
            }));
        }
        List<Long> committed = new ArrayList<>();
        for (Future<List<Long>> future : futures) {
            committed.addAll(future.get());
        }
        pool.shutdown();
        await().atMost(WAIT).until(() -> recorder.size() >= threads * perThread);
        Thread.sleep(200);

        assertThat(recorder.positions()).hasSize(threads * perThread).doesNotHaveDuplicates().isSorted()
                .containsExactlyInAnyOrderElementsOf(committed);
        assertThat(recorder.overlapped()).isFalse();
        assertThat(storage.log().readAfter(0, Integer.MAX_VALUE)).extracting(LogEntry::position)
                .isEqualTo(recorder.positions());
    }
}
