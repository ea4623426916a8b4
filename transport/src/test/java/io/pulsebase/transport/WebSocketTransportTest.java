package io.pulsebase.transport;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.pulsebase.core.fanout.Frame;
import io.pulsebase.protocol.ErrorCode;
import io.pulsebase.protocol.ServerMessage;
import io.pulsebase.testkit.client.RawWebSocket;
import io.pulsebase.testkit.client.WsTestClient;
import java.io.IOException;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class WebSocketTransportTest {
    private static final Duration WAIT = Duration.ofSeconds(5);

    @Test
    void textMessageReachesTheSessionAndItsReplyComesBack() throws Exception {
        try (TestEdge edge = TestEdge.start(); RawWebSocket ws = RawWebSocket.connect(edge.port, "/v1/realtime")) {
            ws.sendText("{\"type\":\"ping\",\"ref\":\"r1\"}");
            RawWebSocket.Frame reply = ws.readUntil(f -> f.opcode() == RawWebSocket.TEXT, WAIT);
            assertThat(reply.text()).contains("\"type\":\"reply\"", "\"ref\":\"r1\"", "\"ok\":true");
        }
    }

    @Test
    void credentialsInTheQueryAreAcceptedForTheUpgrade() throws Exception {
        try (TestEdge edge = TestEdge.start();
             RawWebSocket ws = RawWebSocket.connect(edge.port, "/v1/realtime?token=abc.def.ghi&apikey=k1",
                     Map.of("Authorization", "Bearer abc.def.ghi"), 0)) {
            ws.sendText("{\"type\":\"ping\",\"ref\":\"q\"}");
            assertThat(ws.readUntil(f -> f.opcode() == RawWebSocket.TEXT, WAIT).text()).contains("\"ref\":\"q\"");
        }
    }

    @Test
    void committedChangeArrivesAsDbChangeOnASubscribedConnection() throws Exception {
        try (TestEdge edge = TestEdge.start(); RawWebSocket ws = RawWebSocket.connect(edge.port, "/v1/realtime")) {
            ws.sendText("{\"type\":\"subscribe\",\"topic\":\"todos\",\"ref\":\"s\"}");
            assertThat(ws.readUntil(f -> f.opcode() == RawWebSocket.TEXT, WAIT).text()).contains("\"ok\":true");
            edge.commitInsert("todos", 11, Map.of("id", 1L, "title", "milk"));
            String change = ws.readUntil(f -> f.opcode() == RawWebSocket.TEXT, WAIT).text();
            assertThat(change).contains("\"type\":\"db_change\"", "\"position\":\"11\"", "\"operation\":\"INSERT\"",
                    "\"title\":\"milk\"");
        }
    }

    @Test
    void frameOverTheLimitClosesWith1009() throws Exception {
        try (TestEdge edge = TestEdge.start(TestEdge.config().withMaxFrameBytes(1024));
             RawWebSocket ws = RawWebSocket.connect(edge.port, "/v1/realtime")) {
            ws.sendFrame(RawWebSocket.TEXT, true, "x".repeat(2000).getBytes(StandardCharsets.UTF_8));
            assertThat(ws.awaitClose(WAIT)).isEqualTo(1009);
        }
    }

    @Test
    void fragmentedMessageOverTheLimitClosesWith1009() throws Exception {
        try (TestEdge edge = TestEdge.start(TestEdge.config().withMaxFrameBytes(1024));
             RawWebSocket ws = RawWebSocket.connect(edge.port, "/v1/realtime")) {
            byte[] part = "x".repeat(800).getBytes(StandardCharsets.UTF_8);
            ws.sendFrame(RawWebSocket.TEXT, false, part);
            ws.sendFrame(RawWebSocket.CONTINUATION, true, part);
            assertThat(ws.awaitClose(WAIT)).isEqualTo(1009);
        }
    }

    @Test
    void fragmentedMessageWithinTheLimitIsReassembled() throws Exception {
        try (TestEdge edge = TestEdge.start(); RawWebSocket ws = RawWebSocket.connect(edge.port, "/v1/realtime")) {
            ws.sendFrame(RawWebSocket.TEXT, false, "{\"type\":\"pi".getBytes(StandardCharsets.UTF_8));
            ws.sendFrame(RawWebSocket.CONTINUATION, true, "ng\",\"ref\":\"frag\"}".getBytes(StandardCharsets.UTF_8));
            assertThat(ws.readUntil(f -> f.opcode() == RawWebSocket.TEXT, WAIT).text()).contains("\"ref\":\"frag\"");
        }
    }

    @Test
    void binaryFrameIsAnsweredWithAnErrorAndTheConnectionSurvives() throws Exception {
        try (TestEdge edge = TestEdge.start(); RawWebSocket ws = RawWebSocket.connect(edge.port, "/v1/realtime")) {
            ws.sendFrame(RawWebSocket.BINARY, true, new byte[] {1, 2, 3});
            String error = ws.readUntil(f -> f.opcode() == RawWebSocket.TEXT, WAIT).text();
            assertThat(error).contains("\"type\":\"error\"", "\"code\":\"bad_request\"", "binary frames are not supported");

            ws.sendText("{\"type\":\"ping\",\"ref\":\"still-here\"}");
            assertThat(ws.readUntil(f -> f.opcode() == RawWebSocket.TEXT, WAIT).text()).contains("\"ref\":\"still-here\"");
        }
    }

    @Test
    void frameThatIsNotJsonIsAnsweredAndTheConnectionSurvives() throws Exception {
        try (TestEdge edge = TestEdge.start(); RawWebSocket ws = RawWebSocket.connect(edge.port, "/v1/realtime")) {
            ws.sendText("not json");
            assertThat(ws.readUntil(f -> f.opcode() == RawWebSocket.TEXT, WAIT).text()).contains("\"code\":\"invalid_json\"");
            ws.sendText("{\"type\":\"ping\",\"ref\":\"after\"}");
            assertThat(ws.readUntil(f -> f.opcode() == RawWebSocket.TEXT, WAIT).text()).contains("\"ref\":\"after\"");
        }
    }

    @Test
    void clientThatNeverAnswersIsClosedWithHeartbeatTimeout() throws Exception {
        TransportConfig config = TestEdge.config().withHeartbeatInterval(Duration.ofMillis(200));
        try (TestEdge edge = TestEdge.start(config); RawWebSocket ws = RawWebSocket.connect(edge.port, "/v1/realtime")) {
            List<RawWebSocket.Frame> seen = new ArrayList<>();
            RawWebSocket.Frame close = ws.readUntil(f -> {
                seen.add(f);
                return f.opcode() == RawWebSocket.CLOSE;
            }, WAIT);
            assertThat(close.closeCode()).isEqualTo(4002);
            assertThat(close.closeReason()).isEqualTo("heartbeat_timeout");
            assertThat(seen).anyMatch(f -> f.opcode() == RawWebSocket.PING);
            assertThat(seen).anyMatch(f -> f.opcode() == RawWebSocket.TEXT && f.text().equals("{\"type\":\"heartbeat\"}"));
        }
    }

    @Test
    void quietClientThatAnswersPingsGetsHeartbeatsAndStaysOpen() throws Exception {
        TransportConfig config = TestEdge.config().withHeartbeatInterval(Duration.ofMillis(150));
        try (TestEdge edge = TestEdge.start(config); WsTestClient ws = WsTestClient.connect(edge.ws("/v1/realtime"))) {
            // The JDK client answers pings by itself, as browsers do.
            Thread.sleep(1000);
            assertThat(ws.isOpen()).isTrue();
            assertThat(ws.messages()).filteredOn(m -> m.equals("{\"type\":\"heartbeat\"}")).hasSizeGreaterThanOrEqualTo(3);
        }
    }

    @Test
    void clientThatStopsReadingIsClosedAsSlowConsumer() throws Exception {
        TransportConfig config = TestEdge.config().withOutboundQueueBytes(64 * 1024);
        try (TestEdge edge = TestEdge.start(config);
             RawWebSocket ws = RawWebSocket.connect(edge.port, "/v1/realtime", Map.of(), 4096)) {
            await().atMost(WAIT).until(() -> edge.server.connections().size() == 1);
            ChannelOutbound outbound = edge.server.connections().iterator().next();
            Frame big = Frame.encode(edge.node.codec(), new ServerMessage.ErrorMessage(ErrorCode.INTERNAL, "x".repeat(16_000)));
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
            int accepted = 0;
            while (outbound.send(big)) {
                accepted++;
                assertThat(System.nanoTime()).as("the queue never overflowed").isLessThan(deadline);
            }
            assertThat(accepted).isGreaterThan(3);
            assertThat(outbound.send(big)).as("after close").isFalse();
            assertThat(edge.prometheus.get("pulsebase.slow.consumer.disconnects").counter().count()).isEqualTo(1.0);

            // The client reads again: what was already on the wire, then the close frame.
            assertThat(ws.awaitClose(Duration.ofSeconds(10))).isEqualTo(4001);
            await().atMost(WAIT).until(() -> edge.server.connections().isEmpty());
        }
    }

    @Test
    void gracefulStopClosesWebSocketsWithGoingAway() throws Exception {
        TestEdge edge = TestEdge.start();
        try (WsTestClient ws = WsTestClient.connect(edge.ws("/v1/realtime"))) {
            await().atMost(WAIT).until(() -> edge.server.connections().size() == 1);
            edge.server.stop(Duration.ofSeconds(2));
            assertThat(ws.awaitClose(Duration.ofSeconds(5)) + " " + ws.closeReason()).isEqualTo("1001 server_shutdown");
        } finally {
            edge.close();
        }
    }

    @Test
    void clientCloseIsEchoedAndTheSessionEnds() throws Exception {
        try (TestEdge edge = TestEdge.start(); RawWebSocket ws = RawWebSocket.connect(edge.port, "/v1/realtime")) {
            await().atMost(WAIT).until(() -> gauge(edge, "websocket") == 1.0);
            assertThat(edge.prometheus.get("pulsebase.sessions").gauge().value()).isEqualTo(1.0);
            ws.sendFrame(RawWebSocket.CLOSE, true, new byte[] {0x03, (byte) 0xe8});
            assertThat(ws.awaitClose(WAIT)).isEqualTo(1000);
            await().atMost(WAIT).until(() -> gauge(edge, "websocket") == 0.0
                    && edge.prometheus.get("pulsebase.sessions").gauge().value() == 0.0);
        }
    }

    @Test
    void permessageDeflateIsNegotiatedOnlyWhenEnabled() throws Exception {
        Map<String, String> offer = Map.of("Sec-WebSocket-Extensions", "permessage-deflate; client_max_window_bits");
        try (TestEdge edge = TestEdge.start(); RawWebSocket ws = RawWebSocket.connect(edge.port, "/v1/realtime", offer, 0)) {
            assertThat(ws.handshake().toLowerCase()).contains("sec-websocket-extensions: permessage-deflate");
        }
        try (TestEdge edge = TestEdge.start(TestEdge.config().withPermessageDeflate(false));
             RawWebSocket ws = RawWebSocket.connect(edge.port, "/v1/realtime", offer, 0)) {
            assertThat(ws.handshake().toLowerCase()).doesNotContain("permessage-deflate");
        }
    }

    @Test
    void compressedMessagesWorkBothWays() throws Exception {
        Map<String, String> offer = Map.of("Sec-WebSocket-Extensions", "permessage-deflate");
        try (TestEdge edge = TestEdge.start(); RawWebSocket ws = RawWebSocket.connect(edge.port, "/v1/realtime", offer, 0)) {
            ws.sendCompressedText("{\"type\":\"ping\",\"ref\":\"z\"}");
            RawWebSocket.Frame reply = ws.readUntil(f -> f.opcode() == RawWebSocket.TEXT, WAIT);
            assertThat(reply.compressed()).isTrue();
            assertThat(RawWebSocket.inflate(reply)).contains("\"ref\":\"z\"", "\"ok\":true");
        }
    }

    @Test
    void compressedMessageThatInflatesPastTheLimitClosesWith1009() throws Exception {
        Map<String, String> offer = Map.of("Sec-WebSocket-Extensions", "permessage-deflate");
        try (TestEdge edge = TestEdge.start(TestEdge.config().withMaxFrameBytes(1024));
             RawWebSocket ws = RawWebSocket.connect(edge.port, "/v1/realtime", offer, 0)) {
            // A few hundred bytes on the wire, 200 KB once inflated.
            ws.sendCompressedText("{\"type\":\"ping\",\"ref\":\"" + "x".repeat(200_000) + "\"}");
            assertThat(ws.awaitClose(WAIT)).isEqualTo(1009);
        }
    }

    @Test
    void clientWithoutCompressionWorksWithDeflateEnabled() throws Exception {
        try (TestEdge edge = TestEdge.start(); WsTestClient ws = WsTestClient.connect(edge.ws("/v1/realtime"))) {
            // The JDK client does not compress, so this only checks the uncompressed path still works with the
            // deflate handler in place; the handshake test above covers negotiation.
            ws.sendRaw("{\"type\":\"ping\",\"ref\":\"jdk\"}");
            await().atMost(WAIT).until(() -> ws.messages().stream().anyMatch(m -> m.contains("\"ref\":\"jdk\"")));
        }
    }

    @Test
    void realtimePathWithoutUpgradeIsABadRequestAndOtherPathsDoNotUpgrade() throws Exception {
        try (TestEdge edge = TestEdge.start()) {
            HttpResponse<String> plain = edge.http.send(java.net.http.HttpRequest.newBuilder(edge.http("/v1/realtime")).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(plain.statusCode()).isEqualTo(400);
            assertThat(plain.body()).contains("\"code\":\"bad_request\"");
            assertThatThrownBy(() -> RawWebSocket.connect(edge.port, "/v1/realtimex")).isInstanceOf(IOException.class)
                    .hasMessageContaining("404");
        }
    }

    private static double gauge(TestEdge edge, String transport) {
        return edge.prometheus.get("pulsebase.connections").tag("transport", transport).gauge().value();
    }
}
