package io.pulsebase.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.pulsebase.testkit.client.Json;
import io.pulsebase.testkit.client.WsTestClient;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Channel events say who published them: {@code userId} is the publisher's token {@code sub} (live, replayed and in
 * history), and absent for the service key and other callers without a user.
 */
class PublisherIdentityIT {
    @RegisterExtension
    static final TestServer server = TestServer.perClass(c -> c.withAuth(Jwts.builder().build()))
            .helpersAuthorizedWith(Jwts.SERVICE_KEY);

    @Test
    void eventsCarryThePublishersUserLiveInHistoryAndOnReplay() {
        String topic = server.uniqueName("chat/who-");
        try (WsTestClient ada = Policy.ws(server, "ada"); WsTestClient bob = Policy.ws(server, "bob")) {
            long start = Json.position(bob.subscribe("topic", topic));
            ada.requestOk("type", "publish", "topic", topic, "event", "m", "data", 1, "persist", true);
            ada.requestOk("type", "publish", "topic", topic, "event", "m", "data", 2);
            server.rest(200, "POST", "/v1/publish", Json.object("topic", topic, "event", "m", "data", 3, "persist", true));

            // A persisted and an unpersisted message may overtake each other (docs/protocol.md, ordering): by data.
            Map<Integer, JsonNode> events = new HashMap<>();
            for (int i = 0; i < 3; i++) {
                JsonNode e = awaitEvent(bob);
                events.put(e.path("data").asInt(), e);
            }
            assertThat(events).containsOnlyKeys(1, 2, 3);
            assertThat(events.get(1).path("userId").asText()).isEqualTo("ada");
            assertThat(events.get(2).path("userId").asText()).isEqualTo("ada");
            assertThat(events.get(3).has("userId")).as("the service key has no user: %s", events.get(3)).isFalse();

            JsonNode history = bob.requestOk("type", "history", "topic", topic).path("messages");
            assertThat(history).hasSize(2);
            assertThat(history.get(1).path("userId").asText()).isEqualTo("ada");
            assertThat(history.get(0).has("userId")).isFalse();

            try (WsTestClient replay = Policy.ws(server, "carol")) {
                replay.subscribe("topic", topic, "since", Long.toString(start));
                // Replayed events may arrive before the subscribe reply, which the wait for the reply skips over.
                await().atMost(Duration.ofSeconds(10)).until(() -> replay.messages().stream()
                        .anyMatch(m -> m.contains("\"type\":\"event\"")));
                JsonNode first = replay.messages().stream().filter(m -> m.contains("\"type\":\"event\""))
                        .map(Json::read).findFirst().orElseThrow();
                assertThat(first.path("data").asInt()).isEqualTo(1);
                assertThat(first.path("userId").asText()).isEqualTo("ada");
            }
        }
    }

    private static JsonNode awaitEvent(WsTestClient ws) {
        return ws.await(m -> "event".equals(m.path("type").asText()));
    }
}
