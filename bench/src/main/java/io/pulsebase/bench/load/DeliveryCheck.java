package io.pulsebase.bench.load;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * After the drain: what each subscriber received against what was committed for it, ordering and content
 * errors, closes and write failures, summed into the report's rates, latency and {@code check} block, and
 * every failed check marked as such.
 */
final class DeliveryCheck {
    private DeliveryCheck() {
    }

    /** Rows a subscriber must have received: all of them, or those of its room. */
    static long expectedFor(Subscriber s, Writer writer) {
        return s.room < 0 ? writer.committedRows() : writer.rowsForRoom((int) s.room);
    }

    static void report(RunReport report, LoadOptions o, List<Subscriber> subs, Writer writer, List<LoopStats> loops,
            double window, double drainSeconds) {
        long expectedTotal = 0;
        for (Subscriber s : subs) {
            expectedTotal += expectedFor(s, writer);
        }
        LatencyHistogram latency = new LatencyHistogram();
        long windowDeliveries = 0;
        long windowDistinct = 0;
        for (LoopStats l : loops) {
            latency.add(l.latency);
            windowDeliveries += l.windowDeliveries;
            windowDistinct += l.windowDistinct;
        }
        long received = 0;
        long losses = 0;
        long extra = 0;
        long frames = 0;
        long positionErrors = 0;
        long contentErrors = 0;
        long serverErrors = 0;
        int lossyConnections = 0;
        int unexpectedCloses = 0;
        Map<String, Integer> closeCodes = new TreeMap<>();
        for (Subscriber s : subs) {
            long expected = expectedFor(s, writer);
            received += s.changes;
            frames += s.frames;
            if (s.changes < expected) {
                losses += expected - s.changes;
                lossyConnections++;
            } else {
                extra += s.changes - expected;
            }
            positionErrors += s.positionErrors;
            contentErrors += s.contentErrors;
            serverErrors += s.serverErrors;
            if (s.closedUnexpectedly) {
                unexpectedCloses++;
                closeCodes.merge(s.closeCode == -1 ? "no close frame" : s.closeCode + " " + s.closeReason, 1,
                        Integer::sum);
            }
        }

        report.put("committed_tx_per_s", writer.windowTx() / window);
        report.put("committed_rows_per_s", writer.windowTx() * (double) o.rowsPerTx() / window);
        report.put("delivered_changes_per_s", windowDistinct / window);
        report.put("deliveries_per_s", windowDeliveries / window);
        report.put("latency", RunReport.latency(latency));
        report.put("write_round_trip", RunReport.latency(writer.roundTrips()));
        Map<String, Object> check = new LinkedHashMap<>();
        check.put("committed_tx", writer.committedTx());
        check.put("committed_rows", writer.committedRows());
        check.put("expected_deliveries", expectedTotal);
        check.put("delivered", received);
        check.put("losses", losses);
        check.put("lossy_connections", lossyConnections);
        check.put("extra", extra);
        check.put("frames", frames);
        if (o.writer() == LoadOptions.WriterKind.JDBC) {
            // the server groups other programs' transactions committed within one capture poll into one entry
            int maxTx = 0;
            for (LoopStats l : loops) {
                maxTx = Math.max(maxTx, l.maxTxPerFrame);
            }
            check.put("tx_per_frame_mean",
                    frames == 0 ? 0.0 : RunReport.round(received / (double) o.rowsPerTx() / frames));
            check.put("tx_per_frame_max", maxTx);
        }
        check.put("position_errors", positionErrors);
        check.put("content_errors", contentErrors);
        check.put("server_errors", serverErrors);
        check.put("unexpected_closes", unexpectedCloses);
        if (!closeCodes.isEmpty()) {
            check.put("close_codes", closeCodes);
        }
        check.put("write_failures", writer.failed());
        check.put("write_uncertain", writer.uncertain());
        check.put("late_sends", writer.late());
        check.put("max_late_ms", RunReport.ms(writer.maxLateNs()));
        check.put("drain_s", RunReport.round(drainSeconds));
        report.put("check", check);

        if (losses > 0) {
            report.failCheck(losses + " change deliveries missing on " + lossyConnections + " connection(s)");
        }
        if (extra > 0) {
            report.failCheck(extra + " more changes delivered than committed");
        }
        if (positionErrors + contentErrors + serverErrors > 0) {
            report.failCheck(positionErrors + " ordering, " + contentErrors + " content and " + serverErrors
                    + " server errors");
        }
        if (unexpectedCloses > 0) {
            report.failCheck(unexpectedCloses + " connection(s) closed by the server: " + closeCodes);
        }
        if (writer.failed() + writer.uncertain() > 0) {
            report.failCheck(writer.failed() + " write(s) refused, " + writer.uncertain()
                    + " without an answer; first: " + writer.firstError());
        }
        if (writer.late() > 0) {
            report.note(writer.late() + " transaction(s) sent more than 1 ms behind schedule (the writers fell "
                    + "behind the schedule: the server answered slower than the rate, or add --writers)");
        }
        for (LoopStats l : loops) {
            if (l.firstProblem != null) {
                report.note("first problem on an event loop: " + l.firstProblem);
            }
        }
        if (writer.firstError() != null && writer.failed() + writer.uncertain() == 0) {
            report.note(writer.firstError());
        }
    }
}
