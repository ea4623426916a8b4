package io.pulsebase.bench.load;

/**
 * A log-linear histogram of non-negative {@code long} values (nanoseconds here): exact below 128, then 64
 * buckets per power of two, so a reported percentile is at most 1/64 (1.6 %) above the true value. Fixed
 * size (3,712 counters, 30 KiB), no allocation when recording.
 *
 * <p>Not thread-safe: each event loop records into its own instance and the owner merges them once the
 * loops are quiet. HdrHistogram does the same job; this class keeps the bench free of another dependency
 * for the ~100 lines it needs.
 */
final class LatencyHistogram {
    private static final int SUB_BITS = 6;
    private static final int SUB = 1 << SUB_BITS;            // buckets per power of two
    private static final int LINEAR = 2 * SUB;                // values below this are exact
    private static final int BUCKETS = LINEAR + (63 - SUB_BITS - 1) * SUB;

    private final long[] counts = new long[BUCKETS];
    private long total;
    private long min = Long.MAX_VALUE;
    private long max;
    private double sum;

    void record(long value) {
        record(value, 1);
    }

    /** Records {@code value} {@code times} times; negative values (clock skew cannot happen with one
     * {@code nanoTime} source, but be safe) count as 0. */
    void record(long value, long times) {
        if (times <= 0) {
            return;
        }
        long v = Math.max(0, value);
        counts[index(v)] += times;
        total += times;
        sum += (double) v * times;
        if (v < min) {
            min = v;
        }
        if (v > max) {
            max = v;
        }
    }

    void add(LatencyHistogram other) {
        for (int i = 0; i < BUCKETS; i++) {
            counts[i] += other.counts[i];
        }
        total += other.total;
        sum += other.sum;
        min = Math.min(min, other.min);
        max = Math.max(max, other.max);
    }

    long count() {
        return total;
    }

    long max() {
        return total == 0 ? 0 : max;
    }

    long min() {
        return total == 0 ? 0 : min;
    }

    double mean() {
        return total == 0 ? 0 : sum / total;
    }

    /**
     * The value at percentile {@code p} (0–100]: the upper edge of the bucket holding the ⌈p·n/100⌉-th
     * smallest sample, never above the largest sample seen. 0 when empty.
     */
    long percentile(double p) {
        if (total == 0) {
            return 0;
        }
        long rank = Math.max(1, (long) Math.ceil(p / 100.0 * total));
        long seen = 0;
        for (int i = 0; i < BUCKETS; i++) {
            seen += counts[i];
            if (seen >= rank) {
                return Math.min(upperEdge(i), max);
            }
        }
        return max;
    }

    static int index(long v) {
        if (v < LINEAR) {
            return (int) v;
        }
        int msb = 63 - Long.numberOfLeadingZeros(v);
        int shift = msb - SUB_BITS;                           // >= 1
        int top = (int) (v >>> shift);                        // in [SUB, 2*SUB)
        return LINEAR + (shift - 1) * SUB + (top - SUB);
    }

    static long upperEdge(int index) {
        if (index < LINEAR) {
            return index;
        }
        int shift = (index - LINEAR) / SUB + 1;
        long top = (index - LINEAR) % SUB + SUB;
        return ((top + 1) << shift) - 1;
    }
}
