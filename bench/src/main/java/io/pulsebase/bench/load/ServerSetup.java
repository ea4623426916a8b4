package io.pulsebase.bench.load;

import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Talks to the server before a run: is it healthy, and the benchmark table created, emptied and settled. */
final class ServerSetup {
    private ServerSetup() {
    }

    /**
     * Creates the scenario's table if needed and empties it, so every run starts from the same table; then
     * waits until the server has fanned out that DELETE. A live subscription (no {@code since}, no snapshot)
     * receives whatever the dispatcher sends after it joined, and the dispatcher may still be behind the
     * DELETE's commit: subscribers connected too early would be sent the whole DELETE (one frame of every
     * row of the previous run, tens of MB) as their first change.
     */
    static void prepareTable(URI url, BenchTable table, String authorization, RunReport report)
            throws IOException, InterruptedException {
        long deletedAt;
        try (SqlHttpClient http = new SqlHttpClient(url, authorization)) {
            sql(http, table.create());
            deletedAt = positionOf(sql(http, table.deleteAll()));
            long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (true) {
                long dispatched = dispatchedPosition(http);
                if (dispatched < 0) {
                    report.note("the server's /metrics has no pulsebase_capture_position: waited 2 s for the "
                            + "setup DELETE to be fanned out instead");
                    Thread.sleep(2000);
                    return;
                }
                if (dispatched >= deletedAt) {
                    return;
                }
                if (System.nanoTime() > end) {
                    throw new IOException("the server did not fan out the setup DELETE (position " + deletedAt
                            + ") within 60 s; fanned out: " + dispatched);
                }
                Thread.sleep(50);
            }
        }
    }

    private static String sql(SqlHttpClient http, String sql) throws IOException {
        SqlHttpClient.Response r = http.post("/v1/sql", ("{\"sql\":\"" + sql + "\"}").getBytes(StandardCharsets.UTF_8));
        if (r.status() != 200) {
            throw new IOException(sql + " answered HTTP " + r.status() + ": " + Writer.abbreviate(r.text()));
        }
        return r.text();
    }

    private static long positionOf(String sqlAnswer) throws IOException {
        Matcher m = Pattern.compile("\"position\"\\s*:\\s*\"(\\d+)\"").matcher(sqlAnswer);
        if (!m.find()) {
            throw new IOException("no position in " + Writer.abbreviate(sqlAnswer));
        }
        return Long.parseLong(m.group(1));
    }

    /**
     * {@code pulsebase_capture_position} of the default account from {@code /metrics} (tagged
     * {@code account="default"}; untagged from servers before accounts): the last position fanned out; -1 if absent.
     */
    private static long dispatchedPosition(SqlHttpClient http) throws IOException {
        SqlHttpClient.Response r = http.get("/metrics");
        if (r.status() != 200) {
            return -1;
        }
        for (String line : r.text().split("\n")) {
            if (line.startsWith("pulsebase_capture_position ")
                    || line.startsWith("pulsebase_capture_position{account=\"default\"}")) {
                return (long) Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1).trim());
            }
        }
        return -1;
    }

    static void waitHealthy(URI url) throws IOException, InterruptedException {
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        String last = "no answer";
        while (System.nanoTime() < end) {
            try (SqlHttpClient http = new SqlHttpClient(url, null)) {
                SqlHttpClient.Response r = http.get("/health");
                if (r.status() == 200) {
                    return;
                }
                last = "HTTP " + r.status() + " " + Writer.abbreviate(r.text());
            } catch (IOException e) {
                last = e.toString();
            }
            Thread.sleep(200);
        }
        throw new IOException("server at " + url + " is not healthy after 10 s: " + last);
    }
}
