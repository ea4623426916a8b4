package io.pulsebase.server;

import static io.pulsebase.server.ChannelClients.assertRefused;
import static io.pulsebase.server.ChannelClients.awaitPresence;
import static io.pulsebase.server.ChannelClients.framesUntilReply;
import static io.pulsebase.server.ChannelClients.isType;
import static io.pulsebase.server.ChannelClients.members;
import static io.pulsebase.server.ChannelClients.restPresence;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.pulsebase.testkit.client.Json;
import io.pulsebase.testkit.client.RawWebSocket;
import io.pulsebase.testkit.client.WsTestClient;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Presence over real sockets, with a 300 ms heartbeat: track joins, tracks again updates, untrack and closing
 * leave, a silently dead peer leaves once the heartbeat gives up on it; {@code presence_state} before the subscribe
 * reply; refusals. Security is disabled here, so members have no {@code userId}; with users:
 * {@link PresenceUserIT}. Many clients at once: {@link PresenceConvergenceIT}.
 */
class PresenceIT {
    private static final Duration INTERVAL = Duration.ofMillis(300);

    @RegisterExtension
    static final TestServer server = TestServer.perClass(
            c -> c.withTransport(c.transport().withHeartbeatInterval(INTERVAL)));

    private static String room() {
        return server.uniqueName("room/");
    }

    private static void assertPresence(JsonNode frame, String topic, String event, String key, String data) {
        assertThat(frame.path("type").asText()).isEqualTo("presence");
        assertThat(frame.path("topic").asText()).isEqualTo(topic);
        assertThat(frame.path("event").asText()).as("frame %s", frame).isEqualTo(event);
        assertThat(frame.path("key").asText()).isEqualTo(key);
        assertThat(frame.path("data")).as("frame %s", frame).isEqualTo(Json.read(data));
        assertThat(frame.has("position")).as("presence has no position").isFalse();
        assertThat(frame.has("userId")).as("security disabled: no caller has a user").isFalse();
    }

    @Test
    void trackJoinsTrackingAgainUpdatesAndUntrackLeaves() {
        String topic = room();
        try (WsTestClient observer = WsTestClient.connect(server.ws()); WsTestClient member = WsTestClient.connect(server.ws())) {
            List<JsonNode> frames = framesUntilReply(observer, "type", "subscribe", "topic", topic);
            assertThat(frames).hasSize(2);
            assertThat(frames.get(0).path("type").asText()).isEqualTo("presence_state");
            assertThat(frames.get(0).path("topic").asText()).isEqualTo(topic);
            assertThat(frames.get(0).path("members")).isEmpty();

            JsonNode tracked = member.requestOk("type", "track", "topic", topic, "state", Map.of("name", "Ada"));
            String key = tracked.path("key").asText();
            assertThat(key).isNotBlank();
            assertPresence(awaitPresence(observer, topic), topic, "join", key, "{\"name\":\"Ada\"}");
            assertThat(restPresence(server, topic)).isEqualTo(Map.of(key, Json.read("{\"name\":\"Ada\"}")));

            JsonNode again = member.requestOk("type", "track", "topic", topic, "state", Map.of("name", "Ada", "color", "#e33"));
            assertThat(again.path("key").asText()).isEqualTo(key);
            assertPresence(awaitPresence(observer, topic), topic, "update", key, "{\"name\":\"Ada\",\"color\":\"#e33\"}");

            member.requestOk("type", "untrack", "topic", topic);
            assertPresence(awaitPresence(observer, topic), topic, "leave", key, "{\"name\":\"Ada\",\"color\":\"#e33\"}");
            assertThat(restPresence(server, topic)).isEmpty();

            // untracking again is a no-op: the next presence frame is the following join, not a second leave
            member.requestOk("type", "untrack", "topic", topic);
            member.requestOk("type", "track", "topic", topic);
            assertPresence(awaitPresence(observer, topic), topic, "join", key, "{}");
        }
    }

    @Test
    void aMemberKeyIsTheConnectionsIdOneMemberPerConnectionAndChannel() {
        String a = room();
        String b = room();
        try (WsTestClient tab1 = WsTestClient.connect(server.ws()); WsTestClient tab2 = WsTestClient.connect(server.ws())) {
            String k1 = tab1.requestOk("type", "track", "topic", a, "state", Map.of("tab", 1)).path("key").asText();
            String k2 = tab2.requestOk("type", "track", "topic", a, "state", Map.of("tab", 2)).path("key").asText();
            assertThat(k1).isNotEqualTo(k2);
            assertThat(tab1.requestOk("type", "track", "topic", b).path("key").asText()).isEqualTo(k1);
            assertThat(restPresence(server, a)).containsOnlyKeys(k1, k2);
            assertThat(restPresence(server, b)).containsOnlyKeys(k1);
        }
    }

    @Test
    void subscribingSendsPresenceStateWithTheCurrentMembersBeforeTheReply() {
        String topic = room();
        try (WsTestClient m1 = WsTestClient.connect(server.ws()); WsTestClient m2 = WsTestClient.connect(server.ws());
             WsTestClient observer = WsTestClient.connect(server.ws())) {
            String k1 = m1.requestOk("type", "track", "topic", topic, "state", Map.of("n", 1)).path("key").asText();
            String k2 = m2.requestOk("type", "track", "topic", topic, "state", Map.of("n", 2)).path("key").asText();
            List<JsonNode> frames = framesUntilReply(observer, "type", "subscribe", "topic", topic, "events", List.of("message"));
            assertThat(frames).as("presence_state then the reply").hasSize(2);
            JsonNode state = frames.get(0);
            assertThat(state.path("type").asText()).isEqualTo("presence_state");
            assertThat(state.has("more")).isFalse();
            assertThat(members(state.path("members")))
                    .isEqualTo(Map.of(k1, Json.read("{\"n\":1}"), k2, Json.read("{\"n\":2}")));
            assertThat(state.path("members")).allSatisfy(m -> assertThat(m.has("userId")).isFalse());
            assertThat(frames.get(1).path("ok").asBoolean()).isTrue();

            // a resubscribe gets a fresh presence_state
            m2.requestOk("type", "untrack", "topic", topic);
            List<JsonNode> again = framesUntilReply(observer, "type", "subscribe", "topic", topic);
            JsonNode fresh = again.stream().filter(f -> isType(f, "presence_state")).findFirst().orElseThrow();
            assertThat(members(fresh.path("members"))).containsOnlyKeys(k1);
        }
    }

    @Test
    void closingAConnectionLeavesAtOnceWithTheLastState() {
        String topic = room();
        try (WsTestClient observer = WsTestClient.connect(server.ws())) {
            observer.subscribe("topic", topic);
            WsTestClient member = WsTestClient.connect(server.ws());
            String key = member.requestOk("type", "track", "topic", topic, "state", Map.of("v", 1)).path("key").asText();
            member.requestOk("type", "track", "topic", topic, "state", Map.of("v", 2));
            assertPresence(awaitPresence(observer, topic), topic, "join", key, "{\"v\":1}");
            assertPresence(awaitPresence(observer, topic), topic, "update", key, "{\"v\":2}");
            member.close();
            assertPresence(awaitPresence(observer, topic), topic, "leave", key, "{\"v\":2}");
            assertThat(restPresence(server, topic)).isEmpty();

            WsTestClient dropped = WsTestClient.connect(server.ws());
            String k2 = dropped.requestOk("type", "track", "topic", topic).path("key").asText();
            assertPresence(awaitPresence(observer, topic), topic, "join", k2, "{}");
            dropped.abort();                                    // TCP gone without a close frame
            assertPresence(awaitPresence(observer, topic), topic, "leave", k2, "{}");
        }
    }

    @Test
    void aPeerThatSilentlyVanishedLeavesWhenTheHeartbeatGivesUp() throws Exception {
        String topic = room();
        try (WsTestClient observer = WsTestClient.connect(server.ws());
             RawWebSocket silent = RawWebSocket.connect(server.port(), "/v1/realtime")) {
            observer.subscribe("topic", topic);
            silent.sendText(Json.object("type", "track", "ref", "t", "topic", topic, "state", Map.of("who", "ghost")));
            RawWebSocket.Frame reply = silent.readUntil(f -> f.opcode() == RawWebSocket.TEXT
                    && Json.read(f.text()).path("ref").asText().equals("t"), Duration.ofSeconds(5));
            String key = Json.read(reply.text()).path("key").asText();
            assertPresence(awaitPresence(observer, topic), topic, "join", key, "{\"who\":\"ghost\"}");
            // From now on the peer neither reads, nor answers pings, nor closes: the socket stays open but silent.
            JsonNode leave = observer.await(f -> isType(f, "presence"), Duration.ofSeconds(10));
            assertPresence(leave, topic, "leave", key, "{\"who\":\"ghost\"}");
            assertThat(restPresence(server, topic)).isEmpty();
            assertThat(observer.isOpen()).as("the observer answers pings and stays").isTrue();
        }
    }

    @Test
    void untrackWhenNotTrackedIsOkAndTrackOnATableIsInvalidTopic() {
        server.sql("CREATE TABLE IF NOT EXISTS presence_table (id INTEGER PRIMARY KEY)");
        String topic = room();
        try (WsTestClient client = WsTestClient.connect(server.ws())) {
            client.requestOk("type", "untrack", "topic", topic);
            client.requestOk("type", "untrack", "topic", room());
            assertRefused(client.request("type", "track", "topic", "presence_table", "state", Map.of()), "invalid_topic");
            assertRefused(client.request("type", "track", "topic", "no_such_table"), "invalid_topic");
            client.subscribe("topic", topic);
            ChannelClients.Exchange track = ChannelClients.exchange(client, "type", "track", "topic", topic);
            String key = track.reply().path("key").asText();
            assertPresence(track.then(client, f -> isType(f, "presence")), topic, "join", key, "{}");
        }
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(restPresence(server, topic)).isEmpty());
    }
}
