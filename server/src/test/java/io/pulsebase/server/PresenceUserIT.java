package io.pulsebase.server;

import static io.pulsebase.server.ChannelClients.awaitPresence;
import static io.pulsebase.server.ChannelClients.enc;
import static io.pulsebase.server.ChannelClients.framesUntilReply;
import static io.pulsebase.server.ChannelClients.isType;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.pulsebase.core.auth.AuthConfig;
import io.pulsebase.testkit.client.Json;
import io.pulsebase.testkit.client.WsTestClient;
import java.net.URI;
import java.net.http.HttpResponse;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Presence members say whose they are: {@code userId} is the tracking connection's token {@code sub} — in
 * {@code presence_state}, in {@code join} / {@code update} / {@code leave} and in {@code GET /v1/presence} — so two
 * tabs of one user are two members (two keys) with one user; it is absent for the public and the service key, and a
 * {@code userId} inside the tracked state is only state: it never changes the member's user.
 */
class PresenceUserIT {
    @RegisterExtension
    static final TestServer server = TestServer.perClass(c -> c.withAuth(
                    Jwts.builder().noCredentials(AuthConfig.NoCredentials.ANON).build()))
            .helpersAuthorizedWith(Jwts.SERVICE_KEY);

    private static WsTestClient withKey(String apiKey) {
        return WsTestClient.connect(URI.create(server.ws() + "?apikey=" + apiKey));
    }

    private static String track(WsTestClient client, String topic, Map<String, Object> state) {
        return client.requestOk("type", "track", "topic", topic, "state", state).path("key").asText();
    }

    /** A {@code members} array as key → the whole member ({@code key}, {@code userId}?, {@code data}). */
    private static Map<String, JsonNode> byKey(JsonNode members) {
        assertThat(members.isArray()).as("members %s", members).isTrue();
        Map<String, JsonNode> map = new LinkedHashMap<>();
        for (JsonNode m : members) {
            assertThat(map.put(m.path("key").asText(), m)).as("key twice in %s", members).isNull();
        }
        return map;
    }

    private static void assertMember(JsonNode member, String userId, String data) {
        if (userId == null) {
            assertThat(member.has("userId")).as("no user: %s", member).isFalse();
        } else {
            assertThat(member.path("userId").asText()).as("member %s", member).isEqualTo(userId);
        }
        assertThat(member.path("data")).as("member %s", member).isEqualTo(Json.read(data));
    }

    private static void assertPresence(JsonNode frame, String event, String key, String userId, String data) {
        assertThat(frame.path("event").asText()).as("frame %s", frame).isEqualTo(event);
        assertThat(frame.path("key").asText()).as("frame %s", frame).isEqualTo(key);
        assertMember(frame, userId, data);
    }

    @Test
    void membersCarryTheirUserEverywhereTwoTabsShareItAndStateCannotSetIt() {
        String topic = server.uniqueName("chat/online-");
        try (WsTestClient observer = Policy.ws(server, "carol");
             WsTestClient adaTab1 = Policy.ws(server, "ada");
             WsTestClient adaTab2 = Policy.ws(server, "ada");
             WsTestClient bob = Policy.ws(server, "bob");
             WsTestClient anon = withKey(Jwts.ANON_KEY);
             WsTestClient service = withKey(Jwts.SERVICE_KEY)) {
            observer.subscribe("topic", topic);

            String a1 = track(adaTab1, topic, Map.of("tab", 1));
            String a2 = track(adaTab2, topic, Map.of("tab", 2, "userId", "bob"));   // a claim in state is just state
            String b = track(bob, topic, Map.of());
            String n = track(anon, topic, Map.of("userId", "ada"));
            String s = track(service, topic, Map.of("bot", true));
            assertThat(List.of(a1, a2, b, n, s)).doesNotHaveDuplicates();

            // Each track is announced before its reply, so the joins arrive in this order.
            assertPresence(awaitPresence(observer, topic), "join", a1, "ada", "{\"tab\":1}");
            assertPresence(awaitPresence(observer, topic), "join", a2, "ada", "{\"tab\":2,\"userId\":\"bob\"}");
            assertPresence(awaitPresence(observer, topic), "join", b, "bob", "{}");
            assertPresence(awaitPresence(observer, topic), "join", n, null, "{\"userId\":\"ada\"}");
            assertPresence(awaitPresence(observer, topic), "join", s, null, "{\"bot\":true}");

            // An update cannot change the user either, whatever its state says.
            track(adaTab1, topic, Map.of("tab", 1, "userId", "mallory"));
            assertPresence(awaitPresence(observer, topic), "update", a1, "ada", "{\"tab\":1,\"userId\":\"mallory\"}");

            // A new subscriber's presence_state, and the REST list (as the service helper and as a user).
            try (WsTestClient late = Policy.ws(server, "dan")) {
                JsonNode state = framesUntilReply(late, "type", "subscribe", "topic", topic).stream()
                        .filter(f -> isType(f, "presence_state")).findFirst().orElseThrow();
                assertMembers(byKey(state.path("members")), a1, a2, b, n, s);
            }
            JsonNode rest = server.rest(200, "GET", "/v1/presence?topic=" + enc(topic), null);
            assertMembers(byKey(rest.path("members")), a1, a2, b, n, s);
            HttpResponse<String> asUser = server.request("GET", "/v1/presence?topic=" + enc(topic), null,
                    Policy.as("bob"));
            assertThat(asUser.statusCode()).as(asUser.body()).isEqualTo(200);
            assertMembers(byKey(Json.read(asUser.body()).path("members")), a1, a2, b, n, s);

            // Leaves carry the user too: an untrack, a closed tab, and a member without a user.
            adaTab2.requestOk("type", "untrack", "topic", topic);
            assertPresence(awaitPresence(observer, topic), "leave", a2, "ada", "{\"tab\":2,\"userId\":\"bob\"}");
            adaTab1.close();
            assertPresence(awaitPresence(observer, topic), "leave", a1, "ada", "{\"tab\":1,\"userId\":\"mallory\"}");
            anon.requestOk("type", "untrack", "topic", topic);
            assertPresence(awaitPresence(observer, topic), "leave", n, null, "{\"userId\":\"ada\"}");
            assertThat(byKey(server.rest(200, "GET", "/v1/presence?topic=" + enc(topic), null).path("members")))
                    .containsOnlyKeys(b, s);
        }
    }

    private static void assertMembers(Map<String, JsonNode> members, String a1, String a2, String b, String n,
                                      String s) {
        assertThat(members.keySet()).as("join order").containsExactly(a1, a2, b, n, s);
        assertMember(members.get(a1), "ada", "{\"tab\":1,\"userId\":\"mallory\"}");
        assertMember(members.get(a2), "ada", "{\"tab\":2,\"userId\":\"bob\"}");
        assertMember(members.get(b), "bob", "{}");
        assertMember(members.get(n), null, "{\"userId\":\"ada\"}");
        assertMember(members.get(s), null, "{\"bot\":true}");
    }
}
