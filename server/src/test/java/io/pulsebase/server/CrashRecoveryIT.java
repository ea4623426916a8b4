package io.pulsebase.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.pulsebase.testkit.client.Json;
import io.pulsebase.testkit.client.WsTestClient;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Writers commit continuously (concurrently, so in group commits) while the server is killed with SIGKILL and
 * restarted. A client that resumes from its last position receives every committed change exactly once and in
 * order, and every write the server acknowledged is in the table.
 */
class CrashRecoveryIT {
    private static final int WRITERS = 4;

    @TempDir
    Path dir;

    @Test
    void resumeAfterKillNineDeliversEveryCommittedChangeExactlyOnceInOrder() throws Exception {
        try (ServerProcess server = new ServerProcess(dir.resolve("data"), dir.resolve("server.log"))) {
            server.start();
            post(server.http("/v1/sql"), Json.object("sql", "CREATE TABLE events (id INTEGER PRIMARY KEY, n INTEGER)"));

            List<Long> received = new ArrayList<>();
            long[] lastPosition = {0};
            WsTestClient client = WsTestClient.connect(server.ws());
            JsonNode reply = client.subscribe("topic", "events", "snapshot", true);
            lastPosition[0] = reply.path("position").asLong();

            Set<Long> acknowledged = ConcurrentHashMap.newKeySet();
            AtomicBoolean writing = new AtomicBoolean(true);
            // Several concurrent writers, so the kill lands among group commits (several requests per COMMIT).
            List<Thread> writers = new ArrayList<>();
            for (int w = 0; w < WRITERS; w++) {
                writers.add(Thread.ofPlatform().name("crash-writer-" + w).start(() -> {
                    long n = 0;
                    while (writing.get()) {
                        n++;
                        try {
                            HttpResponse<String> r = post(server.http("/v1/tables/events/rows"), Json.object("n", n));
                            if (r.statusCode() == 201) {
                                acknowledged.add(Json.read(r.body()).path("row").path("id").asLong());
                            }
                        } catch (Exception e) {
                            sleep(20); // server down: keep trying until it is back
                        }
                    }
                }));
            }

            collectFor(client, received, lastPosition, Duration.ofMillis(1500));
            server.kill();
            assertThat(client.awaitClose(Duration.ofSeconds(10))).isNotNegative();
            int beforeCrash = received.size();
            assertThat(beforeCrash).as("changes seen before the crash").isPositive();

            sleep(300);
            server.start();
            sleep(1000);
            writing.set(false);
            for (Thread writer : writers) {
                writer.join(10_000);
            }

            WsTestClient resumed = WsTestClient.connect(server.ws());
            // Replayed changes arrive before the subscribe reply: collect everything, do not wait for the reply.
            resumed.send("type", "subscribe", "topic", "events", "since", Long.toString(lastPosition[0]));
            JsonNode table = Json.read(post(server.http("/v1/sql"),
                    Json.object("sql", "SELECT id FROM events ORDER BY id")).body());
            long head = table.path("position").asLong();
            long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            while (lastPosition[0] < head && System.nanoTime() < deadline) {
                collectFor(resumed, received, lastPosition, Duration.ofMillis(200));
            }
            resumed.close();

            List<Long> inTable = new ArrayList<>();
            for (JsonNode row : table.path("rows")) {
                inTable.add(row.path("id").asLong());
            }
            assertThat(received).as("every committed row exactly once, in commit order").isEqualTo(inTable);
            assertThat(new HashSet<>(inTable)).as("every acknowledged write survived").containsAll(acknowledged);
            assertThat(received.size()).isGreaterThan(beforeCrash);
        }
    }

    /** Applies db_change frames for a while; positions must grow. */
    private static void collectFor(WsTestClient client, List<Long> received, long[] lastPosition, Duration time) {
        long deadline = System.nanoTime() + time.toNanos();
        while (System.nanoTime() < deadline) {
            JsonNode frame = client.poll(Duration.ofMillis(50));
            if (frame == null) {
                continue;
            }
            if (!frame.path("type").asText().equals("db_change")) {
                continue;
            }
            long position = frame.path("position").asLong();
            assertThat(position).as("positions grow").isGreaterThan(lastPosition[0]);
            lastPosition[0] = position;
            for (JsonNode change : frame.path("changes")) {
                assertThat(change.path("operation").asText()).isEqualTo("INSERT");
                received.add(change.path("data").path("id").asLong());
            }
        }
    }

    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    private static HttpResponse<String> post(URI uri, String body) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(5))
                .header("content-type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
