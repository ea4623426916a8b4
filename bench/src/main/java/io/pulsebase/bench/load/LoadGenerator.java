package io.pulsebase.bench.load;

import io.pulsebase.storage.sqlite.SqliteStorage;
import java.io.IOException;
import java.io.PrintStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * End-to-end load generator: commit-to-client latency and captured-and-delivered changes per second of a
 * Pulsebase server, measured from real WebSocket subscribers, and (same command) what plain SQLite commits.
 *
 * <p>One run: create {@code bench_fanout} and empty it, connect and subscribe N connections, settle 1 s,
 * write at the chosen rate for {@code warmup + seconds} (only the last {@code seconds} are measured), then
 * wait at most {@code drain} seconds for outstanding deliveries, and check that every subscriber received
 * exactly what was committed for it, in position order. Everything is bounded: the process stops by itself
 * at a hard deadline whatever happens. See bench/README.md for the scenarios and their command lines.
 */
public final class LoadGenerator {
    private static final PrintStream LOG = System.err;

    private final LoadOptions o;
    private final String[] args;

    private LoadGenerator(LoadOptions o, String[] args) {
        this.o = o;
        this.args = args;
    }

    public static void main(String[] args) {
        LoadOptions o;
        try {
            o = LoadOptions.parse(args);
        } catch (LoadOptions.HelpRequested h) {
            System.out.print(LoadOptions.USAGE);
            return;
        } catch (IllegalArgumentException e) {
            System.err.println("load generator: " + e.getMessage());
            System.err.print(LoadOptions.USAGE);
            System.exit(2);
            return;
        }
        if (System.getenv("PULSEBASE_LOG_LEVEL") == null && System.getProperty("PULSEBASE_LOG_LEVEL") == null) {
            // the in-process server logs to stdout at INFO; keep stdout for the report
            System.setProperty("PULSEBASE_LOG_LEVEL", "WARN");
        }
        startWatchdog(o.hardDeadlineSeconds());
        int rc;
        try {
            rc = new LoadGenerator(o, args).run();
        } catch (Exception e) {
            System.err.println("load generator failed: " + e);
            e.printStackTrace(System.err);
            rc = 1;
        }
        System.exit(rc);
    }

    /** Halts the JVM at the hard deadline: no loop, connection or server can keep the run going. */
    private static void startWatchdog(int seconds) {
        Thread t = new Thread(() -> {
            try {
                Thread.sleep(TimeUnit.SECONDS.toMillis(seconds));
                System.err.println("load generator: hard deadline of " + seconds + " s reached, stopping");
                Runtime.getRuntime().halt(3);
            } catch (InterruptedException ignored) {
                // exiting anyway
            }
        }, "hard-deadline");
        t.setDaemon(true);
        t.start();
    }

    private int run() throws Exception {
        RunReport report = new RunReport(o, args);
        report.put("loadavg_1m_at_start", ProcessStats.loadAverage());
        SqliteBaseline.Result baseline = null;
        if (o.withBaseline() || o.scenario() == Scenario.SQLITE_BASELINE) {
            baseline = SqliteBaseline.run(o, LOG::println);
            LOG.printf("sqlite-baseline: %.0f commits/s, %.0f rows/s%n", baseline.commitsPerSecond(),
                    baseline.rowsPerSecond());
        }
        if (o.scenario() == Scenario.SQLITE_BASELINE) {
            putSettings(report, false);
            putBaseline(report, baseline);
            report.put("machine", RunReport.machine());
            return finish(report);
        }

        long selfPid = ProcessHandle.current().pid();
        long fdLimit = ProcessStats.openFilesLimit(selfPid);
        long fdsNeeded = o.connections() * (o.external() ? 1L : 2L) + 256;
        if (fdLimit > 0 && fdsNeeded > fdLimit) {
            LOG.println("load generator: " + o.connections() + " connections need about " + fdsNeeded
                    + " open files in this process, the limit is " + fdLimit
                    + (o.external() ? "" : "; with --server inprocess each connection costs two (client and server "
                    + "side): use --server external") + ", or raise ulimit -n");
            return 2;
        }

        InProcessServer inProcess = null;
        try {
            URI url;
            if (o.external()) {
                url = o.url();
                ServerSetup.waitHealthy(url);
            } else {
                LOG.println("starting an in-process server…");
                inProcess = InProcessServer.start(o);
                url = inProcess.url();
            }
            long serverPid = o.external() ? o.serverPid() : selfPid;
            putSettings(report, true);
            report.put("server", o.external() ? "external " + url : "inprocess (shares this JVM) " + url);
            BenchTable table = BenchTable.of(o.scenario());
            ServerSetup.prepareTable(url, table,
                    o.credentials() == null ? null : o.credentials().serviceAuthorization(), report);
            Path dbFile = null;
            if (o.writer() == LoadOptions.WriterKind.JDBC) {
                dbFile = o.external() ? o.dbFile() : inProcess.dataDir().resolve(SqliteStorage.FILE_NAME);
                JdbcTarget.Info info = JdbcTarget.verify(dbFile, table);
                LOG.printf("writing straight into %s over JDBC (journal_mode %s, %d capture trigger(s) on %s)%n",
                        dbFile, info.journalMode(), info.captureTriggers(), table.name);
                Map<String, Object> jdbc = new LinkedHashMap<>();
                jdbc.put("db_file", dbFile.toString());
                jdbc.put("journal_mode", info.journalMode());
                jdbc.put("synchronous", "NORMAL");
                jdbc.put("busy_timeout_ms", JdbcTarget.BUSY_TIMEOUT_MS);
                jdbc.put("sqlite", info.sqliteVersion());
                jdbc.put("note", "one connection per writer thread, autocommit per multi-row INSERT; the server "
                        + "may group transactions committed within one capture poll into one frame");
                report.put("jdbc_writer", jdbc);
            }
            measure(report, url, dbFile, serverPid, selfPid);
        } finally {
            if (inProcess != null) {
                inProcess.close();
            }
        }
        if (baseline != null) {
            putBaseline(report, baseline);
            Object distinct = report.values.get("delivered_changes_per_s");
            if (distinct instanceof Number d && baseline.rowsPerSecond() > 0) {
                double ratio = d.doubleValue() / baseline.rowsPerSecond();
                report.put("delivered_vs_sqlite_rows", ratio);
                if (ratio < 0.5) {
                    report.note(String.format("delivered changes/s is %.2f of plain SQLite's rows/s (aim: at least 0.5)",
                            ratio));
                }
            }
        }
        report.put("machine", RunReport.machine());
        return finish(report);
    }

    private void measure(RunReport report, URI url, Path dbFile, long serverPid, long selfPid) throws Exception {
        RunClock clock = new RunClock();
        try (SubscriberPool pool = new SubscriberPool(o, url, clock)) {
            LOG.printf("connecting %d subscriber(s) to %s (%d handshakes at a time, %d %s event loop(s))…%n",
                    o.connections(), url, o.concurrency(), o.loops(), pool.transport());
            report.put("client_transport", pool.transport());
            long connectDeadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(o.connectTimeout());
            SubscriberPool.ConnectResult cr = pool.connectAll(connectDeadline, LOG::println);
            LOG.printf("subscribed %d of %d in %.1f s%s%n", cr.subscribed(), o.connections(), cr.seconds(),
                    cr.reasons().isEmpty() ? "" : ", failures: " + cr.reasons());
            report.put("connections", cr.subscribed());
            report.put("connect_s", cr.seconds());
            if (cr.failed() > 0) {
                report.failCheck(cr.failed() + " connection(s) not subscribed: " + cr.reasons());
            }
            if (cr.subscribed() == 0) {
                return;
            }
            Thread.sleep(TimeUnit.SECONDS.toMillis(o.settle()));

            Writer writer = new Writer(o, url, dbFile, clock);
            clock.schedule(System.nanoTime(), o.warmup(), o.seconds());
            LOG.printf("writing (%s): %s tx/s, %d row(s)/tx, %d writer(s), %d s warmup + %d s measured…%n",
                    o.writer().wireName(), o.rate() > 0 ? String.valueOf(o.rate()) : "max", o.rowsPerTx(),
                    o.writers(), o.warmup(), o.seconds());
            writer.start();

            sleepUntil(clock.measureStart());
            double serverCpu0 = serverPid > 0 ? ProcessStats.cpuSeconds(serverPid) : -1;
            double selfCpu0 = ProcessStats.cpuSeconds(selfPid);
            sleepUntil(clock.measureEnd());
            double serverCpu1 = serverPid > 0 ? ProcessStats.cpuSeconds(serverPid) : -1;
            double selfCpu1 = ProcessStats.cpuSeconds(selfPid);
            double serverRss = serverPid > 0 ? ProcessStats.memoryMiB(serverPid, "VmRSS") : -1;
            double serverHwm = serverPid > 0 ? ProcessStats.memoryMiB(serverPid, "VmHWM") : -1;

            if (!writer.await(System.nanoTime() + TimeUnit.SECONDS.toNanos(15))) {
                report.failCheck("a writer thread was still busy 15 s after the end of the schedule");
            }
            List<Subscriber> subs = pool.subscribed();
            long expectedTotal = 0;
            for (Subscriber s : subs) {
                expectedTotal += DeliveryCheck.expectedFor(s, writer);
            }
            long drainStart = System.nanoTime();
            long drainEnd = drainStart + TimeUnit.SECONDS.toNanos(o.drain());
            while (pool.received() < expectedTotal && System.nanoTime() < drainEnd) {
                Thread.sleep(5);
            }
            double drainSeconds = (System.nanoTime() - drainStart) / 1e9;
            List<LoopStats> loops = pool.collect();

            double window = clock.windowSeconds();
            DeliveryCheck.report(report, o, subs, writer, loops, window, drainSeconds);

            Map<String, Object> cpu = new LinkedHashMap<>();
            cpu.put("window_s", RunReport.round(window));
            if (o.external()) {
                if (serverPid > 0 && serverCpu0 >= 0) {
                    cpu.put("server_pid", serverPid);
                    cpu.put("server_cpu_s", RunReport.round(serverCpu1 - serverCpu0));
                    cpu.put("server_cores_busy", RunReport.round((serverCpu1 - serverCpu0) / window));
                    cpu.put("server_rss_mib", RunReport.round(serverRss));
                    cpu.put("server_hwm_mib", RunReport.round(serverHwm));
                }
                cpu.put("generator_cpu_s", RunReport.round(selfCpu1 - selfCpu0));
                cpu.put("generator_cores_busy", RunReport.round((selfCpu1 - selfCpu0) / window));
                cpu.put("generator_rss_mib", RunReport.round(ProcessStats.memoryMiB(selfPid, "VmRSS")));
            } else {
                cpu.put("process_cpu_s", RunReport.round(selfCpu1 - selfCpu0));
                cpu.put("process_cores_busy", RunReport.round((selfCpu1 - selfCpu0) / window));
                cpu.put("process_rss_mib", RunReport.round(serverRss));
                cpu.put("process_hwm_mib", RunReport.round(serverHwm));
                cpu.put("note", "inprocess: server and generator are one process; CPU and memory are both together");
            }
            cpu.put("loadavg_1m_at_end", ProcessStats.loadAverage());
            report.put("cpu", cpu);
        }
    }

    private void putSettings(RunReport r, boolean server) {
        if (server) {
            r.put("connections_requested", o.connections());
            if (o.scenario() == Scenario.FILTERED || o.scenario() == Scenario.OWNED) {
                r.put("rooms", o.rooms());
            }
            if (o.scenario() == Scenario.OWNED) {
                r.put("policy", o.policy().wireName());
            }
            r.put("auth", o.credentials() == null ? "none"
                    : o.policy() == LoadOptions.PolicyMode.OWNER ? "a user token per subscriber, service key for writes"
                    : "service key");
            r.put("rate_tx_per_s", o.rate() > 0 ? (Object) o.rate() : "max");
            r.put("writer", o.writer().wireName());
            r.put("writers", o.writers());
        }
        r.put("rows_per_tx", o.rowsPerTx());
        r.put("payload_bytes", o.payloadBytes());
        r.put("seconds", o.seconds());
        r.put("warmup_s", o.warmup());
        if (server) {
            r.put("loops", o.loops());
            r.put("src_ips", o.srcIps().size());
        }
    }

    private static void putBaseline(RunReport r, SqliteBaseline.Result b) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("commits_per_s", RunReport.round(b.commitsPerSecond()));
        m.put("rows_per_s", RunReport.round(b.rowsPerSecond()));
        m.put("commits", b.commits());
        m.put("seconds", RunReport.round(b.seconds()));
        m.put("sqlite", b.sqliteVersion());
        m.put("settings", "WAL, synchronous=NORMAL, no triggers, one thread, autocommit per multi-row INSERT");
        r.put("sqlite_baseline", m);
    }

    private int finish(RunReport report) throws IOException {
        String line = report.json();
        if (o.json()) {
            System.out.println(line);
        } else {
            report.printHuman(System.out);
            System.out.println();
            System.out.println(line);
        }
        if (o.out() != null) {
            Files.writeString(o.out(), line + System.lineSeparator(), StandardCharsets.UTF_8,
                    StandardOpenOption.CREATE, StandardOpenOption.APPEND);
        }
        return report.checksFailed() ? 1 : 0;
    }

    private static void sleepUntil(long deadlineNs) throws InterruptedException {
        long left;
        while ((left = deadlineNs - System.nanoTime()) > 0) {
            TimeUnit.NANOSECONDS.sleep(Math.min(left, 100_000_000L));
        }
    }
}
