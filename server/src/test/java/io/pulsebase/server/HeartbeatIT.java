package io.pulsebase.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.pulsebase.testkit.client.Json;
import io.pulsebase.testkit.client.RawWebSocket;
import io.pulsebase.testkit.client.WsTestClient;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Heartbeats and liveness with a 300 ms interval: quiet connections get {@code heartbeat} frames and WebSocket
 * pings; a client that sends messages or answers pings stays; one from which nothing arrives for two intervals
 * is closed with 4002.
 */
class HeartbeatIT {
    private static final Duration INTERVAL = Duration.ofMillis(300);

    @RegisterExtension
    static final TestServer server = TestServer.perClass(
            c -> c.withTransport(c.transport().withHeartbeatInterval(INTERVAL)));

    @Test
    void anIdleWebSocketReceivesHeartbeatFrames() {
        try (WsTestClient client = WsTestClient.connect(server.ws())) {
            long start = System.nanoTime();
            JsonNode first = client.await(f -> true, Duration.ofSeconds(3));
            assertThat(first).isEqualTo(Json.read("{\"type\":\"heartbeat\"}"));
            JsonNode second = client.await(f -> true, Duration.ofSeconds(3));
            assertThat(second).isEqualTo(Json.read("{\"type\":\"heartbeat\"}"));
            long elapsedMs = (System.nanoTime() - start) / 1_000_000;
            assertThat(elapsedMs).as("two heartbeats are about two intervals apart from the start")
                    .isGreaterThanOrEqualTo(INTERVAL.toMillis());
            // The JDK client answers the server's pings, so it is never timed out.
            assertThat(client.poll(INTERVAL.multipliedBy(3))).isNotNull();
            assertThat(client.isOpen()).isTrue();
        }
    }

    @Test
    void aClientThatKeepsSendingPingsStaysConnectedOverSeveralIntervals() throws Exception {
        try (WsTestClient client = WsTestClient.connect(server.ws())) {
            long end = System.nanoTime() + INTERVAL.multipliedBy(4).toNanos();
            int pongs = 0;
            while (System.nanoTime() < end) {
                client.requestOk("type", "ping");
                pongs++;
                Thread.sleep(100);
            }
            assertThat(pongs).isGreaterThan(5);
            assertThat(client.isOpen()).isTrue();
            assertThat(client.closeCode()).isEqualTo(-1);
        }
    }

    @Test
    void aClientFromWhichNothingArrivesForTwoIntervalsIsClosedWith4002() throws Exception {
        try (RawWebSocket raw = RawWebSocket.connect(server.port(), "/v1/realtime")) {
            boolean sawPing = false;
            boolean sawHeartbeat = false;
            long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
            while (System.nanoTime() < deadline) {
                RawWebSocket.Frame f = raw.read(Duration.ofSeconds(5));
                if (f.opcode() == RawWebSocket.PING) {
                    sawPing = true;              // deliberately not answered
                } else if (f.opcode() == RawWebSocket.TEXT) {
                    assertThat(Json.read(f.text())).isEqualTo(Json.read("{\"type\":\"heartbeat\"}"));
                    sawHeartbeat = true;
                } else if (f.opcode() == RawWebSocket.CLOSE) {
                    assertThat(f.closeCode()).isEqualTo(4002);
                    assertThat(f.closeReason()).isEqualTo("heartbeat_timeout");
                    assertThat(sawPing).as("the server pinged before giving up").isTrue();
                    assertThat(sawHeartbeat).isTrue();
                    return;
                }
            }
            throw new AssertionError("not closed with 4002 within 5 s");
        }
    }

    @Test
    void aClientThatOnlyAnswersPingsWithPongsStaysConnected() throws Exception {
        try (RawWebSocket raw = RawWebSocket.connect(server.port(), "/v1/realtime")) {
            long end = System.nanoTime() + INTERVAL.multipliedBy(5).toNanos();
            int pings = 0;
            while (System.nanoTime() < end) {
                RawWebSocket.Frame f = raw.read(Duration.ofSeconds(2));
                assertThat(f.opcode()).as("no close frame: %s", f).isNotEqualTo(RawWebSocket.CLOSE);
                if (f.opcode() == RawWebSocket.PING) {
                    pings++;
                    raw.sendFrame(RawWebSocket.PONG, true, f.payload());
                }
            }
            assertThat(pings).isGreaterThanOrEqualTo(2);
            // still usable
            raw.sendText("{\"type\":\"ping\",\"ref\":\"p\"}");
            while (true) {
                RawWebSocket.Frame f = raw.read(Duration.ofSeconds(2));
                assertThat(f.opcode()).isNotEqualTo(RawWebSocket.CLOSE);
                if (f.opcode() == RawWebSocket.TEXT && Json.read(f.text()).path("ref").asText().equals("p")) {
                    assertThat(Json.read(f.text()).path("ok").asBoolean()).isTrue();
                    return;
                }
            }
        }
    }
}
