package io.pulsebase.storage.sqlite;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import io.pulsebase.core.log.Commit;
import io.pulsebase.core.log.LogEntry;
import io.pulsebase.core.log.RowChange;
import io.pulsebase.core.store.SqlResult;
import io.pulsebase.protocol.ErrorCode;
import io.pulsebase.protocol.ProtocolException;
import java.nio.file.Path;
import java.sql.PreparedStatement;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.Callable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Group commit: writes queued while another batch runs are committed together, yet each is its own transaction
 * for the log (own entry, own position) and fails alone. Batches are made deterministic by holding the current
 * leader inside its work until the next writers are parked in the queue behind it.
 */
class SqliteGroupCommitTest {
    @TempDir
    Path dir;

    private SqliteStorage storage;
    private SqliteDatabase db;
    private final List<Thread> threads = new ArrayList<>();

    @BeforeEach
    void open() {
        storage = SqliteStorage.open(dir, SqliteFixture.OPTIONS);
        db = storage.database();
        sql("CREATE TABLE notes (id INTEGER PRIMARY KEY, tag TEXT NOT NULL UNIQUE)");
    }

    @AfterEach
    void close() throws InterruptedException {
        for (Thread t : threads) {
            t.join(10_000);
        }
        storage.close();
    }

    @Test
    void concurrentWritersEachGetTheirOwnPositionAndTheirOwnLogEntry() throws Exception {
        long before = storage.log().head();
        int writers = 8;
        int each = 40;
        Map<Long, String> tagAt = new ConcurrentHashMap<>();
        AtomicReference<Throwable> failure = new AtomicReference<>();
        CountDownLatch go = new CountDownLatch(1);
        for (int w = 0; w < writers; w++) {
            int writer = w;
            start(() -> {
                go.await();
                for (int i = 0; i < each; i++) {
                    String tag = writer + "-" + i;
                    // Every write path that goes through the group commit: SQL, CRUD and transaction().
                    long position = switch (i % 3) {
                        case 0 -> sql("INSERT INTO notes (tag) VALUES (?), (?)", tag, tag + "b").position();
                        case 1 -> db.insert("notes", Map.of("tag", tag)).position();
                        default -> db.transaction(c -> {
                            insertTag(c, tag);
                            insertTag(c, tag + "b");
                            return null;
                        }).position();
                    };
                    if (tagAt.putIfAbsent(position, tag) != null) {
                        failure.set(new AssertionError("position " + position + " answered twice"));
                    }
                }
                return null;
            }, failure);
        }
        go.countDown();
        joinAll();
        assertThat(failure.get()).isNull();
        assertThat(tagAt).hasSize(writers * each);

        List<LogEntry> entries = storage.log().readAfter(before, Integer.MAX_VALUE);
        assertThat(entries).hasSize(writers * each);
        for (LogEntry entry : entries) {
            String tag = tagAt.get(entry.position());
            assertThat(tag).as("entry at %d answered to a writer", entry.position()).isNotNull();
            Set<Object> tags = new HashSet<>();
            for (RowChange change : ((Commit) entry).changes()) {
                tags.add(change.newRow().get("tag"));
            }
            int i = Integer.parseInt(tag.substring(tag.indexOf('-') + 1));
            assertThat(tags).as("rows of the entry at %d", entry.position())
                    .isEqualTo(i % 3 == 1 ? Set.of(tag) : Set.of(tag, tag + "b"));
        }
    }

    @Test
    void aFailingWriteInABatchFailsAloneAndTheOthersCommit() throws Exception {
        sql("INSERT INTO notes (tag) VALUES ('taken')");
        Batch batch = new Batch();
        Outcome first = batch.queue(o -> recordedInsert(o, "first"));
        Outcome failing = batch.queue(o -> db.insert("notes", Map.of("tag", "taken")).position());
        Outcome third = batch.queue(o -> recordedInsert(o, "third"));
        batch.release();

        assertThat(failing.error()).isInstanceOf(ProtocolException.class);
        assertThat(((ProtocolException) failing.error()).code()).isEqualTo(ErrorCode.CONSTRAINT_VIOLATION);
        assertCommittedAlone(first, "first");
        assertCommittedAlone(third, "third");
        assertThat(first.position()).isLessThan(third.position());
        assertThat(first.ranOn).as("queued writes ran as one batch").isEqualTo(third.ranOn);
        assertThat(tags()).containsExactly("taken", "first", "third");
    }

    @Test
    void aWriteThatRollsBackTheWholeTransactionFailsAloneAndTheOthersStillCommit() throws Exception {
        sql("INSERT INTO notes (tag) VALUES ('taken')");
        Batch batch = new Batch();
        Outcome first = batch.queue(o -> sql("INSERT INTO notes (tag) VALUES ('first')").position());
        // OR ROLLBACK ends the whole transaction, savepoints and all: the writes before it must be run again.
        Outcome failing = batch.queue(o -> sql("INSERT OR ROLLBACK INTO notes (tag) VALUES ('taken')").position());
        Outcome third = batch.queue(o -> sql("INSERT INTO notes (tag) VALUES ('third')").position());
        batch.release();

        assertThat(((ProtocolException) failing.error()).code()).isEqualTo(ErrorCode.CONSTRAINT_VIOLATION);
        assertCommittedAlone(first, "first");
        assertCommittedAlone(third, "third");
        assertThat(tags()).containsExactly("taken", "first", "third");
    }

    @Test
    void aWriteThatFailsOnlyAtCommitFailsAloneAndTheOthersStillCommit() throws Exception {
        sql("CREATE TABLE parent (id INTEGER PRIMARY KEY)");
        sql("CREATE TABLE child (id INTEGER PRIMARY KEY, parent INTEGER"
                + " REFERENCES parent (id) DEFERRABLE INITIALLY DEFERRED)");
        Batch batch = new Batch();
        Outcome first = batch.queue(o -> sql("INSERT INTO notes (tag) VALUES ('first')").position());
        // A deferred foreign key is checked by COMMIT, after every savepoint was released.
        Outcome failing = batch.queue(o -> sql("INSERT INTO child (id, parent) VALUES (1, 42)").position());
        Outcome third = batch.queue(o -> sql("INSERT INTO notes (tag) VALUES ('third')").position());
        batch.release();

        assertThat(((ProtocolException) failing.error()).code()).isEqualTo(ErrorCode.CONSTRAINT_VIOLATION);
        assertCommittedAlone(first, "first");
        assertCommittedAlone(third, "third");
        assertThat(sql("SELECT count(*) AS n FROM child").rows().getFirst().get("n")).isEqualTo(0L);
    }

    @Test
    void schemaChangesQueuedBetweenWritesRunInOrder() throws Exception {
        Batch batch = new Batch();
        Outcome first = batch.queue(o -> sql("INSERT INTO notes (tag) VALUES ('first')").position());
        Outcome create = batch.queue(o -> sql("CREATE TABLE later (id INTEGER PRIMARY KEY, v TEXT)").position());
        Outcome insert = batch.queue(o -> db.insert("later", Map.of("v", "x")).position());
        batch.release();

        assertCommittedAlone(first, "first");
        assertThat(create.error()).isNull();
        assertThat(insert.error()).isNull();
        assertThat(insert.position()).isGreaterThan(first.position());
        Commit entry = entryAt(insert.position());
        assertThat(entry.changes()).singleElement().extracting(RowChange::table).isEqualTo("later");
    }

    @Test
    void anExceptionInTransactionWorkFailsOnlyThatTransaction() throws Exception {
        Batch batch = new Batch();
        Outcome first = batch.queue(o -> sql("INSERT INTO notes (tag) VALUES ('first')").position());
        Outcome failing = batch.queue(o -> db.transaction(c -> {
            insertTag(c, "never");
            throw new IllegalStateException("the work gave up");
        }).position());
        Outcome third = batch.queue(o -> sql("INSERT INTO notes (tag) VALUES ('third')").position());
        batch.release();

        assertThat(failing.error()).isInstanceOf(IllegalStateException.class).hasMessage("the work gave up");
        assertCommittedAlone(first, "first");
        assertCommittedAlone(third, "third");
        assertThat(tags()).containsExactly("first", "third");
    }

    @Test
    void writesAfterCloseAreRefusedAsUnavailable() {
        storage.close();
        Throwable thrown = catchThrowable(() -> sql("INSERT INTO notes (tag) VALUES ('late')"));
        assertThat(thrown).isInstanceOf(ProtocolException.class);
        assertThat(((ProtocolException) thrown).code()).isEqualTo(ErrorCode.UNAVAILABLE);
    }

    // --- helpers ---

    /**
     * Holds a leader inside its (empty) transaction, so writes queued meanwhile wait behind it and are taken as one
     * batch once it is released. Each write is queued only after the previous one is parked, which fixes their
     * order in the queue.
     */
    private final class Batch {
        private final CountDownLatch release = new CountDownLatch(1);
        private final List<Outcome> outcomes = new ArrayList<>();

        Batch() throws InterruptedException {
            CountDownLatch leading = new CountDownLatch(1);
            Outcome blocker = new Outcome();
            outcomes.add(blocker);
            start(() -> db.transaction(c -> {
                leading.countDown();
                try {
                    release.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                return null;
            }).position(), blocker);
            assertThat(leading.await(10, TimeUnit.SECONDS)).isTrue();
        }

        Outcome queue(Write write) throws InterruptedException {
            Outcome outcome = new Outcome();
            outcomes.add(outcome);
            Thread t = start(() -> write.run(outcome), outcome);
            awaitParked(t);
            return outcome;
        }

        void release() throws InterruptedException {
            release.countDown();
            joinAll();
        }
    }

    /** One write of a batch; answers its position. */
    @FunctionalInterface
    private interface Write {
        long run(Outcome outcome) throws Exception;
    }

    /** What one queued write came to: its position or its error, and (when it records it) the thread its work ran on. */
    private static final class Outcome {
        volatile Long position;
        volatile Throwable error;
        volatile String ranOn;

        long position() {
            assertThat(error).as("the write failed").isNull();
            return position;
        }

        Throwable error() {
            return error;
        }
    }

    /** Inserts one tag through transaction(), noting which thread ran the work. */
    private long recordedInsert(Outcome outcome, String tag) {
        return db.transaction(c -> {
            outcome.ranOn = Thread.currentThread().getName();
            return insertTag(c, tag);
        }).position();
    }

    private Thread start(Callable<Long> body, Outcome outcome) {
        Thread t = Thread.ofPlatform().unstarted(() -> {
            try {
                outcome.position = body.call();
            } catch (Throwable e) {
                outcome.error = e;
            }
        });
        threads.add(t);
        t.start();
        return t;
    }

    private void start(Callable<Void> body, AtomicReference<Throwable> failure) {
        Thread t = Thread.ofPlatform().unstarted(() -> {
            try {
                body.call();
            } catch (Throwable e) {
                failure.compareAndSet(null, e);
            }
        });
        threads.add(t);
        t.start();
    }

    private void joinAll() throws InterruptedException {
        for (Thread t : threads) {
            t.join(30_000);
            assertThat(t.isAlive()).as("writer thread finished").isFalse();
        }
    }

    /** Waits until the thread parks: it has queued its write behind the held leader. */
    private static void awaitParked(Thread t) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (t.getState() != Thread.State.WAITING) {
            assertThat(System.nanoTime()).as("the write was queued").isLessThan(deadline);
            Thread.sleep(1);
        }
    }

    private void assertCommittedAlone(Outcome outcome, String tag) {
        Commit entry = entryAt(outcome.position());
        assertThat(entry.changes()).singleElement()
                .satisfies(change -> assertThat(change.newRow().get("tag")).isEqualTo(tag));
    }

    private Commit entryAt(long position) {
        for (LogEntry entry : storage.log().readAfter(0, Integer.MAX_VALUE)) {
            if (entry.position() == position) {
                return (Commit) entry;
            }
        }
        throw new AssertionError("no log entry at " + position);
    }

    private List<Object> tags() {
        List<Object> tags = new ArrayList<>();
        for (Map<String, Object> row : sql("SELECT tag FROM notes ORDER BY id").rows()) {
            tags.add(row.get("tag"));
        }
        return tags;
    }

    private static Void insertTag(java.sql.Connection c, String tag) throws java.sql.SQLException {
        try (PreparedStatement ps = c.prepareStatement("INSERT INTO notes (tag) VALUES (?)")) {
            ps.setString(1, tag);
            ps.executeUpdate();
        }
        return null;
    }

    private SqlResult sql(String sql, Object... params) {
        return db.execute(sql, Arrays.asList(params));
    }
}
