package io.pulsebase.server;

import static io.pulsebase.server.ChannelClients.assertRefused;
import static io.pulsebase.server.ChannelClients.awaitEvent;
import static io.pulsebase.server.ChannelClients.enc;
import static io.pulsebase.server.ChannelClients.framesUntilReply;
import static io.pulsebase.server.ChannelClients.isType;
import static io.pulsebase.server.ChannelClients.publish;
import static io.pulsebase.server.ChannelClients.restPublish;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import io.pulsebase.core.log.Retention;
import io.pulsebase.testkit.client.Json;
import io.pulsebase.testkit.client.SseTestClient;
import io.pulsebase.testkit.client.WsTestClient;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Resuming a channel: {@code since} replays exactly the persisted messages missed (never unpersisted ones, never
 * other channels' or tables'), then live traffic; from the subscribe reply's position; expired positions; SSE
 * with {@code Last-Event-ID}. (Resume across kill -9 is {@link ChannelCrashRecoveryIT}.)
 */
class ChannelResumeIT {

    @RegisterExtension
    static final TestServer server = TestServer.perClass();

    private static String channel() {
        return server.uniqueName("resume/ch-");
    }

    /** The events among frames read up to a reply; every other frame must be presence_state or the reply. */
    private static List<JsonNode> replayed(List<JsonNode> framesAndReply) {
        JsonNode reply = framesAndReply.get(framesAndReply.size() - 1);
        assertThat(reply.path("ok").asBoolean()).as("reply %s", reply).isTrue();
        List<JsonNode> events = new ArrayList<>();
        for (JsonNode f : framesAndReply.subList(0, framesAndReply.size() - 1)) {
            if (isType(f, "event")) {
                events.add(f);
            } else {
                assertThat(f.path("type").asText()).as("frame %s", f).isEqualTo("presence_state");
            }
        }
        return events;
    }

    private static List<Integer> data(List<JsonNode> events) {
        return events.stream().map(e -> e.path("data").asInt()).toList();
    }

    @Test
    void sinceDeliversExactlyTheMissedPersistedMessagesThenLiveOnes() {
        String topic = channel();
        String other = channel();
        long last;
        try (WsTestClient pub = WsTestClient.connect(server.ws())) {
            try (WsTestClient sub = WsTestClient.connect(server.ws())) {
                sub.subscribe("topic", topic);
                publish(pub, topic, "m", 1, true);
                last = Json.position(awaitEvent(sub, topic));
            }
            List<Long> missed = new ArrayList<>();
            for (int i = 2; i <= 6; i++) {
                missed.add(Json.position(publish(pub, topic, "m", i, true)));
                publish(pub, topic, "m", -i, false);                 // not persisted: never replayed
                publish(pub, other, "m", 100 + i, true);             // another channel
                server.sql("CREATE TABLE IF NOT EXISTS resume_side (id INTEGER PRIMARY KEY)");
                server.write("INSERT INTO resume_side DEFAULT VALUES"); // a table change in between
            }
            try (WsTestClient sub = WsTestClient.connect(server.ws())) {
                List<JsonNode> frames = framesUntilReply(sub, "type", "subscribe", "topic", topic, "since", Long.toString(last));
                assertThat(frames.get(0).path("type").asText()).as("presence_state comes first").isEqualTo("presence_state");
                List<JsonNode> events = replayed(frames);
                assertThat(data(events)).containsExactly(2, 3, 4, 5, 6);
                assertThat(events.stream().map(Json::position).toList()).isEqualTo(missed);
                JsonNode reply = frames.get(frames.size() - 1);
                assertThat(reply.path("topic").asText()).isEqualTo(topic);
                assertThat(Json.position(reply)).isGreaterThanOrEqualTo(missed.get(missed.size() - 1));

                long live = Json.position(publish(pub, topic, "m", 7, true));
                JsonNode next = awaitEvent(sub, topic);
                assertThat(next.path("data").asInt()).as("no duplicate after the replay").isEqualTo(7);
                assertThat(Json.position(next)).isEqualTo(live);
                publish(pub, topic, "m", 8, false);
                assertThat(awaitEvent(sub, topic).path("data").asInt()).isEqualTo(8);
            }
        }
    }

    @Test
    void resumingFromTheSubscribeReplysPositionMissesNothing() {
        String topic = channel();
        long from;
        try (WsTestClient sub = WsTestClient.connect(server.ws())) {
            from = Json.position(sub.subscribe("topic", topic));   // nothing was received: the reply's position counts
        }
        List<Long> missed = new ArrayList<>();
        for (int i = 1; i <= 3; i++) {
            missed.add(Json.position(restPublish(server, "topic", topic, "event", "m", "data", i, "persist", true)));
        }
        try (WsTestClient sub = WsTestClient.connect(server.ws())) {
            List<JsonNode> events = replayed(framesUntilReply(sub, "type", "subscribe", "topic", topic, "since", Long.toString(from)));
            assertThat(events.stream().map(Json::position).toList()).isEqualTo(missed);
        }
    }

    @Test
    void sinceAtTheHeadReplaysNothingAndSinceAheadOfTheLogIsPositionExpired() {
        String topic = channel();
        long head = Json.position(restPublish(server, "topic", topic, "event", "m", "data", 1, "persist", true));
        try (WsTestClient sub = WsTestClient.connect(server.ws())) {
            assertThat(replayed(framesUntilReply(sub, "type", "subscribe", "topic", topic, "since", Long.toString(head)))).isEmpty();
            assertRefused(sub.request("type", "subscribe", "topic", channel(), "since", Long.toString(head + 1_000_000)),
                    "position_expired");
            assertRefused(sub.request("type", "subscribe", "topic", channel(), "since", "abc"), "invalid_position");
            // the first subscription is untouched by the refusals
            long live = Json.position(restPublish(server, "topic", topic, "event", "m", "data", 2, "persist", true));
            assertThat(Json.position(awaitEvent(sub, topic))).isEqualTo(live);
        }
    }

    @Test
    void sinceOlderThanRetentionIsPositionExpiredWhileARetainedOneResumes() {
        try (TestServer small = TestServer.start(c -> c.withRetention(new Retention(Duration.ofDays(1), 5)))) {
            String topic = "retained/ch";
            List<Long> positions = new ArrayList<>();
            for (int i = 1; i <= 20; i++) {
                positions.add(Json.position(restPublish(small, "topic", topic, "event", "m", "data", i, "persist", true)));
            }
            assertThat(small.server().node().prune()).as("entries pruned").isGreaterThan(0);
            try (WsTestClient client = WsTestClient.connect(small.ws())) {
                assertRefused(client.request("type", "subscribe", "topic", topic, "since", Long.toString(positions.get(1))),
                        "position_expired");
                List<JsonNode> events = replayed(framesUntilReply(client, "type", "subscribe", "topic", topic,
                        "since", Long.toString(positions.get(16))));
                assertThat(data(events)).containsExactly(18, 19, 20);
                JsonNode history = client.requestOk("type", "history", "topic", topic, "limit", 100);
                List<Long> kept = ChannelClients.positions(history.path("messages"));
                assertThat(kept).as("history holds what retention keeps, newest first")
                        .isNotEmpty().doesNotContain(positions.get(1)).startsWith(positions.get(19), positions.get(18), positions.get(17));
                assertThat(history.path("more").asBoolean()).isFalse();
            }
        }
    }

    @Test
    void sseOnAChannelCarriesIdsForPersistedEventsAndResumesWithLastEventId() {
        String topic = channel();
        String query = "topic=" + enc(topic);
        String lastId;
        try (SseTestClient stream = SseTestClient.connect(server.sse(query))) {
            assertThat(stream.status()).isEqualTo(200);
            assertThat(stream.await(e -> !e.isComment()).retry()).isEqualTo("1000");
            long p1 = Json.position(restPublish(server, "topic", topic, "event", "m", "data", 1, "persist", true));
            restPublish(server, "topic", topic, "event", "m", "data", 2);
            long p3 = Json.position(restPublish(server, "topic", topic, "event", "m", "data", 3, "persist", true));
            List<SseTestClient.Event> events = new ArrayList<>();
            while (events.size() < 3) {
                SseTestClient.Event e = stream.nextEvent();
                if ("event".equals(e.event())) {
                    events.add(e);
                }
            }
            for (SseTestClient.Event e : events) {
                JsonNode json = e.json();
                assertThat(json.path("type").asText()).isEqualTo("event");
                assertThat(json.path("topic").asText()).isEqualTo(topic);
                if (json.has("position")) {
                    assertThat(e.id()).as("id of %s", e).isEqualTo(json.path("position").asText());
                } else {
                    assertThat(e.id()).as("an unpersisted event has no id: %s", e).isNull();
                }
            }
            assertThat(events.stream().filter(e -> e.id() != null).map(e -> Long.parseLong(e.id())).toList())
                    .containsExactly(p1, p3);
            lastId = Long.toString(p3);
        }
        List<Long> missed = new ArrayList<>();
        missed.add(Json.position(restPublish(server, "topic", topic, "event", "m", "data", 4, "persist", true)));
        restPublish(server, "topic", topic, "event", "m", "data", 5);
        missed.add(Json.position(restPublish(server, "topic", topic, "event", "m", "data", 6, "persist", true)));
        try (SseTestClient resumed = SseTestClient.resume(server.sse(query), lastId)) {
            assertThat(resumed.status()).isEqualTo(200);
            List<Long> got = new ArrayList<>();
            for (int i = 0; i < missed.size(); i++) {
                SseTestClient.Event e = resumed.await(ev -> "event".equals(ev.event()));
                assertThat(e.id()).isEqualTo(e.json().path("position").asText());
                got.add(Long.parseLong(e.id()));
            }
            assertThat(got).isEqualTo(missed);
            long live = Json.position(restPublish(server, "topic", topic, "event", "m", "data", 7, "persist", true));
            SseTestClient.Event next = resumed.await(ev -> "event".equals(ev.event()));
            assertThat(next.json().path("data").asInt()).as("no duplicate, then live").isEqualTo(7);
            assertThat(next.id()).isEqualTo(Long.toString(live));
        }
    }

    @Test
    void sseSinceOnAChannelAndExpiredPositionsAnswerLikeTheWebSocket() {
        String topic = channel();
        long from = Json.position(restPublish(server, "topic", topic, "event", "m", "data", 1, "persist", true));
        long next = Json.position(restPublish(server, "topic", topic, "event", "m", "data", 2, "persist", true));
        try (SseTestClient stream = SseTestClient.connect(server.sse("topic=" + enc(topic) + "&since=" + from))) {
            SseTestClient.Event e = stream.await(ev -> "event".equals(ev.event()));
            assertThat(e.id()).isEqualTo(Long.toString(next));
            assertThatThrownBy(() -> stream.await(ev -> "event".equals(ev.event()), Duration.ofMillis(300)))
                    .as("nothing more").isInstanceOf(AssertionError.class);
        }
        try (SseTestClient ahead = SseTestClient.connect(server.sse("topic=" + enc(topic) + "&since=9000000000000000000"))) {
            assertThat(ahead.status()).isEqualTo(410);
            assertThat(Json.read(ahead.body()).path("error").path("code").asText()).isEqualTo("position_expired");
        }
        try (SseTestClient bad = SseTestClient.connect(server.sse("topic=" + enc("chat//x")))) {
            assertThat(bad.status()).isEqualTo(400);
            assertThat(Json.read(bad.body()).path("error").path("code").asText()).isEqualTo("invalid_topic");
        }
    }
    @Test
    void aStreamOfATableAndAChannelReplaysBothInOnePositionOrderAndResumes() {
        String topic = channel();
        server.sql("CREATE TABLE IF NOT EXISTS resume_mixed (id INTEGER PRIMARY KEY, v INTEGER)");
        long since = server.write("INSERT INTO resume_mixed (v) VALUES (0)");
        List<Long> written = new ArrayList<>();
        for (int i = 1; i <= 6; i++) {
            written.add(i % 2 == 0
                    ? server.write("INSERT INTO resume_mixed (v) VALUES (" + i + ")")
                    : Json.position(restPublish(server, "topic", topic, "event", "m", "data", i, "persist", true)));
        }
        String query = "topic=resume_mixed&topic=" + enc(topic) + "&since=" + since;
        List<Long> ids = new ArrayList<>();
        try (SseTestClient stream = SseTestClient.connect(server.sse(query))) {
            assertThat(stream.status()).isEqualTo(200);
            for (int i = 0; i < 3; i++) {
                ids.add(Long.parseLong(stream.await(e -> e.id() != null).id()));
            }
        }
        try (SseTestClient stream = SseTestClient.resume(server.sse(query), Long.toString(ids.get(2)))) {
            for (int i = 3; i < 6; i++) {
                SseTestClient.Event e = stream.await(ev -> ev.id() != null);
                assertThat(e.event()).isIn("db_change", "event");
                ids.add(Long.parseLong(e.id()));
            }
        }
        assertThat(ids).as("rows and messages in one position order, each once").isEqualTo(written);
    }
}
