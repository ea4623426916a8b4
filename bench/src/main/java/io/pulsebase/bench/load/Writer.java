package io.pulsebase.bench.load;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;

/**
 * Commits transactions through {@code POST /v1/sql}, each one multi-row INSERT of {@code rowsPerTx} rows
 * for one room, from {@code K} threads that each hold one keep-alive connection.
 *
 * <p>With a rate, transaction n is due at {@code writeStart + n / rate} (an open schedule shared by the
 * threads: a slow answer does not lower the offered rate, it shows up as "late"); with rate 0 every thread
 * commits back to back. {@code sent_ns} is the {@code nanoTime} just before the request is written, so the
 * latency a subscriber measures includes the HTTP request, the commit, capture and fan-out.
 *
 * <p>A transaction counts as written only when the server answered 200 with {@code changes == rowsPerTx};
 * those counts (in total and per room) are what the subscribers are expected to receive.
 */
final class Writer {
    private static final ObjectMapper JSON = new ObjectMapper();

    private final LoadOptions options;
    private final URI base;
    private final RunClock clock;
    private final String insertSql;
    private final AtomicLong nextSlot = new AtomicLong();
    private final List<Thread> threads = new ArrayList<>();
    private final List<LatencyHistogram> rtts = new ArrayList<>();

    private final AtomicLong committedTx = new AtomicLong();
    private final AtomicLong committedRows = new AtomicLong();
    private final AtomicLongArray rowsByRoom;
    private final AtomicLong windowTx = new AtomicLong();
    private final AtomicLong failed = new AtomicLong();
    private final AtomicLong uncertain = new AtomicLong();
    private final AtomicLong late = new AtomicLong();
    private final AtomicLong maxLateNs = new AtomicLong();
    private final AtomicReference<String> firstError = new AtomicReference<>();

    Writer(LoadOptions options, URI base, RunClock clock) {
        this.options = options;
        this.base = base;
        this.clock = clock;
        this.insertSql = BenchTable.insertSql(options.rowsPerTx());
        this.rowsByRoom = new AtomicLongArray(options.rooms());
    }

    void start() {
        for (int w = 0; w < options.writers(); w++) {
            LatencyHistogram rtt = new LatencyHistogram();
            rtts.add(rtt);
            long seed = 0x5eed + w;
            Thread t = new Thread(() -> run(rtt, new SplittableRandom(seed)), "writer-" + w);
            t.setDaemon(true);
            threads.add(t);
            t.start();
        }
    }

    /** Waits for every writer thread to finish its schedule; false when one is still running at the deadline. */
    boolean await(long deadlineNs) throws InterruptedException {
        for (Thread t : threads) {
            long left = deadlineNs - System.nanoTime();
            if (left <= 0) {
                return false;
            }
            t.join(Math.max(1, TimeUnit.NANOSECONDS.toMillis(left)));
            if (t.isAlive()) {
                return false;
            }
        }
        return true;
    }

    private void run(LatencyHistogram rtt, SplittableRandom random) {
        long period = options.rate() > 0 ? Math.max(1, Math.round(1e9 / options.rate())) : 0;
        StringBuilder body = new StringBuilder(256 + options.rowsPerTx() * (options.payloadBytes() + 48));
        try (SqlHttpClient http = new SqlHttpClient(base)) {
            while (true) {
                long end = clock.measureEnd();
                if (period > 0) {
                    long due = clock.writeStart() + nextSlot.getAndIncrement() * period;
                    if (due >= end) {
                        return;
                    }
                    long now;
                    while ((now = System.nanoTime()) < due) {
                        LockSupport.parkNanos(due - now);
                    }
                    long lateBy = now - due;
                    if (lateBy > 1_000_000) {
                        late.incrementAndGet();
                        maxLateNs.accumulateAndGet(lateBy, Math::max);
                    }
                } else if (System.nanoTime() >= end) {
                    return;
                }
                int room = options.rooms() == 1 ? 0 : random.nextInt(options.rooms());
                commitOne(http, body, room, rtt);
            }
        }
    }

    private void commitOne(SqlHttpClient http, StringBuilder body, int room, LatencyHistogram rtt) {
        int rows = options.rowsPerTx();
        long sent = System.nanoTime();
        body.setLength(0);
        body.append("{\"sql\":\"").append(insertSql).append("\",\"params\":[");
        for (int k = 0; k < rows; k++) {
            if (k > 0) {
                body.append(',');
            }
            body.append(room).append(',').append(sent).append(",\"")
                    .append(BenchTable.payload(room, sent, k, options.payloadBytes())).append('"');
        }
        body.append("]}");
        SqlHttpClient.Response r;
        try {
            r = http.post("/v1/sql", body.toString().getBytes(StandardCharsets.UTF_8));
        } catch (IOException e) {
            uncertain.incrementAndGet();
            firstError.compareAndSet(null, "write failed (may or may not have committed): " + e);
            LockSupport.parkNanos(10_000_000); // do not spin on a refused connection
            return;
        }
        long took = System.nanoTime() - sent;
        if (r.status() != 200 || changes(r.body()) != rows) {
            failed.incrementAndGet();
            firstError.compareAndSet(null, "HTTP " + r.status() + ": " + abbreviate(r.text()));
            return;
        }
        committedTx.incrementAndGet();
        committedRows.addAndGet(rows);
        rowsByRoom.addAndGet(room, rows);
        if (clock.inWindow(sent)) {
            windowTx.incrementAndGet();
            synchronized (rtt) {
                rtt.record(took);
            }
        }
    }

    private static long changes(byte[] body) {
        try {
            JsonNode n = JSON.readTree(body);
            JsonNode c = n == null ? null : n.get("changes");
            return c != null && c.canConvertToLong() ? c.asLong() : -1;
        } catch (IOException e) {
            return -1;
        }
    }

    static String abbreviate(String s) {
        return s.length() > 300 ? s.substring(0, 300) + "…" : s;
    }

    long committedTx() {
        return committedTx.get();
    }

    long committedRows() {
        return committedRows.get();
    }

    long rowsForRoom(int room) {
        return rowsByRoom.get(room);
    }

    long windowTx() {
        return windowTx.get();
    }

    long failed() {
        return failed.get();
    }

    long uncertain() {
        return uncertain.get();
    }

    long late() {
        return late.get();
    }

    long maxLateNs() {
        return maxLateNs.get();
    }

    String firstError() {
        return firstError.get();
    }

    /** Request round trips (send → 200 answer) of transactions sent in the measured window. */
    LatencyHistogram roundTrips() {
        LatencyHistogram all = new LatencyHistogram();
        for (LatencyHistogram h : rtts) {
            synchronized (h) {
                all.add(h);
            }
        }
        return all;
    }
}
