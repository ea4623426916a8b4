package io.pulsebase.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.pulsebase.testkit.client.Json;
import io.pulsebase.testkit.client.RawWebSocket;
import io.pulsebase.testkit.client.WsTestClient;
import java.io.ByteArrayOutputStream;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * A client that stops reading is closed as a slow consumer (4001) once its outbound queue overflows, and resuming
 * from the last position it saw loses nothing; other clients are unaffected.
 */
class SlowConsumerIT {

    @Test
    void aClientThatStopsReadingIsClosedWith4001AndResumesWithoutLoss() throws Exception {
        try (TestServer server = TestServer.start(c -> c.withTransport(c.transport()
                .withOutboundQueueBytes(128 * 1024).withPermessageDeflate(false)))) {
            server.sql("CREATE TABLE heavy (id INTEGER PRIMARY KEY, pad TEXT)");
            List<Long> written = new ArrayList<>();
            long lastSeen = 0;
            try (RawWebSocket stalled = RawWebSocket.connect(server.port(), "/v1/realtime", Map.of(), 4096);
                 WsTestClient healthy = WsTestClient.connect(server.ws())) {
                stalled.sendText("{\"type\":\"subscribe\",\"topic\":\"heavy\",\"ref\":\"s\"}");
                assertThat(Json.read(stalled.read(Duration.ofSeconds(5)).text()).path("ok").asBoolean()).isTrue();
                healthy.subscribe("topic", "heavy");

                // ~100 KB per transaction; the stalled client reads nothing meanwhile.
                for (int i = 0; i < 80; i++) {
                    written.add(server.write("INSERT INTO heavy (pad) WITH RECURSIVE c(x) AS "
                            + "(SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE x < 100) SELECT hex(zeroblob(500)) FROM c"));
                    JsonNode f = healthy.awaitChange("heavy");
                    assertThat(Json.position(f)).as("the reading client keeps up").isEqualTo(written.get(i));
                }

                // Now read what the stalled client was sent: whole frames in order, then the 4001 close.
                int closeCode = -1;
                String closeReason = null;
                ByteArrayOutputStream partial = new ByteArrayOutputStream();
                while (true) {
                    RawWebSocket.Frame f = stalled.read(Duration.ofSeconds(10));
                    if (f.opcode() == RawWebSocket.CLOSE) {
                        closeCode = f.closeCode();
                        closeReason = f.closeReason();
                        break;
                    }
                    JsonNode frame = message(f, partial);
                    if (frame != null && frame.path("type").asText().equals("db_change")) {
                        long p = Json.position(frame);
                        assertThat(p).isGreaterThan(lastSeen);
                        lastSeen = p;
                    }
                }
                assertThat(closeCode).isEqualTo(4001);
                assertThat(closeReason).isEqualTo("slow_consumer");
                assertThat(lastSeen).as("the stalled client was cut off before the end").isLessThan(written.get(written.size() - 1));

                assertThat(healthy.isOpen()).isTrue();
            }
            HttpResponse<String> metrics = server.request("GET", "/metrics", null);
            assertThat(ObservabilityIT.sample(metrics.body(), "pulsebase_slow_consumer_disconnects_total")).isEqualTo(1.0);

            // Resuming from the last position it saw delivers everything after it, once. (The queue is raised for the
            // resume: a backlog larger than the queue is its own test below.)
            server.restart(c -> c.withTransport(c.transport().withOutboundQueueBytes(256L << 20)));
            long from = lastSeen;
            try (WsTestClient resumed = WsTestClient.connect(server.ws())) {
                resumed.send("type", "subscribe", "topic", "heavy", "since", Long.toString(from));
                List<Long> got = new ArrayList<>();
                long end = written.get(written.size() - 1);
                while (got.isEmpty() || got.get(got.size() - 1) < end) {
                    JsonNode f = resumed.next();
                    if (f.path("type").asText().equals("db_change")) {
                        assertThat(f.path("changes")).hasSize(100);
                        got.add(Json.position(f));
                    }
                }
                assertThat(got).isEqualTo(written.stream().filter(p -> p > from).toList());
            }
        }
    }

    /**
     * Server bug (reported): a {@code since} replay queues a whole log batch (catchUpBatch = 500 entries) before it
     * looks at the queue, and waits only above a fixed 1 MiB whatever the configured queue, so a backlog bigger
     * than the outbound queue closes an actively reading client with 4001 — and it meets the same backlog on every
     * resume. Seen: 4001 slow_consumer after 8 (fast JDK client: also 4001) and 42 of 120 frames.
     */
    @Test
    void aSteadyReaderSlowerThanLoopbackResumesABacklogLargerThanTheQueue() throws Exception {
        try (TestServer server = TestServer.start(c -> c.withTransport(c.transport().withPermessageDeflate(false)))) {
            server.sql("CREATE TABLE backlog (id INTEGER PRIMARY KEY, pad TEXT)");
            long start = server.write("INSERT INTO backlog (pad) VALUES ('first')");
            List<Long> missed = new ArrayList<>();
            for (int i = 0; i < 120; i++) {    // ~100 KB per transaction, ~12 MB in all (default queue: 4 MiB)
                missed.add(server.write("INSERT INTO backlog (pad) WITH RECURSIVE c(x) AS "
                        + "(SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE x < 10) SELECT hex(zeroblob(5000)) FROM c"));
            }
            // A client reading steadily at about 5 MB/s (a phone on a good network), never stopping.
            try (RawWebSocket client = RawWebSocket.connect(server.port(), "/v1/realtime", Map.of(), 64 * 1024)) {
                client.sendText(Json.object("type", "subscribe", "topic", "backlog", "since", Long.toString(start), "ref", "s"));
                List<Long> got = new ArrayList<>();
                ByteArrayOutputStream partial = new ByteArrayOutputStream();
                while (got.size() < missed.size()) {
                    RawWebSocket.Frame f = client.read(Duration.ofSeconds(10));
                    assertThat(f.opcode()).as("closed after %d of %d frames: %d %s", got.size(), missed.size(), f.closeCode(),
                                    f.opcode() == RawWebSocket.CLOSE ? f.closeReason() : "")
                            .isNotEqualTo(RawWebSocket.CLOSE);
                    JsonNode frame = message(f, partial);
                    if (frame != null && frame.path("type").asText().equals("db_change")) {
                        got.add(Json.position(frame));
                        Thread.sleep(20);
                    }
                }
                assertThat(got).isEqualTo(missed);
            }
        }
    }

    /**
     * Collects a text message split over frames: answers it once its last frame arrived, and {@code null} for a
     * frame that does not complete one (or is not part of a text message).
     */
    private static JsonNode message(RawWebSocket.Frame f, ByteArrayOutputStream partial) {
        if (f.opcode() != RawWebSocket.TEXT && f.opcode() != RawWebSocket.CONTINUATION) {
            return null;
        }
        partial.writeBytes(f.payload());
        if (!f.fin()) {
            return null;
        }
        JsonNode message = Json.read(partial.toString(StandardCharsets.UTF_8));
        partial.reset();
        return message;
    }
}
