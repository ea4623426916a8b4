package io.pulsebase.bench.load;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;

/**
 * Commits transactions, each one multi-row INSERT of {@code rowsPerTx} rows for one room, from {@code K}
 * threads: through {@code POST /v1/sql}, each thread on one keep-alive connection ({@code --writer http}), or
 * straight into the server's SQLite file, each thread on its own JDBC connection in autocommit, as another
 * program writing the same database would ({@code --writer jdbc}, see {@link JdbcTarget}).
 *
 * <p>With a rate, transaction n is due at {@code writeStart + n / rate} (an open schedule shared by the
 * threads: a slow answer does not lower the offered rate, it shows up as "late"); with rate 0 every thread
 * commits back to back. {@code sent_ns} is the {@code nanoTime} just before the request is written (the
 * statement executed), so the latency a subscriber measures includes the HTTP request (or the JDBC commit),
 * capture and fan-out.
 *
 * <p>A transaction counts as written only when the server answered 200 with {@code changes == rowsPerTx}
 * (JDBC: the INSERT returned {@code rowsPerTx} updated rows); those counts (in total and per room) are what
 * the subscribers are expected to receive.
 */
final class Writer {
    private static final ObjectMapper JSON = new ObjectMapper();

    private final LoadOptions options;
    private final URI base;
    private final Path dbFile;
    private final RunClock clock;
    /** {@code Authorization} of the HTTP writes (the service key), or null with security off. */
    private final String authorization;
    private final BenchTable table;
    private final String insertSql;
    /** Nanoseconds between scheduled transactions; 0 = back to back. */
    private final long period;
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

    /** {@code dbFile}: the server's SQLite file for {@code --writer jdbc}, else null. */
    Writer(LoadOptions options, URI base, Path dbFile, RunClock clock) {
        this.options = options;
        this.base = base;
        this.dbFile = dbFile;
        this.clock = clock;
        this.authorization = options.credentials() == null ? null : options.credentials().serviceAuthorization();
        this.table = BenchTable.of(options.scenario());
        this.insertSql = table.insertSql(options.rowsPerTx());
        this.period = options.rate() > 0 ? Math.max(1, Math.round(1e9 / options.rate())) : 0;
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
        if (dbFile != null) {
            runJdbc(rtt, random);
            return;
        }
        StringBuilder body = new StringBuilder(256 + options.rowsPerTx() * (options.payloadBytes() + 48));
        try (SqlHttpClient http = new SqlHttpClient(base, authorization)) {
            while (awaitNextSlot()) {
                int room = options.rooms() == 1 ? 0 : random.nextInt(options.rooms());
                commitOne(http, body, room, rtt);
            }
        }
    }

    private void runJdbc(LatencyHistogram rtt, SplittableRandom random) {
        try (Connection c = JdbcTarget.open(dbFile);
                PreparedStatement insert = c.prepareStatement(insertSql)) {
            while (awaitNextSlot()) {
                int room = options.rooms() == 1 ? 0 : random.nextInt(options.rooms());
                commitOneJdbc(insert, room, rtt);
            }
        } catch (SQLException e) {
            // the connection could not be opened or closed: nothing was committed by the failing call
            failed.incrementAndGet();
            firstError.compareAndSet(null, "JDBC connection to " + dbFile + " failed: " + e);
        }
    }

    /**
     * Waits for this thread's next transaction: the next slot of the shared schedule with a rate, at once
     * without; false when the schedule is over.
     */
    private boolean awaitNextSlot() {
        long end = clock.measureEnd();
        if (period <= 0) {
            return System.nanoTime() < end;
        }
        long due = clock.writeStart() + nextSlot.getAndIncrement() * period;
        if (due >= end) {
            return false;
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
        return true;
    }

    private void commitOneJdbc(PreparedStatement insert, int room, LatencyHistogram rtt) {
        int rows = options.rowsPerTx();
        long sent = System.nanoTime();
        int n;
        try {
            int p = 1;
            for (int k = 0; k < rows; k++) {
                p = table.bind(insert, p, room, sent, k, options.payloadBytes());
            }
            n = insert.executeUpdate(); // autocommit: one transaction
        } catch (SQLException e) {
            int primary = e.getErrorCode() & 0xff;
            if (primary == 5 || primary == 6) {
                // SQLITE_BUSY / SQLITE_LOCKED past the busy timeout: autocommit rolled the statement back
                failed.incrementAndGet();
                firstError.compareAndSet(null, "JDBC INSERT refused: " + e);
            } else {
                uncertain.incrementAndGet();
                firstError.compareAndSet(null, "JDBC INSERT failed (may or may not have committed): " + e);
            }
            LockSupport.parkNanos(10_000_000); // do not spin on a failing database
            return;
        }
        long took = System.nanoTime() - sent;
        if (n != rows) {
            failed.incrementAndGet();
            firstError.compareAndSet(null, "JDBC INSERT reported " + n + " rows, expected " + rows);
            return;
        }
        committed(room, rows, sent, took, rtt);
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
            table.appendJson(body, room, sent, k, options.payloadBytes());
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
        committed(room, rows, sent, took, rtt);
    }

    private void committed(int room, int rows, long sent, long took, LatencyHistogram rtt) {
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

    /**
     * Request round trips (send → 200 answer; JDBC: bind + execute + commit) of transactions sent in the measured
     * window.
     */
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
