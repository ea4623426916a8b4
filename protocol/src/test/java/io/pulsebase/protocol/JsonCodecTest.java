package io.pulsebase.protocol;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class JsonCodecTest {
    private final JsonCodec codec = new JsonCodec();

    private ClientMessage decode(String json) {
        return codec.decodeClient(json.getBytes(StandardCharsets.UTF_8));
    }

    private void assertRefused(String json, ErrorCode code, String messagePart) {
        assertThatThrownBy(() -> decode(json))
                .isInstanceOfSatisfying(ProtocolException.class, e -> {
                    assertThat(e.code()).isEqualTo(code);
                    assertThat(e.getMessage()).contains(messagePart);
                });
    }

    @Test
    void subscribeDecodesEveryField() {
        ClientMessage m = decode("{\"type\":\"subscribe\",\"ref\":\"1\",\"topic\":\"orders\",\"events\":[\"insert\",\"DELETE\"],"
                + "\"filter\":\"status = 'open'\",\"snapshot\":true,\"since\":\"42\"}");
        assertThat(m).isEqualTo(new ClientMessage.Subscribe("1", "orders", Set.of(Operation.INSERT, Operation.DELETE),
                "status = 'open'", true, "42"));
    }

    @Test
    void allOperationsOrAStarMeanNoEventFilter() {
        assertThat(((ClientMessage.Subscribe) decode("{\"type\":\"subscribe\",\"topic\":\"t\",\"events\":[\"*\"]}")).events())
                .isEmpty();
        assertThat(((ClientMessage.Subscribe) decode(
                "{\"type\":\"subscribe\",\"topic\":\"t\",\"events\":[\"INSERT\",\"UPDATE\",\"DELETE\"]}")).events()).isEmpty();
    }

    @Test
    void aNumericSinceIsAcceptedAsDigits() {
        assertThat(((ClientMessage.Subscribe) decode("{\"type\":\"subscribe\",\"topic\":\"t\",\"since\":17}")).since())
                .isEqualTo("17");
    }

    @Test
    void badInputIsRefusedWithANamedCode() {
        assertRefused("{", ErrorCode.INVALID_JSON, "not valid JSON");
        assertRefused("[1,2]", ErrorCode.INVALID_JSON, "JSON object");
        assertRefused("{\"type\":\"ping\"} trailing", ErrorCode.INVALID_JSON, "not valid JSON");
        assertRefused("{\"ref\":\"1\"}", ErrorCode.BAD_REQUEST, "'type'");
        assertRefused("{\"type\":\"dance\"}", ErrorCode.UNKNOWN_TYPE, "'dance'");
        assertRefused("{\"type\":\"subscribe\"}", ErrorCode.BAD_REQUEST, "'topic'");
        assertRefused("{\"type\":\"subscribe\",\"topic\":7}", ErrorCode.BAD_REQUEST, "must be a string");
        assertRefused("{\"type\":\"subscribe\",\"topic\":\"\"}", ErrorCode.BAD_REQUEST, "must not be empty");
        assertRefused("{\"type\":\"subscribe\",\"topic\":\"t\",\"snapshot\":\"yes\"}", ErrorCode.BAD_REQUEST, "boolean");
        assertRefused("{\"type\":\"subscribe\",\"topic\":\"t\",\"events\":\"INSERT\"}", ErrorCode.BAD_REQUEST, "array");
        assertRefused("{\"type\":\"subscribe\",\"topic\":\"t\",\"events\":[\"UPSERT\"]}", ErrorCode.BAD_REQUEST, "UPSERT");
        assertRefused("{\"type\":\"subscribe\",\"topic\":\"t\",\"since\":\"12a\"}", ErrorCode.INVALID_POSITION, "digits");
        assertRefused("{\"type\":\"subscribe\",\"topic\":\"t\",\"since\":-1}", ErrorCode.INVALID_POSITION, "position");
        assertRefused("{\"type\":\"history\",\"topic\":\"c/x\",\"limit\":-5}", ErrorCode.BAD_REQUEST, "positive");
        assertRefused("{\"type\":\"history\",\"topic\":\"c/x\",\"limit\":0}", ErrorCode.BAD_REQUEST, "positive");
        assertRefused("{\"type\":\"history\",\"topic\":\"c/x\",\"limit\":\"5\"}", ErrorCode.BAD_REQUEST, "positive");
        assertRefused("{\"type\":\"publish\",\"topic\":\"c/x\"}", ErrorCode.BAD_REQUEST, "'event'");
        assertRefused("{\"type\":\"publish\",\"topic\":\"c/x\",\"event\":7}", ErrorCode.BAD_REQUEST, "string");
        assertRefused("{\"type\":\"publish\",\"topic\":\"c/x\",\"event\":\"" + "e".repeat(101) + "\"}",
                ErrorCode.BAD_REQUEST, "1-100");
        assertRefused("{\"type\":\"publish\",\"topic\":\"c/x\",\"event\":\"e\",\"persist\":1}",
                ErrorCode.BAD_REQUEST, "boolean");
        assertRefused("{\"type\":\"publish\",\"topic\":\"c/x\",\"event\":\"e\",\"id\":\"\"}",
                ErrorCode.BAD_REQUEST, "1-200");
        assertRefused("{\"type\":\"track\",\"topic\":\"c/x\",\"state\":[1]}", ErrorCode.BAD_REQUEST, "object");
        assertRefused("{\"type\":\"subscribe\",\"topic\":\"c/x\",\"events\":[\"\"]}", ErrorCode.BAD_REQUEST,
                "event names");
    }

    @Test
    void aChannelSubscribeTakesEventNamesNotOperations() {
        ClientMessage.Subscribe s = (ClientMessage.Subscribe) decode(
                "{\"type\":\"subscribe\",\"topic\":\"chat/general\",\"events\":[\"message\",\"typing\"]}");
        assertThat(s.eventNames()).containsExactlyInAnyOrder("message", "typing");
        assertThat(s.events()).isEmpty();
        assertThat(((ClientMessage.Subscribe) decode(
                "{\"type\":\"subscribe\",\"topic\":\"chat/general\",\"events\":[\"message\",\"*\"]}")).eventNames())
                .isEmpty();
    }

    private static Map<String, Object> orderedData() {
        Map<String, Object> data = new LinkedHashMap<>();
        data.put("n", 1L);
        data.put("l", java.util.Arrays.asList(true, null));
        return data;
    }

    @Test
    void publishDecodesEveryField() {
        assertThat(decode("{\"type\":\"publish\",\"ref\":\"p\",\"topic\":\"c/x\",\"event\":\"e\","
                + "\"data\":{\"n\":1,\"l\":[true,null]},\"persist\":true,\"id\":\"m1\"}"))
                .isEqualTo(new ClientMessage.Publish("p", "c/x", "e",
                        RawJson.of(codec.mapper(), orderedData()), true, "m1"));
    }

    @Test
    void hostileNestingIsRefusedNotRecursedInto() {
        String deep = "{\"type\":\"publish\",\"topic\":\"c/x\",\"event\":\"e\",\"data\":" + "[".repeat(10_000)
                + "]".repeat(10_000) + "}";
        assertRefused(deep, ErrorCode.INVALID_JSON, "not valid JSON");
    }

    @Test
    void refOfAnInvalidMessageIsStillFound() {
        assertThat(JsonCodec.refOf(codec.readFrame("{\"ref\":\"r9\",\"type\":\"nope\"}".getBytes(StandardCharsets.UTF_8))))
                .isEqualTo("r9");
    }

    @Test
    void dbChangeEncodesPositionsAsStringsAndTimestampsAsIso() {
        Map<String, Object> row = new LinkedHashMap<>();
        row.put("id", 1L);
        row.put("name", "a\"b");
        row.put("score", 1.5);
        row.put("gone", null);
        String json = new String(codec.encode(new ServerMessage.DbChange("t", 9_007_199_254_740_993L,
                List.of(new ServerMessage.Change(Operation.UPDATE, row, Map.of("id", 1L))), 0L, Map.of())),
                StandardCharsets.UTF_8);
        assertThat(json).isEqualTo("{\"type\":\"db_change\",\"topic\":\"t\",\"position\":\"9007199254740993\","
                + "\"timestamp\":\"1970-01-01T00:00:00Z\",\"changes\":[{\"operation\":\"UPDATE\","
                + "\"data\":{\"id\":1,\"name\":\"a\\\"b\",\"score\":1.5,\"gone\":null},\"old\":{\"id\":1}}]}");
    }

    @Test
    void aPartOfALargeTransactionSaysMore() {
        String json = new String(codec.encode(new ServerMessage.DbChange("t", 5, List.of(), 0L, Map.of(), true)),
                StandardCharsets.UTF_8);
        assertThat(json).endsWith(",\"more\":true}");
    }

    @Test
    void repliesCarryTheirRefAndErrorCode() {
        assertThat(new String(codec.encode(ServerMessage.Reply.error("r1", ErrorCode.TOO_MANY_SUBSCRIPTIONS, "max 100")),
                StandardCharsets.UTF_8)).isEqualTo("{\"type\":\"reply\",\"ref\":\"r1\",\"ok\":false,"
                + "\"error\":{\"code\":\"too_many_subscriptions\",\"message\":\"max 100\"}}");
        assertThat(new String(codec.encode(ServerMessage.Reply.ok("r2", Map.of("position", "3"))),
                StandardCharsets.UTF_8)).isEqualTo("{\"type\":\"reply\",\"ref\":\"r2\",\"ok\":true,\"position\":\"3\"}");
    }

    @Test
    void presenceMembersCarryTheirUserOnlyWhenTheyHaveOne() {
        String state = new String(codec.encode(new ServerMessage.PresenceState("room/1", List.of(
                new ServerMessage.PresenceMember("k1", "ada", Map.of("tab", 1L)),
                new ServerMessage.PresenceMember("k2", null, Map.of())), false)), StandardCharsets.UTF_8);
        assertThat(state).isEqualTo("{\"type\":\"presence_state\",\"topic\":\"room/1\",\"members\":["
                + "{\"key\":\"k1\",\"userId\":\"ada\",\"data\":{\"tab\":1}},{\"key\":\"k2\",\"data\":{}}]}");
        assertThat(new String(codec.encode(new ServerMessage.Presence("room/1", "join", "k1", "ada", Map.of())),
                StandardCharsets.UTF_8)).isEqualTo("{\"type\":\"presence\",\"topic\":\"room/1\",\"event\":\"join\","
                + "\"key\":\"k1\",\"userId\":\"ada\",\"data\":{}}");
        assertThat(new String(codec.encode(new ServerMessage.Presence("room/1", "leave", "k2", null, Map.of())),
                StandardCharsets.UTF_8)).isEqualTo("{\"type\":\"presence\",\"topic\":\"room/1\",\"event\":\"leave\","
                + "\"key\":\"k2\",\"data\":{}}");
    }

    @Test
    void nonFiniteNumbersBecomeNull() {
        String json = new String(codec.encode(new ServerMessage.Snapshot("t", List.of(Map.of("x", Double.NaN)), 1)),
                StandardCharsets.UTF_8);
        assertThat(json).contains("\"x\":null");
    }
}
