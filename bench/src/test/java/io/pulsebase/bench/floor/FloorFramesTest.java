package io.pulsebase.bench.floor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.UnpooledByteBufAllocator;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class FloorFramesTest {
    private static final long NOON = 1_795_867_200_000L; // 2026-11-28T12:00:00Z

    @ParameterizedTest
    @ValueSource(strings = {"\"123:4:xxxx\"", "1.50", "true", "null", "{\"a\": [1, {\"b\": \"}\"}]}",
            "[ ]", "123456789012345678901234567890", "\"q\\\"uote\""})
    void publishDataBytesArePassedThroughAsSent(String data) throws IOException {
        FloorFrames.Inbound m = parse("{\"type\":\"publish\",\"topic\":\"bench/t0\",\"event\":\"m\",\"data\":" + data
                + ",\"persist\":true}");

        assertThat(m.type()).isEqualTo("publish");
        assertThat(text(event(m))).isEqualTo(frame("{\"type\":\"event\",\"topic\":\"bench/t0\",\"event\":\"m\","
                + "\"data\":" + data + ",\"timestamp\":\"2026-11-28T12:00:00Z\"}"));
    }

    @Test
    void theAdaptersPublishBecomesPulsebasesEventFrame() throws IOException {
        String body = "12345678:7:" + "x".repeat(117);
        FloorFrames.Inbound m =
                parse("{\"type\":\"publish\",\"topic\":\"bench/t0\",\"event\":\"m\",\"data\":\"" + body + "\"}");

        ByteBuf frame = event(m);

        String json = "{\"type\":\"event\",\"topic\":\"bench/t0\",\"event\":\"m\",\"data\":\"" + body
                + "\",\"timestamp\":\"2026-11-28T12:00:00Z\"}";
        assertThat(json.length()).isGreaterThan(125); // a 16-bit length
        assertThat(frame.getUnsignedByte(0)).isEqualTo((short) 0x81);
        assertThat(frame.getUnsignedByte(1)).isEqualTo((short) 126);
        assertThat(frame.getUnsignedShort(2)).isEqualTo(json.length());
        assertThat(text(frame)).isEqualTo(frame(json));
    }

    @Test
    void aPublishWithoutDataSendsNull() throws IOException {
        FloorFrames.Inbound m = parse("{\"topic\":\"a/b\",\"event\":\"e\",\"type\":\"publish\"}");

        assertThat(text(event(m))).isEqualTo(frame("{\"type\":\"event\",\"topic\":\"a/b\",\"event\":\"e\",\"data\":null,"
                + "\"timestamp\":\"2026-11-28T12:00:00Z\"}"));
    }

    @Test
    void subscribeIsAnsweredWithPulsebasesOkReply() throws IOException {
        FloorFrames.Inbound m =
                parse("{\"type\":\"subscribe\",\"ref\":\"s\",\"topic\":\"bench/t0\",\"events\":[\"m\"]}");

        assertThat(m.ref()).isEqualTo("s");
        assertThat(FloorFrames.okReply(m.ref(), m.topic()))
                .isEqualTo("{\"type\":\"reply\",\"ref\":\"s\",\"ok\":true,\"topic\":\"bench/t0\",\"position\":\"0\"}");
        assertThat(FloorFrames.okReply("p\"1", null))
                .isEqualTo("{\"type\":\"reply\",\"ref\":\"p\\\"1\",\"ok\":true}");
    }

    @Test
    void textThatIsNotAnObjectIsRefused() {
        assertThatThrownBy(() -> parse("[1]")).isInstanceOf(IOException.class);
        assertThatThrownBy(() -> parse("{\"type\":")).isInstanceOf(IOException.class);
    }

    private static FloorFrames.Inbound parse(String json) throws IOException {
        return FloorFrames.parse(json.getBytes(StandardCharsets.UTF_8));
    }

    private static ByteBuf event(FloorFrames.Inbound m) {
        return FloorFrames.event(UnpooledByteBufAllocator.DEFAULT, m, NOON);
    }

    /** The frame's bytes, header included, as Latin-1 text. */
    private static String text(ByteBuf frame) {
        try {
            return frame.toString(StandardCharsets.ISO_8859_1);
        } finally {
            frame.release();
        }
    }

    private static String frame(String json) {
        byte[] payload = json.getBytes(StandardCharsets.UTF_8);
        String header = payload.length < 126 ? "\u0081" + (char) payload.length
                : "\u0081\u007e" + (char) (payload.length >> 8) + (char) (payload.length & 0xFF);
        return header + json;
    }
}
