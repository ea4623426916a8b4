package io.pulsebase.server;

import static io.pulsebase.server.ChannelClients.assertRefused;
import static io.pulsebase.server.ChannelClients.assertRestRefused;
import static io.pulsebase.server.ChannelClients.assertStillWorks;
import static io.pulsebase.server.ChannelClients.enc;
import static io.pulsebase.server.ChannelClients.isEvent;
import static io.pulsebase.server.ChannelClients.probed;
import static io.pulsebase.server.ChannelClients.restPublish;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.pulsebase.testkit.client.Json;
import io.pulsebase.testkit.client.WsTestClient;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Bad channel input on the WebSocket and REST: every refusal carries the exact documented code ({@code invalid_topic},
 * {@code bad_request}, {@code invalid_json}), as a reply or as an {@code error} frame without a ref, and the
 * connection keeps working afterwards (a ping is answered and a message on its probe channel still arrives).
 */
class ChannelBadInputIT {
    private static final List<String> BAD_NAMES = List.of("chat/", "/chat", "chat//x", "chat/hello world", "/",
            "a/" + "b".repeat(199), "chat/\u00e9t\u00e9", "chat/x?y", "chat/#1", "chat\\x/y");

    @RegisterExtension
    static final TestServer server = TestServer.perClass();

    @BeforeAll
    static void createTable() {
        server.sql("CREATE TABLE items (id INTEGER PRIMARY KEY, name TEXT)");
    }

    private static String channel() {
        return server.uniqueName("bad/ch-");
    }

    @Test
    void invalidChannelNamesAreInvalidTopicOnEveryMessageAndEndpoint() {
        assertThat(BAD_NAMES.get(5)).hasSize(201);
        String probe = channel();
        try (WsTestClient client = probed(server, probe)) {
            for (String bad : BAD_NAMES) {
                assertRefused(client.request("type", "subscribe", "topic", bad), "invalid_topic");
                assertRefused(client.request("type", "publish", "topic", bad, "event", "m", "data", 1), "invalid_topic");
                assertRefused(client.request("type", "track", "topic", bad, "state", Map.of()), "invalid_topic");
                assertRefused(client.request("type", "history", "topic", bad), "invalid_topic");
                assertRestRefused(server, 400, "invalid_topic", "POST", "/v1/publish", Json.object("topic", bad, "event", "m"));
                assertRestRefused(server, 400, "invalid_topic", "GET", "/v1/history?topic=" + enc(bad), null);
                assertRestRefused(server, 400, "invalid_topic", "GET", "/v1/presence?topic=" + enc(bad), null);
            }
            assertStillWorks(server, client, probe);
            // the boundaries are accepted: 3 and 200 characters, every allowed character
            for (String good : List.of("a/b", "a/" + "b".repeat(198), "AZaz09_-.:@=+/seg/Z-9")) {
                client.subscribe("topic", good);
                JsonNode event = ChannelClients.exchange(client, "type", "publish", "topic", good, "event", "m", "data", good)
                        .then(client, f -> isEvent(f, good));
                assertThat(event.path("data").asText()).isEqualTo(good);
            }
        }
    }

    @Test
    void channelMessagesOnATableTopicAreInvalidTopic() {
        String probe = channel();
        try (WsTestClient client = probed(server, probe)) {
            assertRefused(client.request("type", "publish", "topic", "items", "event", "m"), "invalid_topic");
            assertRefused(client.request("type", "history", "topic", "items"), "invalid_topic");
            assertRestRefused(server, 400, "invalid_topic", "POST", "/v1/publish", Json.object("topic", "items", "event", "m"));
            assertRestRefused(server, 400, "invalid_topic", "GET", "/v1/history?topic=items", null);
            assertRestRefused(server, 400, "invalid_topic", "GET", "/v1/presence?topic=items", null);
            assertStillWorks(server, client, probe);
        }
    }

    @Test
    void malformedPublishesAreBadRequest() {
        String probe = channel();
        String topic = channel();
        try (WsTestClient client = probed(server, probe)) {
            client.subscribe("topic", topic);
            List<Object[]> bad = List.of(
                    new Object[] {"type", "publish", "topic", topic, "data", 1},
                    new Object[] {"type", "publish", "topic", topic, "event", 5},
                    new Object[] {"type", "publish", "topic", topic, "event", ""},
                    new Object[] {"type", "publish", "topic", topic, "event", "e".repeat(101)},
                    new Object[] {"type", "publish", "topic", topic, "event", "m", "persist", "yes"},
                    new Object[] {"type", "publish", "topic", topic, "event", "m", "persist", 1},
                    new Object[] {"type", "publish", "topic", topic, "event", "m", "id", ""},
                    new Object[] {"type", "publish", "topic", topic, "event", "m", "id", "i".repeat(201)},
                    new Object[] {"type", "publish", "topic", topic, "event", "m", "id", 5},
                    new Object[] {"type", "publish", "event", "m"},
                    new Object[] {"type", "publish", "topic", 5, "event", "m"});
            for (Object[] message : bad) {
                JsonNode reply = client.request(message);
                assertRefused(reply, "bad_request");
            }
            assertStillWorks(server, client, probe);
            // the boundaries are accepted, and none of the refused messages was delivered
            JsonNode first = ChannelClients.exchange(client, "type", "publish", "topic", topic, "event", "e".repeat(100),
                    "id", "i".repeat(200), "data", "ok").then(client, f -> isEvent(f, topic));
            assertThat(first.path("data").asText()).isEqualTo("ok");
            assertThat(first.path("id").asText()).hasSize(200);

            assertRestRefused(server, 400, "bad_request", "POST", "/v1/publish", Json.object("topic", topic));
            assertRestRefused(server, 400, "bad_request", "POST", "/v1/publish", Json.object("topic", topic, "event", "m", "persist", "yes"));
            assertRestRefused(server, 400, "bad_request", "POST", "/v1/publish", Json.object("event", "m"));
            assertRestRefused(server, 400, "invalid_json", "POST", "/v1/publish", "{not json");
            assertRestRefused(server, 400, "invalid_json", "POST", "/v1/publish", "[]");
            assertRestRefused(server, 405, "method_not_allowed", "GET", "/v1/publish", null);
            assertStillWorks(server, client, probe);
        }
    }

    @Test
    void aPublishOverTheDefault64KibIsTooLargeAndTheConnectionStaysOpen() {
        String probe = channel();
        String topic = channel();
        try (WsTestClient client = probed(server, probe)) {
            JsonNode reply = client.request("type", "publish", "topic", topic, "event", "big", "data", "x".repeat(65 * 1024));
            assertRefused(reply, "too_large");
            assertStillWorks(server, client, probe);
            client.requestOk("type", "publish", "topic", topic, "event", "fits", "data", "x".repeat(60 * 1024));
        }
        assertRestRefused(server, 413, "too_large", "POST", "/v1/publish",
                Json.object("topic", topic, "event", "big", "data", "x".repeat(65 * 1024)));
    }

    @Test
    void malformedTrackAndHistoryAreBadRequest() {
        String probe = channel();
        String topic = channel();
        try (WsTestClient client = probed(server, probe)) {
            for (Object state : List.of("x", List.of(1), 5, true)) {
                assertRefused(client.request("type", "track", "topic", topic, "state", state), "bad_request");
            }
            assertRefused(client.request("type", "track", "state", Map.of()), "bad_request");
            assertRefused(client.request("type", "untrack"), "bad_request");
            assertThat(ChannelClients.restPresence(server, topic)).as("no refused track joined").isEmpty();
            for (Object limit : List.of("10", true, Map.of("n", 1))) {
                assertRefused(client.request("type", "history", "topic", topic, "limit", limit), "bad_request");
            }
            assertRefused(client.request("type", "history"), "bad_request");
            assertRestRefused(server, 400, "bad_request", "GET", "/v1/history?topic=" + enc(topic) + "&limit=abc", null);
            assertRestRefused(server, 400, "bad_request", "GET", "/v1/history", null);
            assertRestRefused(server, 400, "bad_request", "GET", "/v1/presence", null);
            assertStillWorks(server, client, probe);
        }
    }

    @Test
    void filterSnapshotAndBadEventsOnAChannelSubscribeAreBadRequestAndLeaveNoSubscription() {
        String probe = channel();
        String topic = channel();
        try (WsTestClient client = probed(server, probe)) {
            assertRefused(client.request("type", "subscribe", "topic", topic, "filter", "name = 'x'"), "bad_request");
            assertRefused(client.request("type", "subscribe", "topic", topic, "snapshot", true), "bad_request");
            assertRefused(client.request("type", "subscribe", "topic", topic, "events", "message"), "bad_request");
            assertRefused(client.request("type", "subscribe", "topic", topic, "events", List.of("")), "bad_request");
            assertRefused(client.request("type", "subscribe", "topic", topic, "events", List.of("e".repeat(101))), "bad_request");
            assertRefused(client.request("type", "subscribe", "topic", topic, "events", List.of(5)), "bad_request");
            int seen = client.messages().size();
            restPublish(server, "topic", topic, "event", "m", "data", "not for you");
            assertStillWorks(server, client, probe);
            assertThat(client.messages().subList(seen, client.messages().size()))
                    .as("no refused subscribe left a subscription").noneMatch(m -> isEvent(Json.read(m), topic));
            client.subscribe("topic", topic, "events", List.of("e".repeat(100)));
        }
    }

    @Test
    void failuresWithoutRefAreErrorFramesAndSuccessesWithoutRefGetNothing() {
        String probe = channel();
        String topic = channel();
        try (WsTestClient client = probed(server, probe)) {
            client.sendRaw(Json.object("type", "publish", "topic", topic, "event", ""));
            assertErrorFrame(client, "bad_request");
            client.sendRaw(Json.object("type", "track", "topic", "chat//x"));
            assertErrorFrame(client, "invalid_topic");
            client.sendRaw(Json.object("type", "publish", "topic", topic, "event", "m"));
            client.sendRaw(Json.object("type", "untrack", "topic", topic));
            assertThat(client.poll(Duration.ofMillis(300))).as("successful messages without ref are not answered").isNull();
            assertStillWorks(server, client, probe);
        }
    }

    private static void assertErrorFrame(WsTestClient client, String code) {
        JsonNode frame = client.await(f -> !ChannelClients.isType(f, "heartbeat"));
        assertThat(frame.path("type").asText()).as("frame %s", frame).isEqualTo("error");
        assertThat(frame.path("code").asText()).as("frame %s", frame).isEqualTo(code);
        assertThat(frame.path("message").asText()).isNotBlank();
        assertThat(frame.has("ref")).isFalse();
    }
}
