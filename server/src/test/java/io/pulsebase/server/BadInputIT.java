package io.pulsebase.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.pulsebase.testkit.client.Json;
import io.pulsebase.testkit.client.RawWebSocket;
import io.pulsebase.testkit.client.WsTestClient;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Bad input on the WebSocket: every refusal carries the exact documented code, as a {@code reply} when the message
 * had a {@code ref} and as an {@code error} frame when it had none; the connection keeps working afterwards (a
 * ping is answered and a live change still arrives); only an oversized frame closes it (1009); data is never
 * touched.
 */
class BadInputIT {
    private static final String ITEMS = "[{\"id\":1,\"name\":\"apple\",\"qty\":3},"
            + "{\"id\":2,\"name\":\"pear\",\"qty\":0},{\"id\":3,\"name\":null,\"qty\":7}]";

    @RegisterExtension
    static final TestServer server = TestServer.perClass();

    @BeforeAll
    static void createTables() {
        server.sql("CREATE TABLE items (id INTEGER PRIMARY KEY, name TEXT, qty INTEGER)");
        server.sql("INSERT INTO items (id, name, qty) VALUES (1, 'apple', 3), (2, 'pear', 0), (3, NULL, 7)");
        server.sql("CREATE TABLE probe (id INTEGER PRIMARY KEY, v TEXT)");
    }

    /** A connection subscribed to {@code probe}, so it can show that live changes still arrive. */
    private static WsTestClient probed() {
        WsTestClient client = WsTestClient.connect(server.ws());
        client.subscribe("topic", "probe");
        return client;
    }

    /** A ping with a ref is answered ok, and a new write to {@code probe} arrives. */
    private static void assertStillWorks(WsTestClient client) {
        assertThat(client.isOpen()).as("connection open (close code %d)", client.closeCode()).isTrue();
        JsonNode pong = client.request("type", "ping");
        assertThat(pong.path("ok").asBoolean()).isTrue();
        long p = server.write("INSERT INTO probe (v) VALUES ('still alive')");
        JsonNode change = client.awaitChange("probe");
        assertThat(Json.position(change)).isEqualTo(p);
    }

    private static void assertRefused(JsonNode reply, String code) {
        assertThat(reply.path("type").asText()).isEqualTo("reply");
        assertThat(reply.path("ok").asBoolean()).as("reply %s", reply).isFalse();
        assertThat(reply.path("error").path("code").asText()).as("reply %s", reply).isEqualTo(code);
        assertThat(reply.path("error").path("message").asText()).isNotBlank();
    }

    /** The next frame is an {@code error} (not a reply) with the code. */
    private static JsonNode assertErrorFrame(WsTestClient client, String code) {
        JsonNode frame = client.next();
        assertThat(frame.path("type").asText()).as("frame %s", frame).isEqualTo("error");
        assertThat(frame.path("code").asText()).as("frame %s", frame).isEqualTo(code);
        assertThat(frame.path("message").asText()).isNotBlank();
        return frame;
    }

    @Test
    void malformedJsonIsAnsweredWithAnInvalidJsonErrorFrame() {
        try (WsTestClient client = probed()) {
            client.sendRaw("{\"type\": \"ping\", \"ref\": ");
            assertErrorFrame(client, "invalid_json");
            client.sendRaw("");
            assertErrorFrame(client, "invalid_json");
            assertStillWorks(client);
        }
    }

    @Test
    void jsonThatIsNotAnObjectIsInvalidJson() {
        try (WsTestClient client = probed()) {
            for (String notAnObject : List.of("[{\"type\":\"ping\",\"ref\":\"a\"}]", "\"ping\"", "42", "null")) {
                client.sendRaw(notAnObject);
                assertErrorFrame(client, "invalid_json");
            }
            assertStillWorks(client);
        }
    }

    @Test
    void unknownTypeIsUnknownType() {
        try (WsTestClient client = probed()) {
            assertRefused(client.request("type", "dance"), "unknown_type");
            assertRefused(client.request("type", "SUBSCRIBE", "topic", "items"), "unknown_type");
            assertStillWorks(client);
        }
    }

    @Test
    void missingTypeIsBadRequestAnsweredToItsRef() {
        try (WsTestClient client = probed()) {
            client.sendRaw("{\"ref\": \"m1\", \"topic\": \"items\"}");
            JsonNode reply = client.next();
            assertThat(reply.path("ref").asText()).isEqualTo("m1");
            assertRefused(reply, "bad_request");
            assertThat(reply.path("error").path("message").asText()).contains("type");
            assertStillWorks(client);
        }
    }

    @Test
    void missingTopicIsBadRequest() {
        try (WsTestClient client = probed()) {
            JsonNode reply = client.request("type", "subscribe");
            assertRefused(reply, "bad_request");
            assertThat(reply.path("error").path("message").asText()).contains("topic");
            assertRefused(client.request("type", "unsubscribe"), "bad_request");
            assertStillWorks(client);
        }
    }

    @Test
    void wrongFieldTypesAreBadRequest() {
        try (WsTestClient client = probed()) {
            assertRefused(client.request("type", "subscribe", "topic", "items", "snapshot", "yes"), "bad_request");
            assertRefused(client.request("type", "subscribe", "topic", "items", "events", "INSERT"), "bad_request");
            assertRefused(client.request("type", "subscribe", "topic", "items", "events", List.of("UPSERT")), "bad_request");
            assertRefused(client.request("type", "subscribe", "topic", "items", "events", List.of(1)), "bad_request");
            assertRefused(client.request("type", "subscribe", "topic", 5), "bad_request");
            assertRefused(client.request("type", "subscribe", "topic", "items", "filter", 5), "bad_request");
            assertStillWorks(client);
            // none of the refused subscribes left a subscription behind
            server.sql("INSERT INTO items (id, name, qty) VALUES (100, 'tmp', 1)");
            server.sql("DELETE FROM items WHERE id = 100");
            long p = server.write("INSERT INTO probe (v) VALUES ('after')");
            JsonNode next = client.next();
            assertThat(next.path("topic").asText()).isEqualTo("probe");
            assertThat(Json.position(next)).isEqualTo(p);
        }
    }

    @Test
    void unknownTableIsUnknownTableAndACaseSlipSuggestsTheRightName() {
        try (WsTestClient client = probed()) {
            assertRefused(client.request("type", "subscribe", "topic", "nope"), "unknown_table");
            JsonNode slip = client.request("type", "subscribe", "topic", "Items");
            assertRefused(slip, "unknown_table");
            assertThat(slip.path("error").path("message").asText()).contains("items");
            assertRefused(client.request("type", "subscribe", "topic", "_pb_log"), "unknown_table");
            assertStillWorks(client);
        }
    }

    @Test
    void unknownColumnInFilterIsInvalidFilterNamingTheColumn() {
        try (WsTestClient client = probed()) {
            JsonNode reply = client.request("type", "subscribe", "topic", "items", "filter", "qty > 1 AND colour = 'red'");
            assertRefused(reply, "invalid_filter");
            assertThat(reply.path("error").path("message").asText()).contains("colour");
            assertStillWorks(client);
        }
    }

    @Test
    void filterSyntaxErrorIsInvalidFilterSayingWhere() {
        try (WsTestClient client = probed()) {
            for (String bad : List.of("qty >", "qty = = 1", "(qty = 1", "name = 'unterminated", "qty = 1; DROP TABLE items")) {
                JsonNode reply = client.request("type", "subscribe", "topic", "items", "filter", bad);
                assertRefused(reply, "invalid_filter");
                assertThat(reply.path("error").path("message").asText()).as("filter %s", bad).contains("position");
            }
            assertStillWorks(client);
        }
    }

    @Test
    void overlongAndOverNestedFiltersAreRefused() {
        try (WsTestClient client = probed()) {
            String nested = "(".repeat(100) + "qty = 1" + ")".repeat(100);
            assertRefused(client.request("type", "subscribe", "topic", "items", "filter", nested), "invalid_filter");
            String longFilter = "qty = 1" + " OR qty = 1".repeat(500);
            assertThat(longFilter.length()).isGreaterThan(4096);
            assertRefused(client.request("type", "subscribe", "topic", "items", "filter", longFilter), "invalid_filter");
            assertStillWorks(client);
        }
    }

    @Test
    void the101stSubscriptionIsTooManySubscriptionsAndTheFirst100StillWork() {
        for (int i = 1; i <= 101; i++) {
            server.sql("CREATE TABLE IF NOT EXISTS many" + i + " (id INTEGER PRIMARY KEY, v INTEGER)");
        }
        try (WsTestClient client = WsTestClient.connect(server.ws())) {
            for (int i = 1; i <= 100; i++) {
                client.subscribe("topic", "many" + i);
            }
            assertRefused(client.request("type", "subscribe", "topic", "many101"), "too_many_subscriptions");
            // replacing one it already holds is not a new subscription
            client.subscribe("topic", "many50", "filter", "v > 0");

            long p1 = server.write("INSERT INTO many1 (v) VALUES (1)");
            assertThat(Json.position(client.awaitChange("many1"))).isEqualTo(p1);
            long p100 = server.write("INSERT INTO many100 (v) VALUES (1)");
            assertThat(Json.position(client.awaitChange("many100"))).isEqualTo(p100);

            // after an unsubscribe there is room again
            client.requestOk("type", "unsubscribe", "topic", "many2");
            client.subscribe("topic", "many101");
            long p101 = server.write("INSERT INTO many101 (v) VALUES (1)");
            assertThat(Json.position(client.awaitChange("many101"))).isEqualTo(p101);
        }
    }

    @Test
    void unknownPositionIsPositionExpired() {
        try (WsTestClient client = probed()) {
            assertRefused(client.request("type", "subscribe", "topic", "items", "since", "9000000000000000000"),
                    "position_expired");
            assertStillWorks(client);
        }
    }

    @Test
    void serverFunctionsAreNotSupportedYet() {
        try (WsTestClient client = probed()) {
            assertRefused(client.request("type", "call", "reducer", "f", "args", List.of()), "not_supported");
            assertStillWorks(client);
        }
    }

    @Test
    void aFailingMessageWithoutRefGetsAnErrorFrameAndASucceedingOneGetsNothing() {
        try (WsTestClient client = probed()) {
            client.sendRaw("{\"type\": \"subscribe\", \"topic\": \"nope\"}");
            JsonNode error = assertErrorFrame(client, "unknown_table");
            assertThat(error.has("ref")).isFalse();
            client.sendRaw("{\"type\": \"publish\", \"topic\": \"chat/\", \"event\": \"e\", \"data\": 1}");
            assertErrorFrame(client, "invalid_topic");
            client.sendRaw("{\"type\": \"ping\"}");
            assertThat(client.poll(Duration.ofMillis(300))).as("a successful message without ref is not answered").isNull();
            assertStillWorks(client);
        }
    }

    @Test
    void aTextFrameThatIsNotUtf8IsInvalidJsonAndTheConnectionSurvives() throws Exception {
        try (RawWebSocket raw =
                RawWebSocket.connect(server.port(), "/v1/realtime")) {
            byte[] head = "{\"type\":\"ping\",\"ref\":\"".getBytes(StandardCharsets.US_ASCII);
            byte[] bad = {(byte) 0xC3, (byte) 0x28, (byte) 0xFF};
            byte[] tail = "\"}".getBytes(StandardCharsets.US_ASCII);
            byte[] frame = new byte[head.length + bad.length + tail.length];
            System.arraycopy(head, 0, frame, 0, head.length);
            System.arraycopy(bad, 0, frame, head.length, bad.length);
            System.arraycopy(tail, 0, frame, head.length + bad.length, tail.length);
            raw.sendFrame(RawWebSocket.TEXT, true, frame);
            JsonNode error = Json.read(raw.readUntil(f -> f.opcode() == RawWebSocket.TEXT,
                    Duration.ofSeconds(5)).text());
            assertThat(error.path("type").asText()).isEqualTo("error");
            assertThat(error.path("code").asText()).isEqualTo("invalid_json");
            raw.sendText("{\"type\":\"ping\",\"ref\":\"after\"}");
            JsonNode pong = Json.read(raw.readUntil(f -> f.opcode() == RawWebSocket.TEXT,
                    Duration.ofSeconds(5)).text());
            assertThat(pong.path("ref").asText()).isEqualTo("after");
            assertThat(pong.path("ok").asBoolean()).isTrue();
        }
    }

    @Test
    void aBinaryFrameIsBadRequestAndTheConnectionSurvives() {
        try (WsTestClient client = probed()) {
            client.sendBinary("{\"type\":\"ping\"}".getBytes(StandardCharsets.UTF_8));
            assertErrorFrame(client, "bad_request");
            client.sendBinary(new byte[] {0, 1, 2, (byte) 0xff});
            assertErrorFrame(client, "bad_request");
            assertStillWorks(client);
        }
    }

    @Test
    void aFrameUnderTheLimitIsHandledAndOneOverItClosesWith1009() {
        try (WsTestClient bystander = probed(); WsTestClient client = probed()) {
            String pad = "x".repeat(120 * 1024);
            client.requestOk("type", "ping", "pad", pad);

            client.sendRaw(Json.object("type", "ping", "ref", "big", "pad", "x".repeat(130 * 1024)));
            assertThat(client.awaitClose(Duration.ofSeconds(10))).isEqualTo(1009);
            assertThat(client.closeReason()).isEqualTo("too_large");
            // nobody else is affected, and the client may reconnect
            assertStillWorks(bystander);
            try (WsTestClient again = probed()) {
                assertStillWorks(again);
            }
        }
    }

    @Test
    void aBurstOfMessagesGetsExactlyOneReplyPerRefEitherOkOrRateLimited() {
        try (WsTestClient client = probed()) {
            int n = 1500;
            java.util.Set<String> refs = new java.util.HashSet<>();
            for (int i = 0; i < n; i++) {
                refs.add(client.send("type", "ping"));
            }
            java.util.Map<String, String> answers = new java.util.HashMap<>();
            while (answers.size() < n) {
                JsonNode f = client.awaitType("reply");
                String ref = f.path("ref").asText();
                assertThat(refs).contains(ref);
                String outcome = f.path("ok").asBoolean() ? "ok" : f.path("error").path("code").asText();
                assertThat(answers.put(ref, outcome)).as("second reply to %s", ref).isNull();
            }
            assertThat(answers.values()).allMatch(o -> o.equals("ok") || o.equals("rate_limited"));
            assertThat(client.poll(Duration.ofMillis(200))).as("no extra replies").isNull();
            assertStillWorks(client);
        }
    }

    @Test
    void afterAllTheBadInputTheDataIsUnchangedAndNewWritesStillArrive() {
        try (WsTestClient client = probed()) {
            client.subscribe("topic", "items");
            client.sendRaw("{not json");
            client.sendRaw("[]");
            client.sendRaw("{\"type\":\"subscribe\",\"topic\":\"items; DROP TABLE items\"}");
            client.sendRaw("{\"type\":\"subscribe\",\"topic\":\"items\",\"filter\":\"1=1; DELETE FROM items\"}");
            client.sendRaw("{\"type\":\"subscribe\",\"topic\":\"items\",\"filter\":\"name = 'x'); DELETE FROM items; --\"}");
            client.sendRaw("{\"type\":\"subscribe\",\"topic\":\"items\",\"filter\":\"name = ''; DROP TABLE items; --'\"}");
            client.sendRaw("{\"type\":\"unsubscribe\",\"topic\":\"items\\\"; DROP TABLE items; --\"}");
            client.sendRaw("{\"type\":\"subscribe\",\"topic\":\"items\",\"since\":\"'; DROP TABLE items\"}");
            client.sendRaw("{\"type\":\"subscribe\",\"topic\":\"items\",\"snapshot\":\"yes\"}");
            client.sendBinary(new byte[] {1, 2, 3});
            for (int i = 0; i < 10; i++) {
                JsonNode f = client.next();
                assertThat(f.path("type").asText()).as("frame %d: %s", i, f).isEqualTo("error");
            }
            assertThat(Json.read(server.sql("SELECT * FROM items ORDER BY id")).path("rows")).isEqualTo(Json.read(ITEMS));

            // the original items subscription survived the refused replacements
            long p = server.write("UPDATE items SET qty = qty WHERE id = 1");
            JsonNode change = client.awaitChange("items");
            assertThat(Json.position(change)).isEqualTo(p);
            assertThat(change.path("changes").get(0).path("operation").asText()).isEqualTo("UPDATE");
            assertStillWorks(client);
        }
    }
}
