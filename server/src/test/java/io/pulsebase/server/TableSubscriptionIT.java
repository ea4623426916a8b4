package io.pulsebase.server;

import static io.pulsebase.server.Frames.onlyChange;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.pulsebase.testkit.client.Json;
import io.pulsebase.testkit.client.WsTestClient;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Table subscriptions over a real WebSocket against a real server: operations with data / old and growing
 * positions, {@code events} and {@code filter} (enter / leave), snapshots, several subscribers, replacement,
 * unsubscribe, ping and credentials. Capture details (transactions, commit order, other programs) are in
 * {@link TransactionCaptureIT}.
 */
class TableSubscriptionIT {
    @RegisterExtension
    static final TestServer server = TestServer.perClass();

    @Test
    void insertUpdateDeleteArriveWithDataOldAndIncreasingPositions() {
        String t = server.newTable("id INTEGER PRIMARY KEY, name TEXT, n INTEGER");
        try (WsTestClient client = WsTestClient.connect(server.ws())) {
            JsonNode reply = client.subscribe("topic", t);
            assertThat(reply.path("topic").asText()).isEqualTo(t);
            Json.position(reply);

            long p1 = Json.position(server.insert(t, "id", 1, "name", "a", "n", 1));
            long p2 = Json.position(server.rest(200, "PATCH", "/v1/tables/" + t + "/rows/1", Json.object("n", 2)));
            long p3 = Json.position(server.rest(200, "DELETE", "/v1/tables/" + t + "/rows/1", null));

            JsonNode f1 = client.next();
            JsonNode f2 = client.next();
            JsonNode f3 = client.next();
            for (JsonNode f : List.of(f1, f2, f3)) {
                assertThat(f.path("type").asText()).as("frame %s", f).isEqualTo("db_change");
                assertThat(f.path("topic").asText()).isEqualTo(t);
                assertThat(f.path("timestamp").asText()).as("UTC timestamp").endsWith("Z");
                assertThat(Instant.parse(f.path("timestamp").asText()))
                        .isBetween(Instant.now().minusSeconds(60), Instant.now().plusSeconds(5));
            }
            assertThat(List.of(Json.position(f1), Json.position(f2), Json.position(f3))).containsExactly(p1, p2, p3);
            assertThat(p1).isLessThan(p2);
            assertThat(p2).isLessThan(p3);

            JsonNode ins = onlyChange(f1);
            assertThat(ins.path("operation").asText()).isEqualTo("INSERT");
            assertThat(ins.path("data")).isEqualTo(Json.read("{\"id\":1,\"name\":\"a\",\"n\":1}"));
            assertThat(ins.path("old").isMissingNode() || ins.path("old").isNull()).as("insert has no old: %s", ins).isTrue();

            JsonNode upd = onlyChange(f2);
            assertThat(upd.path("operation").asText()).isEqualTo("UPDATE");
            assertThat(upd.path("data")).isEqualTo(Json.read("{\"id\":1,\"name\":\"a\",\"n\":2}"));
            assertThat(upd.path("old")).isEqualTo(Json.read("{\"id\":1,\"name\":\"a\",\"n\":1}"));

            JsonNode del = onlyChange(f3);
            assertThat(del.path("operation").asText()).isEqualTo("DELETE");
            assertThat(del.path("old")).isEqualTo(Json.read("{\"id\":1,\"name\":\"a\",\"n\":2}"));
            assertThat(del.has("data") && del.get("data").isNull()).as("delete carries data: null: %s", del).isTrue();
        }
    }

    @Test
    void liveSubscriptionStartsAtTheLogHeadAndNeverDeliversEarlierWrites() {
        String t = server.newTable("id INTEGER PRIMARY KEY, n INTEGER");
        try (WsTestClient client = WsTestClient.connect(server.ws())) {
            // Many writes answered before the subscribe: dispatch may still be behind them when it arrives.
            long before = 0;
            for (int i = 1; i <= 200; i++) {
                before = Json.position(server.insert(t, "id", i, "n", 0));
            }
            JsonNode reply = client.subscribe("topic", t);
            assertThat(Json.position(reply)).as("live subscription anchored at the head").isGreaterThanOrEqualTo(before);
            long after = Json.position(server.insert(t, "id", 1000, "n", 1));
            JsonNode frame = client.awaitChange(t);
            assertThat(Json.position(frame)).as("the first change delivered is the one made after subscribing")
                    .isEqualTo(after);
            assertThat(frame.path("changes").get(0).path("data").path("id").asLong()).isEqualTo(1000);
        }
    }

    @Test
    void eventsFilterDeliversOnlyTheChosenOperations() {
        String t = server.newTable("id INTEGER PRIMARY KEY, n INTEGER");
        try (WsTestClient client = WsTestClient.connect(server.ws())) {
            client.subscribe("topic", t, "events", List.of("INSERT"));
            server.insert(t, "id", 1, "n", 1);
            server.rest(200, "PATCH", "/v1/tables/" + t + "/rows/1", Json.object("n", 2));
            server.rest(200, "DELETE", "/v1/tables/" + t + "/rows/1", null);
            server.insert(t, "id", 2, "n", 1);

            JsonNode first = client.next();
            JsonNode second = client.next();
            assertThat(onlyChange(first).path("operation").asText()).isEqualTo("INSERT");
            assertThat(onlyChange(first).path("data").path("id").asInt()).isEqualTo(1);
            assertThat(onlyChange(second).path("operation").asText()).as("update and delete were skipped").isEqualTo("INSERT");
            assertThat(onlyChange(second).path("data").path("id").asInt()).isEqualTo(2);
        }
    }

    @Test
    void eventsApplyToTheOperationAsTheSubscriptionSeesIt() {
        String t = server.newTable("id INTEGER PRIMARY KEY, room INTEGER");
        server.sql("INSERT INTO " + t + " (id, room) VALUES (1, 1)");
        try (WsTestClient client = WsTestClient.connect(server.ws())) {
            client.subscribe("topic", t, "filter", "room = 1", "events", List.of("DELETE"));
            // An UPDATE that moves the row out of the filter is a DELETE for this subscription.
            server.sql("UPDATE " + t + " SET room = 2 WHERE id = 1");
            JsonNode change = onlyChange(client.next());
            assertThat(change.path("operation").asText()).isEqualTo("DELETE");
            assertThat(change.path("old").path("room").asInt()).isEqualTo(1);
        }
    }

    @Test
    void filteredSnapshotHoldsOnlyMatchingRowsThenLiveChangesFollow() {
        String t = server.newTable("id INTEGER PRIMARY KEY, room INTEGER, body TEXT");
        server.sql("INSERT INTO " + t + " (id, room, body) VALUES (1, 1, 'a'), (2, 2, 'b'), (3, 1, 'c'), (4, NULL, 'd')");
        try (WsTestClient client = WsTestClient.connect(server.ws())) {
            String ref = client.send("type", "subscribe", "topic", t, "filter", "room = 1", "snapshot", true);
            JsonNode snapshot = client.next();
            assertThat(snapshot.path("type").asText()).isEqualTo("snapshot");
            assertThat(snapshot.path("topic").asText()).isEqualTo(t);
            Map<Integer, JsonNode> rows = new TreeMap<>();
            snapshot.path("rows").forEach(r -> rows.put(r.path("id").asInt(), r));
            assertThat(rows.keySet()).containsExactly(1, 3);
            assertThat(rows.get(3)).isEqualTo(Json.read("{\"id\":3,\"room\":1,\"body\":\"c\"}"));
            JsonNode reply = client.next();
            assertThat(reply.path("type").asText()).isEqualTo("reply");
            assertThat(reply.path("ref").asText()).isEqualTo(ref);
            assertThat(reply.path("ok").asBoolean()).isTrue();

            server.sql("INSERT INTO " + t + " (id, room, body) VALUES (5, 2, 'e')");
            long p = server.write("INSERT INTO " + t + " (id, room, body) VALUES (6, 1, 'f')");
            JsonNode live = client.next();
            assertThat(Json.position(live)).isEqualTo(p).isGreaterThan(Json.position(snapshot));
            assertThat(onlyChange(live).path("data").path("id").asInt()).isEqualTo(6);
        }
    }

    @Test
    void snapshotReplyPositionEqualsSnapshotFramePosition() {
        String t = server.newTable("id INTEGER PRIMARY KEY, v TEXT");
        server.sql("INSERT INTO " + t + " (v) VALUES ('x'), ('y')");
        try (WsTestClient client = WsTestClient.connect(server.ws())) {
            String ref = client.send("type", "subscribe", "topic", t, "snapshot", true);
            JsonNode snapshot = client.awaitType("snapshot");
            JsonNode reply = client.await(f -> f.path("ref").asText().equals(ref));
            assertThat(reply.path("ok").asBoolean()).isTrue();
            assertThat(snapshot.path("rows")).hasSize(2);
            assertThat(Json.position(reply)).isEqualTo(Json.position(snapshot));
        }
    }

    @Test
    void updateIntoFilterArrivesAsInsertAndOutOfFilterAsDeleteWithOldAndNullData() {
        String t = server.newTable("id INTEGER PRIMARY KEY, room INTEGER, body TEXT");
        server.sql("INSERT INTO " + t + " (id, room, body) VALUES (1, 2, 'a')");
        try (WsTestClient client = WsTestClient.connect(server.ws())) {
            client.subscribe("topic", t, "filter", "room = 1");

            server.sql("UPDATE " + t + " SET body = 'still outside' WHERE id = 1");        // no, no: nothing
            server.sql("UPDATE " + t + " SET room = 1 WHERE id = 1");                        // enters
            server.sql("UPDATE " + t + " SET body = 'inside' WHERE id = 1");                 // stays
            server.sql("UPDATE " + t + " SET room = 3, body = 'gone' WHERE id = 1");         // leaves

            JsonNode enter = onlyChange(client.next());
            assertThat(enter.path("operation").asText()).isEqualTo("INSERT");
            assertThat(enter.path("data")).isEqualTo(Json.read("{\"id\":1,\"room\":1,\"body\":\"still outside\"}"));
            assertThat(enter.path("old").isMissingNode() || enter.path("old").isNull()).isTrue();

            JsonNode stay = onlyChange(client.next());
            assertThat(stay.path("operation").asText()).isEqualTo("UPDATE");
            assertThat(stay.path("data").path("body").asText()).isEqualTo("inside");
            assertThat(stay.path("old").path("body").asText()).isEqualTo("still outside");

            JsonNode leave = onlyChange(client.next());
            assertThat(leave.path("operation").asText()).isEqualTo("DELETE");
            assertThat(leave.path("old")).isEqualTo(Json.read("{\"id\":1,\"room\":1,\"body\":\"inside\"}"));
            assertThat(leave.has("data") && leave.get("data").isNull()).as("new values are not sent: %s", leave).isTrue();
        }
    }

    @Test
    void identicalSubscriptionsOnTwoConnectionsBothReceive() {
        String t = server.newTable("id INTEGER PRIMARY KEY, n INTEGER");
        try (WsTestClient a = WsTestClient.connect(server.ws());
             WsTestClient b = WsTestClient.connect(server.ws())) {
            a.subscribe("topic", t, "filter", "n > 0");
            b.subscribe("topic", t, "filter", "n > 0");
            long p = Json.position(server.insert(t, "id", 1, "n", 5));
            JsonNode fa = a.awaitChange(t);
            JsonNode fb = b.awaitChange(t);
            assertThat(Json.position(fa)).isEqualTo(p);
            assertThat(fa).isEqualTo(fb);
            // After one leaves, the other still receives.
            a.requestOk("type", "unsubscribe", "topic", t);
            long p2 = Json.position(server.insert(t, "id", 2, "n", 6));
            assertThat(Json.position(b.awaitChange(t))).isEqualTo(p2);
        }
    }

    @Test
    void resubscribingToTheSameTopicReplacesTheSubscription() {
        String t = server.newTable("id INTEGER PRIMARY KEY, n INTEGER");
        try (WsTestClient client = WsTestClient.connect(server.ws())) {
            client.subscribe("topic", t, "filter", "n = 1");
            client.subscribe("topic", t, "filter", "n = 2");
            server.insert(t, "id", 1, "n", 1);   // only the old filter matches
            server.insert(t, "id", 2, "n", 2);
            server.insert(t, "id", 3, "n", 2);

            JsonNode first = client.next();
            JsonNode second = client.next();
            assertThat(onlyChange(first).path("data").path("id").asInt()).as("old filter no longer applies").isEqualTo(2);
            assertThat(onlyChange(second).path("data").path("id").asInt()).as("delivered once, not twice").isEqualTo(3);
        }
    }

    @Test
    void unsubscribeStopsDeliveryAndASecondUnsubscribeIsNotSubscribed() {
        String t = server.newTable("id INTEGER PRIMARY KEY, n INTEGER");
        String other = server.newTable("id INTEGER PRIMARY KEY, n INTEGER");
        try (WsTestClient client = WsTestClient.connect(server.ws())) {
            client.subscribe("topic", t);
            client.subscribe("topic", other);
            server.insert(t, "id", 1, "n", 1);
            assertThat(client.next().path("topic").asText()).isEqualTo(t);

            JsonNode ok = client.requestOk("type", "unsubscribe", "topic", t);
            assertThat(ok.path("ok").asBoolean()).isTrue();
            server.insert(t, "id", 2, "n", 1);
            long p = Json.position(server.insert(other, "id", 1, "n", 1));
            JsonNode next = client.next();
            assertThat(next.path("topic").asText()).as("nothing more from %s", t).isEqualTo(other);
            assertThat(Json.position(next)).isEqualTo(p);

            JsonNode again = client.request("type", "unsubscribe", "topic", t);
            assertThat(again.path("ok").asBoolean()).isFalse();
            assertThat(again.path("error").path("code").asText()).isEqualTo("not_subscribed");
        }
    }

    @Test
    void eventsStarOrEmptyMeanAllOperations() {
        String t = server.newTable("id INTEGER PRIMARY KEY, n INTEGER");
        try (WsTestClient star = WsTestClient.connect(server.ws());
             WsTestClient empty = WsTestClient.connect(server.ws())) {
            star.subscribe("topic", t, "events", List.of("*"));
            empty.subscribe("topic", t, "events", List.of());
            server.insert(t, "id", 1, "n", 1);
            server.rest(200, "PATCH", "/v1/tables/" + t + "/rows/1", Json.object("n", 2));
            server.rest(200, "DELETE", "/v1/tables/" + t + "/rows/1", null);
            for (WsTestClient c : List.of(star, empty)) {
                assertThat(List.of(onlyChange(c.next()).path("operation").asText(),
                        onlyChange(c.next()).path("operation").asText(),
                        onlyChange(c.next()).path("operation").asText())).containsExactly("INSERT", "UPDATE", "DELETE");
            }
        }
    }

    @Test
    void updatingThePrimaryKeyIsAnUpdateAndLeavesAFilterOnTheOldKey() {
        String t = server.newTable("id INTEGER PRIMARY KEY, v TEXT");
        server.sql("INSERT INTO " + t + " (id, v) VALUES (1, 'a')");
        try (WsTestClient all = WsTestClient.connect(server.ws());
             WsTestClient byKey = WsTestClient.connect(server.ws())) {
            all.subscribe("topic", t);
            byKey.subscribe("topic", t, "filter", "id = 1");
            server.sql("UPDATE " + t + " SET id = 10 WHERE id = 1");
            JsonNode update = onlyChange(all.awaitChange(t));
            assertThat(update.path("operation").asText()).isEqualTo("UPDATE");
            assertThat(update.path("old").path("id").asInt()).isEqualTo(1);
            assertThat(update.path("data").path("id").asInt()).isEqualTo(10);
            JsonNode leave = onlyChange(byKey.awaitChange(t));
            assertThat(leave.path("operation").asText()).isEqualTo("DELETE");
            assertThat(leave.path("old")).isEqualTo(Json.read("{\"id\":1,\"v\":\"a\"}"));
        }
    }

    @Test
    void aLargeSnapshotHoldsEveryMatchingRowInConsecutivePartsOfOnePosition() {
        String t = server.newTable("id INTEGER PRIMARY KEY, v INTEGER");
        server.sql("INSERT INTO " + t + " (v) WITH RECURSIVE c(x) AS "
                + "(SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE x < 12000) SELECT x FROM c");
        try (WsTestClient client = WsTestClient.connect(server.ws())) {
            String ref = client.send("type", "subscribe", "topic", t, "snapshot", true, "filter", "v > 500");
            List<Integer> values = new ArrayList<>();
            List<Long> positions = new ArrayList<>();
            JsonNode part;
            do {
                part = client.next();
                assertThat(part.path("type").asText()).as("frame %s", part.path("type")).isEqualTo("snapshot");
                positions.add(Json.position(part));
                assertThat(part.path("rows").size()).isLessThanOrEqualTo(1000);
                part.path("rows").forEach(r -> values.add(r.path("v").asInt()));
            } while (part.path("more").asBoolean(false));
            JsonNode reply = client.await(f -> f.path("ref").asText().equals(ref));
            assertThat(positions).as("12 parts, one position").hasSize(12).containsOnly(Json.position(reply));
            assertThat(values).hasSize(11500);
            for (int i = 0; i < values.size(); i++) {
                assertThat(values.get(i)).isEqualTo(501 + i);
            }
        }
    }

    @Test
    void credentialsInTheQueryOrHeaderAreAcceptedUntilSecurityLands() {
        try (WsTestClient byQuery = WsTestClient.connect(java.net.URI.create(server.ws() + "?apikey=k&token=t"));
             WsTestClient byHeader = WsTestClient.connect(server.ws(), Map.of("Authorization", "Bearer x.y.z"))) {
            byQuery.requestOk("type", "ping");
            byHeader.requestOk("type", "ping");
        }
    }

    @Test
    void pingWithRefIsAnsweredByAnOkReply() {
        try (WsTestClient client = WsTestClient.connect(server.ws())) {
            String ref = client.send("type", "ping");
            JsonNode reply = client.next();
            assertThat(reply.path("type").asText()).isEqualTo("reply");
            assertThat(reply.path("ref").asText()).isEqualTo(ref);
            assertThat(reply.path("ok").asBoolean()).isTrue();
            // exactly one reply per ref
            assertThat(client.poll(Duration.ofMillis(200))).isNull();
        }
    }

    @Test
    void authMessageIsAcceptedUntilSecurityLands() {
        try (WsTestClient client = WsTestClient.connect(server.ws())) {
            assertThat(client.requestOk("type", "auth", "token", "anything").path("ok").asBoolean()).isTrue();
        }
    }
}
