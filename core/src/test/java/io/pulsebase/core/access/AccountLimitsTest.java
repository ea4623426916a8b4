package io.pulsebase.core.access;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.pulsebase.protocol.ErrorCode;
import io.pulsebase.protocol.ProtocolException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class AccountLimitsTest {

    @Test
    void anAccountHoldsAtMostItsConnectionsAndASlotComesBackOnDisconnect() {
        AccountLimits.Usage usage = new AccountLimits(2, 0).newUsage();
        usage.connect("a");
        usage.connect("a");
        usage.connect("b");
        assertThatThrownBy(() -> usage.connect("a")).isInstanceOfSatisfying(ProtocolException.class,
                e -> assertThat(e.code()).isEqualTo(ErrorCode.TOO_MANY_CONNECTIONS));
        assertThat(usage.connections("a")).isEqualTo(2);
        usage.disconnect("a");
        usage.connect("a");
        assertThat(usage.connections("a")).isEqualTo(2);
        assertThat(usage.connections("b")).isEqualTo(1);
    }

    @Test
    void concurrentConnectsNeverExceedTheLimit() throws InterruptedException {
        AccountLimits.Usage usage = new AccountLimits(50, 0).newUsage();
        AtomicInteger admitted = new AtomicInteger();
        CountDownLatch start = new CountDownLatch(1);
        List<Thread> threads = new ArrayList<>();
        for (int t = 0; t < 8; t++) {
            threads.add(Thread.ofPlatform().start(() -> {
                try {
                    start.await();
                } catch (InterruptedException e) {
                    return;
                }
                for (int i = 0; i < 100; i++) {
                    try {
                        usage.connect("a");
                        admitted.incrementAndGet();
                    } catch (ProtocolException e) {
                        assertThat(e.code()).isEqualTo(ErrorCode.TOO_MANY_CONNECTIONS);
                    }
                }
            }));
        }
        start.countDown();
        for (Thread t : threads) {
            t.join();
        }
        assertThat(admitted.get()).isEqualTo(50);
        assertThat(usage.connections("a")).isEqualTo(50);
    }

    @Test
    void anAccountsPublishesShareOneBudgetAndZeroMeansNoLimit() {
        AccountLimits.Usage usage = new AccountLimits(0, 5).newUsage();
        for (int i = 0; i < 5; i++) {
            usage.publish("a");
        }
        assertThatThrownBy(() -> usage.publish("a")).isInstanceOfSatisfying(ProtocolException.class,
                e -> assertThat(e.code()).isEqualTo(ErrorCode.RATE_LIMITED));
        usage.publish("b");
        AccountLimits.Usage none = AccountLimits.NONE.newUsage();
        for (int i = 0; i < 10_000; i++) {
            none.connect("a");
            none.publish("a");
        }
        assertThat(none.limitsConnections()).isFalse();
        assertThatThrownBy(() -> new AccountLimits(-1, 0)).isInstanceOf(IllegalArgumentException.class);
    }
}
