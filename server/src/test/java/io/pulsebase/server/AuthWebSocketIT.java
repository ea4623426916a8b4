package io.pulsebase.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.pulsebase.testkit.client.Json;
import io.pulsebase.testkit.client.WsTestClient;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.assertj.core.api.SoftAssertions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Security on {@code /v1/realtime}: credentials from the upgrade request are verified before any message is
 * handled; a refused caller gets an {@code error} frame with the named error, then the close code (4003 expired,
 * 4004 otherwise) with a reason naming the error. Every message type as a user, with the public key and with the
 * service key; expiry closes with 4003 unless an {@code auth} message refreshed the token for the same caller.
 */
class AuthWebSocketIT {
    private static final Duration CLOSE_WAIT = Duration.ofSeconds(15);

    @RegisterExtension
    static final TestServer server = TestServer.perClass(c -> c.withAuth(Jwts.config()))
            .helpersAuthorizedWith(Jwts.SERVICE_KEY);

    private static WsTestClient withToken(String token) {
        return WsTestClient.connect(URI.create(server.ws() + "?token=" + token));
    }

    private static WsTestClient withKey(String key) {
        return WsTestClient.connect(URI.create(server.ws() + "?apikey=" + key));
    }

    private static void assertError(SoftAssertions soft, String what, JsonNode reply, String code) {
        soft.assertThat(reply.path("ok").asBoolean()).as("%s: %s", what, reply).isFalse();
        soft.assertThat(reply.path("error").path("code").asText()).as("%s: %s", what, reply).isEqualTo(code);
    }

    private static void assertAlive(WsTestClient ws) {
        assertThat(ws.requestOk("type", "ping").path("ok").asBoolean()).isTrue();
    }

    private record Refused(String name, String query, String secret, String error, int close) {
    }

    @Test
    void refusedCredentialsGetAnErrorFrameThenACloseCodeAndReasonNamingTheError() {
        String expired = Jwts.expired("u1");
        List<Refused> cases = List.of(
                new Refused("no credentials", "", null, "unauthorized", 4004),
                new Refused("expired token", "?token=" + expired, expired, "unauthorized", 4003),
                new Refused("badly signed", "?token=" + Jwts.badlySigned("u1"), Jwts.badlySigned("u1"),
                        "unauthorized", 4004),
                new Refused("alg none", "?token=" + Jwts.unsigned("u1"), Jwts.unsigned("u1"), "unauthorized", 4004),
                new Refused("wrong audience", "?token=" + Jwts.wrongAudience("u1"), null, "unauthorized", 4004),
                new Refused("wrong issuer", "?token=" + Jwts.wrongIssuer("u1"), null, "unauthorized", 4004),
                new Refused("unknown API key", "?apikey=an-api-key-nobody-configured", "an-api-key-nobody-configured",
                        "unauthorized", 4004));
        SoftAssertions soft = new SoftAssertions();
        for (Refused c : cases) {
            try (WsTestClient ws = WsTestClient.connect(URI.create(server.ws() + c.query()))) {
                try {
                    ws.send("type", "ping"); // sent while verification runs: never answered as if admitted
                } catch (RuntimeException closedAlready) {
                    // the refusal was faster
                }
                JsonNode error = ws.awaitType("error");
                soft.assertThat(error.path("code").asText()).as(c.name()).isEqualTo(c.error());
                soft.assertThat(ws.awaitClose(CLOSE_WAIT)).as(c.name()).isEqualTo(c.close());
                soft.assertThat(ws.closeReason()).as(c.name()).startsWith(c.error() + ": ");
                soft.assertThat(ws.messages()).as(c.name()).noneMatch(m -> m.contains("\"ok\":true"));
                if (c.secret() != null) {
                    soft.assertThat(ws.closeReason() + ws.messages()).as(c.name()).doesNotContain(c.secret());
                }
            }
        }
        soft.assertAll();
    }

    @Test
    void aTokenInTheAuthorizationHeaderOrInTheQueryOpensTheConnection() {
        try (WsTestClient header = WsTestClient.connect(server.ws(), Map.of("Authorization", "Bearer " + Jwts.user("u1")));
             WsTestClient query = withToken(Jwts.user("u1"))) {
            assertAlive(header);
            assertAlive(query);
        }
    }

    @Test
    void aUserReachesEveryChannelMessageButNoTable() {
        String t = server.newTable("id INTEGER PRIMARY KEY, v TEXT");
        try (WsTestClient ws = withToken(Jwts.user("u1"))) {
            SoftAssertions soft = new SoftAssertions();
            assertError(soft, "table", ws.request("type", "subscribe", "topic", t), "forbidden");
            assertError(soft, "table snapshot", ws.request("type", "subscribe", "topic", t, "snapshot", true), "forbidden");
            assertError(soft, "table since", ws.request("type", "subscribe", "topic", t, "since", "0"), "forbidden");
            // The same answer for a table that does not exist: nothing is learned about what exists.
            assertError(soft, "no such table", ws.request("type", "subscribe", "topic", "no_such_table"), "forbidden");
            soft.assertThat(ws.request("type", "subscribe", "topic", "chat/u").path("ok").asBoolean()).isTrue();
            soft.assertThat(ws.request("type", "publish", "topic", "chat/u", "event", "m", "data", 1, "persist", true)
                    .path("ok").asBoolean()).isTrue();
            soft.assertThat(ws.request("type", "track", "topic", "chat/u", "state", Map.of("n", 1)).path("ok").asBoolean())
                    .isTrue();
            soft.assertThat(ws.request("type", "untrack", "topic", "chat/u").path("ok").asBoolean()).isTrue();
            soft.assertThat(ws.request("type", "history", "topic", "chat/u").path("messages").size()).isEqualTo(1);
            soft.assertThat(ws.request("type", "unsubscribe", "topic", "chat/u").path("ok").asBoolean()).isTrue();
            assertError(soft, "call", ws.request("type", "call", "reducer", "r", "args", List.of()), "not_supported");
            soft.assertThat(ws.request("type", "ping").path("ok").asBoolean()).isTrue();
            soft.assertAll();
        }
    }

    @Test
    void thePublicKeyAloneMayPingButNotUseChannelsOrTablesWhereAnonymousCallersAreNotAdmitted() {
        try (WsTestClient ws = withKey(Jwts.ANON_KEY)) {
            SoftAssertions soft = new SoftAssertions();
            assertError(soft, "table", ws.request("type", "subscribe", "topic", "anything"), "forbidden");
            assertError(soft, "subscribe", ws.request("type", "subscribe", "topic", "chat/a"), "forbidden");
            assertError(soft, "publish", ws.request("type", "publish", "topic", "chat/a", "event", "m"), "forbidden");
            assertError(soft, "track", ws.request("type", "track", "topic", "chat/a", "state", Map.of()), "forbidden");
            assertError(soft, "untrack", ws.request("type", "untrack", "topic", "chat/a"), "forbidden");
            assertError(soft, "history", ws.request("type", "history", "topic", "chat/a"), "forbidden");
            soft.assertAll();
            assertAlive(ws);
        }
    }

    @Test
    void theServiceKeyReachesTablesWithSnapshotSinceAndLiveChanges() {
        String t = server.newTable("id INTEGER PRIMARY KEY, v TEXT");
        long first = Json.position(server.insert(t, "v", "a"));
        try (WsTestClient ws = withKey(Jwts.SERVICE_KEY);
             WsTestClient header = WsTestClient.connect(server.ws(),
                     Map.of("Authorization", "Bearer " + Jwts.SERVICE_KEY))) {
            ws.subscribe("topic", t, "snapshot", true);
            header.send("type", "subscribe", "topic", t, "since", Long.toString(first - 1));
            // The replay comes before the subscribe's reply.
            assertThat(header.awaitChange(t).path("changes").get(0).path("data").path("v").asText()).isEqualTo("a");
            assertThat(header.awaitType("reply").path("ok").asBoolean()).isTrue();
            server.insert(t, "v", "b");
            assertThat(ws.awaitChange(t).path("changes").get(0).path("data").path("v").asText()).isEqualTo("b");
            assertThat(header.awaitChange(t).path("changes").get(0).path("data").path("v").asText()).isEqualTo("b");
        }
    }

    @Test
    void messagesSentWhileTheCredentialsAreVerifiedAreAnsweredAfterwardsInOrder() {
        try (WsTestClient ws = withToken(Jwts.user("u1"))) {
            String a = ws.send("type", "subscribe", "topic", "chat/order");
            String b = ws.send("type", "ping");
            JsonNode first = ws.awaitType("reply");
            JsonNode second = ws.awaitType("reply");
            assertThat(List.of(first.path("ref").asText(), second.path("ref").asText())).containsExactly(a, b);
            assertThat(first.path("ok").asBoolean() && second.path("ok").asBoolean()).isTrue();
        }
    }

    @Test
    void theConnectionClosesWith4003WhenItsTokenExpires() {
        try (WsTestClient ws = withToken(Jwts.user("u1", Duration.ofSeconds(2)))) {
            ws.subscribe("topic", "chat/expiring");
            assertThat(ws.awaitClose(CLOSE_WAIT)).isEqualTo(4003);
            assertThat(ws.closeReason()).isEqualTo("unauthorized: token expired");
        }
    }

    @Test
    void aRefreshKeepsTheConnectionOpenPastItsFirstTokensExpiry() throws InterruptedException {
        Instant firstExpiry = Instant.now().plusSeconds(2);
        try (WsTestClient ws = withToken(Jwts.user("u1", Duration.ofSeconds(2)))) {
            ws.subscribe("topic", "chat/refreshed");
            ws.requestOk("type", "auth", "token", Jwts.user("u1", Duration.ofHours(1)));
            Thread.sleep(Math.max(0, Duration.between(Instant.now(), firstExpiry).toMillis()) + 1500);
            assertAlive(ws);
            ws.send("type", "publish", "topic", "chat/refreshed", "event", "still-here");
            assertThat(ws.await(f -> f.path("event").asText().equals("still-here"))).isNotNull();
            assertThat(ws.isOpen()).isTrue();
        }
    }

    @Test
    void aRefreshForAnotherCallerIsRefusedAndTheConnectionKeepsItsIdentityUntilItExpires() {
        // Long enough for the refusals below on a loaded machine (3 s was not, once), short enough to see it expire.
        try (WsTestClient ws = withToken(Jwts.user("u1", Duration.ofSeconds(8)))) {
            SoftAssertions soft = new SoftAssertions();
            assertError(soft, "another subject", ws.request("type", "auth", "token", Jwts.user("u2")), "forbidden");
            assertError(soft, "another account", ws.request("type", "auth", "token", Jwts.otherAccount("u1")),
                    "forbidden");
            assertError(soft, "public key", ws.request("type", "auth", "token", Jwts.ANON_KEY), "forbidden");
            assertError(soft, "service key", ws.request("type", "auth", "token", Jwts.SERVICE_KEY), "forbidden");
            soft.assertAll();
            assertAlive(ws);
            // Still u1: channels yes, tables no (a service key would have opened them).
            assertThat(ws.request("type", "subscribe", "topic", "anything").path("error").path("code").asText())
                    .isEqualTo("forbidden");
            assertThat(ws.awaitClose(CLOSE_WAIT)).isEqualTo(4003);
        }
    }

    @Test
    void aRefreshWithBadTokensIsRefusedByNameAndTheConnectionSurvives() {
        try (WsTestClient ws = withToken(Jwts.user("u1"))) {
            SoftAssertions soft = new SoftAssertions();
            JsonNode expired = ws.request("type", "auth", "token", Jwts.expired("u1"));
            assertError(soft, "expired", expired, "unauthorized");
            soft.assertThat(expired.path("error").path("message").asText()).isEqualTo("token expired");
            assertError(soft, "badly signed", ws.request("type", "auth", "token", Jwts.badlySigned("u1")), "unauthorized");
            assertError(soft, "alg none", ws.request("type", "auth", "token", Jwts.unsigned("u1")), "unauthorized");
            assertError(soft, "wrong audience", ws.request("type", "auth", "token", Jwts.wrongAudience("u1")),
                    "unauthorized");
            assertError(soft, "wrong issuer", ws.request("type", "auth", "token", Jwts.wrongIssuer("u1")),
                    "unauthorized");
            assertError(soft, "garbage", ws.request("type", "auth", "token", "x.y.z"), "unauthorized");
            assertError(soft, "unknown key", ws.request("type", "auth", "token", "an-api-key-nobody-configured"),
                    "unauthorized");
            soft.assertThat(ws.request("type", "auth", "token", Jwts.user("u1")).path("ok").asBoolean()).isTrue();
            soft.assertAll();
            assertAlive(ws);
        }
    }

    @Test
    void malformedAuthMessagesAreNamedErrorsAndTheConnectionSurvives() {
        try (WsTestClient ws = withToken(Jwts.user("u1"))) {
            SoftAssertions soft = new SoftAssertions();
            assertError(soft, "no token", ws.request("type", "auth"), "bad_request");
            assertError(soft, "numeric token", ws.request("type", "auth", "token", 42), "bad_request");
            assertError(soft, "object token", ws.request("type", "auth", "token", Map.of("a", 1)), "bad_request");
            ws.sendRaw("{\"type\":\"auth\",\"token\":");
            soft.assertThat(ws.awaitType("error").path("code").asText()).isEqualTo("invalid_json");
            ws.sendRaw("{\"type\":\"auth\"}");
            soft.assertThat(ws.awaitType("error").path("code").asText()).isEqualTo("bad_request");
            soft.assertAll();
            assertAlive(ws);
        }
    }

    @Test
    void aServiceConnectionMayRefreshWithItsOwnKey() {
        try (WsTestClient ws = withKey(Jwts.SERVICE_KEY)) {
            ws.requestOk("type", "auth", "token", Jwts.SERVICE_KEY);
            assertAlive(ws);
        }
    }
}
