package io.pulsebase.bench.load;

/**
 * The run's timeline in {@code System.nanoTime()} terms, shared by the writer and every subscriber of this
 * JVM (which is what makes {@code receive − sent_ns} a latency): writing starts at {@link #writeStart()},
 * the first {@code warmup} seconds are not measured, the measured window is {@code [measureStart,
 * measureEnd)}. Set once by the coordinator before the first write.
 */
final class RunClock {
    private volatile long writeStart = Long.MAX_VALUE;
    private volatile long measureStart = Long.MAX_VALUE;
    private volatile long measureEnd = Long.MAX_VALUE;

    void schedule(long writeStartNs, int warmupSeconds, int seconds) {
        measureEnd = writeStartNs + (warmupSeconds + (long) seconds) * 1_000_000_000L;
        measureStart = writeStartNs + warmupSeconds * 1_000_000_000L;
        writeStart = writeStartNs;
    }

    long writeStart() {
        return writeStart;
    }

    long measureStart() {
        return measureStart;
    }

    long measureEnd() {
        return measureEnd;
    }

    boolean inWindow(long ns) {
        return ns >= measureStart && ns < measureEnd;
    }

    double windowSeconds() {
        return (measureEnd - measureStart) / 1e9;
    }
}
