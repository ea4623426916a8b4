package io.pulsebase.server;

import static io.pulsebase.server.ChannelClients.assertRefused;
import static io.pulsebase.server.ChannelClients.assertRestRefused;
import static io.pulsebase.server.ChannelClients.enc;
import static io.pulsebase.server.ChannelClients.positions;
import static io.pulsebase.server.ChannelClients.restHistory;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.pulsebase.core.channel.ChannelLimits;
import io.pulsebase.testkit.client.Json;
import io.pulsebase.testkit.client.WsTestClient;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.function.BiFunction;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Channel history over the WebSocket and REST: thousands of persisted messages, mixed with unpersisted ones, with
 * another channel's messages and with table writes, paged back with {@code limit} and {@code before}: newest first,
 * no gap, no duplicate, only that channel's persisted messages, {@code more} exactly when older ones remain.
 */
class ChannelHistoryIT {
    private static final String MAIN = "hist/main";
    private static final String OTHER = "hist/other";
    private static final int PERSISTED = 3000;

    @RegisterExtension
    static final TestServer server = TestServer.perClass(c -> c.withNode(c.node().withChannels(
            ChannelLimits.defaults().withPublishesPerSecond(1_000_000))));

    /** One persisted message of {@link #MAIN}: its position, its number, and its id (or null). */
    private record Sent(long position, int k, String id) {
    }

    /** The persisted messages of {@link #MAIN}, oldest first. */
    private static final List<Sent> sent = new ArrayList<>();
    private static final List<Long> otherPositions = new ArrayList<>();

    @BeforeAll
    static void publishThousands() {
        server.sql("CREATE TABLE side (id INTEGER PRIMARY KEY, v INTEGER)");
        List<Object[]> batch = new ArrayList<>();
        List<Integer> kinds = new ArrayList<>();     // per message of the batch: k >= 0 main persisted, -1 other
        try (WsTestClient pub = WsTestClient.connect(server.ws())) {
            for (int k = 0; k < PERSISTED; k++) {
                String id = k % 10 == 0 ? "h-" + k : null;
                batch.add(id == null
                        ? new Object[] {"type", "publish", "topic", MAIN, "event", "m", "data", Map.of("k", k), "persist", true}
                        : new Object[] {"type", "publish", "topic", MAIN, "event", "m", "data", Map.of("k", k), "persist", true, "id", id});
                kinds.add(k);
                if (k % 5 == 0) {
                    batch.add(new Object[] {"type", "publish", "topic", MAIN, "event", "m", "data", Map.of("k", -1)});
                    kinds.add(-2);
                }
                if (k % 7 == 0) {
                    batch.add(new Object[] {"type", "publish", "topic", OTHER, "event", "m", "data", Map.of("k", k), "persist", true});
                    kinds.add(-1);
                }
                if (batch.size() >= 150 || k == PERSISTED - 1) {
                    List<JsonNode> replies = ChannelClients.sendPipelined(pub, batch, 64);
                    for (int i = 0; i < replies.size(); i++) {
                        JsonNode r = replies.get(i);
                        assertThat(r.path("ok").asBoolean()).as("reply %s", r).isTrue();
                        int kind = kinds.get(i);
                        if (kind >= 0) {
                            sent.add(new Sent(Json.position(r), kind, kind % 10 == 0 ? "h-" + kind : null));
                        } else if (kind == -1) {
                            otherPositions.add(Json.position(r));
                        }
                    }
                    batch.clear();
                    kinds.clear();
                    server.insert("side", "v", k);        // a table write between the batches
                }
            }
        }
        sent.sort((a, b) -> Long.compare(a.position(), b.position()));
        assertThat(sent.stream().map(Sent::k).toList()).as("one publisher's persisted messages keep its order")
                .isEqualTo(java.util.stream.IntStream.range(0, PERSISTED).boxed().toList());
    }

    private static List<Long> newestFirst() {
        List<Long> all = new ArrayList<>(sent.stream().map(Sent::position).toList());
        Collections.reverse(all);
        return all;
    }

    /** Pages back with the given fetch (limit, before-or-null → answer with messages and more) until more is false. */
    private static List<JsonNode> pageBack(int limit, BiFunction<Integer, String, JsonNode> fetch, List<Boolean> mores) {
        List<JsonNode> messages = new ArrayList<>();
        String before = null;
        while (true) {
            JsonNode page = fetch.apply(limit, before);
            assertThat(page.path("messages").size()).isLessThanOrEqualTo(limit);
            page.path("messages").forEach(messages::add);
            boolean more = page.path("more").asBoolean();
            assertThat(page.path("more").isBoolean()).as("more of %s", page.path("more")).isTrue();
            mores.add(more);
            if (!more) {
                return messages;
            }
            assertThat(page.path("messages").size()).as("a page with more is not empty").isPositive();
            before = page.path("messages").get(page.path("messages").size() - 1).path("position").asText();
            assertThat(mores.size()).as("pages").isLessThan(PERSISTED + 2);
        }
    }

    private static void assertExactlyTheChannelsMessages(List<JsonNode> messages) {
        assertThat(positions(messages))
                .as("newest first, no gap, no duplicate, only %s's persisted messages", MAIN).isEqualTo(newestFirst());
        for (int i = 0; i < messages.size(); i++) {
            JsonNode m = messages.get(i);
            Sent s = sent.get(sent.size() - 1 - i);
            assertThat(m.path("event").asText()).isEqualTo("m");
            assertThat(m.path("data").path("k").asInt()).isEqualTo(s.k());
            assertThat(Instant.parse(m.path("timestamp").asText())).isNotNull();
            if (s.id() == null) {
                assertThat(m.has("id")).as("message %s", m).isFalse();
            } else {
                assertThat(m.path("id").asText()).isEqualTo(s.id());
            }
        }
    }

    @Test
    void pagingBackOverTheWebSocketYieldsExactlyThePersistedMessagesNewestFirst() {
        try (WsTestClient client = WsTestClient.connect(server.ws())) {
            List<Boolean> mores = new ArrayList<>();
            List<JsonNode> all = pageBack(700, (limit, before) -> before == null
                    ? client.requestOk("type", "history", "topic", MAIN, "limit", limit)
                    : client.requestOk("type", "history", "topic", MAIN, "limit", limit, "before", before), mores);
            assertExactlyTheChannelsMessages(all);
            assertThat(mores).containsExactly(true, true, true, true, false);
        }
    }

    @Test
    void pagingBackOverRestWithTheLargestLimitEndsWithMoreFalseOnAFullLastPage() {
        List<Boolean> mores = new ArrayList<>();
        List<JsonNode> all = pageBack(1000, (limit, before) -> {
            JsonNode answer = restHistory(server, MAIN, "&limit=" + limit + (before == null ? "" : "&before=" + before));
            assertThat(answer.path("topic").asText()).isEqualTo(MAIN);
            return answer;
        }, mores);
        assertExactlyTheChannelsMessages(all);
        assertThat(mores).containsExactly(true, true, false);
    }

    @Test
    void theOtherChannelsHistoryHoldsOnlyItsOwnMessages() {
        JsonNode answer = restHistory(server, OTHER, "&limit=1000");
        List<Long> expected = new ArrayList<>(otherPositions);
        Collections.reverse(expected);
        assertThat(positions(answer.path("messages"))).isEqualTo(expected);
        assertThat(answer.path("more").asBoolean()).isFalse();
    }

    @Test
    void theDefaultLimitIsFiftyAndBeforeIsExclusive() {
        List<Long> newest = newestFirst();
        try (WsTestClient client = WsTestClient.connect(server.ws())) {
            JsonNode page = client.requestOk("type", "history", "topic", MAIN);
            assertThat(positions(page.path("messages"))).isEqualTo(newest.subList(0, 50));
            assertThat(page.path("more").asBoolean()).isTrue();

            String before = Long.toString(newest.get(100));
            JsonNode exclusive = client.requestOk("type", "history", "topic", MAIN, "limit", 5, "before", before);
            assertThat(positions(exclusive.path("messages"))).isEqualTo(newest.subList(101, 106));

            // a position that is not one of this channel's messages: everything below it
            long foreign = otherPositions.get(otherPositions.size() / 2);
            List<Long> below = newest.stream().filter(p -> p < foreign).limit(3).toList();
            JsonNode fromForeign = client.requestOk("type", "history", "topic", MAIN, "limit", 3, "before", Long.toString(foreign));
            assertThat(positions(fromForeign.path("messages"))).isEqualTo(below);
        }
        assertThat(positions(restHistory(server, MAIN, "").path("messages"))).isEqualTo(newest.subList(0, 50));
    }

    @Test
    void moreIsTrueExactlyWhileOlderMessagesRemain() {
        String topic = server.uniqueName("hist/small-");
        List<Long> written = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            written.add(Json.position(ChannelClients.restPublish(server, "topic", topic, "event", "e", "data", i, "persist", true)));
        }
        Collections.reverse(written);
        JsonNode all = restHistory(server, topic, "&limit=3");
        assertThat(positions(all.path("messages"))).isEqualTo(written);
        assertThat(all.path("more").asBoolean()).isFalse();
        JsonNode two = restHistory(server, topic, "&limit=2");
        assertThat(positions(two.path("messages"))).isEqualTo(written.subList(0, 2));
        assertThat(two.path("more").asBoolean()).isTrue();
        JsonNode rest = restHistory(server, topic, "&limit=2&before=" + written.get(1));
        assertThat(positions(rest.path("messages"))).isEqualTo(written.subList(2, 3));
        assertThat(rest.path("more").asBoolean()).isFalse();

        JsonNode unused = restHistory(server, server.uniqueName("hist/unused-"), "");
        assertThat(unused.path("messages").isArray()).isTrue();
        assertThat(unused.path("messages")).isEmpty();
        assertThat(unused.path("more").asBoolean()).isFalse();
    }

    @Test
    void beforeZeroIsBeforeEverythingSoNothingIsOlder() {
        // protocol.md, Positions: '"0" means "before everything"'; history answers positions below before
        JsonNode rest = restHistory(server, MAIN, "&before=0");
        assertThat(rest.path("messages")).as("REST history before \"0\": %s", rest.path("messages").size()).isEmpty();
        assertThat(rest.path("more").asBoolean()).isFalse();
        try (WsTestClient client = WsTestClient.connect(server.ws())) {
            JsonNode ws = client.requestOk("type", "history", "topic", MAIN, "before", "0");
            assertThat(ws.path("messages")).as("WS history before \"0\": %s", ws.path("messages").size()).isEmpty();
        }
    }

    @Test
    void limitsOutOfRangeAreBadRequestAndABadBeforeIsInvalidPosition() {
        try (WsTestClient client = WsTestClient.connect(server.ws())) {
            for (int bad : List.of(0, 1001, -1)) {
                assertRefused(client.request("type", "history", "topic", MAIN, "limit", bad), "bad_request");
                assertRestRefused(server, 400, "bad_request", "GET", "/v1/history?topic=" + enc(MAIN) + "&limit=" + bad, null);
            }
            assertThat(client.requestOk("type", "history", "topic", MAIN, "limit", 1000).path("messages")).hasSize(1000);
            assertThat(client.requestOk("type", "history", "topic", MAIN, "limit", 1).path("messages")).hasSize(1);
            for (String bad : List.of("abc", "-5", "1.5", "")) {
                assertRefused(client.request("type", "history", "topic", MAIN, "before", bad), "invalid_position");
            }
            for (String bad : List.of("abc", "-5", "1.5")) {
                assertRestRefused(server, 400, "invalid_position", "GET", "/v1/history?topic=" + enc(MAIN) + "&before=" + bad, null);
            }
            assertThat(client.request("type", "ping").path("ok").asBoolean()).isTrue();
        }
    }
}
