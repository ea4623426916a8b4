package io.pulsebase.server;

import static io.pulsebase.server.ChannelClients.awaitEvent;
import static io.pulsebase.server.ChannelClients.isEvent;
import static io.pulsebase.server.ChannelClients.publish;
import static io.pulsebase.server.ChannelClients.restHistory;
import static io.pulsebase.server.ChannelClients.restPublish;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.pulsebase.testkit.client.Json;
import io.pulsebase.testkit.client.SseTestClient;
import io.pulsebase.testkit.client.WsTestClient;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Channel pub/sub over a real socket: the {@code event} frame's shape, the {@code events} filter, unsubscribe,
 * a subscribed publisher's own messages, one order for every subscriber under concurrent publishers, replies after
 * acceptance, idempotent publish ids, and publishing over REST.
 */
class ChannelPubSubIT {

    @RegisterExtension
    static final TestServer server = TestServer.perClass();

    private static String channel() {
        return server.uniqueName("chat/room-");
    }

    @Test
    void aSubscriberReceivesEventsWithTopicEventDataTimestampAndIdAndPositionOnlyWhenPersisted() {
        String topic = channel();
        try (WsTestClient sub = WsTestClient.connect(server.ws()); WsTestClient pub = WsTestClient.connect(server.ws())) {
            JsonNode subscribed = sub.subscribe("topic", topic);
            assertThat(subscribed.path("topic").asText()).isEqualTo(topic);
            Json.position(subscribed);

            JsonNode plainReply = pub.requestOk("type", "publish", "topic", topic, "event", "message",
                    "data", Map.of("text", "hi"), "id", "m-1");
            assertThat(plainReply.has("position")).as("an unpersisted publish has no position: %s", plainReply).isFalse();
            JsonNode plain = awaitEvent(sub, topic);
            assertThat(plain.path("event").asText()).isEqualTo("message");
            assertThat(plain.path("data")).isEqualTo(Json.read("{\"text\":\"hi\"}"));
            assertThat(plain.path("id").asText()).isEqualTo("m-1");
            assertThat(plain.has("position")).as("event %s", plain).isFalse();
            assertThat(Instant.parse(plain.path("timestamp").asText())).isNotNull();
            assertThat(plain.path("timestamp").asText()).endsWith("Z");

            JsonNode persistedReply = publish(pub, topic, "edit", List.of(1, "two", Map.of("three", 3)), true);
            long position = Json.position(persistedReply);
            JsonNode persisted = awaitEvent(sub, topic);
            assertThat(persisted.path("event").asText()).isEqualTo("edit");
            assertThat(persisted.path("data")).isEqualTo(Json.read("[1,\"two\",{\"three\":3}]"));
            assertThat(Json.position(persisted)).isEqualTo(position);
            assertThat(persisted.has("id")).as("no id was given: %s", persisted).isFalse();
            assertThat(Instant.parse(persisted.path("timestamp").asText())).isNotNull();

            pub.requestOk("type", "publish", "topic", topic, "event", "nothing");
            JsonNode noData = awaitEvent(sub, topic);
            assertThat(noData.path("event").asText()).isEqualTo("nothing");
            assertThat(noData.path("data").isNull() || noData.path("data").isMissingNode()).as("data of %s", noData).isTrue();
        }
    }

    @Test
    void thePayloadIsRelayedAsTheJsonTextItWasSentAsOverWebSocketSseAndHistory() {
        String topic = channel();
        // Spaces and digits a parse-and-print would change; a line break, which an SSE data line cannot carry.
        String sent = "{\"price\": 1.50, \"big\": 123456789012345678901234567890, \"s\": \"ü \\\" 😀\",\n \"l\": []}";
        String relayed = "{\"price\": 1.50, \"big\": 123456789012345678901234567890, \"s\": \"ü \\\" 😀\", \"l\": []}";
        String spaced = "{\"price\": 1.50, \"l\": [ 1 ]}";
        try (WsTestClient sub = WsTestClient.connect(server.ws()); WsTestClient pub = WsTestClient.connect(server.ws());
             SseTestClient sse = SseTestClient.connect(server.sse("topic=" + topic))) {
            sub.subscribe("topic", topic);
            sse.await(e -> e.isComment() || e.id() != null);
            pub.sendRaw("{\"type\":\"publish\",\"ref\":\"p1\",\"topic\":\"" + topic
                    + "\",\"event\":\"quote\",\"persist\":true,\"data\":" + sent + "}");
            pub.await(m -> "p1".equals(m.path("ref").asText()));
            awaitEvent(sub, topic);
            pub.sendRaw("{\"type\":\"publish\",\"ref\":\"p2\",\"topic\":\"" + topic
                    + "\",\"event\":\"quote\",\"data\":" + spaced + "}");
            pub.await(m -> "p2".equals(m.path("ref").asText()));
            awaitEvent(sub, topic);
            List<String> frames = sub.messages().stream().filter(m -> m.contains("\"type\":\"event\"")).toList();
            assertThat(frames).hasSize(2);
            assertThat(frames.get(0)).contains("\"data\":" + relayed + ",");
            assertThat(frames.get(1)).contains("\"data\":" + spaced + ",");

            SseTestClient.Event first = sse.await(e -> "event".equals(e.event()));
            assertThat(first.data()).contains("\"data\":" + relayed + ",");
            assertThat(sse.await(e -> "event".equals(e.event())).data()).contains("\"data\":" + spaced + ",");

            JsonNode history = restHistory(server, topic, "");
            assertThat(history.path("messages")).hasSize(1);
            assertThat(history.path("messages").get(0).path("data").path("big").bigIntegerValue())
                    .isEqualTo(new java.math.BigInteger("123456789012345678901234567890"));
            assertThat(history.path("messages").get(0).path("data").path("price").decimalValue())
                    .isEqualByComparingTo("1.50");
            JsonNode wsHistory = pub.requestOk("type", "history", "topic", topic);
            assertThat(wsHistory.path("messages").get(0).path("data").path("s").asText()).isEqualTo("ü \" 😀");
        }
    }

    @Test
    void theEventsFilterDeliversOnlyTheNamedEventsButAlwaysPresence() {
        String topic = channel();
        try (WsTestClient some = WsTestClient.connect(server.ws()); WsTestClient all = WsTestClient.connect(server.ws());
             WsTestClient pub = WsTestClient.connect(server.ws())) {
            some.subscribe("topic", topic, "events", List.of("message", "typing"));
            all.subscribe("topic", topic, "events", List.of("*"));
            for (String event : List.of("join-x", "message", "other", "typing", "MESSAGE", "end")) {
                publish(pub, topic, event, null, false);
            }
            publish(pub, topic, "message", "last", false);
            List<String> seen = new ArrayList<>();
            JsonNode e;
            do {
                e = awaitEvent(some, topic);
                seen.add(e.path("event").asText());
            } while (!e.path("data").asText().equals("last"));
            List<String> seenAll = new ArrayList<>();
            for (int i = 0; i < 7; i++) {
                seenAll.add(awaitEvent(all, topic).path("event").asText());
            }
            assertThat(seen).containsExactly("message", "typing", "message");
            assertThat(seenAll).containsExactly("join-x", "message", "other", "typing", "MESSAGE", "end", "message");

            pub.requestOk("type", "track", "topic", topic, "state", Map.of("name", "Ada"));
            JsonNode join = some.await(f -> ChannelClients.isType(f, "presence"));
            assertThat(join.path("event").asText()).isEqualTo("join");
        }
    }

    @Test
    void unsubscribeStopsDeliveryWhileOtherSubscriptionsContinue() {
        String topic = channel();
        String other = channel();
        try (WsTestClient sub = WsTestClient.connect(server.ws()); WsTestClient witness = WsTestClient.connect(server.ws());
             WsTestClient pub = WsTestClient.connect(server.ws())) {
            sub.subscribe("topic", topic);
            sub.subscribe("topic", other);
            witness.subscribe("topic", topic);
            publish(pub, topic, "before", null, false);
            awaitEvent(sub, topic);
            awaitEvent(witness, topic);

            sub.requestOk("type", "unsubscribe", "topic", topic);
            int seenBefore = sub.messages().size();
            publish(pub, topic, "after", null, true);
            publish(pub, topic, "after", null, false);
            awaitEvent(witness, topic);
            awaitEvent(witness, topic);
            publish(pub, other, "barrier", null, false);
            awaitEvent(sub, other);
            List<String> after = sub.messages().subList(seenBefore, sub.messages().size());
            assertThat(after).noneMatch(m -> isEvent(Json.read(m), topic));
            ChannelClients.assertRefused(sub.request("type", "unsubscribe", "topic", topic), "not_subscribed");
        }
    }

    @Test
    void aSubscribedPublisherReceivesItsOwnMessageAndAnUnsubscribedOneNeedNotSubscribe() {
        String topic = channel();
        try (WsTestClient self = WsTestClient.connect(server.ws()); WsTestClient loner = WsTestClient.connect(server.ws())) {
            self.subscribe("topic", topic);
            ChannelClients.Exchange plain = ChannelClients.exchange(self, "type", "publish", "topic", topic, "event", "echo", "data", "plain");
            assertThat(plain.then(self, f -> isEvent(f, topic)).path("data").asText()).isEqualTo("plain");
            ChannelClients.Exchange kept = ChannelClients.exchange(self, "type", "publish", "topic", topic, "event", "echo",
                    "data", "kept", "persist", true);
            JsonNode own = kept.then(self, f -> isEvent(f, topic));
            assertThat(own.path("data").asText()).isEqualTo("kept");
            assertThat(Json.position(own)).isEqualTo(Json.position(kept.reply()));

            publish(loner, topic, "from-outside", "x", false);
            assertThat(awaitEvent(self, topic).path("event").asText()).isEqualTo("from-outside");
        }
    }

    @Test
    void concurrentPublishersAreSeenByEverySubscriberCompletelyAndInOneOrder() throws Exception {
        String topic = channel();
        int publishers = 4;
        int perPublisher = 500;
        int total = publishers * perPublisher;
        List<WsTestClient> subs = new ArrayList<>();
        List<WsTestClient> pubs = new ArrayList<>();
        try {
            for (int i = 0; i < 5; i++) {
                subs.add(WsTestClient.connect(server.ws()));
                subs.get(i).subscribe("topic", topic);
            }
            Map<String, Long> replied = new java.util.concurrent.ConcurrentHashMap<>();
            List<CompletableFuture<Void>> running = new ArrayList<>();
            for (int p = 0; p < publishers; p++) {
                WsTestClient pub = WsTestClient.connect(server.ws());
                pubs.add(pub);
                int publisher = p;
                running.add(CompletableFuture.runAsync(() -> {
                    for (int n = 0; n < perPublisher; n++) {
                        boolean persist = (n + publisher) % 3 == 0;
                        JsonNode reply = publish(pub, topic, "m", Map.of("p", publisher, "n", n, "persist", persist), persist);
                        if (persist) {
                            replied.put(publisher + "/" + n, Json.position(reply));
                        }
                    }
                }));
            }
            CompletableFuture.allOf(running.toArray(CompletableFuture[]::new)).get(60, TimeUnit.SECONDS);

            List<String> firstOrder = null;
            for (WsTestClient sub : subs) {
                List<String> order = new ArrayList<>();
                Map<Integer, Integer> lastPersisted = new HashMap<>();
                Map<Integer, Integer> lastPlain = new HashMap<>();
                long lastPosition = 0;
                for (int i = 0; i < total; i++) {
                    JsonNode e = awaitEvent(sub, topic);
                    JsonNode d = e.path("data");
                    int publisher = d.path("p").asInt();
                    int n = d.path("n").asInt();
                    String key = publisher + "/" + n;
                    order.add(key);
                    Map<Integer, Integer> last = d.path("persist").asBoolean() ? lastPersisted : lastPlain;
                    assertThat(n).as("publisher %d's own order", publisher).isGreaterThan(last.getOrDefault(publisher, -1));
                    last.put(publisher, n);
                    if (d.path("persist").asBoolean()) {
                        long position = Json.position(e);
                        assertThat(position).as("the publish reply's position for %s", key).isEqualTo(replied.get(key));
                        assertThat(position).as("persisted positions grow along the delivery order").isGreaterThan(lastPosition);
                        lastPosition = position;
                    } else {
                        assertThat(e.has("position")).isFalse();
                    }
                }
                assertThat(new HashSet<>(order)).as("every message once").hasSize(total);
                if (firstOrder == null) {
                    firstOrder = order;
                } else {
                    assertThat(order).as("every subscriber sees the same order").isEqualTo(firstOrder);
                }
            }
        } finally {
            subs.forEach(WsTestClient::close);
            pubs.forEach(WsTestClient::close);
        }
    }

    @Test
    void aPersistedPublishIsInHistoryOnceItsReplyArrived() {
        String topic = channel();
        try (WsTestClient pub = WsTestClient.connect(server.ws())) {
            for (int i = 0; i < 20; i++) {
                long p = Json.position(publish(pub, topic, "m", i, true));
                JsonNode newest = restHistory(server, topic, "&limit=1").path("messages");
                assertThat(newest).hasSize(1);
                assertThat(Json.position(newest.get(0))).isEqualTo(p);
                assertThat(newest.get(0).path("data").asInt()).isEqualTo(i);
                JsonNode ws = pub.requestOk("type", "history", "topic", topic, "limit", 1).path("messages");
                assertThat(Json.position(ws.get(0))).isEqualTo(p);
            }
        }
    }

    @Test
    void aRepeatedIdIsAcknowledgedAsDuplicateAndDeliveredOnce() {
        String topic = channel();
        String elsewhere = channel();
        try (WsTestClient sub = WsTestClient.connect(server.ws()); WsTestClient pub = WsTestClient.connect(server.ws())) {
            sub.subscribe("topic", topic);
            sub.subscribe("topic", elsewhere);
            JsonNode first = pub.requestOk("type", "publish", "topic", topic, "event", "m", "data", 1, "persist", true, "id", "k1");
            assertThat(first.path("duplicate").asBoolean(false)).isFalse();
            JsonNode again = pub.requestOk("type", "publish", "topic", topic, "event", "m", "data", 2, "persist", true, "id", "k1");
            assertThat(again.path("duplicate").asBoolean()).as("reply %s", again).isTrue();
            assertThat(Json.position(again)).isEqualTo(Json.position(first));
            // over REST too: same topic and id
            JsonNode rest = restPublish(server, "topic", topic, "event", "m", "data", 3, "persist", true, "id", "k1");
            assertThat(rest.path("duplicate").asBoolean()).as("answer %s", rest).isTrue();
            assertThat(Json.position(rest)).isEqualTo(Json.position(first));

            JsonNode plain = pub.requestOk("type", "publish", "topic", topic, "event", "p", "data", 4, "id", "k2");
            assertThat(plain.path("duplicate").asBoolean(false)).isFalse();
            JsonNode plainAgain = pub.requestOk("type", "publish", "topic", topic, "event", "p", "data", 5, "id", "k2");
            assertThat(plainAgain.path("duplicate").asBoolean()).isTrue();
            assertThat(plainAgain.has("position")).isFalse();

            JsonNode other = pub.requestOk("type", "publish", "topic", elsewhere, "event", "m", "data", 6, "persist", true, "id", "k1");
            assertThat(other.path("duplicate").asBoolean(false)).as("same id on another topic is another message").isFalse();
            assertThat(Json.position(other)).isNotEqualTo(Json.position(first));

            long marker = Json.position(publish(pub, topic, "marker", 7, true));
            publish(pub, topic, "marker", 8, false);
            List<Integer> got = new ArrayList<>();
            List<Integer> gotElsewhere = new ArrayList<>();
            while (!got.contains(7) || !got.contains(8) || gotElsewhere.isEmpty()) {
                JsonNode f = sub.next();
                if (isEvent(f, topic)) {
                    got.add(f.path("data").asInt());
                } else if (isEvent(f, elsewhere)) {
                    gotElsewhere.add(f.path("data").asInt());
                }
            }
            assertThat(got).containsExactlyInAnyOrder(1, 4, 7, 8);
            assertThat(got.indexOf(1)).isLessThan(got.indexOf(7));
            assertThat(got.indexOf(4)).isLessThan(got.indexOf(8));
            assertThat(gotElsewhere).containsExactly(6);
            assertThat(ChannelClients.positions(restHistory(server, topic, "").path("messages")))
                    .containsExactly(marker, Json.position(first));
        }
    }

    @Test
    void aRestPublishReachesWebSocketSubscribersAndAnswersItsPosition() {
        String topic = channel();
        try (WsTestClient sub = WsTestClient.connect(server.ws())) {
            sub.subscribe("topic", topic);
            JsonNode persisted = restPublish(server, "topic", topic, "event", "notice", "data", Map.of("a", 1),
                    "persist", true, "id", "rest-1");
            long p = Json.position(persisted);
            JsonNode e = awaitEvent(sub, topic);
            assertThat(Json.position(e)).isEqualTo(p);
            assertThat(e.path("event").asText()).isEqualTo("notice");
            assertThat(e.path("data")).isEqualTo(Json.read("{\"a\":1}"));
            assertThat(e.path("id").asText()).isEqualTo("rest-1");

            JsonNode plain = restPublish(server, "topic", topic, "event", "notice", "data", "plain");
            assertThat(plain.has("position")).as("answer %s", plain).isFalse();
            JsonNode pe = awaitEvent(sub, topic);
            assertThat(pe.path("data").asText()).isEqualTo("plain");
            assertThat(pe.has("position")).isFalse();
            assertThat(pe.has("id")).isFalse();
        }
    }
}
