package io.pulsebase.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

/**
 * The SDK's resume guarantee against a real server: while a writer commits and a publisher publishes without
 * pause, the client's connection is cut again and again; at the end the local copy equals the table, and the
 * listeners saw every transaction and every persisted message exactly once, in order.
 */
class ResumeIT {
    private static final int CUTS = 30;

    record Commit(long position, int changes) {
    }

    @Test
    void everyCommitAndPersistedMessageArrivesOnceAndInOrderAcrossThirtyDroppedConnections() throws Exception {
        try (RealServer server = RealServer.start();
             CuttableProxy proxy = new CuttableProxy(server::port);
             PulsebaseClient client = PulsebaseClient.builder(proxy.base())
                     .reconnect(Duration.ofMillis(20), Duration.ofMillis(200))
                     // Fast liveness so that connections closed without a close frame are replaced quickly.
                     .pingInterval(Duration.ofMillis(100)).idleTimeout(Duration.ofSeconds(2)).build()) {
            String t = server.newTable("id INTEGER PRIMARY KEY, n INTEGER, tag TEXT");
            // More rows than one frame carries: the snapshot and every bulk update arrive in parts.
            server.sql("WITH RECURSIVE s(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM s WHERE i < 1200) "
                    + "INSERT INTO " + t + " (id, n, tag) SELECT i, 0, 'seed' FROM s");
            String topic = "resume/" + t;

            List<Transaction> transactions = new CopyOnWriteArrayList<>();
            List<ChangeEvent> changes = new CopyOnWriteArrayList<>();
            List<Long> resyncs = new CopyOnWriteArrayList<>();
            TableSubscription sub = client.table(t).snapshot(true)
                    .onTransaction(transactions::add).onChange(changes::add)
                    .onResync((tp, p) -> resyncs.add(p)).subscribe();
            List<ChannelEvent> messages = new CopyOnWriteArrayList<>();
            Channel channel = client.channel(topic).on("seq", messages::add).onResync((tp, p) -> resyncs.add(p));
            sub.ready().join();
            channel.subscribe().join();
            assertThat(sub.size()).isEqualTo(1200);

            AtomicBoolean stop = new AtomicBoolean();
            List<Commit> commits = new CopyOnWriteArrayList<>();
            List<Long> published = new CopyOnWriteArrayList<>();
            Thread writer = Thread.ofPlatform().name("writer").start(() -> {
                for (int i = 0; i < 20_000 && !stop.get(); i++) {
                    String sql;
                    if (i % 50 == 49) {
                        sql = "UPDATE " + t + " SET n = n + 1";                                          // > 1000 rows
                    } else if (i % 7 == 3) {
                        sql = "DELETE FROM " + t + " WHERE id = (SELECT min(id) FROM " + t + ")";
                    } else if (i % 3 == 1) {
                        sql = "UPDATE " + t + " SET n = n + 1, tag = 'u" + i + "' WHERE id = (SELECT max(id) FROM "
                                + t + ")";
                    } else {
                        sql = "INSERT INTO " + t + " (n, tag) VALUES (" + i + ", 'i" + i + "')";
                    }
                    JsonNode r = server.sql(sql);
                    commits.add(new Commit(r.get("position").asLong(), r.get("changes").asInt()));
                }
            });
            Thread publisher = Thread.ofPlatform().name("publisher").start(() -> {
                for (int i = 0; i < 20_000 && !stop.get(); i++) {
                    JsonNode r = server.request("POST", "/v1/publish", "{\"topic\":\"" + topic
                            + "\",\"event\":\"seq\",\"data\":" + i + ",\"persist\":true}", 200);
                    published.add(r.get("position").asLong());
                }
            });

            try {
                for (int cut = 0; cut < CUTS; cut++) {
                    int expected = cut + 1;
                    await().atMost(Duration.ofSeconds(20))
                            .failFast("client closed", () -> client.status() == ConnectionStatus.DISCONNECTED)
                            .until(() -> client.connectionCount() >= expected
                            && client.status() == ConnectionStatus.CONNECTED);
                    Thread.sleep(ThreadLocalRandom.current().nextInt(10, 80));
                    if (cut % 3 == 2) {
                        proxy.cutGracefully();
                    } else {
                        proxy.cut();
                    }
                }
                await().atMost(Duration.ofSeconds(20)).until(() -> client.connectionCount() >= CUTS + 1);
            } finally {
                stop.set(true);
                writer.join(30_000);
                publisher.join(30_000);
            }

            long lastCommit = commits.get(commits.size() - 1).position();
            long lastPublished = published.get(published.size() - 1);
            await().atMost(Duration.ofSeconds(30))
                    .until(() -> sub.position() >= lastCommit && channel.position() >= lastPublished);

            assertThat(resyncs).isEmpty();
            assertThat(commits).allMatch(c -> c.changes() > 0);
            assertThat(transactions).extracting(Transaction::position)
                    .containsExactlyElementsOf(commits.stream().map(Commit::position).toList());
            List<Integer> sizes = new ArrayList<>();
            transactions.forEach(x -> sizes.add(x.changes().size()));
            assertThat(sizes).containsExactlyElementsOf(commits.stream().map(Commit::changes).toList());
            assertThat(changes).hasSize(commits.stream().mapToInt(Commit::changes).sum());
            assertThat(sub.rows()).isEqualTo(TableClientIT.tableRows(server, t, null));

            assertThat(messages).extracting(ChannelEvent::position).containsExactlyElementsOf(published);
            List<Object> expectedData = new ArrayList<>();
            for (long i = 0; i < published.size(); i++) {
                expectedData.add(i);
            }
            assertThat(messages).extracting(ChannelEvent::data).containsExactlyElementsOf(expectedData);
            assertThat(client.connectionCount()).isGreaterThanOrEqualTo(CUTS + 1);
            assertThat(commits.size()).isGreaterThan(CUTS);
            assertThat(commits).as("transactions sent in parts").anyMatch(c -> c.changes() > 1000);
        }
    }

    @Test
    void gracefulServerRestartsAreResumedLikeDrops() throws Exception {
        try (RealServer server = RealServer.start();
             CuttableProxy proxy = new CuttableProxy(server::port)) {
            List<ConnectionStatus> statuses = new CopyOnWriteArrayList<>();
            try (PulsebaseClient client = PulsebaseClient.builder(proxy.base())
                    .reconnect(Duration.ofMillis(20), Duration.ofMillis(300)).onStatusChange(statuses::add).build()) {
                String t = server.newTable("id INTEGER PRIMARY KEY, n INTEGER");
                String topic = "restart/" + t;
                List<ChangeEvent> changes = new CopyOnWriteArrayList<>();
                List<String> resyncs = new CopyOnWriteArrayList<>();
                TableSubscription sub = client.table(t).snapshot(true).onChange(changes::add)
                        .onResync((tp, p) -> resyncs.add(tp + "@" + p)).subscribe();
                List<Object> messages = new CopyOnWriteArrayList<>();
                Channel ch = client.channel(topic).on("m", e -> messages.add(e.data()))
                        .onResync((tp, p) -> resyncs.add(tp + "@" + p));
                ch.track(Map.of("who", "restarter"));
                sub.ready().join();
                ch.subscribe().join();
                int n = 0;
                long lastCommit = 0;
                long lastMessage = 0;
                for (int restart = 0; restart < 5; restart++) {
                    for (int i = 0; i < 10; i++, n++) {
                        lastCommit = server.sql("INSERT INTO " + t + " (id, n) VALUES (" + n + ", " + n + ")")
                                .get("position").asLong();
                        lastMessage = server.request("POST", "/v1/publish", "{\"topic\":\"" + topic
                                + "\",\"event\":\"m\",\"data\":" + n + ",\"persist\":true}", 200)
                                .get("position").asLong();
                    }
                    int before = client.connectionCount();
                    server.restart();
                    await().atMost(Duration.ofSeconds(30)).until(() -> client.connectionCount() > before
                            && client.status() == ConnectionStatus.CONNECTED);
                }
                long c = lastCommit;
                long m = lastMessage;
                await().atMost(Duration.ofSeconds(20)).until(() -> sub.position() >= c && ch.position() >= m);
                assertThat(resyncs).isEmpty();
                assertThat(changes).extracting(e -> e.data().get("id"))
                        .containsExactlyElementsOf(java.util.stream.LongStream.range(0, n).boxed().toList());
                assertThat(messages).containsExactlyElementsOf(java.util.stream.LongStream.range(0, n).boxed()
                        .map(x -> (Object) x).toList());
                assertThat(sub.rows()).isEqualTo(TableClientIT.tableRows(server, t, null));
                // Presence was tracked again on the new server.
                await().atMost(Duration.ofSeconds(10)).until(() -> ch.presence().containsValue(Map.of("who", "restarter")));
                assertThat(statuses).startsWith(ConnectionStatus.CONNECTING, ConnectionStatus.CONNECTED)
                        .contains(ConnectionStatus.RECONNECTING);
                assertThat(statuses.stream().filter(s -> s == ConnectionStatus.CONNECTED).count())
                        .isGreaterThanOrEqualTo(6);
            }
            assertThat(statuses).endsWith(ConnectionStatus.DISCONNECTED);
        }
    }
}
