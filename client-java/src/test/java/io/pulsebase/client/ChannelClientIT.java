package io.pulsebase.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Channels, presence and history of the SDK against a real server. */
class ChannelClientIT {
    static RealServer server;
    static PulsebaseClient alice;
    static PulsebaseClient bob;

    @BeforeAll
    static void start() {
        server = RealServer.start();
        alice = PulsebaseClient.builder(server.base()).build();
        bob = PulsebaseClient.builder(server.base()).build();
    }

    @AfterAll
    static void stop() {
        alice.close();
        bob.close();
        server.close();
    }

    @Test
    void publishReachesSubscribersByEventNameWithPositionsAndIdempotency() {
        String topic = server.uniqueName("chat/");
        List<Object> messages = new CopyOnWriteArrayList<>();
        List<ChannelEvent> all = new CopyOnWriteArrayList<>();
        Channel a = alice.channel(topic).on("message", e -> messages.add(e.data())).on("*", all::add);
        assertThat(alice.channel(topic)).isSameAs(a);
        a.subscribe().join();

        Channel b = bob.channel(topic);
        PublishResult r1 = b.publish("message", Map.of("text", "hi"), PublishOptions.persistent().withId("m-1")).join();
        assertThat(r1.position()).isPositive();
        assertThat(r1.duplicate()).isFalse();
        PublishResult again = b.publish("message", Map.of("text", "hi"), PublishOptions.persistent().withId("m-1"))
                .join();
        assertThat(again.duplicate()).isTrue();
        assertThat(again.position()).isEqualTo(r1.position());
        PublishResult typing = b.publish("typing", Map.of("who", "bob")).join();
        assertThat(typing.position()).isZero();
        b.publish("message", "second", PublishOptions.persistent()).join();

        await().atMost(Duration.ofSeconds(10)).until(() -> all.size() == 3);
        assertThat(messages).containsExactly(Map.of("text", "hi"), "second");
        assertThat(all.get(0).persisted()).isTrue();
        assertThat(all.get(0).id()).isEqualTo("m-1");
        assertThat(all).extracting(ChannelEvent::event).containsExactly("message", "typing", "message");
        assertThat(a.position()).isGreaterThan(r1.position());
    }

    @Test
    void subscribingToSomeEventNamesOnly() {
        String topic = server.uniqueName("room/");
        List<String> got = new CopyOnWriteArrayList<>();
        Channel a = alice.channel(topic).on("*", e -> got.add(e.event()));
        a.subscribe(List.of("b")).join();
        Channel b = bob.channel(topic);
        b.publish("a", 1).join();
        b.publish("b", 2).join();
        b.publish("c", 3).join();
        b.publish("b", 4).join();
        await().atMost(Duration.ofSeconds(10)).until(() -> got.size() == 2);
        assertThat(got).containsExactly("b", "b");
    }

    @Test
    void historyPagesBackwardsNewestFirst() {
        String topic = server.uniqueName("log/");
        Channel b = bob.channel(topic);
        List<Long> positions = new ArrayList<>();
        for (int i = 0; i < 7; i++) {
            positions.add(b.publish("line", i, PublishOptions.persistent()).join().position());
        }
        b.publish("ephemeral", "x").join();
        HistoryPage first = alice.channel(topic).history(3).join();
        assertThat(first.messages()).extracting(ChannelEvent::data).containsExactly(6L, 5L, 4L);
        assertThat(first.more()).isTrue();
        List<Object> all = new ArrayList<>();
        HistoryPage page = first;
        all.addAll(page.messages().stream().map(ChannelEvent::data).toList());
        for (int guard = 0; guard < 10 && page.nextBefore().isPresent(); guard++) {
            page = alice.channel(topic).history(3, page.nextBefore().getAsLong()).join();
            all.addAll(page.messages().stream().map(ChannelEvent::data).toList());
        }
        assertThat(all).containsExactly(6L, 5L, 4L, 3L, 2L, 1L, 0L);
        assertThat(first.messages().get(0).position()).isEqualTo(positions.get(6));
        assertThat(first.messages().get(0).timestamp()).isNotNull();
    }

    @Test
    void presenceTracksJoinsUpdatesAndLeaves() {
        String topic = server.uniqueName("presence/");
        List<PresenceEvent> events = new CopyOnWriteArrayList<>();
        Channel a = alice.channel(topic).onPresence(events::add);
        a.subscribe().join();
        assertThat(events).extracting(PresenceEvent::type).containsExactly(PresenceEvent.Type.SYNC);
        assertThat(a.presence()).isEmpty();

        String key = bob.channel(topic).track(Map.of("name", "Bob")).join();
        assertThat(key).isNotBlank();
        await().atMost(Duration.ofSeconds(10)).until(() -> a.presence().containsKey(key));
        assertThat(a.presence().get(key)).isEqualTo(Map.of("name", "Bob"));
        assertThat(a.presenceMembers().get(key)).as("security disabled: no user")
                .isEqualTo(new PresenceMember(key, null, Map.of("name", "Bob")));
        bob.channel(topic).track(Map.of("name", "Bob", "typing", true)).join();
        await().atMost(Duration.ofSeconds(10)).until(() -> Map.of("name", "Bob", "typing", true)
                .equals(a.presence().get(key)));
        bob.channel(topic).untrack().join();
        await().atMost(Duration.ofSeconds(10)).until(() -> a.presence().isEmpty());
        assertThat(events).extracting(PresenceEvent::type).containsExactly(PresenceEvent.Type.SYNC,
                PresenceEvent.Type.JOIN, PresenceEvent.Type.UPDATE, PresenceEvent.Type.LEAVE);

        // A second subscriber gets the current members in its SYNC.
        alice.channel(topic).track(Map.of("name", "Alice")).join();
        Channel seenByBob = bob.channel(topic);
        seenByBob.subscribe().join();
        assertThat(seenByBob.presence().values()).containsExactly(Map.of("name", "Alice"));
        alice.channel(topic).untrack().join();
    }

    @Test
    void presenceIsTrackedAgainAfterAReconnect() throws Exception {
        String topic = server.uniqueName("presence/");
        try (CuttableProxy proxy = new CuttableProxy(server::port);
             PulsebaseClient carol = PulsebaseClient.builder(proxy.base())
                     .reconnect(Duration.ofMillis(20), Duration.ofMillis(200)).build()) {
            Channel a = alice.channel(topic);
            a.subscribe().join();
            String key1 = carol.channel(topic).track(Map.of("name", "Carol")).join();
            await().atMost(Duration.ofSeconds(10)).until(() -> a.presence().containsKey(key1));
            proxy.cut();
            await().atMost(Duration.ofSeconds(20)).until(() -> !a.presence().containsKey(key1)
                    && a.presence().containsValue(Map.of("name", "Carol")));
            assertThat(a.presence()).hasSize(1);
        }
    }

    @Test
    void channelErrorsFailTheFuture() {
        assertThatThrownBy(() -> bob.channel("bad topic/x").publish("e", 1).join())
                .isInstanceOf(CompletionException.class).cause().isInstanceOf(PulsebaseException.class);
        assertThatThrownBy(() -> alice.channel("x")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> alice.table("a/b")).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void publishingWhileDisconnectedQueuesOrFailsFastAsConfigured() throws Exception {
        String topic = server.uniqueName("offline/");
        List<Object> got = new CopyOnWriteArrayList<>();
        alice.channel(topic).on("m", e -> got.add(e.data())).subscribe().join();
        try (CuttableProxy proxy = new CuttableProxy(server::port);
             PulsebaseClient queued = PulsebaseClient.builder(proxy.base())
                     .reconnect(Duration.ofMillis(20), Duration.ofMillis(100)).offlineQueue(3).build();
             PulsebaseClient failFast = PulsebaseClient.builder(proxy.base())
                     .reconnect(Duration.ofMillis(20), Duration.ofMillis(100)).offlineQueue(0).build()) {
            queued.connect().join();
            failFast.connect().join();
            proxy.block(true);
            proxy.cut();
            await().atMost(Duration.ofSeconds(10)).until(() -> queued.status() == ConnectionStatus.RECONNECTING
                    && failFast.status() == ConnectionStatus.RECONNECTING);
            List<CompletableFuture<PublishResult>> sent = new ArrayList<>();
            for (int i = 0; i < 3; i++) {
                sent.add(queued.channel(topic).publish("m", i, PublishOptions.persistent()));
            }
            CompletableFuture<PublishResult> overflow = queued.channel(topic).publish("m", 99);
            assertThatThrownBy(overflow::join).cause().isInstanceOf(PulsebaseException.OfflineException.class);
            assertThatThrownBy(() -> failFast.channel(topic).publish("m", 100).join())
                    .cause().isInstanceOf(PulsebaseException.OfflineException.class);
            assertThat(sent).noneMatch(CompletableFuture::isDone);
            proxy.block(false);
            for (CompletableFuture<PublishResult> f : sent) {
                assertThat(f.join().position()).isPositive();
            }
            await().atMost(Duration.ofSeconds(10)).until(() -> got.size() == 3);
            assertThat(got).containsExactly(0L, 1L, 2L);
        }
    }
}
