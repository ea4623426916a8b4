package io.pulsebase.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;

/**
 * Subscriptions made while the server's log is empty stand at position 0, "before everything". That is a position
 * to resume from like any other: a connection that drops before the first change or persisted message reaches
 * the client must not resubscribe live-from-now, or what was written during the drop is lost. (This is the race
 * behind {@code ResumeIT.gracefulServerRestartsAreResumedLikeDrops} losing the first round: its channel was
 * subscribed on a fresh server, and when the first restart closed the connection before the first message event
 * had reached the client, the channel resumed unanchored.)
 */
class EmptyLogResumeIT {

    @Test
    void aChannelSubscribedOnAnEmptyLogResumesFromPositionZero() throws Exception {
        try (RealServer server = RealServer.start();
             CuttableProxy proxy = new CuttableProxy(server::port);
             PulsebaseClient client = fastReconnecting(proxy)) {
            List<Object> messages = new CopyOnWriteArrayList<>();
            Channel ch = client.channel("empty/log").on("m", e -> messages.add(e.data()));
            ch.subscribe().join();
            assertThat(ch.position()).as("anchored at the empty log's head").isZero();

            dropAndWhileDisconnected(client, proxy, () -> {
                for (int i = 0; i < 3; i++) {
                    server.request("POST", "/v1/publish",
                            "{\"topic\":\"empty/log\",\"event\":\"m\",\"data\":" + i + ",\"persist\":true}", 200);
                }
            });

            await().atMost(Duration.ofSeconds(10)).until(() -> messages.size() >= 3);
            assertThat(messages).containsExactly(0L, 1L, 2L);
        }
    }

    @Test
    void aTableSubscribedWithoutSnapshotOnAnEmptyLogResumesFromPositionZero() throws Exception {
        try (RealServer server = RealServer.start();
             CuttableProxy proxy = new CuttableProxy(server::port);
             PulsebaseClient client = fastReconnecting(proxy)) {
            String t = server.newTable("id INTEGER PRIMARY KEY, n INTEGER");
            List<ChangeEvent> changes = new CopyOnWriteArrayList<>();
            TableSubscription sub = client.table(t).onChange(changes::add).subscribe();
            sub.ready().join();
            assertThat(sub.position()).as("anchored at the empty log's head").isZero();

            dropAndWhileDisconnected(client, proxy,
                    () -> server.sql("INSERT INTO " + t + " (id, n) VALUES (1, 1), (2, 2)"));

            await().atMost(Duration.ofSeconds(10)).until(() -> changes.size() >= 2);
            assertThat(changes).extracting(e -> e.data().get("id")).containsExactly(1L, 2L);
            assertThat(sub.rows()).isEqualTo(TableClientIT.tableRows(server, t, null));
        }
    }

    private static PulsebaseClient fastReconnecting(CuttableProxy proxy) {
        return PulsebaseClient.builder(proxy.base()).reconnect(Duration.ofMillis(20), Duration.ofMillis(100)).build();
    }

    /** Cuts the connection, runs {@code writes} while reconnecting is refused, then lets the client back in. */
    private static void dropAndWhileDisconnected(PulsebaseClient client, CuttableProxy proxy, Runnable writes) {
        int before = client.connectionCount();
        proxy.block(true);
        proxy.cut();
        await().atMost(Duration.ofSeconds(10)).until(() -> client.status() == ConnectionStatus.RECONNECTING);
        writes.run();
        proxy.block(false);
        await().atMost(Duration.ofSeconds(10)).until(() -> client.connectionCount() > before
                && client.status() == ConnectionStatus.CONNECTED);
    }
}
