package io.pulsebase.core.match;

import static org.assertj.core.api.Assertions.assertThat;

import io.pulsebase.core.filter.FilterCompiler;
import io.pulsebase.core.filter.RowFilter;
import io.pulsebase.core.log.RowChange;
import io.pulsebase.protocol.Operation;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

class SubscriptionMatcherConcurrencyTest {

    @Test
    void subscriptionsComeAndGoWhileTransactionsAreMatched() throws Exception {
        SubscriptionMatcher<Integer> matcher = new SubscriptionMatcher<>();
        List<RowFilter> filters = List.of(
                RowFilter.ALL,
                FilterCompiler.compile("room_id = 1", SubscriptionMatcherTest.MESSAGES),
                FilterCompiler.compile("room_id IN (1, 2)", SubscriptionMatcherTest.MESSAGES),
                FilterCompiler.compile("room_id >= 1", SubscriptionMatcherTest.MESSAGES));
        // Every transaction inserts two rows that every filter above matches: a query sees both or neither.
        List<RowChange> transaction = List.of(
                new RowChange("messages", Operation.INSERT, Map.of("id", 1L, "room_id", 1L), null),
                new RowChange("messages", Operation.INSERT, Map.of("id", 2L, "room_id", 1L), null));
        AtomicBoolean stop = new AtomicBoolean();
        ConcurrentLinkedQueue<Throwable> failures = new ConcurrentLinkedQueue<>();
        int writers = 3;
        CountDownLatch done = new CountDownLatch(writers);
        List<Thread> threads = new ArrayList<>();
        for (int w = 0; w < writers; w++) {
            int base = w * 1_000_000;
            Thread t = new Thread(() -> {
                try {
                    List<Query<Integer>> mine = new ArrayList<>();
                    int n = 0;
                    while (!stop.get()) {
                        int subscriber = base + n++;
                        mine.add(matcher.add("messages", Set.of(), filters.get(subscriber % filters.size()), subscriber));
                        if (mine.size() > 50) {
                            Query<Integer> q = mine.remove(0);
                            matcher.remove(q, subscriber - 50);
                            matcher.remove(q, subscriber - 50);
                        }
                    }
                    for (int i = 0; i < mine.size(); i++) {
                        matcher.remove(mine.get(i), base + n - mine.size() + i);
                    }
                } catch (Throwable e) {
                    failures.add(e);
                } finally {
                    done.countDown();
                }
            });
            threads.add(t);
            t.start();
        }
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(500);
        int transactions = 0;
        while (System.nanoTime() < deadline) {
            matcher.match(transaction, (query, changes) -> {
                if (changes.size() != 2) {
                    failures.add(new AssertionError("saw " + changes.size() + " of 2 changes"));
                }
            });
            transactions++;
        }
        stop.set(true);
        assertThat(done.await(10, TimeUnit.SECONDS)).isTrue();
        for (Thread t : threads) {
            t.join();
        }
        assertThat(failures).isEmpty();
        assertThat(transactions).isPositive();
        assertThat(matcher.queryCount()).as("every subscriber left, so every query is gone").isZero();
    }
}
