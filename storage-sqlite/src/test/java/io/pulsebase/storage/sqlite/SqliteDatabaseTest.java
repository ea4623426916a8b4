package io.pulsebase.storage.sqlite;

import static io.pulsebase.storage.sqlite.ErrorAssertions.failsWith;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.pulsebase.core.log.Commit;
import io.pulsebase.core.log.LogEntry;
import io.pulsebase.core.log.RowChange;
import io.pulsebase.core.store.Column;
import io.pulsebase.core.store.RowGuard;
import io.pulsebase.core.store.RowOrder;
import io.pulsebase.core.store.SqlResult;
import io.pulsebase.core.store.TableSchema;
import io.pulsebase.core.store.TableSnapshot;
import io.pulsebase.core.store.WriteResult;
import io.pulsebase.protocol.ErrorCode;
import io.pulsebase.protocol.Operation;
import io.pulsebase.protocol.ProtocolException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SqliteDatabaseTest {
    @TempDir
    Path dir;

    private SqliteStorage storage;
    private SqliteDatabase db;

    @BeforeEach
    void open() {
        storage = SqliteStorage.open(dir, SqliteFixture.OPTIONS);
        db = storage.database();
        sql("CREATE TABLE users (id INTEGER PRIMARY KEY, email TEXT NOT NULL UNIQUE, name TEXT,"
                + " age INTEGER CHECK (age >= 0), created TEXT DEFAULT 'now')");
    }

    @AfterEach
    void close() {
        storage.close();
    }

    private SqlResult sql(String sql, Object... params) {
        return db.execute(sql, Arrays.asList(params));
    }

    private static Map<String, Object> row(Object... keysAndValues) {
        Map<String, Object> row = new LinkedHashMap<>();
        for (int i = 0; i < keysAndValues.length; i += 2) {
            row.put((String) keysAndValues[i], keysAndValues[i + 1]);
        }
        return row;
    }

    private List<RowChange> changesAt(long position) {
        for (LogEntry entry : storage.log().readAfter(0, Integer.MAX_VALUE)) {
            if (entry.position() == position) {
                return ((Commit) entry).changes();
            }
        }
        throw new AssertionError("no log entry at " + position);
    }

    @Test
    void ddlReportsNoChangesAndTheHeadAsPosition() {
        SqlResult result = sql("CREATE TABLE t (a INTEGER)");
        assertThat(result.changes()).isZero();
        assertThat(result.columns()).isEmpty();
        assertThat(result.position()).isEqualTo(storage.log().head()).isZero();
    }

    @Test
    void dmlReportsItsChangeCountAndTheCommitPosition() {
        SqlResult insert = sql("INSERT INTO users (email, name, age) VALUES (?, ?, ?), (?, ?, ?)",
                "a@x", "Ann", 30L, "b@x", "Bob", 40);
        assertThat(insert.changes()).isEqualTo(2);
        assertThat(insert.position()).isPositive().isEqualTo(storage.log().head());
        assertThat(changesAt(insert.position())).hasSize(2);

        SqlResult update = sql("UPDATE users SET age = age + 1");
        assertThat(update.changes()).isEqualTo(2);
        assertThat(update.position()).isGreaterThan(insert.position());

        SqlResult none = sql("UPDATE users SET age = 1 WHERE id = 999");
        assertThat(none.changes()).isZero();
        assertThat(none.position()).isEqualTo(update.position());
    }

    @Test
    void selectAnswersNormalizedRowsAtTheHeadPosition() {
        long position = sql("INSERT INTO users (email, name, age) VALUES ('a@x', 'Ann', 30)").position();
        SqlResult result = sql("SELECT id, name, age, 1.5 AS r, x'CAFE' AS b, NULL AS n, ? AS flag FROM users", true);
        assertThat(result.columns()).containsExactly("id", "name", "age", "r", "b", "n", "flag");
        assertThat(result.rows()).containsExactly(row("id", 1L, "name", "Ann", "age", 30L, "r", 1.5, "b", "CAFE",
                "n", null, "flag", 1L));
        assertThat(result.position()).isEqualTo(position);
        assertThat(result.changes()).isZero();

        SqlResult empty = sql("SELECT * FROM users WHERE id < 0");
        assertThat(empty.columns()).containsExactly("id", "email", "name", "age", "created");
        assertThat(empty.rows()).isEmpty();
    }

    @Test
    void returningAnswersRowsAndChanges() {
        SqlResult result = sql("INSERT INTO users (email) VALUES ('r@x') RETURNING id, email, created");
        assertThat(result.rows()).containsExactly(row("id", 1L, "email", "r@x", "created", "now"));
        assertThat(result.changes()).isEqualTo(1);
        assertThat(result.position()).isPositive();
    }

    @Test
    void aWriteInsideWithRunsOnTheWriterAndIsCaptured() {
        SqlResult result = sql("WITH v(e) AS (VALUES ('w1@x'), ('w2@x')) INSERT INTO users (email) SELECT e FROM v");
        assertThat(result.changes()).isEqualTo(2);
        assertThat(changesAt(result.position())).extracting(RowChange::operation)
                .containsExactly(Operation.INSERT, Operation.INSERT);
    }

    @Test
    void onlyOneStatementPerRequest() {
        failsWith(ErrorCode.BAD_REQUEST, () -> sql("SELECT 1; SELECT 2"));
        failsWith(ErrorCode.BAD_REQUEST, () -> sql("INSERT INTO users (email) VALUES ('a'); DROP TABLE users"));
        failsWith(ErrorCode.BAD_REQUEST, () -> sql("  ;  "));
        failsWith(ErrorCode.BAD_REQUEST, () -> sql("-- nothing"));
        assertThat(sql("SELECT count(*) AS n FROM users").rows()).containsExactly(row("n", 0L));

        assertThat(sql("SELECT 'a;b' AS s; -- trailing comment").rows()).containsExactly(row("s", "a;b"));
        assertThat(sql("SELECT 1 AS \"x;y\";;").columns()).containsExactly("x;y");
        sql("CREATE TRIGGER audit AFTER INSERT ON users BEGIN"
                + " UPDATE users SET name = CASE WHEN NEW.name IS NULL THEN 'anon' ELSE NEW.name END WHERE id = NEW.id;"
                + " SELECT 1; END;");
        sql("INSERT INTO users (email) VALUES ('t@x')");
        assertThat(sql("SELECT name FROM users").rows()).containsExactly(row("name", "anon"));
    }

    @Test
    void transactionControlIsRefused() {
        for (String statement : List.of("BEGIN", "BEGIN IMMEDIATE", "COMMIT", "END", "ROLLBACK", "SAVEPOINT s",
                "RELEASE s")) {
            assertThat(failsWith(ErrorCode.BAD_REQUEST, () -> sql(statement))).contains("own transaction");
        }
    }

    @Test
    void temporaryObjectsAreRefused() {
        failsWith(ErrorCode.BAD_REQUEST, () -> sql("CREATE TEMP TABLE scratch (a)"));
        failsWith(ErrorCode.BAD_REQUEST, () -> sql("create temporary view v as select 1"));
        failsWith(ErrorCode.SQL_ERROR, () -> sql("VACUUM"));
    }

    @Test
    void pragmasThatChangeSettingsAreRefusedAndReadsWork() {
        failsWith(ErrorCode.BAD_REQUEST, () -> sql("PRAGMA foreign_keys = OFF"));
        failsWith(ErrorCode.BAD_REQUEST, () -> sql("PRAGMA journal_mode(DELETE)"));
        failsWith(ErrorCode.BAD_REQUEST, () -> sql("PRAGMA main.query_only = 0"));
        assertThat(sql("PRAGMA journal_mode").rows()).containsExactly(row("journal_mode", "wal"));
        assertThat(sql("PRAGMA foreign_keys").rows()).containsExactly(row("foreign_keys", 1L));
        assertThat(sql("PRAGMA table_info(users)").rows()).hasSize(5);
        sql("PRAGMA user_version = 7");
        assertThat(sql("PRAGMA user_version").rows()).containsExactly(row("user_version", 7L));
    }

    @Test
    void sqlMistakesAreSqlErrorsWithSqlitesOwnMessage() {
        assertThat(failsWith(ErrorCode.SQL_ERROR, () -> sql("SELEC 1"))).isEqualTo("near \"SELEC\": syntax error");
        assertThat(failsWith(ErrorCode.SQL_ERROR, () -> sql("SELECT * FROM nope"))).isEqualTo("no such table: nope");
        assertThat(failsWith(ErrorCode.SQL_ERROR, () -> sql("SELECT nope FROM users")))
                .isEqualTo("no such column: nope");
        assertThat(failsWith(ErrorCode.SQL_ERROR, () -> sql("INSERT INTO nope VALUES (1)")))
                .isEqualTo("no such table: nope");
    }

    @Test
    void constraintFailuresAreConstraintViolations() {
        sql("INSERT INTO users (id, email) VALUES (1, 'a@x')");
        assertThat(failsWith(ErrorCode.CONSTRAINT_VIOLATION, () -> sql("INSERT INTO users (email) VALUES ('a@x')")))
                .isEqualTo("UNIQUE constraint failed: users.email");
        failsWith(ErrorCode.CONSTRAINT_VIOLATION, () -> sql("INSERT INTO users (id, email) VALUES (1, 'b@x')"));
        failsWith(ErrorCode.CONSTRAINT_VIOLATION, () -> sql("INSERT INTO users (name) VALUES ('no email')"));
        failsWith(ErrorCode.CONSTRAINT_VIOLATION, () -> sql("UPDATE users SET age = -1"));
        sql("CREATE TABLE posts (id INTEGER PRIMARY KEY, user_id INTEGER NOT NULL REFERENCES users (id))");
        failsWith(ErrorCode.CONSTRAINT_VIOLATION, () -> sql("INSERT INTO posts (user_id) VALUES (42)"));
        failsWith(ErrorCode.CONSTRAINT_VIOLATION, () -> db.insert("users", Map.of("email", "a@x")));
        assertThat(sql("SELECT count(*) AS n FROM posts").rows()).containsExactly(row("n", 0L));
    }

    @Test
    void parametersAreCheckedAndConverted() {
        assertThat(failsWith(ErrorCode.BAD_REQUEST, () -> sql("SELECT ?, ?", 1L))).contains("2 parameter");
        failsWith(ErrorCode.BAD_REQUEST, () -> sql("SELECT 1", 1L));
        failsWith(ErrorCode.BAD_REQUEST, () -> sql("SELECT ?", Map.of("a", 1)));
        failsWith(ErrorCode.BAD_REQUEST, () -> sql("SELECT ?", List.of(1)));
        assertThat(sql("SELECT ? AS t, ? AS f, ? AS d, ? AS n, ? AS s", true, false, 2.5, null, "x").rows())
                .containsExactly(row("t", 1L, "f", 0L, "d", 2.5, "n", null, "s", "x"));
        failsWith(ErrorCode.BAD_REQUEST, () -> sql(null));
    }

    @Test
    void insertAnswersTheRowAsStoredAndIsCaptured() {
        WriteResult inserted = db.insert("users", row("email", "a@x", "age", "41"));
        assertThat(inserted.row()).isEqualTo(row("id", 1L, "email", "a@x", "name", null, "age", 41L, "created", "now"));
        assertThat(inserted.position()).isEqualTo(storage.log().head());
        assertThat(changesAt(inserted.position()))
                .containsExactly(new RowChange("users", Operation.INSERT, inserted.row(), null));
        assertThat(db.get("users", 1L)).contains(inserted.row());
        assertThat(db.get("users", "1")).contains(inserted.row());
        assertThat(db.get("users", 2L)).isEmpty();
    }

    @Test
    void updateChangesOnlyTheGivenColumns() {
        WriteResult inserted = db.insert("users", row("email", "a@x", "name", "Ann"));
        WriteResult updated = db.update("users", 1L, row("NAME", "Anne"));
        assertThat(updated.row()).containsEntry("name", "Anne").containsEntry("email", "a@x");
        assertThat(updated.position()).isGreaterThan(inserted.position());
        assertThat(changesAt(updated.position()))
                .containsExactly(new RowChange("users", Operation.UPDATE, updated.row(), inserted.row()));

        WriteResult unchanged = db.update("users", 1L, Map.of());
        assertThat(unchanged.row()).isEqualTo(updated.row());
        assertThat(unchanged.position()).isEqualTo(updated.position());
    }

    @Test
    void deleteAnswersTheDeletedRow() {
        WriteResult inserted = db.insert("users", row("email", "a@x"));
        WriteResult deleted = db.delete("users", 1L);
        assertThat(deleted.row()).isEqualTo(inserted.row());
        assertThat(changesAt(deleted.position()))
                .containsExactly(new RowChange("users", Operation.DELETE, null, inserted.row()));
        assertThat(db.get("users", 1L)).isEmpty();
    }

    @Test
    void crudRefusalsHaveTheirCodes() {
        db.insert("users", row("email", "a@x"));
        failsWith(ErrorCode.UNKNOWN_TABLE, () -> db.insert("nope", row("a", 1)));
        failsWith(ErrorCode.UNKNOWN_TABLE, () -> db.get("nope", 1));
        failsWith(ErrorCode.UNKNOWN_TABLE, () -> db.update("nope", 1, row("a", 1)));
        failsWith(ErrorCode.UNKNOWN_TABLE, () -> db.delete("nope", 1));
        failsWith(ErrorCode.UNKNOWN_TABLE, () -> db.snapshot("nope", null, List.of(), 0));
        failsWith(ErrorCode.UNKNOWN_TABLE, () -> db.snapshot("_pb_log", null, List.of(), 0));
        failsWith(ErrorCode.UNKNOWN_TABLE, () -> db.insert("_pb_meta", row("key", "x")));
        failsWith(ErrorCode.UNKNOWN_TABLE, () -> db.get("sqlite_master", 1));
        failsWith(ErrorCode.UNKNOWN_COLUMN, () -> db.insert("users", row("email", "b@x", "nope", 1)));
        failsWith(ErrorCode.UNKNOWN_COLUMN, () -> db.update("users", 1, row("nope", 1)));
        failsWith(ErrorCode.UNKNOWN_COLUMN, () -> db.snapshot("users", null, List.of(new RowOrder("nope", false)), 0));
        failsWith(ErrorCode.NOT_FOUND, () -> db.update("users", 99, row("name", "x")));
        failsWith(ErrorCode.NOT_FOUND, () -> db.update("users", 99, Map.of()));
        failsWith(ErrorCode.NOT_FOUND, () -> db.delete("users", 99));
        failsWith(ErrorCode.BAD_REQUEST, () -> db.insert("users", row("email", List.of("a"))));
        failsWith(ErrorCode.BAD_REQUEST, () -> db.get("users", null));
        failsWith(ErrorCode.BAD_REQUEST, () -> db.snapshot("users", null, List.of(), -1));
        sql("CREATE TABLE pairs (a INTEGER, b INTEGER, v TEXT, PRIMARY KEY (a, b))");
        assertThat(db.table("pairs").orElseThrow().primaryKey()).isNull();
        assertThat(failsWith(ErrorCode.BAD_REQUEST, () -> db.get("pairs", 1))).contains("single-column key");
        failsWith(ErrorCode.BAD_REQUEST, () -> db.delete("pairs", 1));
        db.insert("pairs", row("a", 1, "b", 2, "v", "x"));
        assertThat(db.snapshot("pairs", null, List.of(), 0).rows()).containsExactly(row("a", 1L, "b", 2L, "v", "x"));
        assertThat(sql("SELECT count(*) AS n FROM users").rows()).containsExactly(row("n", 1L));
    }

    @Test
    void aTableWithoutDeclaredKeyIsKeyedByRowid() {
        sql("CREATE TABLE notes (body TEXT)");
        TableSchema schema = db.table("notes").orElseThrow();
        assertThat(schema.primaryKey()).isEqualTo("rowid");
        WriteResult inserted = db.insert("notes", row("body", "hello"));
        assertThat(inserted.row()).isEqualTo(row("rowid", 1L, "body", "hello"));
        assertThat(changesAt(inserted.position()))
                .containsExactly(new RowChange("notes", Operation.INSERT, inserted.row(), null));
        assertThat(db.update("notes", "1", row("body", "bye")).row()).isEqualTo(row("rowid", 1L, "body", "bye"));
        assertThat(db.snapshot("notes", null, List.of(), 0).rows()).containsExactly(row("rowid", 1L, "body", "bye"));
        assertThat(db.delete("notes", 1L).row()).isEqualTo(row("rowid", 1L, "body", "bye"));
    }

    @Test
    void snapshotFiltersOrdersLimitsAndKnowsItsPosition() {
        for (int i = 1; i <= 6; i++) {
            db.insert("users", row("email", "u" + i + "@x", "age", (long) (i % 3)));
        }
        TableSnapshot all = db.snapshot("users", null, List.of(), 0);
        assertThat(all.rows()).extracting(r -> r.get("id")).containsExactly(1L, 2L, 3L, 4L, 5L, 6L);
        assertThat(all.position()).isEqualTo(storage.log().head());
        assertThat(all.table()).isEqualTo("users");

        TableSnapshot ordered = db.snapshot("USERS", r -> (Long) r.get("age") > 0,
                List.of(new RowOrder("age", true)), 3);
        assertThat(ordered.rows()).extracting(r -> r.get("id")).containsExactly(2L, 5L, 1L);
        assertThat(ordered.table()).isEqualTo("users");

        assertThat(db.snapshot("users", null, List.of(new RowOrder("id", true)), 2).rows())
                .extracting(r -> r.get("id")).containsExactly(6L, 5L);
    }

    @Test
    void aStatementThatFailedCanRunAgainOnEveryPooledConnection() {
        // A WITH ... INSERT is tried on a reader first (it starts like a read) and fails there as read-only; a
        // UNIQUE violation fails on the writer. Either failure must not leave a broken cached statement behind.
        String withInsert = "WITH n(i) AS (SELECT 1) INSERT INTO users (email) SELECT 'w' || ? FROM n";
        for (int i = 0; i < 20; i++) {
            assertThat(sql(withInsert, i).changes()).as("run %d", i).isEqualTo(1);
        }
        String duplicate = "INSERT INTO users (email) VALUES ('w0')";
        for (int i = 0; i < 5; i++) {
            assertThatThrownBy(() -> sql(duplicate)).isInstanceOfSatisfying(ProtocolException.class,
                    e -> assertThat(e.code()).isEqualTo(ErrorCode.CONSTRAINT_VIOLATION));
        }
        for (int i = 0; i < 5; i++) { // the same through the row endpoint's INSERT ... RETURNING
            assertThatThrownBy(() -> db.insert("users", row("email", "w0"))).isInstanceOfSatisfying(
                    ProtocolException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.CONSTRAINT_VIOLATION));
        }
        assertThat(db.insert("users", row("email", "after")).row().get("email")).isEqualTo("after");
        assertThat(sql("SELECT count(*) AS n FROM users").rows().get(0).get("n")).isEqualTo(21L);
    }

    @Test
    void snapshotPagesStreamTheSameRowsAsASnapshotInFullPagesAtOnePosition() {
        for (int i = 1; i <= 23; i++) {
            db.insert("users", row("email", "u" + i + "@x", "age", (long) (i % 4)));
        }
        record Page(List<Map<String, Object>> rows, long position, boolean last) {
        }
        List<Page> pages = new ArrayList<>();
        long position = db.snapshotPages("users", r -> (Long) r.get("age") != 0, 5,
                (rows, at, last) -> pages.add(new Page(rows, at, last)));
        // 23 rows, five of them age 0 (ids 4, 8, 12, 16, 20): 18 match, in pages of 5, 5, 5, 3; only the last is last.
        assertThat(pages).extracting(p -> p.rows().size()).containsExactly(5, 5, 5, 3);
        assertThat(pages).extracting(Page::last).containsExactly(false, false, false, true);
        assertThat(pages).extracting(Page::position).containsOnly(position);
        assertThat(position).isEqualTo(storage.log().head());
        assertThat(pages.stream().flatMap(p -> p.rows().stream()).toList())
                .isEqualTo(db.snapshot("users", r -> (Long) r.get("age") != 0, List.of(), 0).rows());

        pages.clear();
        db.snapshotPages("users", r -> (Long) r.get("age") == 99, 5, (rows, at, last) -> pages.add(new Page(rows, at, last)));
        assertThat(pages).hasSize(1);
        assertThat(pages.get(0).rows()).isEmpty();
        assertThat(pages.get(0).last()).isTrue();

        pages.clear(); // exactly full pages: no empty page after them
        db.snapshotPages("users", r -> (Long) r.get("id") <= 10, 5, (rows, at, last) -> pages.add(new Page(rows, at, last)));
        assertThat(pages).extracting(p -> p.rows().size()).containsExactly(5, 5);
        assertThat(pages).extracting(Page::last).containsExactly(false, true);
    }

    @Test
    void tablesAndSchemasHideInternalTablesAndViews() {
        sql("CREATE TABLE kinds (i INT, r DOUBLE, t VARCHAR(10), b BLOB, n DECIMAL(10,2), x)");
        sql("CREATE VIEW adults AS SELECT * FROM users WHERE age >= 18");
        assertThat(db.tables()).containsExactly("kinds", "users");
        assertThat(db.table("_pb_log")).isEmpty();
        assertThat(db.table("adults")).isEmpty();
        TableSchema kinds = db.table("kinds").orElseThrow();
        assertThat(kinds.columns()).extracting(Column::affinity).containsExactly(Column.Affinity.INTEGER,
                Column.Affinity.REAL, Column.Affinity.TEXT, Column.Affinity.BLOB, Column.Affinity.NUMERIC,
                Column.Affinity.BLOB);
        TableSchema users = db.table("users").orElseThrow();
        assertThat(users.primaryKey()).isEqualTo("id");
        assertThat(users.column("email").orElseThrow().notNull()).isTrue();
        assertThat(users.column("id").orElseThrow().primaryKey()).isTrue();
    }

    @Test
    void aFailedStatementRollsBackAndLogsNothing() {
        long head = storage.log().head();
        failsWith(ErrorCode.CONSTRAINT_VIOLATION, () -> sql(
                "INSERT INTO users (email) VALUES ('a@x'), ('a@x')"));
        assertThat(storage.log().head()).isEqualTo(head);
        assertThat(sql("SELECT count(*) AS n FROM users").rows()).containsExactly(row("n", 0L));
        List<Object> ok = new ArrayList<>();
        ok.add("fine@x");
        assertThat(db.execute("INSERT INTO users (email) VALUES (?)", ok).changes()).isEqualTo(1);
    }

    @Test
    void aTransactionIsOneEntryAndRollsBackOnFailure() {
        SqliteDatabase.Committed<String> committed = db.transaction(c -> {
            try (var s = c.createStatement()) {
                s.execute("INSERT INTO users (email) VALUES ('a@x')");
                s.execute("INSERT INTO users (email) VALUES ('b@x')");
                s.execute("UPDATE users SET name = 'both'");
            }
            return "done";
        });
        assertThat(committed.value()).isEqualTo("done");
        assertThat(changesAt(committed.position())).extracting(RowChange::operation)
                .containsExactly(Operation.INSERT, Operation.INSERT, Operation.UPDATE, Operation.UPDATE);

        long head = storage.log().head();
        failsWith(ErrorCode.CONSTRAINT_VIOLATION, () -> db.transaction(c -> {
            try (var s = c.createStatement()) {
                s.execute("INSERT INTO users (email) VALUES ('c@x')");
                s.execute("INSERT INTO users (email) VALUES ('a@x')");
            }
            return null;
        }));
        assertThat(storage.log().head()).isEqualTo(head);
        assertThat(sql("SELECT count(*) AS n FROM users").rows()).containsExactly(row("n", 2L));
    }

    @Test
    void closedDatabaseIsUnavailable() {
        storage.close();
        failsWith(ErrorCode.UNAVAILABLE, () -> db.tables());
        failsWith(ErrorCode.UNAVAILABLE, () -> db.insert("users", row("email", "a@x")));
        storage.close();
    }

    // Row guards: a row-level policy checked inside the write's transaction.

    private long countUsers() {
        return (Long) sql("SELECT count(*) AS n FROM users").rows().get(0).get("n");
    }

    @Test
    void anInsertTheGuardRefusesIsRolledBackAndForbidden() {
        long head = storage.log().head();
        RowGuard adults = r -> r.get("age") instanceof Long age && age >= 18;
        assertThatThrownBy(() -> db.insert("users", row("email", "kid@x", "age", 9L), adults))
                .isInstanceOfSatisfying(ProtocolException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.FORBIDDEN));
        assertThat(countUsers()).isZero();
        assertThat(storage.log().head()).as("nothing reached the log").isEqualTo(head);
        WriteResult ok = db.insert("users", row("email", "ann@x", "age", 30L), adults);
        assertThat(ok.row()).containsEntry("email", "ann@x");
        assertThat(countUsers()).isEqualTo(1);
    }

    @Test
    void anUpdateSeesOnlyVisibleRowsAndMayNotMoveARowOutOfWhatItMayWrite() {
        long id = (Long) db.insert("users", row("email", "ann@x", "name", "Ann", "age", 30L)).row().get("id");
        RowGuard anns = r -> "Ann".equals(r.get("name"));
        RowGuard bobs = r -> "Bob".equals(r.get("name"));

        assertThatThrownBy(() -> db.update("users", id, row("age", 31L), bobs, RowGuard.ANY))
                .isInstanceOfSatisfying(ProtocolException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.NOT_FOUND));
        assertThatThrownBy(() -> db.update("users", id, row(), bobs, RowGuard.ANY))
                .isInstanceOfSatisfying(ProtocolException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.NOT_FOUND));
        assertThatThrownBy(() -> db.update("users", id, row("name", "Zed"), anns, anns))
                .isInstanceOfSatisfying(ProtocolException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.FORBIDDEN));
        assertThat(db.get("users", id).orElseThrow()).containsEntry("name", "Ann").containsEntry("age", 30L);

        assertThat(db.update("users", id, row("age", 31L), anns, anns).row()).containsEntry("age", 31L);
    }

    @Test
    void aDeleteOfARowTheGuardHidesIsNotFoundAndKeepsTheRow() {
        long id = (Long) db.insert("users", row("email", "ann@x", "name", "Ann")).row().get("id");
        assertThatThrownBy(() -> db.delete("users", id, r -> false))
                .isInstanceOfSatisfying(ProtocolException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.NOT_FOUND));
        assertThat(countUsers()).isEqualTo(1);
        assertThat(db.delete("users", id, r -> "Ann".equals(r.get("name"))).row()).containsEntry("email", "ann@x");
        assertThat(countUsers()).isZero();
    }
}
