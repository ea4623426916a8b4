package io.pulsebase.testkit.contract;

import static io.pulsebase.testkit.contract.RowWrite.delete;
import static io.pulsebase.testkit.contract.RowWrite.insert;
import static io.pulsebase.testkit.contract.RowWrite.update;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.pulsebase.core.log.ChannelMessage;
import io.pulsebase.core.log.Commit;
import io.pulsebase.core.log.EventLog;
import io.pulsebase.core.log.LogEntry;
import io.pulsebase.core.log.PositionExpiredException;
import io.pulsebase.core.log.Retention;
import io.pulsebase.core.log.RowChange;
import io.pulsebase.protocol.ErrorCode;
import io.pulsebase.protocol.RawJson;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The {@link EventLog} contract. An engine's test extends this class and opens its engine on fresh storage;
 * the engine is done when every test here passes.
 */
@Timeout(60)
public abstract class EventLogContract {
    private static final int ALL = Integer.MAX_VALUE;

    /** Opens the engine under test on fresh, empty storage. */
    protected abstract StorageFixture openFixture();

    protected StorageFixture fixture;
    private final TableModel model = new TableModel();
    private final List<Commit> committed = new ArrayList<>();

    @BeforeEach
    void openEngine() {
        fixture = openFixture();
    }

    @AfterEach
    void closeEngine() {
        if (fixture != null) {
            fixture.close();
        }
    }

    private EventLog log() {
        return fixture.log();
    }

    /** Commits one transaction and remembers what the log must say about it. */
    private long commit(RowWrite... writes) {
        List<RowChange> expected = model.apply(List.of(writes));
        long position = fixture.commit(List.of(writes));
        committed.add(new Commit(position, 0, expected, null));
        return position;
    }

    private List<Long> commitSingles(String table, int count, long firstId) {
        List<Long> positions = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            positions.add(commit(insert(table, firstId + i, "row " + (firstId + i))));
        }
        return positions;
    }

    private static List<Long> positions(List<LogEntry> entries) {
        return entries.stream().map(LogEntry::position).toList();
    }

    private static List<RowChange> changes(LogEntry entry) {
        return ((Commit) entry).changes();
    }

    private void assertEntriesMatch(List<LogEntry> entries, List<Commit> expected) {
        assertThat(positions(entries)).isEqualTo(expected.stream().map(Commit::position).toList());
        for (int i = 0; i < entries.size(); i++) {
            assertThat(changes(entries.get(i))).as("changes of entry %d", entries.get(i).position())
                    .isEqualTo(expected.get(i).changes());
        }
    }

    @Test
    void emptyLogHasHeadAndHorizonZero() {
        assertThat(log().head()).isZero();
        assertThat(log().horizon()).isZero();
        assertThat(log().readAfter(0, 10)).isEmpty();
    }

    @Test
    void positionsStrictlyIncreaseAndHeadIsTheNewest() {
        fixture.createTable("items");
        List<Long> positions = commitSingles("items", 20, 1);
        for (int i = 1; i < positions.size(); i++) {
            assertThat(positions.get(i)).isGreaterThan(positions.get(i - 1));
        }
        assertThat(positions.get(0)).isPositive();
        assertThat(log().head()).isEqualTo(positions.get(positions.size() - 1));
    }

    @Test
    void readAfterReturnsEveryTransactionWholeInOrderExactlyOnce() {
        fixture.createTable("items");
        fixture.createTable("other");
        commit(insert("items", 1, "a"), insert("items", 2, "b"), insert("items", 3, "c"));
        commit(update("items", 2, "B"), delete("items", 3), insert("items", 4, "d"));
        commit(insert("other", 1, "x"));
        commit(insert("items", 5, null), insert("other", 2, "y"), update("other", 1, "X"), delete("items", 1));
        commit(delete("items", 2));
        commit(update("items", 4, "d2"), update("items", 4, "d3"), delete("items", 4));

        List<LogEntry> entries = log().readAfter(0, ALL);

        assertEntriesMatch(entries, committed);
        for (LogEntry entry : entries) {
            assertThat(entry.timestamp()).isPositive();
        }
    }

    @Test
    void readAfterFromEveryPositionReturnsExactlyTheSuffix() {
        fixture.createTable("items");
        for (int i = 0; i < 12; i++) {
            List<RowWrite> writes = new ArrayList<>();
            for (int j = 0; j <= i % 4; j++) {
                writes.add(insert("items", i * 10L + j, "v" + i));
            }
            commit(writes.toArray(RowWrite[]::new));
        }
        List<Long> starts = new ArrayList<>();
        starts.add(0L);
        committed.forEach(c -> starts.add(c.position()));

        for (int i = 0; i < starts.size(); i++) {
            List<LogEntry> suffix = log().readAfter(starts.get(i), ALL);
            assertEntriesMatch(suffix, committed.subList(i, committed.size()));
        }
    }

    @Test
    void maxLimitsEntriesAndPagingSeesEachEntryOnce() {
        fixture.createTable("items");
        for (int i = 0; i < 9; i++) {
            commit(insert("items", i * 2L, "a"), insert("items", i * 2L + 1, "b"));
        }
        List<LogEntry> firstThree = log().readAfter(0, 3);
        assertEntriesMatch(firstThree, committed.subList(0, 3));

        List<LogEntry> paged = new ArrayList<>();
        long position = 0;
        while (true) {
            List<LogEntry> page = log().readAfter(position, 2);
            if (page.isEmpty()) {
                break;
            }
            assertThat(page).hasSizeLessThanOrEqualTo(2);
            paged.addAll(page);
            position = page.get(page.size() - 1).position();
        }
        assertEntriesMatch(paged, committed);
    }

    @Test
    void positionAheadOfHeadIsRejected() {
        assertThatThrownBy(() -> log().readAfter(1, 10)).isInstanceOf(PositionExpiredException.class);
        fixture.createTable("items");
        commitSingles("items", 3, 1);
        long head = log().head();
        assertThat(log().readAfter(head, 10)).isEmpty();
        assertThatThrownBy(() -> log().readAfter(head + 1, 10))
                .isInstanceOf(PositionExpiredException.class)
                .satisfies(e -> assertThat(((PositionExpiredException) e).code()).isEqualTo(ErrorCode.POSITION_EXPIRED))
                .hasMessageContaining(String.valueOf(head + 1));
    }

    @Test
    void pruneByCountMovesTheHorizonAndExpiresOlderPositions() {
        fixture.createTable("items");
        commitSingles("items", 4, 1);
        commit(insert("items", 100, "a"), insert("items", 101, "b"), insert("items", 102, "c"));
        commitSingles("items", 5, 10);
        List<Long> positions = committed.stream().map(Commit::position).toList(); // 10 entries

        long removed = log().prune(new Retention(Duration.ofDays(1), 3));

        assertThat(removed).isEqualTo(7);
        assertThat(log().horizon()).isEqualTo(positions.get(6));
        assertThat(log().head()).isEqualTo(positions.get(9));
        assertEntriesMatch(log().readAfter(log().horizon(), ALL), committed.subList(7, 10));
        assertThatThrownBy(() -> log().readAfter(positions.get(5), ALL))
                .isInstanceOf(PositionExpiredException.class)
                .hasMessageContaining(String.valueOf(positions.get(5)));
        assertThatThrownBy(() -> log().readAfter(0, ALL)).isInstanceOf(PositionExpiredException.class);
        assertThat(log().prune(new Retention(Duration.ofDays(1), 3))).isZero();
    }

    @Test
    void pruneByAgeRemovesOldEntriesButNeverTheNewest() throws InterruptedException {
        fixture.createTable("items");
        commitSingles("items", 3, 1);
        commit(insert("items", 10, "a"), insert("items", 11, "b"));
        Thread.sleep(20);

        long removed = log().prune(new Retention(Duration.ofMillis(1), 1_000));

        assertThat(removed).isEqualTo(3);
        Commit newest = committed.get(3);
        assertThat(log().head()).isEqualTo(newest.position());
        assertThat(log().horizon()).isEqualTo(committed.get(2).position());
        assertEntriesMatch(log().readAfter(log().horizon(), ALL), List.of(newest));
        assertThat(log().prune(new Retention(Duration.ofMillis(1), 1))).isZero();
    }

    @Test
    void entriesNewerThanRetentionAgeAreKept() {
        fixture.createTable("items");
        commitSingles("items", 5, 1);
        assertThat(log().prune(new Retention(Duration.ofHours(1), 1_000))).isZero();
        assertThat(log().horizon()).isZero();
        assertEntriesMatch(log().readAfter(0, ALL), committed);
    }

    @Test
    void readersNeverSeeHalfATransaction() throws Exception {
        fixture.createTable("items");
        int rowsPerTx = 3;
        AtomicBoolean done = new AtomicBoolean();
        List<Throwable> failures = new CopyOnWriteArrayList<>();
        Thread reader = new Thread(() -> {
            try {
                while (!done.get()) {
                    for (LogEntry entry : log().readAfter(0, ALL)) {
                        assertThat(changes(entry)).hasSize(rowsPerTx);
                    }
                }
            } catch (Throwable t) {
                failures.add(t);
            }
        });
        reader.start();
        try {
            for (int i = 0; i < 100; i++) {
                List<RowWrite> writes = new ArrayList<>();
                for (int j = 0; j < rowsPerTx; j++) {
                    writes.add(insert("items", i * 10L + j, "x"));
                }
                fixture.commit(writes);
            }
        } finally {
            done.set(true);
            reader.join();
        }
        assertThat(failures).isEmpty();
        assertThat(log().readAfter(0, ALL)).hasSize(100);
    }

    @Test
    void positionsAndHorizonSurviveReopenAndNewPositionsKeepIncreasing() {
        assumeTrue(fixture.canReopen(), "the engine's fixture cannot reopen its storage");
        fixture.createTable("items");
        commitSingles("items", 5, 1);
        long removed = log().prune(new Retention(Duration.ofDays(1), 2));
        assertThat(removed).isEqualTo(3);
        long head = log().head();
        long horizon = log().horizon();
        List<LogEntry> before = log().readAfter(horizon, ALL);

        fixture = fixture.reopen();

        assertThat(log().head()).isEqualTo(head);
        assertThat(log().horizon()).isEqualTo(horizon);
        assertThat(positions(log().readAfter(horizon, ALL))).isEqualTo(positions(before));
        assertEntriesMatch(log().readAfter(horizon, ALL), committed.subList(3, 5));
        long next = commit(insert("items", 99, "after reopen"));
        assertThat(next).isGreaterThan(head);
        assertThat(log().head()).isEqualTo(next);
    }

    // Persisted channel messages: entries of the same log.

    private static final ObjectMapper MAPPER = new ObjectMapper();

    private static RawJson json(Object value) {
        return RawJson.of(MAPPER, value);
    }

    @Test
    void anAppendedMessageIsAnEntryOfItsOwnBetweenTransactionsInPositionOrder() {
        fixture.createTable("items");
        long first = commit(insert("items", 1, "a"), insert("items", 2, "b"));
        ChannelMessage message = log().append("chat/general", "message", json(Map.of("text", "hi", "n", 3L)), "m-1",
                "user-7");
        long last = commit(insert("items", 3, "c"));

        assertThat(message.position()).isGreaterThan(first).isLessThan(last);
        assertThat(message.timestamp()).isPositive();
        List<LogEntry> entries = log().readAfter(0, ALL);
        assertThat(positions(entries)).containsExactly(first, message.position(), last);
        ChannelMessage read = (ChannelMessage) entries.get(1);
        assertThat(read).isEqualTo(message);
        assertThat(read.userId()).isEqualTo("user-7");
        assertThat(log().head()).isEqualTo(last);
        assertThat(log().readAfter(message.position(), ALL)).extracting(LogEntry::position).containsExactly(last);
        assertThat(log().readAfter(first, 1)).containsExactly(message);
    }

    @Test
    void messageDataKeepsAnyJsonValue() {
        List<Object> values = new ArrayList<>();
        values.add(null);
        values.add("text");
        values.add(42L);
        values.add(2.5);
        values.add(true);
        values.add(List.of(1L, "two", Map.of("three", 3L)));
        values.add(Map.of("text", "üñí \u2028 \"quoted\" 😀"));
        for (Object value : values) {
            ChannelMessage m = log().append("a/b", "e", json(value), null, null);
            assertThat(((ChannelMessage) log().readAfter(m.position() - 1, 1).get(0)).data()).isEqualTo(json(value));
        }
    }

    @Test
    void historyIsNewestFirstPerChannelBelowBefore() {
        fixture.createTable("items");
        List<ChannelMessage> general = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            general.add(log().append("chat/general", "m", json((long) i), null, null));
            log().append("chat/other", "m", json((long) i), null, null);
            commit(insert("items", i + 1, "row"));
        }

        List<ChannelMessage> newest = log().history("chat/general", Long.MAX_VALUE, 4);
        assertThat(newest).containsExactly(general.get(9), general.get(8), general.get(7), general.get(6));
        List<ChannelMessage> older = log().history("chat/general", general.get(6).position(), 100);
        assertThat(older).containsExactlyElementsOf(general.subList(0, 6).reversed());
        assertThat(log().history("chat/none", Long.MAX_VALUE, 10)).isEmpty();
    }

    @Test
    void messagesWithIdsAreFoundByTime() {
        long before = System.currentTimeMillis();
        ChannelMessage withId = log().append("a/b", "e", json(1L), "id-1", null);
        log().append("a/b", "e", json(2L), null, null);
        ChannelMessage another = log().append("a/c", "e", json(3L), "id-2", null);

        assertThat(log().messagesWithIdSince(before - 1000, 100)).containsExactly(withId, another);
        assertThat(log().messagesWithIdSince(System.currentTimeMillis() + 60_000, 100)).isEmpty();
    }

    @Test
    void retentionCountsAMessageAsOneEntry() {
        fixture.createTable("items");
        commit(insert("items", 1, "a"), insert("items", 2, "b"));
        log().append("a/b", "e", json(1L), null, null);
        ChannelMessage kept = log().append("a/b", "e", json(2L), null, null);
        long last = commit(insert("items", 3, "c"));

        assertThat(log().prune(new Retention(Duration.ofDays(1), 2))).isEqualTo(2);
        assertThat(positions(log().readAfter(log().horizon(), ALL))).containsExactly(kept.position(), last);
        assertThat(log().history("a/b", Long.MAX_VALUE, 10)).containsExactly(kept);
    }
}
