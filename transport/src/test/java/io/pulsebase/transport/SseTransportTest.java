package io.pulsebase.transport;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.pulsebase.core.fanout.Frame;
import io.pulsebase.protocol.ErrorCode;
import io.pulsebase.protocol.ServerMessage;
import io.pulsebase.testkit.client.SseTestClient;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class SseTransportTest {
    private static final Duration WAIT = Duration.ofSeconds(5);

    @Test
    void streamStartsWithEventStreamHeadersAndARetryHint() throws Exception {
        try (TestEdge edge = TestEdge.start();
             SseTestClient sse = SseTestClient.connect(edge.http("/v1/realtime/sse?topic=todos"), Map.of("Origin", "https://app.example"))) {
            assertThat(sse.status()).isEqualTo(200);
            assertThat(sse.headers().firstValue("content-type")).hasValue("text/event-stream");
            assertThat(sse.headers().firstValue("cache-control")).hasValue("no-cache");
            assertThat(sse.headers().firstValue("access-control-allow-origin")).hasValue("*");
            assertThat(sse.line(WAIT)).isEqualTo("retry: 1000");
            assertThat(sse.line(WAIT)).isEmpty();
        }
    }

    @Test
    void snapshotArrivesAsAnEventWithIdTypeAndData() throws Exception {
        InMemoryDatabase db = new InMemoryDatabase().withTable("todos").withRow("todos", 1L, "milk");
        try (TestEdge edge = TestEdge.start(TestEdge.config(), db);
             SseTestClient sse = SseTestClient.connect(edge.http("/v1/realtime/sse?topic=todos&snapshot=true"))) {
            SseTestClient.Event snapshot = sse.nextEvent(WAIT);
            assertThat(snapshot.event()).isEqualTo("snapshot");
            assertThat(snapshot.id()).isEqualTo("10");
            assertThat(snapshot.data()).startsWith("{\"type\":\"snapshot\"").contains("\"position\":\"10\"", "\"title\":\"milk\"");
        }
    }

    @Test
    void committedChangeArrivesAsADbChangeEvent() throws Exception {
        try (TestEdge edge = TestEdge.start();
             SseTestClient sse = SseTestClient.connect(edge.http("/v1/realtime/sse?topic=todos&events=INSERT,UPDATE"))) {
            assertThat(sse.line(WAIT)).isEqualTo("retry: 1000");
            edge.commitInsert("todos", 11, Map.of("id", 1L, "title", "milk"));
            SseTestClient.Event change = sse.nextEvent(WAIT);
            assertThat(change.event()).isEqualTo("db_change");
            assertThat(change.id()).isEqualTo("11");
            assertThat(change.data()).contains("\"operation\":\"INSERT\"", "\"title\":\"milk\"");
        }
    }

    @Test
    void lastEventIdResumesAfterThatPositionWithoutASnapshot() throws Exception {
        InMemoryDatabase db = new InMemoryDatabase().withTable("todos").withRow("todos", 1L, "old");
        try (TestEdge edge = TestEdge.start(TestEdge.config(), db)) {
            edge.commitInsert("todos", 11, Map.of("id", 2L, "title", "a"));
            edge.commitInsert("todos", 12, Map.of("id", 3L, "title", "b"));
            edge.commitInsert("todos", 13, Map.of("id", 4L, "title", "c"));
            try (SseTestClient sse = SseTestClient.connect(edge.http("/v1/realtime/sse?topic=todos&snapshot=true&since=0"),
                    Map.of("Last-Event-ID", "11"))) {
                SseTestClient.Event first = sse.nextEvent(WAIT);
                SseTestClient.Event second = sse.nextEvent(WAIT);
                assertThat(first.event()).isEqualTo("db_change");
                assertThat(first.id()).isEqualTo("12");
                assertThat(second.id()).isEqualTo("13");
            }
        }
    }

    @Test
    void severalTopicsReplayTogetherInPositionOrderWithIds() throws Exception {
        InMemoryDatabase db = new InMemoryDatabase().withTable("todos").withTable("notes");
        try (TestEdge edge = TestEdge.start(TestEdge.config(), db)) {
            edge.commitInsert("notes", 11, Map.of("id", 1L, "title", "n"));
            edge.commitInsert("todos", 12, Map.of("id", 1L, "title", "t"));
            try (SseTestClient sse = SseTestClient.connect(edge.http("/v1/realtime/sse?topic=todos&topic=notes"),
                    Map.of("Last-Event-ID", "10"))) {
                SseTestClient.Event notes = sse.nextEvent(WAIT);
                SseTestClient.Event todos = sse.nextEvent(WAIT);
                // One replay over the log for both topics: position order, so every event keeps its id.
                assertThat(notes.data()).contains("\"topic\":\"notes\"", "\"position\":\"11\"");
                assertThat(todos.data()).contains("\"topic\":\"todos\"", "\"position\":\"12\"");
                assertThat(notes.id()).isEqualTo("11");
                assertThat(todos.id()).isEqualTo("12");
                edge.commitInsert("todos", 13, Map.of("id", 2L, "title", "live"));
                assertThat(sse.nextEvent(WAIT).id()).isEqualTo("13");
            }
        }
    }

    @Test
    void severalTopicsWithSnapshotsWithholdIdsUntilEveryTopicIsLive() throws Exception {
        InMemoryDatabase db = new InMemoryDatabase().withTable("todos").withTable("notes");
        try (TestEdge edge = TestEdge.start(TestEdge.config(), db)) {
            edge.commitInsert("notes", 11, Map.of("id", 1L, "title", "n"));
            try (SseTestClient sse = SseTestClient.connect(
                    edge.http("/v1/realtime/sse?topic=todos&topic=notes&snapshot=true"))) {
                SseTestClient.Event first = sse.nextEvent(WAIT);
                SseTestClient.Event second = sse.nextEvent(WAIT);
                // Snapshots are read one table at a time: no ids until both are live (a reconnect snapshots again).
                assertThat(first.event()).isEqualTo("snapshot");
                assertThat(second.event()).isEqualTo("snapshot");
                assertThat(first.id()).isNull();
                assertThat(second.id()).isNull();
                edge.commitInsert("todos", 13, Map.of("id", 2L, "title", "live"));
                assertThat(sse.nextEvent(WAIT).id()).isEqualTo("13");
            }
        }
    }

    @Test
    void refusedSubscriptionIsAPlainHttpError() throws Exception {
        try (TestEdge edge = TestEdge.start()) {
            HttpResponse<String> unknown = get(edge, "/v1/realtime/sse?topic=todos&topic=nope");
            assertThat(unknown.statusCode()).isEqualTo(404);
            assertThat(unknown.headers().firstValue("content-type")).hasValueSatisfying(v -> assertThat(v).startsWith("application/json"));
            assertThat(unknown.body()).contains("{\"error\":{\"code\":\"unknown_table\"");

            HttpResponse<String> noTopic = get(edge, "/v1/realtime/sse");
            assertThat(noTopic.statusCode()).isEqualTo(400);
            assertThat(noTopic.body()).contains("\"code\":\"bad_request\"");

            HttpResponse<String> badSince = get(edge, "/v1/realtime/sse?topic=todos&since=abc");
            assertThat(badSince.statusCode()).isEqualTo(400);
            assertThat(badSince.body()).contains("\"code\":\"invalid_position\"");

            HttpResponse<String> badFilter = get(edge, "/v1/realtime/sse?topic=todos&filter=nope%20%3D%3D");
            assertThat(badFilter.statusCode()).isEqualTo(400);
            assertThat(badFilter.body()).contains("\"code\":\"invalid_filter\"");

            await().atMost(WAIT).until(() -> edge.server.connections().isEmpty()
                    && edge.prometheus.get("pulsebase.sessions").gauge().value() == 0.0);
        }
    }

    @Test
    void quietStreamGetsKeepAliveComments() throws Exception {
        try (TestEdge edge = TestEdge.start(TestEdge.config().withHeartbeatInterval(Duration.ofMillis(150)));
             SseTestClient sse = SseTestClient.connect(edge.http("/v1/realtime/sse?topic=todos"))) {
            SseTestClient.Event block;
            do {
                block = sse.nextBlock(WAIT);
            } while (block != null && block.comments().isEmpty());
            assertThat(block).isNotNull();
            assertThat(block.comments()).contains(": keep-alive");
            // Nothing was ever received from the client, and that is fine for a stream.
            Thread.sleep(500);
            assertThat(edge.server.connections()).hasSize(1);
        }
    }

    @Test
    void gracefulStopEndsTheStream() throws Exception {
        TestEdge edge = TestEdge.start();
        try (SseTestClient sse = SseTestClient.connect(edge.http("/v1/realtime/sse?topic=todos"))) {
            assertThat(sse.line(WAIT)).isEqualTo("retry: 1000");
            SseTestClient.Event start = sse.nextBlock(WAIT);
            assertThat(start.id()).as("a live stream first says where it starts").isNotNull();
            assertThat(start.event()).isNull();
            await().atMost(WAIT).until(() -> edge.server.connections().size() == 1);
            edge.server.stop(Duration.ofSeconds(2));
            SseTestClient.Event last = sse.nextBlock(WAIT);
            assertThat(last.comments()).contains(": close server_shutdown");
            assertThat(sse.nextBlock(WAIT)).isNull();
        } finally {
            edge.close();
        }
    }

    @Test
    void streamThatStopsBeingReadIsEndedAsSlowConsumer() throws Exception {
        try (TestEdge edge = TestEdge.start(TestEdge.config().withOutboundQueueBytes(64 * 1024));
             Socket socket = new Socket()) {
            socket.setReceiveBufferSize(4096);
            socket.connect(new InetSocketAddress("127.0.0.1", edge.port));
            socket.getOutputStream().write("GET /v1/realtime/sse?topic=todos HTTP/1.1\r\nHost: x\r\n\r\n"
                    .getBytes(StandardCharsets.US_ASCII));
            await().atMost(WAIT).until(() -> edge.server.connections().size() == 1);
            ChannelOutbound outbound = edge.server.connections().iterator().next();
            Frame big = Frame.encode(edge.node.codec(), new ServerMessage.ErrorMessage(ErrorCode.INTERNAL, "x".repeat(16_000)));
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
            while (outbound.send(big)) {
                assertThat(System.nanoTime()).as("the queue never overflowed").isLessThan(deadline);
            }
            socket.setSoTimeout(10_000);
            String all = new String(socket.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertThat(all).startsWith("HTTP/1.1 200").contains(": close slow_consumer").endsWith("0\r\n\r\n");
        }
    }

    @Test
    void connectionsGaugeCountsStreams() throws Exception {
        try (TestEdge edge = TestEdge.start()) {
            SseTestClient sse = SseTestClient.connect(edge.http("/v1/realtime/sse?topic=todos"));
            await().atMost(WAIT).until(() -> gauge(edge) == 1.0);
            sse.close();
            await().atMost(WAIT).until(() -> gauge(edge) == 0.0);
        }
    }

    private static double gauge(TestEdge edge) {
        return edge.prometheus.get("pulsebase.connections").tag("transport", "sse").gauge().value();
    }

    private static HttpResponse<String> get(TestEdge edge, String path) throws Exception {
        return edge.http.send(java.net.http.HttpRequest.newBuilder(edge.http(path)).build(),
                HttpResponse.BodyHandlers.ofString());
    }
}
