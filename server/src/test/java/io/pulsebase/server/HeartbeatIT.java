package io.pulsebase.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.ThreadLocalRandom;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Heartbeats and liveness with a 300 ms interval: quiet connections get {@code heartbeat} frames and WebSocket
 * pings; a client that sends messages or answers pings stays; one from which nothing arrives for two intervals
 * is closed with 4002.
 */
class HeartbeatIT {
    private static final Duration INTERVAL = Duration.ofMillis(300);
    private static TestServer server;

    @BeforeAll
    static void startServer() {
        server = TestServer.start(c -> c.withTransport(c.transport().withHeartbeatInterval(INTERVAL)));
    }

    @AfterAll
    static void stopServer() {
        server.close();
    }

    @Test
    void anIdleWebSocketReceivesHeartbeatFrames() {
        try (RealtimeClient client = RealtimeClient.connect(server.ws())) {
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
        try (RealtimeClient client = RealtimeClient.connect(server.ws())) {
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
        try (RawWebSocket raw = RawWebSocket.connect(server.port())) {
            boolean sawPing = false;
            boolean sawHeartbeat = false;
            long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
            while (System.nanoTime() < deadline) {
                RawWebSocket.Frame f = raw.read(Duration.ofSeconds(5));
                if (f.opcode() == 0x9) {
                    sawPing = true;              // deliberately not answered
                } else if (f.opcode() == 0x1) {
                    assertThat(Json.read(f.text())).isEqualTo(Json.read("{\"type\":\"heartbeat\"}"));
                    sawHeartbeat = true;
                } else if (f.opcode() == 0x8) {
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
        try (RawWebSocket raw = RawWebSocket.connect(server.port())) {
            long end = System.nanoTime() + INTERVAL.multipliedBy(5).toNanos();
            int pings = 0;
            while (System.nanoTime() < end) {
                RawWebSocket.Frame f = raw.read(Duration.ofSeconds(2));
                assertThat(f.opcode()).as("no close frame: %s", f).isNotEqualTo(0x8);
                if (f.opcode() == 0x9) {
                    pings++;
                    raw.send(0xA, f.payload());
                }
            }
            assertThat(pings).isGreaterThanOrEqualTo(2);
            // still usable
            raw.send(0x1, "{\"type\":\"ping\",\"ref\":\"p\"}".getBytes(StandardCharsets.UTF_8));
            while (true) {
                RawWebSocket.Frame f = raw.read(Duration.ofSeconds(2));
                assertThat(f.opcode()).isNotEqualTo(0x8);
                if (f.opcode() == 0x1 && Json.read(f.text()).path("ref").asText().equals("p")) {
                    assertThat(Json.read(f.text()).path("ok").asBoolean()).isTrue();
                    return;
                }
            }
        }
    }

    /** A minimal WebSocket client over a plain socket, so a test controls pongs (the JDK client sends them itself). */
    static final class RawWebSocket implements AutoCloseable {
        record Frame(int opcode, boolean fin, byte[] payload) {
            String text() {
                return new String(payload, StandardCharsets.UTF_8);
            }

            int closeCode() {
                return payload.length >= 2 ? ((payload[0] & 0xff) << 8) | (payload[1] & 0xff) : -1;
            }

            String closeReason() {
                return payload.length > 2 ? new String(payload, 2, payload.length - 2, StandardCharsets.UTF_8) : "";
            }
        }

        private final Socket socket;
        private final DataInputStream in;
        private final OutputStream out;

        private RawWebSocket(Socket socket) throws IOException {
            this.socket = socket;
            this.in = new DataInputStream(socket.getInputStream());
            this.out = socket.getOutputStream();
        }

        static RawWebSocket connect(int port) throws IOException {
            return connect(port, 0);
        }

        /** @param receiveBuffer the socket's receive buffer in bytes (0: the system's default) */
        static RawWebSocket connect(int port, int receiveBuffer) throws IOException {
            Socket s = new Socket();
            if (receiveBuffer > 0) {
                s.setReceiveBufferSize(receiveBuffer);
            }
            s.connect(new java.net.InetSocketAddress("127.0.0.1", port), 5000);
            s.setTcpNoDelay(true);
            RawWebSocket ws = new RawWebSocket(s);
            String request = "GET /v1/realtime HTTP/1.1\r\nHost: 127.0.0.1:" + port + "\r\n"
                    + "Upgrade: websocket\r\nConnection: Upgrade\r\n"
                    + "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n";
            ws.out.write(request.getBytes(StandardCharsets.US_ASCII));
            ws.out.flush();
            String head = ws.readHead();
            if (!head.startsWith("HTTP/1.1 101")) {
                throw new AssertionError("upgrade refused: " + head);
            }
            return ws;
        }

        private String readHead() throws IOException {
            ByteArrayOutputStream head = new ByteArrayOutputStream();
            InputStream raw = in;
            int matched = 0;
            byte[] end = {'\r', '\n', '\r', '\n'};
            while (matched < 4) {
                int b = raw.read();
                if (b < 0) {
                    throw new IOException("closed during the handshake");
                }
                head.write(b);
                matched = b == end[matched] ? matched + 1 : (b == '\r' ? 1 : 0);
            }
            return head.toString(StandardCharsets.US_ASCII);
        }

        Frame read(Duration timeout) throws IOException {
            socket.setSoTimeout((int) timeout.toMillis());
            try {
                int b0 = in.readUnsignedByte();
                int b1 = in.readUnsignedByte();
                long len = b1 & 0x7f;
                if (len == 126) {
                    len = in.readUnsignedShort();
                } else if (len == 127) {
                    len = in.readLong();
                }
                byte[] mask = null;
                if ((b1 & 0x80) != 0) {
                    mask = in.readNBytes(4);
                }
                byte[] payload = in.readNBytes((int) len);
                if (mask != null) {
                    for (int i = 0; i < payload.length; i++) {
                        payload[i] ^= mask[i % 4];
                    }
                }
                return new Frame(b0 & 0x0f, (b0 & 0x80) != 0, payload);
            } catch (SocketTimeoutException e) {
                throw new AssertionError("no frame within " + timeout);
            }
        }

        /** Sends one final, masked frame (clients must mask). */
        void send(int opcode, byte[] payload) throws IOException {
            ByteArrayOutputStream frame = new ByteArrayOutputStream();
            frame.write(0x80 | opcode);
            if (payload.length < 126) {
                frame.write(0x80 | payload.length);
            } else {
                frame.write(0x80 | 126);
                frame.write(payload.length >>> 8);
                frame.write(payload.length & 0xff);
            }
            byte[] mask = new byte[4];
            ThreadLocalRandom.current().nextBytes(mask);
            frame.write(mask);
            for (int i = 0; i < payload.length; i++) {
                frame.write(payload[i] ^ mask[i % 4]);
            }
            out.write(frame.toByteArray());
            out.flush();
        }

        @Override
        public void close() throws IOException {
            socket.close();
        }
    }
}
