package io.pulsebase.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.Random;
import org.junit.jupiter.api.Test;

class BackoffTest {
    @Test
    void doublesFromTheBaseUpToTheCapWithoutJitter() {
        Backoff b = new Backoff(Duration.ofSeconds(1), Duration.ofSeconds(30), 0);
        long[] expected = {1000, 2000, 4000, 8000, 16000, 30000, 30000};
        for (int i = 0; i < expected.length; i++) {
            assertThat(b.delay(i, () -> 0.5).toMillis()).as("attempt %d", i).isEqualTo(expected[i]);
        }
        assertThat(b.delay(10_000, () -> 0.5)).isEqualTo(Duration.ofSeconds(30));
    }

    @Test
    void jitterStaysWithinItsBandAndNeverExceedsTheCap() {
        Backoff b = Backoff.DEFAULT;
        Random random = new Random(42);
        for (int attempt = 0; attempt < 12; attempt++) {
            long nominal = Math.min(30_000, 1000L << attempt);
            for (int i = 0; i < 200; i++) {
                long ms = b.delay(attempt, random::nextDouble).toMillis();
                assertThat(ms).isBetween(Math.round(nominal * 0.8), Math.min(30_000, Math.round(nominal * 1.2)));
            }
        }
        assertThat(b.delay(0, () -> 0.0)).isEqualTo(Duration.ofMillis(800));
        assertThat(b.delay(0, () -> 0.999_999)).isEqualTo(Duration.ofMillis(1200));
    }

    @Test
    void refusesNonsense() {
        assertThatThrownBy(() -> new Backoff(Duration.ZERO, Duration.ofSeconds(1), 0.1))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new Backoff(Duration.ofSeconds(2), Duration.ofSeconds(1), 0.1))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new Backoff(Duration.ofSeconds(1), Duration.ofSeconds(1), 1.0))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
