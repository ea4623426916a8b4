package io.pulsebase.server;

import static io.pulsebase.server.ChannelClients.isType;
import static io.pulsebase.server.ChannelClients.restPresence;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.pulsebase.testkit.client.Json;
import io.pulsebase.testkit.client.RawWebSocket;
import io.pulsebase.testkit.client.WsTestClient;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Thirty clients join, update, leave, rejoin and disconnect at the same time while observers watch, one subscribed
 * before, one during and one after: every observer's view (its {@code presence_state} plus the join, update and
 * leave frames applied in order) converges to the truth that {@code GET /v1/presence} answers, and no frame ever
 * contradicts the view (a join of a present member, an update or leave of an absent one). More than a thousand
 * members arrive as {@code presence_state} parts.
 */
class PresenceConvergenceIT {
    private static final int CLIENTS = 30;

    @RegisterExtension
    static final TestServer server = TestServer.perClass();

    /** An observer's view of a channel's members, built from the frames it received. */
    private static final class View {
        private final String topic;
        private final Map<String, JsonNode> members = new HashMap<>();
        private final List<String> violations = new ArrayList<>();
        private Map<String, JsonNode> incomingState;

        View(String topic) {
            this.topic = topic;
        }

        void apply(JsonNode f) {
            if (!f.path("topic").asText().equals(topic)) {
                return;
            }
            if (isType(f, "presence_state")) {
                if (incomingState == null) {
                    incomingState = new HashMap<>();
                }
                f.path("members").forEach(m -> incomingState.put(m.path("key").asText(), m.path("data")));
                if (!f.path("more").asBoolean(false)) {
                    members.clear();
                    members.putAll(incomingState);
                    incomingState = null;
                }
                return;
            }
            if (!isType(f, "presence")) {
                return;
            }
            String key = f.path("key").asText();
            boolean present = members.containsKey(key);
            switch (f.path("event").asText()) {
                case "join" -> {
                    if (present) {
                        violations.add("join of a present member: " + f);
                    }
                    members.put(key, f.path("data"));
                }
                case "update" -> {
                    if (!present) {
                        violations.add("update of an absent member: " + f);
                    }
                    members.put(key, f.path("data"));
                }
                case "leave" -> {
                    if (!present) {
                        violations.add("leave of an absent member: " + f);
                    }
                    members.remove(key);
                }
                default -> violations.add("unknown presence event: " + f);
            }
        }
    }

    private static View viewOf(String topic, WsTestClient observer) {
        View view = new View(topic);
        observer.messages().forEach(m -> view.apply(Json.read(m)));
        return view;
    }

    private static JsonNode state(int i, int v) {
        return Json.read(Json.object("i", i, "v", v));
    }

    @Test
    void everyObserversViewConvergesToThePresenceTheServerReports() throws Exception {
        String topic = "crowd/main";
        List<WsTestClient> clients = new ArrayList<>();
        ExecutorService pool = Executors.newFixedThreadPool(CLIENTS + 1);
        try (WsTestClient before = WsTestClient.connect(server.ws()); WsTestClient during = WsTestClient.connect(server.ws())) {
            before.subscribe("topic", topic);
            for (int i = 0; i < CLIENTS; i++) {
                clients.add(WsTestClient.connect(server.ws()));
            }
            Map<String, JsonNode> truth = new ConcurrentHashMap<>();
            List<CompletableFuture<?>> running = new ArrayList<>();
            for (int i = 0; i < CLIENTS; i++) {
                int n = i;
                WsTestClient c = clients.get(i);
                running.add(CompletableFuture.runAsync(() -> {
                    String key = c.requestOk("type", "track", "topic", topic, "state", state(n, 0)).path("key").asText();
                    c.requestOk("type", "track", "topic", topic, "state", state(n, 1));
                    switch (n % 3) {
                        case 0 -> {
                            c.requestOk("type", "untrack", "topic", topic);
                            if (n % 5 == 0) {
                                c.requestOk("type", "track", "topic", topic, "state", state(n, 3));
                                truth.put(key, state(n, 3));
                            }
                        }
                        case 1 -> c.close();
                        default -> {
                            c.requestOk("type", "track", "topic", topic, "state", state(n, 2));
                            truth.put(key, state(n, 2));
                        }
                    }
                }, pool));
            }
            running.add(CompletableFuture.runAsync(() -> during.subscribe("topic", topic), pool));
            CompletableFuture.allOf(running.toArray(CompletableFuture[]::new)).get(60, TimeUnit.SECONDS);

            try (WsTestClient after = WsTestClient.connect(server.ws())) {
                after.subscribe("topic", topic);
                await().atMost(Duration.ofSeconds(10)).untilAsserted(
                        () -> assertThat(restPresence(server, topic)).isEqualTo(truth));
                assertThat(truth).as("members left at the end").hasSize(12);

                // Every text message each observer received, in order (whether or not a wait dropped it), is
                // replayed into a fresh view until the view matches.
                for (Map.Entry<String, WsTestClient> observer : Map.of("before", before, "during", during, "after", after).entrySet()) {
                    await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
                        View view = viewOf(topic, observer.getValue());
                        assertThat(view.members).as("view of the observer subscribed %s", observer.getKey()).isEqualTo(truth);
                    });
                    assertThat(viewOf(topic, observer.getValue()).violations)
                            .as("frames contradicting the view of the observer subscribed %s", observer.getKey()).isEmpty();
                }
            }
        } finally {
            clients.forEach(WsTestClient::close);
            pool.shutdownNow();
        }
    }
    @Test
    void moreThanAThousandMembersArriveAsPresenceStateParts() throws Exception {
        String topic = "crowd/big";
        int count = 1001;
        List<RawWebSocket> sockets = new ArrayList<>();
        try {
            for (int i = 0; i < count; i++) {
                RawWebSocket s = RawWebSocket.connect(server.port(), "/v1/realtime");
                sockets.add(s);
                s.sendText(Json.object("type", "track", "ref", "t", "topic", topic, "state", Map.of("i", i)));
            }
            Map<String, JsonNode> truth = new HashMap<>();
            for (int i = 0; i < count; i++) {
                JsonNode reply = Json.read(sockets.get(i).readUntil(f -> f.opcode() == RawWebSocket.TEXT, Duration.ofSeconds(10)).text());
                assertThat(reply.path("ok").asBoolean()).as("reply %s", reply).isTrue();
                truth.put(reply.path("key").asText(), state(i));
            }
            try (WsTestClient observer = WsTestClient.connect(server.ws())) {
                List<JsonNode> frames = ChannelClients.framesUntilReply(observer, "type", "subscribe", "topic", topic);
                List<JsonNode> parts = frames.subList(0, frames.size() - 1);
                assertThat(parts).allMatch(f -> isType(f, "presence_state"));
                assertThat(parts).hasSizeGreaterThanOrEqualTo(2);
                for (int i = 0; i < parts.size(); i++) {
                    assertThat(parts.get(i).path("more").asBoolean(false)).as("more on part %d of %d", i, parts.size())
                            .isEqualTo(i < parts.size() - 1);
                    assertThat(parts.get(i).path("members").size()).isLessThanOrEqualTo(1000);
                }
                assertThat(viewOf(topic, observer).members).isEqualTo(truth);
            }
        } finally {
            for (RawWebSocket s : sockets) {
                s.close();
            }
        }
    }

    private static JsonNode state(int i) {
        return Json.read(Json.object("i", i));
    }
}
