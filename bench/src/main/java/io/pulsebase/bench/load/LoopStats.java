package io.pulsebase.bench.load;

import io.netty.channel.EventLoop;
import java.util.concurrent.atomic.AtomicLong;

/**
 * What the subscribers on one event loop measured. Only that loop's thread writes the plain fields; the
 * coordinator reads them after {@link SubscriberPool#collect()} has run a task on the loop (which orders
 * the reads after every write). {@link #received} is atomic so the drain can watch progress meanwhile.
 */
final class LoopStats {
    final EventLoop loop;
    final FrameReader reader;
    /** commit-to-client latency of changes whose transaction was sent in the measured window, per change. */
    final LatencyHistogram latency = new LatencyHistogram();
    /** Changes received (every frame, every time) — drain progress. */
    final AtomicLong received = new AtomicLong();
    /** Changes received while the clock was inside the measured window: deliveries per second. */
    long windowDeliveries;
    /** Same, counting only one subscriber per distinct filter: distinct changes delivered per second. */
    long windowDistinct;
    /** Most whole transactions seen in one frame (more than 1 only with {@code --writer jdbc}). */
    int maxTxPerFrame;
    /** The first problem seen on this loop, with the connection it happened on. */
    String firstProblem;

    LoopStats(EventLoop loop, LoadOptions options) {
        this.loop = loop;
        this.reader = new FrameReader(options.rowsPerTx(), options.payloadBytes(),
                options.writer() == LoadOptions.WriterKind.JDBC, BenchTable.of(options.scenario()).owned);
    }

    void problem(int connection, String what) {
        if (firstProblem == null) {
            firstProblem = "connection " + connection + ": " + what;
        }
    }
}
