package io.pulsebase.server;

import static io.pulsebase.server.Frames.onlyChange;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.pulsebase.testkit.client.Json;
import io.pulsebase.testkit.client.WsTestClient;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Capture end to end: a transaction is one frame (multi-row statements, several tables, several changes to one
 * row, large transactions), commit order across concurrent writers, tables and columns created later, writes by
 * another program, and a snapshot that meets a running stream without gap or duplicate.
 */
class TransactionCaptureIT {
    @RegisterExtension
    static final TestServer server = TestServer.perClass();

    @Test
    void multiRowStatementArrivesAsOneFrameWithAllChangesInOrderSharingOnePosition() {
        String t = server.newTable("id INTEGER PRIMARY KEY, x INTEGER");
        server.sql("INSERT INTO " + t + " (id, x) VALUES (1, 10), (2, 20), (3, 30)");
        try (WsTestClient client = WsTestClient.connect(server.ws())) {
            client.subscribe("topic", t);
            long update = server.write("UPDATE " + t + " SET x = x + 1");
            long insert = server.write("INSERT INTO " + t + " (id, x) VALUES (4, 40), (5, 50), (6, 60)");

            JsonNode f1 = client.next();
            assertThat(f1.path("type").asText()).isEqualTo("db_change");
            assertThat(Json.position(f1)).isEqualTo(update);
            assertThat(f1.path("changes")).hasSize(3);
            for (int i = 0; i < 3; i++) {
                JsonNode c = f1.path("changes").get(i);
                assertThat(c.path("operation").asText()).isEqualTo("UPDATE");
                assertThat(c.path("data").path("id").asInt()).isEqualTo(i + 1);
                assertThat(c.path("data").path("x").asInt()).isEqualTo((i + 1) * 10 + 1);
                assertThat(c.path("old").path("x").asInt()).isEqualTo((i + 1) * 10);
            }
            // The next frame is the multi-row insert, whole: no second frame for the update transaction.
            JsonNode f2 = client.next();
            assertThat(Json.position(f2)).isEqualTo(insert).isGreaterThan(update);
            assertThat(f2.path("changes")).hasSize(3);
            List<Integer> ids = new ArrayList<>();
            for (JsonNode c : f2.path("changes")) {
                assertThat(c.path("operation").asText()).isEqualTo("INSERT");
                ids.add(c.path("data").path("id").asInt());
            }
            assertThat(ids).containsExactly(4, 5, 6);
        }
    }

    @Test
    void concurrentWritersArriveInCommitOrderWithStrictlyIncreasingPositions() throws Exception {
        String t = server.newTable("id INTEGER PRIMARY KEY, writer INTEGER, seq INTEGER");
        int writers = 4;
        int each = 20;
        Map<Long, Long> positionById = new ConcurrentHashMap<>();
        try (WsTestClient client = WsTestClient.connect(server.ws());
             ExecutorService pool = Executors.newFixedThreadPool(writers)) {
            client.subscribe("topic", t);
            CountDownLatch go = new CountDownLatch(1);
            List<Future<?>> done = new ArrayList<>();
            for (int w = 0; w < writers; w++) {
                int writer = w;
                done.add(pool.submit(() -> {
                    go.await();
                    for (int s = 0; s < each; s++) {
                        JsonNode r = server.insert(t, "writer", writer, "seq", s);
                        positionById.put(r.path("row").path("id").asLong(), Json.position(r));
                    }
                    return null;
                }));
            }
            go.countDown();
            for (Future<?> f : done) {
                f.get();
            }

            List<Long> positions = new ArrayList<>();
            List<Long> ids = new ArrayList<>();
            Map<Integer, Integer> lastSeqPerWriter = new HashMap<>();
            for (int i = 0; i < writers * each; i++) {
                JsonNode frame = client.awaitChange(t);
                JsonNode change = onlyChange(frame);
                positions.add(Json.position(frame));
                long id = change.path("data").path("id").asLong();
                ids.add(id);
                assertThat(Json.position(frame)).as("frame position = REST position of row %d", id)
                        .isEqualTo(positionById.get(id));
                // Each writer's rows arrive in the order that writer committed them.
                int writer = change.path("data").path("writer").asInt();
                int seq = change.path("data").path("seq").asInt();
                assertThat(seq).isEqualTo(lastSeqPerWriter.getOrDefault(writer, -1) + 1);
                lastSeqPerWriter.put(writer, seq);
            }
            for (int i = 1; i < positions.size(); i++) {
                assertThat(positions.get(i)).as("positions strictly increase").isGreaterThan(positions.get(i - 1));
            }
            // Ids are assigned at commit time, serially: the order by position is the table's order by id.
            List<Long> tableOrder = new ArrayList<>();
            for (JsonNode row : Json.read(server.sql("SELECT id FROM " + t + " ORDER BY id")).path("rows")) {
                tableOrder.add(row.path("id").asLong());
            }
            assertThat(ids).isEqualTo(tableOrder);
            List<Long> byPosition = new ArrayList<>(new TreeMap<>(invert(positionById)).values());
            assertThat(ids).isEqualTo(byPosition);
        }
    }

    private static Map<Long, Long> invert(Map<Long, Long> m) {
        Map<Long, Long> inverted = new HashMap<>();
        m.forEach((k, v) -> assertThat(inverted.put(v, k)).as("two rows share position %d", v).isNull());
        return inverted;
    }

    @Test
    void tableCreatedAfterServerStartIsSubscribableAndCaptured() {
        String t = server.uniqueName("late_");
        try (WsTestClient client = WsTestClient.connect(server.ws())) {
            JsonNode before = client.request("type", "subscribe", "topic", t);
            assertThat(before.path("error").path("code").asText()).isEqualTo("unknown_table");

            server.sql("CREATE TABLE " + t + " (id INTEGER PRIMARY KEY, v TEXT)");
            client.subscribe("topic", t);
            long p = server.write("INSERT INTO " + t + " (v) VALUES ('hello')");
            JsonNode frame = client.awaitChange(t);
            assertThat(Json.position(frame)).isEqualTo(p);
            assertThat(onlyChange(frame).path("data")).isEqualTo(Json.read("{\"id\":1,\"v\":\"hello\"}"));
        }
    }

    private static Connection external() throws Exception {
        Connection c = DriverManager.getConnection("jdbc:sqlite:" + server.databaseFile());
        try (Statement s = c.createStatement()) {
            s.execute("PRAGMA busy_timeout=5000");
        }
        return c;
    }

    @Test
    void writesByAnotherProgramAreCapturedWithTheirTransactionAsOneFrame() throws Exception {
        String t = server.newTable("id INTEGER PRIMARY KEY, v TEXT");
        try (WsTestClient client = WsTestClient.connect(server.ws()); Connection db = external()) {
            client.subscribe("topic", t);
            try (Statement s = db.createStatement()) {
                s.executeUpdate("INSERT INTO " + t + " (id, v) VALUES (1, 'single')");
            }
            JsonNode single = client.awaitChange(t);
            assertThat(onlyChange(single).path("data")).isEqualTo(Json.read("{\"id\":1,\"v\":\"single\"}"));

            Thread.sleep(50); // more than one capture poll apart: transactions are exact
            db.setAutoCommit(false);
            try (Statement s = db.createStatement()) {
                s.executeUpdate("INSERT INTO " + t + " (id, v) VALUES (2, 'two')");
                s.executeUpdate("UPDATE " + t + " SET v = 'one' WHERE id = 1");
            }
            db.commit();
            JsonNode tx = client.awaitChange(t);
            assertThat(Json.position(tx)).isGreaterThan(Json.position(single));
            assertThat(tx.path("changes")).hasSize(2);
            assertThat(tx.path("changes").get(0).path("operation").asText()).isEqualTo("INSERT");
            assertThat(tx.path("changes").get(1).path("operation").asText()).isEqualTo("UPDATE");
            assertThat(tx.path("changes").get(1).path("old").path("v").asText()).isEqualTo("single");
        }
    }

    @Test
    void tableCreatedByAnotherProgramIsCaptured() throws Exception {
        String t = server.uniqueName("ext_");
        try (WsTestClient client = WsTestClient.connect(server.ws()); Connection db = external()) {
            try (Statement s = db.createStatement()) {
                s.execute("CREATE TABLE " + t + " (id INTEGER PRIMARY KEY, v TEXT)");
            }
            long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
            JsonNode reply;
            while (true) {
                reply = client.request("type", "subscribe", "topic", t);
                if (reply.path("ok").asBoolean() || System.nanoTime() > deadline) {
                    break;
                }
                assertThat(reply.path("error").path("code").asText()).isEqualTo("unknown_table");
                Thread.sleep(20);
            }
            assertThat(reply.path("ok").asBoolean()).as("table noticed: %s", reply).isTrue();
            try (Statement s = db.createStatement()) {
                s.executeUpdate("INSERT INTO " + t + " (id, v) VALUES (7, 'outside')");
            }
            JsonNode change = onlyChange(client.awaitChange(t));
            assertThat(change.path("operation").asText()).isEqualTo("INSERT");
            assertThat(change.path("data")).isEqualTo(Json.read("{\"id\":7,\"v\":\"outside\"}"));
        }
    }

    @Test
    void snapshotSubscribedMidStreamPlusChangesEqualsTheTableWithoutGapOrDuplicate() throws Exception {
        String t = server.newTable("id INTEGER PRIMARY KEY, n INTEGER");
        AtomicBoolean stop = new AtomicBoolean();
        AtomicInteger written = new AtomicInteger();
        Thread writer = Thread.ofPlatform().start(() -> {
            for (int k = 1; !stop.get(); k++) {
                server.sql("INSERT INTO " + t + " (id, n) VALUES (" + k + ", 0)");
                if (k > 3) {
                    server.sql("UPDATE " + t + " SET n = n + 1 WHERE id = " + (k - 3));
                }
                if (k > 6 && k % 2 == 0) {
                    server.sql("DELETE FROM " + t + " WHERE id = " + (k - 6));
                }
                written.incrementAndGet();
            }
        });
        try (WsTestClient client = WsTestClient.connect(server.ws());
             WsTestClient filtered = WsTestClient.connect(server.ws())) {
            while (written.get() < 20) {
                Thread.sleep(5);
            }
            client.send("type", "subscribe", "topic", t, "snapshot", true);
            filtered.send("type", "subscribe", "topic", t, "snapshot", true, "filter", "n >= 1 AND n < 3");
            int at = written.get();
            while (written.get() < at + 20) {
                Thread.sleep(5);
            }
            stop.set(true);
            writer.join(10_000);
            // a last row that both subscriptions see marks the end
            long end = server.write("INSERT INTO " + t + " (id, n) VALUES (1000000, 1)");

            Map<Long, JsonNode> table = new TreeMap<>();
            Json.read(server.sql("SELECT * FROM " + t)).path("rows").forEach(r -> table.put(r.path("id").asLong(), r));
            assertThat(table).isNotEmpty();
            assertThat(follow(client, end)).isEqualTo(table);
            Map<Long, JsonNode> matching = new TreeMap<>();
            Json.read(server.sql("SELECT * FROM " + t + " WHERE n >= 1 AND n < 3")).path("rows")
                    .forEach(r -> matching.put(r.path("id").asLong(), r));
            assertThat(matching).isNotEmpty();
            assertThat(follow(filtered, end)).isEqualTo(matching);
        } finally {
            stop.set(true);
            writer.join(10_000);
        }
    }

    /** Applies a snapshot subscription's frames until the client stands at {@code end}; answers its copy. */
    private static Map<Long, JsonNode> follow(WsTestClient client, long end) {
        Map<Long, JsonNode> copy = new TreeMap<>();
        long seen = -1;
        boolean snapshotSeen = false;
        while (seen < end) {
            JsonNode f = client.next();
            {
                switch (f.path("type").asText()) {
                    case "reply" -> assertThat(f.path("ok").asBoolean()).as("reply %s", f).isTrue();
                    case "snapshot" -> {
                        assertThat(snapshotSeen).isFalse();
                        snapshotSeen = true;
                        f.path("rows").forEach(r -> copy.put(r.path("id").asLong(), r));
                        seen = Json.position(f);
                    }
                    case "db_change" -> {
                        assertThat(snapshotSeen).as("snapshot comes first").isTrue();
                        long p = Json.position(f);
                        assertThat(p).as("no frame at or below what the client has").isGreaterThan(seen);
                        seen = p;
                        for (JsonNode c : f.path("changes")) {
                            apply(copy, c);
                        }
                    }
                    default -> throw new AssertionError("unexpected frame " + f);
                }
            }
        }
        assertThat(snapshotSeen).isTrue();
        return copy;
    }

    private static void apply(Map<Long, JsonNode> copy, JsonNode change) {
        switch (change.path("operation").asText()) {
            case "INSERT" -> {
                long id = change.path("data").path("id").asLong();
                assertThat(copy).as("duplicate INSERT of %d", id).doesNotContainKey(id);
                copy.put(id, change.path("data"));
            }
            case "UPDATE" -> {
                long id = change.path("data").path("id").asLong();
                assertThat(copy.get(id)).as("UPDATE of %d names the row as the client has it", id).isEqualTo(change.path("old"));
                copy.put(id, change.path("data"));
            }
            case "DELETE" -> {
                long id = change.path("old").path("id").asLong();
                assertThat(copy.get(id)).as("DELETE of %d names the row as the client has it", id).isEqualTo(change.path("old"));
                copy.remove(id);
            }
            default -> throw new AssertionError("unknown operation " + change);
        }
    }

    @Test
    void aTransactionOverTwoTablesArrivesAsConsecutiveFramesSharingOnePosition() throws Exception {
        String a = server.newTable("id INTEGER PRIMARY KEY, v TEXT");
        String b = server.newTable("id INTEGER PRIMARY KEY, v TEXT");
        try (WsTestClient client = WsTestClient.connect(server.ws()); Connection db = external()) {
            client.subscribe("topic", a);
            client.subscribe("topic", b);
            db.setAutoCommit(false);
            try (Statement s = db.createStatement()) {
                s.executeUpdate("INSERT INTO " + a + " (id, v) VALUES (1, 'a1')");
                s.executeUpdate("INSERT INTO " + b + " (id, v) VALUES (1, 'b1')");
                s.executeUpdate("INSERT INTO " + a + " (id, v) VALUES (2, 'a2')");
            }
            db.commit();
            JsonNode first = client.next();
            JsonNode second = client.next();
            assertThat(Json.position(first)).isEqualTo(Json.position(second));
            Map<String, Integer> sizes = new HashMap<>();
            sizes.put(first.path("topic").asText(), first.path("changes").size());
            sizes.put(second.path("topic").asText(), second.path("changes").size());
            assertThat(sizes).isEqualTo(Map.of(a, 2, b, 1));
        }
    }

    @Test
    void severalChangesToOneRowWithinATransactionArriveInOrder() throws Exception {
        String t = server.newTable("id INTEGER PRIMARY KEY, v INTEGER");
        try (WsTestClient client = WsTestClient.connect(server.ws()); Connection db = external()) {
            client.subscribe("topic", t);
            db.setAutoCommit(false);
            try (Statement s = db.createStatement()) {
                s.executeUpdate("INSERT INTO " + t + " (id, v) VALUES (1, 1)");
                s.executeUpdate("UPDATE " + t + " SET v = 2 WHERE id = 1");
                s.executeUpdate("UPDATE " + t + " SET v = 3 WHERE id = 1");
                s.executeUpdate("DELETE FROM " + t + " WHERE id = 1");
            }
            db.commit();
            JsonNode frame = client.awaitChange(t);
            JsonNode c = frame.path("changes");
            assertThat(c).hasSize(4);
            assertThat(c.get(0).path("operation").asText()).isEqualTo("INSERT");
            assertThat(c.get(1).path("old").path("v").asInt()).isEqualTo(1);
            assertThat(c.get(1).path("data").path("v").asInt()).isEqualTo(2);
            assertThat(c.get(2).path("old").path("v").asInt()).isEqualTo(2);
            assertThat(c.get(2).path("data").path("v").asInt()).isEqualTo(3);
            assertThat(c.get(3).path("operation").asText()).isEqualTo("DELETE");
            assertThat(c.get(3).path("old").path("v").asInt()).isEqualTo(3);
        }
    }

    @Test
    void aLargeTransactionArrivesInConsecutivePartsOfOnePositionMarkedMore() {
        String t = server.newTable("id INTEGER PRIMARY KEY, v INTEGER");
        try (WsTestClient client = WsTestClient.connect(server.ws())) {
            client.subscribe("topic", t);
            long p = server.write("INSERT INTO " + t + " (v) WITH RECURSIVE c(x) AS "
                    + "(SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE x < 2500) SELECT x FROM c");
            long p2 = Json.position(server.insert(t, "v", 0));
            // 1000 changes per frame by default: 1000 + 1000 + 500, all at the transaction's position.
            List<Integer> values = new ArrayList<>();
            List<Boolean> more = new ArrayList<>();
            for (int part = 0; part < 3; part++) {
                JsonNode frame = client.next();
                assertThat(Json.position(frame)).as("every part carries the transaction's position").isEqualTo(p);
                more.add(frame.path("more").asBoolean(false));
                frame.path("changes").forEach(c -> values.add(c.path("data").path("v").asInt()));
            }
            assertThat(more).containsExactly(true, true, false);
            assertThat(values).hasSize(2500);
            for (int i = 0; i < 2500; i++) {
                assertThat(values.get(i)).isEqualTo(i + 1);
            }
            JsonNode next = client.next();
            assertThat(Json.position(next)).isEqualTo(p2);
            assertThat(next.has("more")).as("a small transaction is one frame without 'more'").isFalse();
        }
    }

    @Test
    void aColumnAddedLaterIsCapturedAndFilterable() {
        String t = server.newTable("id INTEGER PRIMARY KEY, v TEXT");
        try (WsTestClient client = WsTestClient.connect(server.ws())) {
            client.subscribe("topic", t);
            server.insert(t, "id", 1, "v", "before");
            assertThat(onlyChange(client.awaitChange(t)).path("data")).isEqualTo(Json.read("{\"id\":1,\"v\":\"before\"}"));

            server.sql("ALTER TABLE " + t + " ADD COLUMN extra TEXT DEFAULT 'd'");
            JsonNode row = server.insert(t, "id", 2, "v", "after", "extra", "e").path("row");
            JsonNode change = onlyChange(client.awaitChange(t));
            assertThat(change.path("data")).as("captured row has the new column").isEqualTo(row);
            assertThat(change.path("data").path("extra").asText()).isEqualTo("e");

            client.subscribe("topic", t, "filter", "extra = 'e'");
            server.insert(t, "id", 3, "v", "x", "extra", "no");
            server.insert(t, "id", 4, "v", "y", "extra", "e");
            assertThat(onlyChange(client.awaitChange(t)).path("data").path("id").asInt()).isEqualTo(4);
        }
    }

}
