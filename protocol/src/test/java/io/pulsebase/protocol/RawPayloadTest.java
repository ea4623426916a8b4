package io.pulsebase.protocol;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** A publish's payload is relayed as the JSON text it was sent as: {@link ClientFrameReader} and {@link RawJson}. */
class RawPayloadTest {
    private final JsonCodec codec = new JsonCodec();

    private RawJson payload(String frame) {
        ClientMessage m = codec.decodeClient(frame.getBytes(StandardCharsets.UTF_8));
        return (RawJson) ((ClientMessage.Publish) m).data();
    }

    private static String publish(String data) {
        return "{\"type\":\"publish\",\"topic\":\"a/b\",\"event\":\"e\",\"data\":" + data + ",\"ref\":\"r\"}";
    }

    @ParameterizedTest
    @ValueSource(strings = {"\"text\"", "\"with \\\"escapes\\\" \\\\ \\u0041 \\n\"", "0", "-12.50", "1e400",
            "123456789012345678901234567890", "true", "false", "[]", "{}", "[1,[2,[3]],{\"a\":null}]",
            "{\"k\": \"spaced\" ,\t\"n\" : 1 }", "\"üñí 😀\""})
    void everyJsonValueIsKeptExactlyAsSent(String data) {
        assertThat(payload(publish(data)).toString()).isEqualTo(data);
        // The value is the last field too (no separator after it but the closing brace).
        String last = "{\"type\":\"publish\",\"topic\":\"a/b\",\"event\":\"e\",\"data\":" + data + "}";
        assertThat(payload(last).toString()).isEqualTo(data);
    }

    @Test
    void nullAndAbsentDataAreJsonNull() {
        assertThat(payload(publish("null"))).isEqualTo(RawJson.NULL);
        assertThat(payload("{\"type\":\"publish\",\"topic\":\"a/b\",\"event\":\"e\"}")).isEqualTo(RawJson.NULL);
    }

    @Test
    void lineBreaksAreRemovedSoAnSseDataLineCanCarryThePayload() {
        RawJson raw = payload(publish("{\n  \"a\": [1.50,\r\n 2],\n  \"s\": \"x\\n\"\n}"));
        assertThat(raw.toString()).isEqualTo("{  \"a\": [1.50, 2],  \"s\": \"x\\n\"}");
    }

    @Test
    void theLastOfRepeatedDataFieldsWins() {
        assertThat(payload("{\"type\":\"publish\",\"data\":1,\"topic\":\"a/b\",\"event\":\"e\",\"data\":[2]}").toString())
                .isEqualTo("[2]");
    }

    @Test
    void otherFieldsAreReadAsUsual() {
        JsonNode tree = codec.readFrame("{\"ref\":\"x\",\"n\":5,\"l\":[1,\"a\"],\"o\":{\"k\":true},\"z\":null}"
                .getBytes(StandardCharsets.UTF_8));
        assertThat(tree.get("ref").asText()).isEqualTo("x");
        assertThat(tree.get("n").asLong()).isEqualTo(5);
        assertThat(tree.get("l").toString()).isEqualTo("[1,\"a\"]");
        assertThat(tree.get("o").get("k").asBoolean()).isTrue();
        assertThat(tree.get("z").isNull()).isTrue();
    }

    @ParameterizedTest
    @ValueSource(strings = {"{\"a\":", "[1,2", "{\"a\" 1}", "tru", "\"unterminated", "{\"a\":1}}", "01", "[1,]",
            "{\"a\":\"\u0001\"}"})
    void malformedDataIsInvalidJson(String data) {
        assertThatThrownBy(() -> payload(publish(data)))
                .isInstanceOfSatisfying(ProtocolException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.INVALID_JSON));
    }

    @Test
    void trailingTokensAfterTheFrameAreInvalidJson() {
        assertThatThrownBy(() -> payload(publish("1") + " {}"))
                .isInstanceOfSatisfying(ProtocolException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.INVALID_JSON));
    }

    @Test
    void bytesThatAreNotUtf8AreInvalidJson() {
        String text = publish("\"\u00e9\"");
        byte[] good = text.getBytes(StandardCharsets.UTF_8);
        assertThat(payload(text).toString()).isEqualTo("\"é\"");
        // é is C3 A9; C3 followed by a non-continuation byte, and an overlong encoding of '/' (C0 AF).
        for (byte[] bad : new byte[][] {{(byte) 0xC3, 'x'}, {(byte) 0xC0, (byte) 0xAF}, {(byte) 0xED, (byte) 0xA0, (byte) 0x80}}) {
            byte[] broken = withBytes(good, bad);
            assertThatThrownBy(() -> codec.decodeClient(broken))
                    .isInstanceOfSatisfying(ProtocolException.class,
                            e -> assertThat(e.code()).isEqualTo(ErrorCode.INVALID_JSON));
        }
    }

    /** The frame with the two bytes of é replaced by {@code bad}. */
    private static byte[] withBytes(byte[] good, byte[] bad) {
        int at = 0;
        while (good[at] != (byte) 0xC3) {
            at++;
        }
        byte[] out = new byte[good.length - 2 + bad.length];
        System.arraycopy(good, 0, out, 0, at);
        System.arraycopy(bad, 0, out, at, bad.length);
        System.arraycopy(good, at + 2, out, at + bad.length, good.length - at - 2);
        return out;
    }

    @Test
    void deepNestingIsRefusedNotRecursedInto() {
        String deep = "[".repeat(5000) + "]".repeat(5000);
        assertThatThrownBy(() -> payload(publish(deep)))
                .isInstanceOfSatisfying(ProtocolException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.INVALID_JSON));
    }

    @Test
    void aPayloadIsWrittenRawWhereverItIsSerialized() throws Exception {
        RawJson raw = payload(publish("{\"b\": 1.50}"));
        assertThat(codec.mapper().writeValueAsString(Map.of("data", raw))).isEqualTo("{\"data\":{\"b\": 1.50}}");
        assertThat(codec.mapper().readTree(raw.utf8()).get("b").decimalValue()).isEqualByComparingTo("1.5");
        assertThat(RawJson.of(codec.mapper(), Map.of("k", "v"))).isEqualTo(payload(publish("{\"k\":\"v\"}")));
    }
}
