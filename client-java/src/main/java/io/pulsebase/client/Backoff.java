package io.pulsebase.client;

import java.time.Duration;
import java.util.function.DoubleSupplier;

/**
 * Exponential backoff with jitter: attempt n waits {@code min(cap, base · 2^n)} scaled by a random factor in
 * {@code [1 − jitter, 1 + jitter]}, never above {@code cap}. With the defaults: about 1 s, 2 s, 4 s … 30 s.
 */
record Backoff(Duration base, Duration cap, double jitter) {
    static final Backoff DEFAULT = new Backoff(Duration.ofSeconds(1), Duration.ofSeconds(30), 0.2);

    Backoff {
        if (base.isNegative() || base.isZero() || cap.compareTo(base) < 0) {
            throw new IllegalArgumentException("backoff needs 0 < base <= cap");
        }
        if (jitter < 0 || jitter >= 1) {
            throw new IllegalArgumentException("jitter must be in [0, 1)");
        }
    }

    /** The delay before attempt {@code attempt} (0 for the first retry); {@code random} yields [0, 1). */
    Duration delay(int attempt, DoubleSupplier random) {
        long baseMs = base.toMillis();
        long capMs = cap.toMillis();
        long exp = attempt >= 62 ? capMs : Math.min(capMs, baseMs << Math.min(attempt, 30));
        if (exp <= 0 || exp > capMs) {
            exp = capMs;
        }
        double factor = 1 - jitter + 2 * jitter * random.getAsDouble();
        long ms = Math.min(capMs, Math.max(1, Math.round(exp * factor)));
        return Duration.ofMillis(ms);
    }
}
