package io.pulsebase.protocol;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.core.JsonGenerator;
import java.io.StringWriter;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The event fast path writes exactly what the generator writes, and declines what it cannot write plainly. */
class EventEncoderTest {
    private final JsonCodec codec = new JsonCodec();

    private String generated(ServerMessage message) throws Exception {
        StringWriter out = new StringWriter();
        try (JsonGenerator g = codec.mapper().getFactory().createGenerator(out)) {
            new ServerMessageEncoder(codec.mapper()).write(g, message);
        }
        return out.toString();
    }

    private RawJson json(Object value) {
        return RawJson.of(codec.mapper(), value);
    }

    @Test
    void plainEventsAreWrittenByteForByteLikeTheGenerator() throws Exception {
        List<ServerMessage.Event> events = List.of(
                new ServerMessage.Event("chat/general", "message", json(Map.of("text", "hi")), 1_700_000_000_123L,
                        null, null, 0),
                new ServerMessage.Event("chat/general", "message", json("x"), 1_700_000_000_000L, "user-7", "m-1", 42),
                new ServerMessage.Event("a/b", "e", null, 0, null, "id", 0),
                new ServerMessage.Event("a/b", "e", RawJson.NULL, 5, null, null, 9_007_199_254_740_993L),
                new ServerMessage.Event("room/42", "cursor", json(List.of(1L, 2.5, "ü")), 1L, null, null, 1));
        for (ServerMessage.Event e : events) {
            byte[] fast = EventEncoder.encode(e);
            assertThat(fast).as("fast path taken for %s", e).isNotNull();
            assertThat(new String(fast, java.nio.charset.StandardCharsets.UTF_8)).isEqualTo(generated(e));
            assertThat(codec.encode(e)).isEqualTo(fast);
        }
    }

    @Test
    void eventsWithTextToEscapeOrObjectPayloadsGoThroughTheGenerator() throws Exception {
        List<ServerMessage.Event> events = List.of(
                new ServerMessage.Event("a/b", "say \"hi\"", json(1L), 1L, null, null, 0),
                new ServerMessage.Event("a/b", "naïve", json(1L), 1L, null, null, 0),
                new ServerMessage.Event("a/b", "e", json(1L), 1L, null, "back\\slash", 0),
                new ServerMessage.Event("a/b", "e", json(1L), 1L, "tab\tuser", null, 0),
                new ServerMessage.Event("a/b", "e", Map.of("k", 1L), 1L, null, null, 3));
        for (ServerMessage.Event e : events) {
            assertThat(EventEncoder.encode(e)).as("declined: %s", e).isNull();
            String encoded = new String(codec.encode(e), java.nio.charset.StandardCharsets.UTF_8);
            assertThat(encoded).isEqualTo(generated(e));
            assertThat(codec.mapper().readTree(encoded).get("event").asText()).isEqualTo(e.event());
        }
    }
}
