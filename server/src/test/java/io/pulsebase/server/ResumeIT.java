package io.pulsebase.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.pulsebase.core.log.Retention;
import io.pulsebase.testkit.client.Json;
import io.pulsebase.testkit.client.WsTestClient;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Resuming with {@code since}: exactly the missed changes then live ones, with filters, from a REST write's
 * position, across a graceful restart; refusals for positions outside the log; the 1001 close on shutdown.
 */
class ResumeIT {
    private static final String COLUMNS = "id INTEGER PRIMARY KEY, kind TEXT, n INTEGER";

    @RegisterExtension
    static final TestServer server = TestServer.perClass();

    /** Inserts row {@code id} through REST; answers its position. */
    private static long insert(TestServer on, String table, int id, String kind) {
        return Json.position(on.insert(table, "id", id, "kind", kind, "n", id));
    }

    /** Reads frames in order until the reply to {@code ref}: the replayed changes before it. */
    private static List<JsonNode> replayUntilReply(WsTestClient client, String ref) {
        List<JsonNode> frames = new ArrayList<>();
        while (true) {
            JsonNode f = client.next();
            if (f.path("type").asText().equals("reply") && f.path("ref").asText().equals(ref)) {
                assertThat(f.path("ok").asBoolean()).as("reply %s", f).isTrue();
                return frames;
            }
            frames.add(f);
        }
    }

    private static List<Integer> ids(List<JsonNode> frames) {
        List<Integer> ids = new ArrayList<>();
        for (JsonNode f : frames) {
            assertThat(f.path("type").asText()).as("frame %s", f).isEqualTo("db_change");
            for (JsonNode c : f.path("changes")) {
                ids.add(c.path("data").path("id").asInt());
            }
        }
        return ids;
    }

    private static void assertIncreasing(List<JsonNode> frames, long after) {
        long last = after;
        for (JsonNode f : frames) {
            long p = Json.position(f);
            assertThat(p).isGreaterThan(last);
            last = p;
        }
    }

    @Test
    void resumeWithSinceDeliversExactlyTheMissedChangesThenLiveOnes() {
        String t = server.newTable(COLUMNS);
        long last;
        try (WsTestClient client = WsTestClient.connect(server.ws())) {
            client.subscribe("topic", t);
            insert(server, t, 1, "a");
            last = Json.position(client.awaitChange(t));
        }
        List<Long> missed = new ArrayList<>();
        for (int id = 2; id <= 6; id++) {
            missed.add(insert(server, t, id, "a"));
        }
        try (WsTestClient client = WsTestClient.connect(server.ws())) {
            String ref = client.send("type", "subscribe", "topic", t, "since", Long.toString(last));
            List<JsonNode> replayed = replayUntilReply(client, ref);
            assertThat(ids(replayed)).containsExactly(2, 3, 4, 5, 6);
            assertThat(replayed.stream().map(Json::position).toList()).isEqualTo(missed);
            assertIncreasing(replayed, last);

            long live = insert(server, t, 7, "a");
            JsonNode next = client.next();
            assertThat(ids(List.of(next))).containsExactly(7);
            assertThat(Json.position(next)).isEqualTo(live);
        }
    }

    @Test
    void sinceWithFilterReplaysOnlyMatchingChanges() {
        String t = server.newTable(COLUMNS);
        long start = insert(server, t, 1, "a");
        insert(server, t, 2, "b");
        insert(server, t, 3, "a");
        insert(server, t, 4, "b");
        server.sql("UPDATE " + t + " SET kind = 'a' WHERE id = 4");   // enters the filter: INSERT
        server.sql("UPDATE " + t + " SET kind = 'b' WHERE id = 1");   // leaves the filter: DELETE
        try (WsTestClient client = WsTestClient.connect(server.ws())) {
            String ref = client.send("type", "subscribe", "topic", t, "filter", "kind = 'a'", "since", Long.toString(start));
            List<JsonNode> replayed = replayUntilReply(client, ref);
            assertIncreasing(replayed, start);
            assertThat(replayed).hasSize(3);
            JsonNode a3 = replayed.get(0).path("changes").get(0);
            assertThat(a3.path("operation").asText()).isEqualTo("INSERT");
            assertThat(a3.path("data").path("id").asInt()).isEqualTo(3);
            JsonNode enter = replayed.get(1).path("changes").get(0);
            assertThat(enter.path("operation").asText()).isEqualTo("INSERT");
            assertThat(enter.path("data").path("id").asInt()).isEqualTo(4);
            JsonNode leave = replayed.get(2).path("changes").get(0);
            assertThat(leave.path("operation").asText()).isEqualTo("DELETE");
            assertThat(leave.path("old").path("id").asInt()).isEqualTo(1);
        }
    }

    @Test
    void resumeFromTheRestWritePositionGetsExactlyTheLaterChanges() {
        String t = server.newTable(COLUMNS);
        long written = insert(server, t, 1, "a");
        long b = insert(server, t, 2, "a");
        long c = server.write("UPDATE " + t + " SET n = 100 WHERE id = 1");
        try (WsTestClient client = WsTestClient.connect(server.ws())) {
            String ref = client.send("type", "subscribe", "topic", t, "since", Long.toString(written));
            List<JsonNode> replayed = replayUntilReply(client, ref);
            assertThat(replayed.stream().map(Json::position).toList()).containsExactly(b, c);
            assertThat(replayed.get(1).path("changes").get(0).path("operation").asText()).isEqualTo("UPDATE");
        }
    }

    @Test
    void sinceAtTheHeadReplaysNothingAndGoesLive() {
        String t = server.newTable(COLUMNS);
        long head = insert(server, t, 1, "a");
        try (WsTestClient client = WsTestClient.connect(server.ws())) {
            String ref = client.send("type", "subscribe", "topic", t, "since", Long.toString(head));
            assertThat(replayUntilReply(client, ref)).isEmpty();
            long live = insert(server, t, 2, "a");
            assertThat(Json.position(client.awaitChange(t))).isEqualTo(live);
        }
    }

    @Test
    void sinceZeroReplaysTheTablesWholeHistory() {
        String t = server.newTable(COLUMNS);
        List<Long> all = new ArrayList<>();
        for (int id = 1; id <= 3; id++) {
            all.add(insert(server, t, id, "a"));
        }
        all.add(server.write("DELETE FROM " + t + " WHERE id = 2"));
        try (WsTestClient client = WsTestClient.connect(server.ws())) {
            String ref = client.send("type", "subscribe", "topic", t, "since", "0");
            List<JsonNode> replayed = replayUntilReply(client, ref);
            assertThat(replayed.stream().map(Json::position).toList()).isEqualTo(all);
        }
    }

    @Test
    void snapshotWinsWhenSinceIsGivenToo() {
        String t = server.newTable(COLUMNS);
        long first = insert(server, t, 1, "a");
        insert(server, t, 2, "a");
        try (WsTestClient client = WsTestClient.connect(server.ws())) {
            String ref = client.send("type", "subscribe", "topic", t, "since", Long.toString(first), "snapshot", true);
            List<JsonNode> before = replayUntilReply(client, ref);
            assertThat(before).hasSize(1);
            assertThat(before.get(0).path("type").asText()).isEqualTo("snapshot");
            assertThat(before.get(0).path("rows")).hasSize(2);
        }
    }

    @Test
    void aLargeMissedTransactionIsReplayedInPartsOfOnePosition() {
        String t = server.newTable(COLUMNS);
        long start = insert(server, t, 1, "a");
        long big = server.write("INSERT INTO " + t + " (id, kind, n) WITH RECURSIVE c(x) AS "
                + "(SELECT 2 UNION ALL SELECT x + 1 FROM c WHERE x < 1201) SELECT x, 'big', x FROM c");
        long after = insert(server, t, 5000, "a");
        try (WsTestClient client = WsTestClient.connect(server.ws())) {
            String ref = client.send("type", "subscribe", "topic", t, "since", Long.toString(start));
            List<JsonNode> replayed = replayUntilReply(client, ref);
            assertThat(replayed.stream().map(Json::position).toList()).containsExactly(big, big, after);
            assertThat(replayed.get(0).path("changes")).hasSize(1000);
            assertThat(replayed.get(0).path("more").asBoolean()).isTrue();
            assertThat(replayed.get(1).path("changes")).hasSize(200);
            assertThat(replayed.get(1).has("more")).isFalse();
        }
    }

    @Test
    void resumingWhileWritesContinueHasNoGapAndNoDuplicate() throws Exception {
        String t = server.newTable(COLUMNS);
        List<Long> written = java.util.Collections.synchronizedList(new ArrayList<>());
        java.util.concurrent.atomic.AtomicBoolean stop = new java.util.concurrent.atomic.AtomicBoolean();
        Thread writer = Thread.ofPlatform().start(() -> {
            for (int id = 1; !stop.get(); id++) {
                written.add(insert(server, t, id, "w"));
            }
        });
        try {
            while (written.size() < 30) {
                Thread.sleep(5);
            }
            long since = written.get(10);
            try (WsTestClient client = WsTestClient.connect(server.ws())) {
                client.send("type", "subscribe", "topic", t, "since", Long.toString(since));
                int at = written.size();
                while (written.size() < at + 30) {
                    Thread.sleep(5);
                }
                stop.set(true);
                writer.join(10_000);
                long end = written.get(written.size() - 1);
                List<Long> got = new ArrayList<>();
                while (got.isEmpty() || got.get(got.size() - 1) < end) {
                    JsonNode f = client.next();
                    if (f.path("type").asText().equals("reply")) {
                        assertThat(f.path("ok").asBoolean()).isTrue();
                        continue;
                    }
                    got.add(Json.position(f));
                }
                List<Long> want = written.stream().filter(p -> p > since).toList();
                assertThat(got).isEqualTo(want);
            }
        } finally {
            stop.set(true);
            writer.join(10_000);
        }
    }

    @Test
    void sinceAheadOfTheLogIsPositionExpired() {
        String t = server.newTable(COLUMNS);
        long head = insert(server, t, 1, "a");
        try (WsTestClient client = WsTestClient.connect(server.ws())) {
            JsonNode reply = client.request("type", "subscribe", "topic", t, "since", Long.toString(head + 1_000_000));
            assertThat(reply.path("ok").asBoolean()).isFalse();
            assertThat(reply.path("error").path("code").asText()).isEqualTo("position_expired");
            client.requestOk("type", "ping");
        }
    }

    @Test
    void nonNumericSinceIsInvalidPosition() {
        String t = server.newTable(COLUMNS);
        try (WsTestClient client = WsTestClient.connect(server.ws())) {
            for (String bad : List.of("abc", "-5", "1.5", "", " 12")) {
                JsonNode reply = client.request("type", "subscribe", "topic", t, "since", bad);
                assertThat(reply.path("ok").asBoolean()).as("since %s", bad).isFalse();
                assertThat(reply.path("error").path("code").asText()).as("since '%s': %s", bad, reply).isEqualTo("invalid_position");
            }
            client.requestOk("type", "ping");
        }
    }

    @Test
    void sinceOlderThanRetentionIsPositionExpiredWhileARetainedOneResumes() {
        try (TestServer small = TestServer.start(c -> c.withRetention(new Retention(Duration.ofDays(1), 5)))) {
            String t = small.newTable(COLUMNS);
            List<Long> positions = new ArrayList<>();
            for (int id = 1; id <= 20; id++) {
                positions.add(insert(small, t, id, "a"));
            }
            assertThat(small.server().node().prune()).as("entries pruned").isGreaterThan(0);
            try (WsTestClient client = WsTestClient.connect(small.ws())) {
                JsonNode expired = client.request("type", "subscribe", "topic", t, "since", Long.toString(positions.get(1)));
                assertThat(expired.path("ok").asBoolean()).isFalse();
                assertThat(expired.path("error").path("code").asText()).isEqualTo("position_expired");

                String ref = client.send("type", "subscribe", "topic", t, "since", Long.toString(positions.get(16)));
                List<JsonNode> replayed = replayUntilReply(client, ref);
                assertThat(ids(replayed)).containsExactly(18, 19, 20);
                // a snapshot still works after the log was pruned
                String snap = client.send("type", "subscribe", "topic", t, "snapshot", true);
                JsonNode snapshot = client.awaitType("snapshot");
                assertThat(snapshot.path("rows")).hasSize(20);
                client.await(f -> f.path("ref").asText().equals(snap));
            }
        }
    }

    @Test
    void resumeAcrossAGracefulRestartMissesNothingAndPositionsKeepIncreasing() {
        try (TestServer own = TestServer.start()) {
            String t = own.newTable(COLUMNS);
            long last;
            WsTestClient client = WsTestClient.connect(own.ws());
            try {
                client.subscribe("topic", t);
                insert(own, t, 1, "a");
                last = Json.position(client.awaitChange(t));
                client.requestOk("type", "unsubscribe", "topic", t);
                insert(own, t, 2, "a");                         // the client misses these two
                insert(own, t, 3, "a");
                own.restart(c -> c);
                assertThat(client.awaitClose(Duration.ofSeconds(10))).isEqualTo(1001);
            } finally {
                client.close();
            }
            long after1 = insert(own, t, 4, "a");
            long after2 = insert(own, t, 5, "a");
            assertThat(after1).as("positions keep increasing after a restart").isGreaterThan(last);
            assertThat(after2).isGreaterThan(after1);
            try (WsTestClient resumed = WsTestClient.connect(own.ws())) {
                String ref = resumed.send("type", "subscribe", "topic", t, "since", Long.toString(last));
                List<JsonNode> replayed = replayUntilReply(resumed, ref);
                assertThat(ids(replayed)).containsExactly(2, 3, 4, 5);
                assertIncreasing(replayed, last);
                long live = insert(own, t, 6, "a");
                assertThat(Json.position(resumed.awaitChange(t))).isEqualTo(live);
            }
        }
    }

    @Test
    void gracefulShutdownClosesOpenWebSocketsWith1001() {
        TestServer own = TestServer.start();
        String t = own.newTable(COLUMNS);
        try (WsTestClient subscribed = WsTestClient.connect(own.ws());
             WsTestClient idle = WsTestClient.connect(own.ws())) {
            subscribed.subscribe("topic", t);
            idle.requestOk("type", "ping");
            own.close();
            assertThat(subscribed.awaitClose(Duration.ofSeconds(10))).isEqualTo(1001);
            assertThat(idle.awaitClose(Duration.ofSeconds(10))).isEqualTo(1001);
            assertThat(subscribed.closeReason()).isEqualTo("server_shutdown");
        } finally {
            own.close();
        }
    }
}
