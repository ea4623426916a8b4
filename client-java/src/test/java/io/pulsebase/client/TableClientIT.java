package io.pulsebase.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.pulsebase.core.log.Retention;
import io.pulsebase.protocol.ErrorCode;
import io.pulsebase.protocol.Operation;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Table subscriptions of the SDK against a real server. */
class TableClientIT {
    static RealServer server;
    static PulsebaseClient client;

    @BeforeAll
    static void start() {
        server = RealServer.start();
        client = PulsebaseClient.builder(server.base()).build();
        client.connect().join();
    }

    @AfterAll
    static void stop() {
        client.close();
        server.close();
    }

    /** The table's rows matching {@code filter}, keyed by id, as the server has them now. */
    static Map<Object, Map<String, Object>> tableRows(RealServer s, String table, String filter) {
        String q = filter == null ? "" : "&filter=" + URLEncoder.encode(filter, StandardCharsets.UTF_8);
        JsonNode body = s.request("GET", "/v1/tables/" + table + "/rows?limit=10000" + q, null, 200);
        Map<Object, Map<String, Object>> rows = new LinkedHashMap<>();
        for (JsonNode r : body.get("rows")) {
            @SuppressWarnings("unchecked")
            Map<String, Object> row = (Map<String, Object>) io.pulsebase.protocol.JsonCodec.toValue(r);
            rows.put(row.get("id"), row);
        }
        return rows;
    }

    @Test
    void snapshotFilterAndLiveChangesKeepTheLocalCopyEqualToTheQuery() {
        String t = server.newTable("id INTEGER PRIMARY KEY, title TEXT, done INTEGER DEFAULT 0");
        server.sql("INSERT INTO " + t + " (title) VALUES ('a'), ('b'), ('c')");
        server.sql("UPDATE " + t + " SET done = 1 WHERE title = 'c'");
        List<String> seen = new CopyOnWriteArrayList<>();
        AtomicInteger snapshots = new AtomicInteger();
        TableSubscription sub = client.table(t).filter("done = 0").snapshot(true)
                .on(Operation.INSERT, e -> seen.add("I" + e.data().get("id")))
                .on(Operation.UPDATE, e -> seen.add("U" + e.data().get("id")))
                .on(Operation.DELETE, e -> seen.add("D" + e.old().get("id")))
                .onSnapshot((rows, position) -> snapshots.incrementAndGet())
                .subscribe();
        sub.ready().join();
        assertThat(snapshots).hasValue(1);
        assertThat(sub.rows()).containsOnlyKeys(1L, 2L);
        assertThat(sub.row(1)).containsEntry("title", "a");

        server.sql("INSERT INTO " + t + " (title) VALUES ('d')");              // I4
        server.sql("UPDATE " + t + " SET title = 'A' WHERE id = 1");           // U1
        server.sql("UPDATE " + t + " SET done = 1 WHERE id = 2");              // leaves the filter: D2
        server.sql("UPDATE " + t + " SET done = 0 WHERE id = 3");              // enters: I3
        long last = server.sql("DELETE FROM " + t + " WHERE id = 4").get("position").asLong(); // D4
        await().atMost(Duration.ofSeconds(20)).until(() -> sub.position() >= last);
        assertThat(seen).containsExactly("I4", "U1", "D2", "I3", "D4");
        assertThat(sub.rows()).isEqualTo(tableRows(server, t, "done = 0"));
    }

    @Test
    void aLargeTransactionArrivesInPartsAndIsAppliedAtOnceBeforeListenersRun() {
        String t = server.newTable("id INTEGER PRIMARY KEY, n INTEGER");
        server.sql("INSERT INTO " + t + " (id, n) VALUES (1, 0)");
        List<Integer> sizesSeenByListeners = new CopyOnWriteArrayList<>();
        List<Transaction> txns = new CopyOnWriteArrayList<>();
        TableSubscription[] holder = new TableSubscription[1];
        holder[0] = client.table(t).snapshot(true)
                .onChange(e -> sizesSeenByListeners.add(holder[0].size()))
                .onTransaction(txns::add)
                .subscribe();
        holder[0].ready().join();
        server.sql("WITH RECURSIVE s(i) AS (SELECT 2 UNION ALL SELECT i + 1 FROM s WHERE i < 2500) "
                + "INSERT INTO " + t + " (id, n) SELECT i, i FROM s");
        await().atMost(Duration.ofSeconds(30)).until(() -> txns.size() == 1);
        assertThat(txns.get(0).changes()).hasSize(2499);
        assertThat(sizesSeenByListeners).hasSize(2499).containsOnly(2500);

        // And a snapshot larger than one frame, on a second client.
        try (PulsebaseClient other = PulsebaseClient.builder(server.base()).build()) {
            TableSubscription copy = other.table(t).snapshot(true).subscribe();
            copy.ready().join();
            assertThat(copy.size()).isEqualTo(2500);
            assertThat(copy.rows()).isEqualTo(tableRows(server, t, null));
        }
    }

    @Test
    void eventsLimitTheOperationsAndUnsubscribeStopsDelivery() throws Exception {
        String t = server.newTable("id INTEGER PRIMARY KEY, n INTEGER");
        List<Operation> ops = new CopyOnWriteArrayList<>();
        TableSubscription sub = client.table(t).events(Operation.DELETE).onChange(e -> ops.add(e.operation()))
                .subscribe();
        sub.ready().join();
        server.sql("INSERT INTO " + t + " (id, n) VALUES (1, 1), (2, 2)");
        server.sql("UPDATE " + t + " SET n = 5");
        long p = server.sql("DELETE FROM " + t + " WHERE id = 1").get("position").asLong();
        await().atMost(Duration.ofSeconds(20)).until(() -> sub.position() >= p);
        assertThat(ops).containsExactly(Operation.DELETE);

        sub.unsubscribe().get(10, TimeUnit.SECONDS);
        assertThat(sub.isActive()).isFalse();
        server.sql("DELETE FROM " + t);
        // A fresh subscription to the same table is allowed now, and the old one stays silent.
        TableSubscription again = client.table(t).snapshot(true).subscribe();
        again.ready().join();
        assertThat(again.rows()).isEmpty();
        assertThat(ops).containsExactly(Operation.DELETE);
        assertThatThrownBy(() -> client.table(t).subscribe()).isInstanceOf(IllegalStateException.class);
    }

    @Test
    void refusedSubscriptionsFailTheirFutureWithTheServersCode() {
        String t = server.newTable("id INTEGER PRIMARY KEY, n INTEGER");
        TableSubscription bad = client.table(t).filter("colour = 'red'").subscribe();
        assertThatThrownBy(() -> bad.ready().join()).isInstanceOf(CompletionException.class)
                .cause().isInstanceOf(PulsebaseException.class)
                .satisfies(e -> assertThat(((PulsebaseException) e).code()).isEqualTo(ErrorCode.INVALID_FILTER));
        assertThat(bad.isActive()).isFalse();
        TableSubscription unknown = client.table("no_such_table").subscribe();
        assertThatThrownBy(() -> unknown.ready().join()).cause()
                .satisfies(e -> assertThat(((PulsebaseException) e).code()).isEqualTo(ErrorCode.UNKNOWN_TABLE));
    }

    @Test
    void anExpiredPositionResnapshotsAndTellsTheListener() throws Exception {
        try (RealServer small = RealServer.start(c -> c.withRetention(new Retention(Duration.ofDays(1), 5)));
             CuttableProxy proxy = new CuttableProxy(small::port);
             PulsebaseClient c = PulsebaseClient.builder(proxy.base())
                     .reconnect(Duration.ofMillis(20), Duration.ofMillis(200)).build()) {
            String t = small.newTable("id INTEGER PRIMARY KEY, n INTEGER");
            small.sql("INSERT INTO " + t + " (id, n) VALUES (1, 1)");
            List<Long> expired = new CopyOnWriteArrayList<>();
            AtomicInteger snapshots = new AtomicInteger();
            TableSubscription sub = c.table(t).snapshot(true)
                    .onResync((topic, lost) -> expired.add(lost))
                    .onSnapshot((rows, pos) -> snapshots.incrementAndGet())
                    .subscribe();
            sub.ready().join();
            List<Long> channelExpired = new CopyOnWriteArrayList<>();
            List<Object> channelData = new CopyOnWriteArrayList<>();
            Channel ch = c.channel("expiry/" + t).onResync((topic, lost) -> channelExpired.add(lost))
                    .on("m", e -> channelData.add(e.data()));
            ch.subscribe().join();
            small.request("POST", "/v1/publish", "{\"topic\":\"expiry/" + t + "\",\"event\":\"m\",\"data\":1,"
                    + "\"persist\":true}", 200);
            await().atMost(Duration.ofSeconds(10)).until(() -> channelData.size() == 1);
            long channelBefore = ch.position();
            long before = sub.position();
            proxy.block(true);
            proxy.cut();
            await().atMost(Duration.ofSeconds(10)).until(() -> c.status() == ConnectionStatus.RECONNECTING);
            for (int i = 2; i < 30; i++) {
                small.sql("INSERT INTO " + t + " (id, n) VALUES (" + i + ", " + i + ")");
                small.request("POST", "/v1/publish", "{\"topic\":\"expiry/" + t + "\",\"event\":\"m\",\"data\":"
                        + i + ",\"persist\":true}", 200);
            }
            small.server().node().prune();
            proxy.block(false);
            await().atMost(Duration.ofSeconds(20)).until(() -> snapshots.get() == 2);
            assertThat(expired).containsExactly(before);
            assertThat(sub.rows()).isEqualTo(tableRows(small, t, null)).hasSize(29);
            // The channel was told, and continues live.
            await().atMost(Duration.ofSeconds(10)).until(() -> channelExpired.size() == 1);
            assertThat(channelExpired).containsExactly(channelBefore);
            await().atMost(Duration.ofSeconds(10)).until(() -> ch.position() == -1 || ch.position() > channelBefore);
            ch.publish("m", "after", PublishOptions.persistent()).join();
            await().atMost(Duration.ofSeconds(10)).until(() -> channelData.contains("after"));
            assertThat(channelData).containsExactly(1L, "after");
        }
    }

    @Test
    void compositeOrCustomKeysUseTheConfiguredColumn() {
        String t = server.newTable("code TEXT PRIMARY KEY, qty INTEGER");
        server.sql("INSERT INTO " + t + " VALUES ('A', 1), ('B', 2)");
        TableSubscription sub = client.table(t).primaryKey("code").snapshot(true).subscribe();
        sub.ready().join();
        long p = server.sql("UPDATE " + t + " SET qty = 9 WHERE code = 'B'").get("position").asLong();
        await().atMost(Duration.ofSeconds(20)).until(() -> sub.position() >= p);
        assertThat(sub.rows()).containsOnlyKeys("A", "B");
        assertThat(sub.row("B")).containsEntry("qty", 9L);
        assertThat(new ArrayList<>(sub.rows().values())).hasSize(2);
    }
}
