package io.pulsebase.testkit.contract;

import static io.pulsebase.testkit.contract.RowWrite.delete;
import static io.pulsebase.testkit.contract.RowWrite.insert;
import static io.pulsebase.testkit.contract.RowWrite.update;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.pulsebase.core.capture.ChangeSource;
import io.pulsebase.core.log.ChannelMessage;
import io.pulsebase.core.log.Commit;
import io.pulsebase.core.log.LogEntry;
import io.pulsebase.core.log.RowChange;
import io.pulsebase.protocol.RawJson;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The {@link ChangeSource} contract. An engine's test extends this class and opens its engine on fresh
 * storage; the engine is done when every test here passes.
 */
@Timeout(60)
public abstract class ChangeSourceContract {
    private static final Duration WAIT = Duration.ofSeconds(20);
    /** How long to watch for an entry that must not come. */
    private static final Duration QUIET = Duration.ofMillis(300);

    /** Opens the engine under test on fresh, empty storage. */
    protected abstract StorageFixture openFixture();

    protected StorageFixture fixture;
    private final TableModel model = new TableModel();

    @BeforeEach
    void openEngine() {
        fixture = openFixture();
    }

    @AfterEach
    void closeEngine() {
        if (fixture != null) {
            fixture.changeSource().close();
            fixture.close();
        }
    }

    private ChangeSource source() {
        return fixture.changeSource();
    }

    private Commit commit(RowWrite... writes) {
        List<RowChange> expected = model.apply(List.of(writes));
        long position = fixture.commit(List.of(writes));
        return new Commit(position, 0, expected, null);
    }

    private static void assertDelivered(List<LogEntry> entries, List<Commit> expected) {
        assertThat(entries.stream().map(LogEntry::position).toList())
                .isEqualTo(expected.stream().map(Commit::position).toList());
        for (int i = 0; i < entries.size(); i++) {
            assertThat(entries.get(i)).isInstanceOf(Commit.class);
            assertThat(((Commit) entries.get(i)).changes()).as("changes of entry %d", entries.get(i).position())
                    .isEqualTo(expected.get(i).changes());
        }
    }

    private static void awaitCount(EntryRecorder recorder, int count) {
        await().atMost(WAIT).pollInterval(Duration.ofMillis(5)).until(() -> recorder.size() >= count);
    }

    private static void sleep(Duration duration) throws InterruptedException {
        Thread.sleep(duration.toMillis());
    }

    @Test
    void deliversEveryCommitExactlyOnceInPositionOrder() throws InterruptedException {
        fixture.createTable("items");
        EntryRecorder recorder = new EntryRecorder();
        source().start(fixture.log().head(), recorder);
        List<Commit> expected = new ArrayList<>();
        for (int i = 0; i < 40; i++) {
            expected.add(commit(insert("items", i, "v" + i)));
        }
        awaitCount(recorder, expected.size());
        sleep(QUIET);
        assertDelivered(recorder.entries(), expected);
        assertThat(recorder.overlapped()).isFalse();
    }

    @Test
    void deliversAMultiRowTransactionAsOneEntryWithItsChangesInOrder() throws InterruptedException {
        fixture.createTable("items");
        fixture.createTable("other");
        Commit setup = commit(insert("items", 1, "one"), insert("items", 2, "two"));
        EntryRecorder recorder = new EntryRecorder();
        source().start(setup.position(), recorder);

        Commit big = commit(insert("items", 3, "three"), update("items", 1, "ONE"), insert("other", 7, "x"),
                delete("items", 2), update("items", 3, "THREE"), delete("other", 7));

        awaitCount(recorder, 1);
        sleep(QUIET);
        assertDelivered(recorder.entries(), List.of(big));
        LogEntry entry = recorder.entries().get(0);
        assertThat(entry.timestamp()).isPositive();
    }

    @Test
    void deliversAnAppendedMessageAsAnEntryInPositionOrder() throws InterruptedException {
        fixture.createTable("items");
        EntryRecorder recorder = new EntryRecorder();
        source().start(fixture.log().head(), recorder);
        long first = fixture.commit(List.of(insert("items", 1, "a")));
        ChannelMessage message = fixture.log().append("chat/x", "m", RawJson.of(new ObjectMapper(), "hello"), null,
                "ada");
        long last = fixture.commit(List.of(insert("items", 2, "b")));
        source().poke();

        awaitCount(recorder, 3);
        sleep(QUIET);
        List<LogEntry> entries = recorder.entries();
        assertThat(entries).extracting(LogEntry::position).containsExactly(first, message.position(), last);
        assertThat(entries.get(1)).isEqualTo(message);
    }

    @Test
    void capturesATableCreatedAfterStart() {
        EntryRecorder recorder = new EntryRecorder();
        source().start(fixture.log().head(), recorder);
        fixture.createTable("late");
        Commit first = commit(insert("late", 1, "a"), insert("late", 2, "b"));
        Commit second = commit(update("late", 1, "A"));
        awaitCount(recorder, 2);
        assertDelivered(recorder.entries(), List.of(first, second));
    }

    @Test
    void startAfterAPositionDeliversOnlyTheEntriesAfterIt() throws InterruptedException {
        fixture.createTable("items");
        List<Commit> before = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            before.add(commit(insert("items", i, "v" + i)));
        }
        EntryRecorder recorder = new EntryRecorder();
        source().start(before.get(2).position(), recorder);
        awaitCount(recorder, 2);
        Commit live = commit(insert("items", 99, "live"));
        awaitCount(recorder, 3);
        sleep(QUIET);
        assertDelivered(recorder.entries(), List.of(before.get(3), before.get(4), live));
    }

    @Test
    void deliveredPositionTracksTheLastDeliveredEntry() {
        assertThat(source().deliveredPosition()).isZero();
        fixture.createTable("items");
        EntryRecorder recorder = new EntryRecorder();
        source().start(fixture.log().head(), recorder);
        Commit a = commit(insert("items", 1, "a"));
        Commit b = commit(insert("items", 2, "b"), insert("items", 3, "c"));
        awaitCount(recorder, 2);
        await().atMost(WAIT).until(() -> source().deliveredPosition() == b.position());
        assertThat(a.position()).isLessThan(b.position());
    }

    @Test
    void runsAfterStartAndStopsAtClose() {
        fixture.createTable("items");
        source().start(fixture.log().head(), new EntryRecorder());
        await().atMost(WAIT).until(() -> source().running());
        source().close();
        assertThat(source().running()).isFalse();
    }

    @Test
    void closeStopsDelivery() throws InterruptedException {
        fixture.createTable("items");
        EntryRecorder recorder = new EntryRecorder();
        source().start(fixture.log().head(), recorder);
        commit(insert("items", 1, "a"));
        awaitCount(recorder, 1);

        source().close();
        commit(insert("items", 2, "b"));
        commit(insert("items", 3, "c"));
        sleep(QUIET);

        assertThat(recorder.size()).isEqualTo(1);
    }

    @Test
    void closeWaitsForTheListenerCallInProgress() throws Exception {
        fixture.createTable("items");
        CountDownLatch entered = new CountDownLatch(1);
        AtomicBoolean inside = new AtomicBoolean();
        AtomicInteger callsAfterClose = new AtomicInteger();
        AtomicBoolean closeReturned = new AtomicBoolean();
        EntryRecorder recorder = new EntryRecorder() {
            @Override
            protected void received(LogEntry entry) {
                if (closeReturned.get()) {
                    callsAfterClose.incrementAndGet();
                }
                inside.set(true);
                entered.countDown();
                try {
                    Thread.sleep(300);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                inside.set(false);
            }
        };
        source().start(fixture.log().head(), recorder);
        commit(insert("items", 1, "a"));
        commit(insert("items", 2, "b"));
        assertThat(entered.await(WAIT.toMillis(), TimeUnit.MILLISECONDS)).isTrue();

        source().close();
        closeReturned.set(true);

        assertThat(inside.get()).as("listener still running after close returned").isFalse();
        commit(insert("items", 3, "c"));
        sleep(QUIET);
        assertThat(callsAfterClose.get()).isZero();
    }

    @Test
    void aListenerThatThrowsDoesNotGetTheSameEntryAgain() throws InterruptedException {
        fixture.createTable("items");
        AtomicInteger calls = new AtomicInteger();
        EntryRecorder recorder = new EntryRecorder() {
            @Override
            protected void received(LogEntry entry) {
                if (calls.incrementAndGet() == 1) {
                    throw new IllegalStateException("listener failure (expected by the test)");
                }
            }
        };
        source().start(fixture.log().head(), recorder);
        Commit first = commit(insert("items", 1, "a"));
        Commit second = commit(insert("items", 2, "b"));
        awaitCount(recorder, 2);
        sleep(QUIET);
        assertDelivered(recorder.entries(), List.of(first, second));
    }

    @Test
    void concurrentCommitsAreDeliveredOnceInOrderFromOneThreadAtATime() throws Exception {
        fixture.createTable("items");
        EntryRecorder recorder = new EntryRecorder();
        source().start(fixture.log().head(), recorder);
        int threads = 4;
        int perThread = 25;
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        List<Future<List<Long>>> futures = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            long base = t * 1000L;
            futures.add(pool.submit(() -> {
                List<Long> positions = new ArrayList<>();
                for (int i = 0; i < perThread; i++) {
                    positions.add(fixture.commit(List.of(insert("items", base + i, "x"), update("items", base + i, "y"))));
                }
                return positions;
            }));
        }
        List<Long> committed = new ArrayList<>();
        for (Future<List<Long>> future : futures) {
            committed.addAll(future.get());
        }
        pool.shutdown();
        awaitCount(recorder, threads * perThread);
        sleep(QUIET);

        List<Long> delivered = recorder.positions();
        assertThat(delivered).hasSize(threads * perThread).doesNotHaveDuplicates().isSorted();
        assertThat(delivered).containsExactlyInAnyOrderElementsOf(committed);
        for (LogEntry entry : recorder.entries()) {
            assertThat(((Commit) entry).changes()).hasSize(2);
        }
        assertThat(recorder.overlapped()).isFalse();
    }
}
