package io.pulsebase.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.pulsebase.core.hooks.Hook;
import io.pulsebase.core.hooks.HookEvent;
import io.pulsebase.core.hooks.HookVerdict;
import io.pulsebase.core.hooks.Hooks;
import io.pulsebase.testkit.client.Json;
import io.pulsebase.testkit.client.SseTestClient;
import io.pulsebase.testkit.client.WsTestClient;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Java hooks on a real server: connect, subscribe and message hooks reject with a reason the client sees as the
 * error {@code rejected} (WebSocket, SSE and REST), and unsubscribe and disconnect are told after the fact.
 */
class HooksIT {
    /** Transports whose connections the connect hook rejects. */
    static final List<String> BLOCKED = new CopyOnWriteArrayList<>();
    /** Every event the hook saw, as "type topic". */
    static final List<String> SEEN = new CopyOnWriteArrayList<>();

    /** Rejects connections of the transports in {@link #BLOCKED}, secret/ topics, and messages named 'spam'. */
    static final Hook RULES = event -> {
        String topic = switch (event) {
            case HookEvent.Subscribe s -> s.topic();
            case HookEvent.Unsubscribe u -> u.topic();
            case HookEvent.Message m -> m.topic();
            default -> "";
        };
        SEEN.add(event.type() + " " + topic);
        return switch (event) {
            case HookEvent.Connect c when BLOCKED.contains(c.transport()) ->
                    HookVerdict.reject("closed for maintenance");
            case HookEvent.Subscribe s when s.topic().startsWith("secret/") -> HookVerdict.reject("no secrets here");
            case HookEvent.Message m when m.event().equals("spam") -> HookVerdict.reject("no spam, " + m.data());
            default -> HookVerdict.allow();
        };
    };

    @RegisterExtension
    static final TestServer server = TestServer.perClass(c -> c.withHooks(Hooks.of(List.of(RULES))));

    @Test
    void aSubscribeTheHookRejectsIsAnsweredRejectedAndTheConnectionStaysUsable() {
        try (WsTestClient ws = WsTestClient.connect(server.ws())) {
            JsonNode refused = ws.request("type", "subscribe", "topic", "secret/plans");
            assertThat(refused.path("ok").asBoolean()).isFalse();
            assertThat(refused.path("error").path("code").asText()).isEqualTo("rejected");
            assertThat(refused.path("error").path("message").asText()).isEqualTo("no secrets here");
            JsonNode ok = ws.subscribe("topic", "chat/hooks-open");
            assertThat(ok.path("topic").asText()).isEqualTo("chat/hooks-open");
            ws.requestOk("type", "unsubscribe", "topic", "chat/hooks-open");
        }
        await().atMost(Duration.ofSeconds(5)).until(() -> SEEN.containsAll(List.of("connect ", "subscribe secret/plans",
                "subscribe chat/hooks-open", "unsubscribe chat/hooks-open", "disconnect ")));
        assertThat(SEEN.indexOf("subscribe chat/hooks-open")).isLessThan(SEEN.indexOf("unsubscribe chat/hooks-open"));
    }

    @Test
    void aMessageTheHookRejectsIsNeitherDeliveredNorStoredOverWebSocketOrRest() {
        try (WsTestClient sub = WsTestClient.connect(server.ws()); WsTestClient pub = WsTestClient.connect(server.ws())) {
            sub.subscribe("topic", "chat/hooks-spam");
            JsonNode refused = pub.request("type", "publish", "topic", "chat/hooks-spam", "event", "spam",
                    "data", Map.of("buy", "now"), "persist", true);
            assertThat(refused.path("error").path("code").asText()).isEqualTo("rejected");
            assertThat(refused.path("error").path("message").asText()).isEqualTo("no spam, {\"buy\":\"now\"}");

            HttpResponse<String> rest = server.request("POST", "/v1/publish",
                    Json.object("topic", "chat/hooks-spam", "event", "spam", "data", 1, "persist", true));
            assertThat(rest.statusCode()).isEqualTo(403);
            assertThat(Json.read(rest.body()).path("error").path("code").asText()).isEqualTo("rejected");

            pub.requestOk("type", "publish", "topic", "chat/hooks-spam", "event", "hello", "data", 2);
            JsonNode event = sub.await(m -> "event".equals(m.path("type").asText()));
            assertThat(event.path("event").asText()).as("the first event to arrive is the allowed one").isEqualTo("hello");
            JsonNode history = server.rest(200, "GET", "/v1/history?topic=chat/hooks-spam", null);
            assertThat(history.path("messages")).isEmpty();
        }
    }

    @Test
    void aConnectHookRejectionClosesAWebSocketWith4004AfterAnErrorFrame() {
        BLOCKED.add("websocket");
        try (WsTestClient ws = WsTestClient.connect(server.ws())) {
            JsonNode error = ws.awaitType("error");
            assertThat(error.path("code").asText()).isEqualTo("rejected");
            assertThat(error.path("message").asText()).isEqualTo("closed for maintenance");
            assertThat(ws.awaitClose(Duration.ofSeconds(5))).isEqualTo(4004);
            assertThat(ws.closeReason()).isEqualTo("rejected: closed for maintenance");
        } finally {
            BLOCKED.remove("websocket");
        }
    }

    @Test
    void aConnectHookRejectionRefusesAnSseStreamWith403() {
        BLOCKED.add("sse");
        try (SseTestClient sse = SseTestClient.connect(server.sse("topic=chat/hooks-sse"))) {
            assertThat(sse.status()).isEqualTo(403);
        } finally {
            BLOCKED.remove("sse");
        }
        try (SseTestClient sse = SseTestClient.connect(server.sse("topic=chat/hooks-sse"))) {
            assertThat(sse.status()).isEqualTo(200);
        }
    }
}
