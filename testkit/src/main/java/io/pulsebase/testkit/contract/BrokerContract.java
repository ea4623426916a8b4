package io.pulsebase.testkit.contract;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.pulsebase.core.broker.Broker;
import io.pulsebase.core.broker.BrokerListener;
import io.pulsebase.core.broker.BrokerMessage;
import io.pulsebase.core.log.Commit;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The {@link Broker} contract, one test per numbered rule of its Javadoc. Delivery may be asynchronous (a
 * broker between nodes), so tests wait for what must arrive and then watch briefly for what must not.
 */
@Timeout(60)
public abstract class BrokerContract {
    private static final Duration WAIT = Duration.ofSeconds(20);
    private static final Duration QUIET = Duration.ofMillis(300);

    /** A fresh broker of the implementation under test. */
    protected abstract Broker newBroker();

    private Broker broker;
    private final List<AutoCloseable> handles = new ArrayList<>();

    @BeforeEach
    void openBroker() {
        broker = newBroker();
    }

    @AfterEach
    void closeBroker() throws Exception {
        for (AutoCloseable handle : handles) {
            handle.close();
        }
        broker.close();
    }

    /** Subscribes for the rest of the test. */
    private AutoCloseable subscribe(BrokerListener listener) {
        AutoCloseable handle = broker.subscribe(listener);
        handles.add(handle);
        return handle;
    }

    /** A message identified by its number (carried as the position of an empty commit). */
    private static BrokerMessage message(long number) {
        return new BrokerMessage.Logged(new Commit(number, 0, List.of(), Map.of()));
    }

    private static long number(BrokerMessage message) {
        return ((BrokerMessage.Logged) message).entry().position();
    }

    /** Records message numbers and notices concurrent calls. */
    private static class Recorder implements BrokerListener {
        final List<Long> numbers = new ArrayList<>();
        final AtomicInteger inFlight = new AtomicInteger();
        final AtomicBoolean overlapped = new AtomicBoolean();

        @Override
        public void onMessage(BrokerMessage message) {
            if (inFlight.incrementAndGet() > 1) {
                overlapped.set(true);
            }
            try {
                synchronized (numbers) {
                    numbers.add(number(message));
                }
                received(number(message));
            } finally {
                inFlight.decrementAndGet();
            }
        }

        void received(long number) {
        }

        List<Long> numbers() {
            synchronized (numbers) {
                return List.copyOf(numbers);
            }
        }

        int size() {
            synchronized (numbers) {
                return numbers.size();
            }
        }
    }

    private static void awaitCount(Recorder recorder, int count) {
        await().atMost(WAIT).pollInterval(Duration.ofMillis(5)).until(() -> recorder.size() >= count);
    }

    private static List<Long> range(long from, long toExclusive) {
        List<Long> numbers = new ArrayList<>();
        for (long i = from; i < toExclusive; i++) {
            numbers.add(i);
        }
        return numbers;
    }

    /** Rule 1: every message published after a listener subscribed reaches it, once. */
    @Test
    void everyMessagePublishedAfterSubscribingReachesEachListenerOnce() throws Exception {
        Recorder first = new Recorder();
        Recorder second = new Recorder();
        subscribe(first);
        subscribe(second);
        for (long i = 1; i <= 100; i++) {
            broker.publish(message(i));
        }
        awaitCount(first, 100);
        awaitCount(second, 100);
        Thread.sleep(QUIET.toMillis());
        assertThat(first.numbers()).containsExactlyInAnyOrderElementsOf(range(1, 101));
        assertThat(second.numbers()).containsExactlyInAnyOrderElementsOf(range(1, 101));
    }

    /** Rule 2: messages from one publisher reach each listener in publication order. */
    @Test
    void messagesFromOnePublisherArriveInTheOrderPublished() throws Exception {
        Recorder recorder = new Recorder();
        int publishers = 4;
        int perPublisher = 200;
        subscribe(recorder);
        List<Thread> threads = new ArrayList<>();
        for (int p = 0; p < publishers; p++) {
            long base = p * 1_000_000L;
            threads.add(Thread.ofPlatform().start(() -> {
                for (int i = 0; i < perPublisher; i++) {
                    broker.publish(message(base + i));
                }
            }));
        }
        for (Thread thread : threads) {
            thread.join();
        }
        awaitCount(recorder, publishers * perPublisher);
        Map<Long, Long> lastByPublisher = new HashMap<>();
        for (long number : recorder.numbers()) {
            long publisher = number / 1_000_000L;
            Long last = lastByPublisher.put(publisher, number);
            assertThat(last == null || last < number)
                    .as("message %d after %d from the same publisher", number, last).isTrue();
        }
    }

    /** Rule 3: a listener is never called concurrently with itself. */
    @Test
    void aListenerIsNeverCalledConcurrentlyWithItself() throws Exception {
        Recorder recorder = new Recorder() {
            @Override
            void received(long number) {
                Thread.onSpinWait();
                if (number % 50 == 0) {
                    Thread.yield();
                }
            }
        };
        int publishers = 4;
        int perPublisher = 250;
        subscribe(recorder);
        CountDownLatch go = new CountDownLatch(1);
        List<Thread> threads = new ArrayList<>();
        for (int p = 0; p < publishers; p++) {
            long base = p * 1_000_000L;
            threads.add(Thread.ofPlatform().start(() -> {
                try {
                    go.await();
                } catch (InterruptedException e) {
                    return;
                }
                for (int i = 0; i < perPublisher; i++) {
                    broker.publish(message(base + i));
                }
            }));
        }
        go.countDown();
        for (Thread thread : threads) {
            thread.join();
        }
        awaitCount(recorder, publishers * perPublisher);
        assertThat(recorder.overlapped.get()).isFalse();
    }

    /** Rule 4: a listener that throws keeps receiving later messages, and nothing is dropped. */
    @Test
    void aListenerThatThrowsKeepsReceivingLaterMessages() throws Exception {
        Recorder failing = new Recorder() {
            @Override
            void received(long number) {
                if (number % 2 == 1) {
                    throw new IllegalStateException("listener failure " + number + " (expected by the test)");
                }
            }
        };
        Recorder healthy = new Recorder();
        subscribe(failing);
        subscribe(healthy);
        for (long i = 1; i <= 20; i++) {
            broker.publish(message(i));
        }
        awaitCount(failing, 20);
        awaitCount(healthy, 20);
        assertThat(failing.numbers()).containsExactlyInAnyOrderElementsOf(range(1, 21));
        assertThat(healthy.numbers()).containsExactlyInAnyOrderElementsOf(range(1, 21));
    }

    /** Rule 5: closing the handle stops delivery to that listener, and only to it. */
    @Test
    void closingTheHandleStopsDeliveryToThatListener() throws Exception {
        Recorder leaving = new Recorder();
        Recorder staying = new Recorder();
        AutoCloseable leavingHandle = subscribe(leaving);
        subscribe(staying);
        broker.publish(message(1));
        awaitCount(leaving, 1);
        awaitCount(staying, 1);

        leavingHandle.close();
        handles.remove(leavingHandle);
        broker.publish(message(2));
        awaitCount(staying, 2);
        Thread.sleep(QUIET.toMillis());

        assertThat(leaving.numbers()).containsExactly(1L);
        assertThat(staying.numbers()).containsExactly(1L, 2L);
    }
}
