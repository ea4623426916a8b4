package io.pulsebase.core.session;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class SerialExecutorTest {
    private final ExecutorService pool = Executors.newFixedThreadPool(2);
    private final SerialExecutor serial = new SerialExecutor(pool);

    @AfterEach
    void stop() {
        pool.shutdownNow();
    }

    @Test
    void anInlineTaskRunsOnTheCallerWhenNothingIsQueued() {
        Thread[] ran = new Thread[1];
        serial.executeInline(() -> ran[0] = Thread.currentThread());
        assertThat(ran[0]).isSameAs(Thread.currentThread());
        assertThat(serial.pending()).isZero();
    }

    @Test
    void anInlineTaskWaitsBehindQueuedOnesAndOrderIsKept() throws Exception {
        List<Integer> order = Collections.synchronizedList(new ArrayList<>());
        CountDownLatch release = new CountDownLatch(1);
        serial.execute(() -> {
            await(release);
            order.add(1);
        });
        serial.executeInline(() -> order.add(2));
        serial.execute(() -> order.add(3));
        assertThat(order).isEmpty();
        release.countDown();
        waitUntilIdle();
        assertThat(order).containsExactly(1, 2, 3);
    }

    @Test
    void tasksSubmittedWhileAnInlineTaskRunsFollowIt() throws Exception {
        List<Integer> order = Collections.synchronizedList(new ArrayList<>());
        serial.executeInline(() -> {
            serial.execute(() -> order.add(2));
            serial.executeInline(() -> order.add(3));
            order.add(1);
        });
        waitUntilIdle();
        assertThat(order).containsExactly(1, 2, 3);
    }

    private void waitUntilIdle() throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (serial.pending() > 0 && System.nanoTime() < deadline) {
            Thread.sleep(5);
        }
        assertThat(serial.pending()).isZero();
    }

    private static void await(CountDownLatch latch) {
        try {
            latch.await(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
