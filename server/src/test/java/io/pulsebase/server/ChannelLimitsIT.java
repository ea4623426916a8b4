package io.pulsebase.server;

import static io.pulsebase.server.ChannelClients.assertRefused;
import static io.pulsebase.server.ChannelClients.assertRestRefused;
import static io.pulsebase.server.ChannelClients.assertStillWorks;
import static io.pulsebase.server.ChannelClients.awaitEvent;
import static io.pulsebase.server.ChannelClients.probed;
import static io.pulsebase.server.ChannelClients.restPresence;
import static io.pulsebase.server.ChannelClients.restPublish;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.pulsebase.core.channel.ChannelLimits;
import io.pulsebase.testkit.client.Json;
import io.pulsebase.testkit.client.WsTestClient;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Every channel limit answers its own error and leaves the connection usable: message size ({@code too_large}),
 * publish rate ({@code rate_limited}), topics held ({@code too_many_subscriptions}, subscriptions and tracked
 * channels together), members per channel ({@code too_many_members}), presence state size ({@code too_large}).
 * Small limits are configured so that each is reached quickly.
 */
class ChannelLimitsIT {
    private static final int MAX_MESSAGE = 2048;
    private static final int RATE = 20;
    private static final int MAX_MEMBERS = 3;
    private static final int MAX_STATE = 256;
    private static final int MAX_TOPICS = 5;
    private static final Duration DEDUP_WINDOW = Duration.ofSeconds(2);

    @RegisterExtension
    static final TestServer server = TestServer.perClass(c -> c.withNode(c.node()
            .withMaxSubscriptionsPerConnection(MAX_TOPICS)
            .withChannels(ChannelLimits.defaults().withMaxMessageBytes(MAX_MESSAGE).withPublishesPerSecond(RATE)
                    .withMaxPresenceMembers(MAX_MEMBERS).withMaxPresenceStateBytes(MAX_STATE)
                    .withDedupWindow(DEDUP_WINDOW))));

    private static String channel() {
        return server.uniqueName("limits/ch-");
    }

    /** A publish message of exactly {@code bytes} bytes (ASCII) with the ref. */
    private static String publishOfSize(String topic, String ref, int bytes) {
        String empty = Json.object("type", "publish", "ref", ref, "topic", topic, "event", "big", "data", "");
        return Json.object("type", "publish", "ref", ref, "topic", topic, "event", "big", "data", "x".repeat(bytes - empty.length()));
    }

    private static JsonNode replyTo(WsTestClient client, String ref) {
        return client.await(f -> ChannelClients.isType(f, "reply") && f.path("ref").asText().equals(ref));
    }

    @Test
    void aPublishOverTheSizeLimitIsTooLargeAndTheConnectionStaysUsable() {
        String probe = channel();
        String topic = channel();
        try (WsTestClient client = probed(server, probe)) {
            client.subscribe("topic", topic);
            String atLimit = publishOfSize(topic, "at", MAX_MESSAGE);
            assertThat(atLimit.length()).isEqualTo(MAX_MESSAGE);
            client.sendRaw(atLimit);
            List<JsonNode> frames = new ArrayList<>();
            JsonNode f;
            do {
                f = client.next();
                frames.add(f);
            } while (!(ChannelClients.isType(f, "reply") && f.path("ref").asText().equals("at")));
            assertThat(f.path("ok").asBoolean()).as("a message of exactly the limit is accepted: %s", f).isTrue();
            JsonNode atLimitEvent = frames.stream().filter(e -> ChannelClients.isEvent(e, topic)).findFirst()
                    .orElseGet(() -> awaitEvent(client, topic));
            int padding = MAX_MESSAGE - Json.object("type", "publish", "ref", "at", "topic", topic, "event", "big", "data", "").length();
            assertThat(atLimitEvent.path("data").asText()).hasSize(padding);

            client.sendRaw(publishOfSize(topic, "over", MAX_MESSAGE + 1));
            assertRefused(replyTo(client, "over"), "too_large");
            client.sendRaw(publishOfSize(topic, "way-over", MAX_MESSAGE * 10));
            assertRefused(replyTo(client, "way-over"), "too_large");
            assertStillWorks(server, client, probe);
            // the refused messages were not delivered: the next event on the topic is the next publish
            ChannelClients.Exchange small = ChannelClients.exchange(client, "type", "publish", "topic", topic, "event", "small", "data", 1);
            assertThat(small.then(client, e -> ChannelClients.isEvent(e, topic)).path("event").asText()).isEqualTo("small");
            assertThat(client.messages().stream().map(Json::read)
                    .filter(e -> ChannelClients.isEvent(e, topic) && e.path("event").asText().equals("big")))
                    .as("only the message at the limit was delivered").hasSize(1);
        }
        assertRestRefused(server, 413, "too_large", "POST", "/v1/publish",
                Json.object("topic", topic, "event", "big", "data", "x".repeat(MAX_MESSAGE * 2)));
        assertThat(restPublish(server, "topic", topic, "event", "small", "data", "x").path("duplicate").asBoolean(false)).isFalse();
    }

    @Test
    void publishingFasterThanTheRateIsRateLimitedAndRefusedMessagesAreNotDelivered() {
        String probe = channel();
        String topic = channel();
        try (WsTestClient sub = WsTestClient.connect(server.ws()); WsTestClient pub = probed(server, probe);
             WsTestClient other = WsTestClient.connect(server.ws())) {
            sub.subscribe("topic", topic);
            int burst = RATE * 3;
            Map<String, Integer> refs = new HashMap<>();
            for (int n = 0; n < burst; n++) {
                refs.put(pub.send("type", "publish", "topic", topic, "event", "m", "data", n), n);
            }
            Set<Integer> accepted = new HashSet<>();
            List<String> outcomes = new ArrayList<>();
            while (outcomes.size() < burst) {
                JsonNode reply = pub.awaitType("reply");
                Integer n = refs.get(reply.path("ref").asText());
                if (n == null) {
                    continue;
                }
                if (reply.path("ok").asBoolean()) {
                    accepted.add(n);
                    outcomes.add("ok");
                } else {
                    assertRefused(reply, "rate_limited");
                    outcomes.add("rate_limited");
                }
            }
            assertThat(accepted.size()).as("the bucket's worth is accepted").isGreaterThanOrEqualTo(RATE).isLessThan(burst);
            assertThat(outcomes).contains("rate_limited");

            // another connection has its own bucket; REST has no per-connection rate
            other.requestOk("type", "publish", "topic", topic, "event", "m", "data", 1000);
            for (int i = 0; i < RATE * 2; i++) {
                restPublish(server, "topic", topic, "event", "m", "data", 2000 + i);
            }
            // the subscriber got exactly the accepted ones (then the other connection's and REST's)
            Set<Integer> delivered = new HashSet<>();
            JsonNode e;
            do {
                e = awaitEvent(sub, topic);
                delivered.add(e.path("data").asInt());
            } while (e.path("data").asInt() != 2000 + RATE * 2 - 1);
            assertThat(delivered.stream().filter(n -> n < burst).toList()).containsExactlyInAnyOrderElementsOf(accepted);

            // the bucket refills: the rate-limited connection publishes again, and its probe still works
            await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(100)).until(
                    () -> pub.request("type", "publish", "topic", topic, "event", "m", "data", 3000).path("ok").asBoolean());
            assertStillWorks(server, pub, probe);
        }
    }

    @Test
    void subscriptionsAndTrackedChannelsCountTogetherAgainstTheTopicLimit() {
        server.sql("CREATE TABLE IF NOT EXISTS limits_table (id INTEGER PRIMARY KEY)");
        String probe = channel();
        List<String> channels = List.of(channel(), channel(), channel());
        String tracked = channel();
        try (WsTestClient client = probed(server, probe)) {                 // 1: the probe
            client.subscribe("topic", "limits_table");                       // 2: a table
            client.subscribe("topic", channels.get(0));                       // 3, 4: channels
            client.subscribe("topic", channels.get(1));
            client.requestOk("type", "track", "topic", tracked);              // 5: tracked, not subscribed
            assertRefused(client.request("type", "subscribe", "topic", channels.get(2)), "too_many_subscriptions");
            assertRefused(client.request("type", "track", "topic", channels.get(2)), "too_many_subscriptions");
            assertRefused(client.request("type", "subscribe", "topic", server.newTable("id INTEGER PRIMARY KEY")),
                    "too_many_subscriptions");
            // what is already held can be replaced or updated at the limit
            client.subscribe("topic", channels.get(0), "events", List.of("m"));
            client.requestOk("type", "track", "topic", tracked, "state", Map.of("v", 2));
            assertThat(restPresence(server, tracked).values()).containsExactly(Json.read("{\"v\":2}"));
            // publishing needs no slot
            client.requestOk("type", "publish", "topic", channels.get(2), "event", "m");
            assertStillWorks(server, client, probe);

            client.requestOk("type", "untrack", "topic", tracked);
            client.subscribe("topic", channels.get(2));
            assertRefused(client.request("type", "track", "topic", tracked), "too_many_subscriptions");
            client.requestOk("type", "unsubscribe", "topic", channels.get(1));
            client.requestOk("type", "track", "topic", tracked);
            restPublish(server, "topic", channels.get(2), "event", "m", "data", "in");
            assertThat(awaitEvent(client, channels.get(2)).path("data").asText()).isEqualTo("in");
        }
    }

    @Test
    void theMemberAfterTheLastIsTooManyMembersUntilOneLeaves() {
        String probe = channel();
        String topic = channel();
        List<WsTestClient> members = new ArrayList<>();
        try (WsTestClient extra = probed(server, probe)) {
            for (int i = 0; i < MAX_MEMBERS; i++) {
                members.add(WsTestClient.connect(server.ws()));
                members.get(i).requestOk("type", "track", "topic", topic, "state", Map.of("i", i));
            }
            assertRefused(extra.request("type", "track", "topic", topic, "state", Map.of("i", 99)), "too_many_members");
            assertThat(restPresence(server, topic)).hasSize(MAX_MEMBERS);
            members.get(0).requestOk("type", "track", "topic", topic, "state", Map.of("i", 0, "again", true));
            assertStillWorks(server, extra, probe);

            members.get(1).close();
            await().atMost(Duration.ofSeconds(10)).until(() -> restPresence(server, topic).size() == MAX_MEMBERS - 1);
            String key = extra.requestOk("type", "track", "topic", topic, "state", Map.of("i", 99)).path("key").asText();
            assertThat(restPresence(server, topic)).containsKey(key).hasSize(MAX_MEMBERS);
            // other channels are unaffected
            members.get(2).requestOk("type", "track", "topic", channel());
        } finally {
            members.forEach(WsTestClient::close);
        }
    }

    @Test
    void aPresenceStateOverTheLimitIsTooLargeAndTheEarlierStateIsKept() {
        String probe = channel();
        String topic = channel();
        try (WsTestClient client = probed(server, probe)) {
            client.subscribe("topic", topic);
            assertRefused(client.request("type", "track", "topic", topic, "state", Map.of("pad", "x".repeat(MAX_STATE))), "too_large");
            assertThat(restPresence(server, topic)).isEmpty();
            String key = client.requestOk("type", "track", "topic", topic, "state", Map.of("v", 1)).path("key").asText();
            assertRefused(client.request("type", "track", "topic", topic, "state", Map.of("pad", "x".repeat(MAX_STATE))), "too_large");
            assertThat(restPresence(server, topic)).isEqualTo(Map.of(key, Json.read("{\"v\":1}")));
            // a state of exactly the limit, encoded, is accepted
            String empty = Json.object("pad", "");
            JsonNode update = ChannelClients.exchange(client, "type", "track", "topic", topic, "state",
                    Map.of("pad", "y".repeat(MAX_STATE - empty.length())))
                    .then(client, f -> ChannelClients.isType(f, "presence") && f.path("event").asText().equals("update"));
            assertThat(update.path("data").path("pad").asText()).hasSize(MAX_STATE - empty.length());
            assertStillWorks(server, client, probe);
        }
    }

    @Test
    void aPublishIdIsForgottenAfterTheDedupWindow() {
        String topic = channel();
        try (WsTestClient sub = WsTestClient.connect(server.ws())) {
            sub.subscribe("topic", topic);
            long first = Json.position(restPublish(server, "topic", topic, "event", "m", "data", 1, "persist", true, "id", "w"));
            // within the window (the retry follows at once) it is a duplicate
            assertThat(restPublish(server, "topic", topic, "event", "m", "data", 2, "persist", true, "id", "w")
                    .path("duplicate").asBoolean()).isTrue();
            await().atMost(DEDUP_WINDOW.multipliedBy(5)).pollInterval(Duration.ofMillis(200)).until(() -> {
                JsonNode again = restPublish(server, "topic", topic, "event", "m", "data", 2, "persist", true, "id", "w");
                return !again.path("duplicate").asBoolean(false);
            });
            JsonNode e1 = awaitEvent(sub, topic);
            JsonNode e2 = awaitEvent(sub, topic);
            assertThat(Json.position(e1)).isEqualTo(first);
            assertThat(e2.path("data").asInt()).as("delivered again once the id was forgotten").isEqualTo(2);
            assertThat(e2.path("id").asText()).isEqualTo("w");
            assertThat(ChannelClients.positions(ChannelClients.restHistory(server, topic, "").path("messages"))).hasSize(2);
        }
    }
}
