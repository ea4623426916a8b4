package io.pulsebase.core.log;

import java.time.Duration;

/**
 * How long the log keeps entries: an entry is pruned when it is older than {@code maxAge} or when more than
 * {@code maxEntries} newer entries exist. The newest entry is never pruned.
 */
public record Retention(Duration maxAge, long maxEntries) {
    public static final Retention DEFAULT = new Retention(Duration.ofDays(7), 1_000_000);

    public Retention {
        if (maxAge.isNegative() || maxAge.isZero()) {
            throw new IllegalArgumentException("retention age must be positive");
        }
        if (maxEntries < 1) {
            throw new IllegalArgumentException("retention must keep at least one entry");
        }
    }
}
