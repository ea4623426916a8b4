package io.pulsebase.protocol;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.Size;

/**
 * Fuzzing the client frame decoder: whatever bytes arrive, decoding either yields a message or throws a
 * {@link ProtocolException} with a named code — nothing else escapes, and nothing hangs (every try is bounded by
 * the input's size).
 */
class FrameDecoderFuzzProperties {
    private static final JsonCodec CODEC = new JsonCodec();
    private static final List<String> VALID = List.of(
            "{\"type\":\"subscribe\",\"ref\":\"1\",\"topic\":\"todos\",\"events\":[\"INSERT\"],\"filter\":\"a = 1\","
                    + "\"snapshot\":true,\"since\":\"12\"}",
            "{\"type\":\"publish\",\"ref\":\"2\",\"topic\":\"chat/x\",\"event\":\"m\",\"data\":{\"t\":[1,2.5,\"é\",null]},"
                    + "\"persist\":true,\"id\":\"i\"}",
            "{\"type\":\"track\",\"topic\":\"chat/x\",\"state\":{\"name\":\"Ada\"}}",
            "{\"type\":\"history\",\"topic\":\"chat/x\",\"limit\":5,\"before\":\"9\"}",
            "{\"type\":\"auth\",\"token\":\"a.b.c\"}",
            "{\"type\":\"ping\"}");

    private static void decodeOrRefuse(byte[] frame) {
        try {
            ClientMessage m = CODEC.decodeClient(frame);
            assertThat(m).isNotNull();
        } catch (ProtocolException e) {
            assertThat(e.code()).isNotNull();
            assertThat(e.getMessage()).isNotBlank();
        }
    }

    @Property(tries = 3000)
    void randomBytesAreDecodedOrRefusedByName(@ForAll @Size(max = 300) byte[] frame) {
        decodeOrRefuse(frame);
    }

    @Property(tries = 3000)
    void mutatedValidFramesAreDecodedOrRefusedByName(@ForAll("mutants") byte[] frame) {
        decodeOrRefuse(frame);
    }

    @Provide
    Arbitrary<byte[]> mutants() {
        return Arbitraries.of(VALID).flatMap(valid -> {
            byte[] base = valid.getBytes(StandardCharsets.UTF_8);
            Arbitrary<Integer> at = Arbitraries.integers().between(0, base.length - 1);
            Arbitrary<Byte> value = Arbitraries.oneOf(Arbitraries.bytes(),
                    Arbitraries.of((byte) '"', (byte) '{', (byte) '}', (byte) '[', (byte) ']', (byte) ',', (byte) ':',
                            (byte) '\\', (byte) '0', (byte) '-', (byte) 'e', (byte) 0xC3, (byte) 0x80, (byte) '\n'));
            Arbitrary<Integer> cut = Arbitraries.integers().between(1, base.length);
            return Combinators.combine(at.list().ofMaxSize(4), value.list().ofMaxSize(4), cut)
                    .as((positions, values, end) -> {
                        byte[] out = Arrays.copyOf(base, end);
                        for (int i = 0; i < Math.min(positions.size(), values.size()); i++) {
                            if (positions.get(i) < out.length) {
                                out[positions.get(i)] = values.get(i);
                            }
                        }
                        return out;
                    });
        });
    }

    @Property(tries = 200)
    void deeplyNestedPayloadsAreRefusedNotRecursedInto(@ForAll("depths") int depth) {
        String frame = "{\"type\":\"publish\",\"topic\":\"a/b\",\"event\":\"e\",\"data\":"
                + "[".repeat(depth) + "]".repeat(depth) + "}";
        decodeOrRefuse(frame.getBytes(StandardCharsets.UTF_8));
    }

    @Provide
    Arbitrary<Integer> depths() {
        return Arbitraries.integers().between(1, 100_000);
    }
}
