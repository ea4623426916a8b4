package io.pulsebase.transport;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocket13FrameEncoder;
import io.pulsebase.core.fanout.Frame;
import io.pulsebase.protocol.ErrorCode;
import io.pulsebase.protocol.JsonCodec;
import io.pulsebase.protocol.ServerMessage;
import io.pulsebase.testkit.client.RawWebSocket;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.Map;
import java.util.zip.Inflater;
import org.junit.jupiter.api.Test;

/** The pre-framed write path: one wire encoding per frame for connections without permessage-deflate. */
class PreframedWebSocketTest {
    private static final Duration WAIT = Duration.ofSeconds(5);
    private static final JsonCodec CODEC = new JsonCodec();

    @Test
    void wireMessageIsByteIdenticalToNettysEncoderForEveryLengthForm() {
        // 7-bit, 16-bit and 64-bit payload lengths, and each boundary (the shortest message is about 60 bytes).
        for (int length : new int[] {100, 125, 126, 127, 1000, 65_535, 65_536, 200_000}) {
            Frame frame = frameOfJsonLength(length);
            ByteBuf ours = WebSocketOutbound.wireMessage(frame);
            assertThat(ByteBufUtil.getBytes(ours)).as("length %d", length).isEqualTo(nettyEncoding(frame.json()));
        }
    }

    @Test
    void wireMessageIsBuiltOnceAndEveryWriteGetsItsOwnView() {
        Frame frame = frameOfJsonLength(300);
        ByteBuf cached = WebSocketOutbound.wireMessage(frame);
        assertThat(WebSocketOutbound.wireMessage(frame)).isSameAs(cached);
        assertThat(frame.transportCache()).isSameAs(cached);
        ByteBuf view = cached.duplicate();
        view.skipBytes(view.readableBytes()); // a write consumed it...
        view.release(); // ...and released it
        assertThat(cached.readableBytes()).isEqualTo(4 + 300); // the cached message is untouched
        assertThat(cached.refCnt()).isPositive();
        assertThat(ByteBufUtil.getBytes(cached.duplicate())).isEqualTo(nettyEncoding(frame.json()));
    }

    @Test
    void clientWithoutDeflateGetsTheSameBytesAsOneWithDeflateInflates() throws Exception {
        Map<String, String> offer = Map.of("Sec-WebSocket-Extensions", "permessage-deflate");
        try (TestEdge edge = TestEdge.start();
             RawWebSocket plain = RawWebSocket.connect(edge.port, "/v1/realtime");
             RawWebSocket plain2 = RawWebSocket.connect(edge.port, "/v1/realtime");
             RawWebSocket deflate = RawWebSocket.connect(edge.port, "/v1/realtime", offer, 0)) {
            assertThat(deflate.handshake().toLowerCase()).contains("permessage-deflate");
            for (RawWebSocket ws : new RawWebSocket[] {plain, plain2}) {
                ws.sendText("{\"type\":\"subscribe\",\"topic\":\"todos\",\"ref\":\"s\"}");
                assertThat(ws.readUntil(f -> f.opcode() == RawWebSocket.TEXT, WAIT).text()).contains("\"ok\":true");
            }
            // The server keeps its compression context between messages: one inflater for the connection.
            Inflater inflater = new Inflater(true);
            deflate.sendCompressedText("{\"type\":\"subscribe\",\"topic\":\"todos\",\"ref\":\"s\"}");
            assertThat(new String(inflate(inflater, deflate.readUntil(f -> f.opcode() == RawWebSocket.TEXT, WAIT)),
                    StandardCharsets.UTF_8)).contains("\"ok\":true");

            // Small and large (16-bit length) messages.
            edge.commitInsert("todos", 21, Map.of("id", 1L, "title", "milk"));
            edge.commitInsert("todos", 22, Map.of("id", 2L, "title", "x".repeat(5000)));
            for (int i = 0; i < 2; i++) {
                RawWebSocket.Frame a = plain.readUntil(f -> f.opcode() == RawWebSocket.TEXT, WAIT);
                RawWebSocket.Frame b = plain2.readUntil(f -> f.opcode() == RawWebSocket.TEXT, WAIT);
                RawWebSocket.Frame z = deflate.readUntil(f -> f.opcode() == RawWebSocket.TEXT, WAIT);
                assertThat(a.fin()).isTrue();
                assertThat(a.compressed()).isFalse();
                assertThat(z.compressed()).isTrue();
                assertThat(a.payload()).isEqualTo(b.payload());
                assertThat(inflate(inflater, z)).isEqualTo(a.payload());
                assertThat(a.text()).contains("\"type\":\"db_change\"", "\"position\":\"" + (21 + i) + "\"");
            }
        }
    }

    @Test
    void deflateDisabledServerWritesPreframedMessagesThatClientsRead() throws Exception {
        try (TestEdge edge = TestEdge.start(TestEdge.config().withPermessageDeflate(false));
             RawWebSocket ws = RawWebSocket.connect(edge.port, "/v1/realtime")) {
            ws.sendFrame(RawWebSocket.BINARY, true, new byte[] {1, 2, 3});
            RawWebSocket.Frame error = ws.readUntil(f -> f.opcode() == RawWebSocket.TEXT, WAIT);
            assertThat(error.payload()).isEqualTo(Frame.encode(CODEC,
                    new ServerMessage.ErrorMessage(ErrorCode.BAD_REQUEST, "binary frames are not supported")).json());
        }
    }

    private static Frame frameOfJsonLength(int length) {
        Frame probe = Frame.encode(CODEC, new ServerMessage.ErrorMessage(ErrorCode.BAD_REQUEST, ""));
        Frame frame = Frame.encode(CODEC,
                new ServerMessage.ErrorMessage(ErrorCode.BAD_REQUEST, "x".repeat(length - probe.size())));
        assertThat(frame.size()).isEqualTo(length);
        return frame;
    }

    /** RFC 7692 §7.2.2: append 00 00 ff ff and inflate with the connection's inflater. */
    private static byte[] inflate(Inflater inflater, RawWebSocket.Frame frame) throws Exception {
        byte[] payload = frame.payload();
        byte[] input = Arrays.copyOf(payload, payload.length + 4);
        input[payload.length + 2] = (byte) 0xff;
        input[payload.length + 3] = (byte) 0xff;
        inflater.setInput(input);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        byte[] chunk = new byte[8192];
        while (!inflater.needsInput()) {
            out.write(chunk, 0, inflater.inflate(chunk));
        }
        return out.toByteArray();
    }

    private static byte[] nettyEncoding(byte[] payload) {
        EmbeddedChannel channel = new EmbeddedChannel(new WebSocket13FrameEncoder(false));
        channel.writeOutbound(new TextWebSocketFrame(Unpooled.wrappedBuffer(payload)));
        ByteBuf all = Unpooled.buffer();
        for (Object part; (part = channel.readOutbound()) != null; ) {
            ByteBuf buf = (ByteBuf) part;
            all.writeBytes(buf);
            buf.release();
        }
        channel.finishAndReleaseAll();
        return ByteBufUtil.getBytes(all);
    }
}
