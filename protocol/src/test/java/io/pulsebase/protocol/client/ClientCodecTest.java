package io.pulsebase.protocol.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.pulsebase.protocol.ClientMessage;
import io.pulsebase.protocol.ErrorCode;
import io.pulsebase.protocol.JsonCodec;
import io.pulsebase.protocol.Operation;
import io.pulsebase.protocol.ProtocolException;
import io.pulsebase.protocol.RawJson;
import io.pulsebase.protocol.ServerMessage;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The client codec is the mirror of the protocol module's: every message survives the round trip. */
class ClientCodecTest {
    private final ClientCodec client = new ClientCodec();
    private final JsonCodec server = new JsonCodec();

    private ClientMessage roundTrip(ClientMessage m) {
        return server.decodeClient(client.encode(m));
    }

    private ServerMessage roundTrip(ServerMessage m) {
        return client.decode(new String(server.encode(m), StandardCharsets.UTF_8));
    }

    @Test
    void clientMessagesDecodeOnTheServerAsSent() {
        List<ClientMessage> messages = List.of(
                new ClientMessage.Subscribe("1", "todos", Set.of(Operation.INSERT, Operation.DELETE), "done = 0",
                        true, null),
                new ClientMessage.Subscribe("2", "todos", Set.of(), null, false, "18446744073709551"),
                new ClientMessage.Subscribe("3", "chat/lobby", Set.of(), null, false, "12", Set.of("message", "typing")),
                new ClientMessage.Unsubscribe("4", "todos"),
                new ClientMessage.Publish("5", "chat/lobby", "message", Map.of("text", "hi", "n", 3L), true, "m-1"),
                new ClientMessage.Publish(null, "chat/lobby", "typing", null, false, null),
                new ClientMessage.Track("6", "chat/lobby", Map.of("name", "Ada")),
                new ClientMessage.Untrack("7", "chat/lobby"),
                new ClientMessage.History("8", "chat/lobby", 20, "1201"),
                new ClientMessage.History("9", "chat/lobby", 0, null),
                new ClientMessage.Auth("10", "jwt"),
                new ClientMessage.Ping("11"));
        for (ClientMessage m : messages) {
            assertThat(roundTrip(m)).as(m.toString()).isEqualTo(asDecodedOnTheServer(m));
        }
    }

    /** The server keeps a publish's payload as the JSON text it was sent as. */
    private ClientMessage asDecodedOnTheServer(ClientMessage m) {
        if (m instanceof ClientMessage.Publish p) {
            return new ClientMessage.Publish(p.ref(), p.topic(), p.event(),
                    RawJson.of(new JsonCodec().mapper(), p.data()), p.persist(), p.id());
        }
        return m;
    }

    @Test
    void serverMessagesDecodeAsTheServerEncodedThem() {
        Map<String, Object> row = new LinkedHashMap<>();
        row.put("id", 7L);
        row.put("title", "x");
        row.put("price", 2.5);
        row.put("note", null);
        List<ServerMessage> messages = List.of(
                ServerMessage.Reply.ok("1", Map.of("topic", "todos", "position", "42")),
                ServerMessage.Reply.error("2", ErrorCode.POSITION_EXPIRED, "too old"),
                new ServerMessage.Snapshot("todos", List.of(row), 42, true),
                new ServerMessage.Snapshot("todos", List.of(), 42, false),
                new ServerMessage.DbChange("todos", 43, List.of(new ServerMessage.Change(Operation.INSERT, row, null),
                        new ServerMessage.Change(Operation.DELETE, null, row)), 1_700_000_000_123L,
                        Map.of("reducer", "r"), true),
                new ServerMessage.Event("chat/lobby", "message", Map.of("text", "hi"), 1_700_000_000_000L, null, "m-1",
                        44),
                new ServerMessage.Event("chat/lobby", "typing", null, 1_700_000_000_000L, null, null, 0),
                new ServerMessage.PresenceState("chat/lobby",
                        List.of(new ServerMessage.PresenceMember("k1", "ada", Map.of("name", "Ada")),
                                new ServerMessage.PresenceMember("k2", null, Map.of())), false),
                new ServerMessage.Presence("chat/lobby", "leave", "k1", "ada", Map.of("name", "Ada")),
                new ServerMessage.Presence("chat/lobby", "join", "k2", null, Map.of()),
                new ServerMessage.Heartbeat(),
                new ServerMessage.ErrorMessage(ErrorCode.INVALID_JSON, "nope"));
        for (ServerMessage m : messages) {
            assertThat(roundTrip(m)).as(m.toString()).isEqualTo(m);
        }
    }

    @Test
    void unknownFramesAreProtocolErrors() {
        assertThatThrownBy(() -> client.decode("{\"type\":\"wat\"}")).isInstanceOf(ProtocolException.class);
        assertThatThrownBy(() -> client.decode("[1]")).isInstanceOf(ProtocolException.class);
        assertThatThrownBy(() -> client.decode("{")).isInstanceOf(ProtocolException.class);
    }

    @Test
    void decodingIsLenientAboutWhatItDoesNotNeed() {
        ServerMessage m = client.decode("{\"type\":\"event\",\"topic\":\"a/b\",\"event\":\"x\",\"later\":1,"
                + "\"timestamp\":\"not a time\"}");
        assertThat(m).isEqualTo(new ServerMessage.Event("a/b", "x", null, 0, null, null, 0));
        assertThat(client.decode("{\"type\":\"snapshot\",\"topic\":\"t\",\"position\":7}"))
                .isEqualTo(new ServerMessage.Snapshot("t", List.of(), 7, false));
    }

    @Test
    void failuresCarryTheirErrorCode() {
        assertThatThrownBy(() -> client.decode("{")).extracting(e -> ((ProtocolException) e).code())
                .isEqualTo(ErrorCode.INVALID_JSON);
        assertThatThrownBy(() -> client.decode("{\"ref\":\"1\"}")).extracting(e -> ((ProtocolException) e).code())
                .isEqualTo(ErrorCode.BAD_REQUEST);
        assertThatThrownBy(() -> client.decode("{\"type\":\"wat\"}")).extracting(e -> ((ProtocolException) e).code())
                .isEqualTo(ErrorCode.UNKNOWN_TYPE);
        assertThatThrownBy(() -> client.decode("{\"type\":\"snapshot\",\"topic\":\"t\",\"position\":\"x1\"}"))
                .extracting(e -> ((ProtocolException) e).code()).isEqualTo(ErrorCode.INVALID_POSITION);
    }

    @Test
    void positionsInsideResultsAreStringsOrNumbersAndZeroWhenAbsent() {
        assertThat(ClientCodec.position(Map.of("position", "42"), "position")).isEqualTo(42);
        assertThat(ClientCodec.position(Map.of("position", 42L), "position")).isEqualTo(42);
        assertThat(ClientCodec.position(Map.of(), "position")).isZero();
    }
}
