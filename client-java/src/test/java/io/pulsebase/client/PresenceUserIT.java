package io.pulsebase.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;
import static org.awaitility.Awaitility.await;

import io.pulsebase.core.auth.ApiKey;
import io.pulsebase.core.auth.AuthConfig;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;

/**
 * Presence members carry their user in the Java SDK: {@link PresenceEvent#userId()}, {@link PresenceEvent#member()},
 * {@link PresenceEvent#memberDetails()} and {@link Channel#presenceMembers()} — two clients of one user are two
 * members with one user id, a service-key client has none, and a {@code userId} in the tracked state is only state.
 */
class PresenceUserIT {
    private static final String SERVICE_KEY = "service-key-for-java-presence-tests";

    private static RealServer securedServer() {
        return RealServer.start(c -> c.withAuth(AuthConfig.builder().hsSecret(TokenIT.SECRET)
                .apiKey(ApiKey.service(AuthConfig.DEFAULT_ACCOUNT, SERVICE_KEY)).build()));
    }

    private static PulsebaseClient user(RealServer server, String sub) {
        return PulsebaseClient.builder(server.base()).token(TokenIT.token(sub, 600)).build();
    }

    @Test
    void presenceEventsAndMembersCarryTheUser() {
        try (RealServer server = securedServer();
             PulsebaseClient watcher = user(server, "carol");
             PulsebaseClient adaTab1 = user(server, "ada");
             PulsebaseClient adaTab2 = user(server, "ada");
             PulsebaseClient backend = PulsebaseClient.builder(server.base()).apiKey(SERVICE_KEY).build()) {
            String topic = server.uniqueName("room/");
            List<PresenceEvent> events = new CopyOnWriteArrayList<>();
            Channel seen = watcher.channel(topic).onPresence(events::add);
            seen.subscribe().join();

            String k1 = adaTab1.channel(topic).track(Map.of("tab", 1)).join();
            String k2 = adaTab2.channel(topic).track(Map.of("tab", 2, "userId", "mallory")).join();
            String kb = backend.channel(topic).track(Map.of("bot", true)).join();
            await().atMost(Duration.ofSeconds(10)).until(() -> seen.presenceMembers().size() == 3);

            assertThat(seen.presenceMembers()).containsExactly(
                    Map.entry(k1, new PresenceMember(k1, "ada", Map.of("tab", 1L))),
                    Map.entry(k2, new PresenceMember(k2, "ada", Map.of("tab", 2L, "userId", "mallory"))),
                    Map.entry(kb, new PresenceMember(kb, null, Map.of("bot", true))));
            assertThat(seen.presence()).containsOnlyKeys(k1, k2, kb);

            await().atMost(Duration.ofSeconds(10)).until(() -> events.size() == 4);
            assertThat(events.get(0).type()).isEqualTo(PresenceEvent.Type.SYNC);
            assertThat(events.get(0).userId()).isNull();
            assertThat(events.get(0).member()).isNull();
            assertThat(events.subList(1, 4)).extracting(PresenceEvent::type).containsOnly(PresenceEvent.Type.JOIN);
            assertThat(events.subList(1, 4)).extracting(PresenceEvent::key, PresenceEvent::userId)
                    .containsExactly(tuple(k1, "ada"), tuple(k2, "ada"), tuple(kb, null));
            assertThat(events.get(2).member())
                    .isEqualTo(new PresenceMember(k2, "ada", Map.of("tab", 2L, "userId", "mallory")));
            assertThat(events.get(3).memberDetails()).isEqualTo(seen.presenceMembers());

            adaTab2.channel(topic).untrack().join();
            await().atMost(Duration.ofSeconds(10)).until(() -> events.size() == 5);
            PresenceEvent leave = events.get(4);
            assertThat(leave.type()).isEqualTo(PresenceEvent.Type.LEAVE);
            assertThat(leave.member()).isEqualTo(new PresenceMember(k2, "ada", Map.of("tab", 2L, "userId", "mallory")));
            assertThat(leave.memberDetails()).containsOnlyKeys(k1, kb);

            // A new subscriber's SYNC carries the users too.
            try (PulsebaseClient late = user(server, "dan")) {
                List<PresenceEvent> lateEvents = new CopyOnWriteArrayList<>();
                late.channel(topic).onPresence(lateEvents::add).subscribe().join();
                await().atMost(Duration.ofSeconds(10)).until(() -> !lateEvents.isEmpty());
                assertThat(lateEvents.get(0).type()).isEqualTo(PresenceEvent.Type.SYNC);
                assertThat(lateEvents.get(0).memberDetails().values()).extracting(PresenceMember::userId)
                        .containsExactly("ada", null);
            }
        }
    }
}
