package io.pulsebase.core.channel;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class PublishRateTest {
    private static final long MS = 1_000_000L;

    @Test
    void allowsABurstOfTheRateThenRefuses() {
        PublishRate rate = new PublishRate(5, 0);
        for (int i = 0; i < 5; i++) {
            assertThat(rate.tryAcquire(0)).isTrue();
        }
        assertThat(rate.tryAcquire(0)).isFalse();
    }

    @Test
    void refillsAtTheRate() {
        PublishRate rate = new PublishRate(10, 0);
        for (int i = 0; i < 10; i++) {
            rate.tryAcquire(0);
        }
        assertThat(rate.tryAcquire(50 * MS)).isFalse();
        assertThat(rate.tryAcquire(100 * MS)).isTrue();
        assertThat(rate.tryAcquire(100 * MS)).isFalse();
    }

    @Test
    void neverHoldsMoreThanOneSecondOfTokens() {
        PublishRate rate = new PublishRate(3, 0);
        int allowed = 0;
        for (int i = 0; i < 10; i++) {
            if (rate.tryAcquire(60_000 * MS)) {
                allowed++;
            }
        }
        assertThat(allowed).isEqualTo(3);
    }
}
