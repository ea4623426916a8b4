package io.pulsebase.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.pulsebase.core.auth.AuthConfig;
import io.pulsebase.testkit.client.Json;
import io.pulsebase.testkit.client.SseTestClient;
import io.pulsebase.testkit.client.WsTestClient;
import java.net.http.HttpResponse;
import java.util.Map;
import org.assertj.core.api.SoftAssertions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Channel rules with a real server, on a server that admits anonymous callers: {@code chat/*} for users,
 * {@code notifications/{auth.sub}} readable by its own user only and written by the service, a {@code lobby/*}
 * anonymous callers may read but not track or publish in; every WebSocket command, SSE topic and REST endpoint asks
 * the same rules, and a refusal says nothing about whether the channel has messages or members.
 */
class ChannelRulesIT {
    private static final String POLICIES = """
            {"channels": [
                {"pattern": "notifications/{auth.sub}", "subscribe": "user", "history": "user"},
                {"pattern": "notifications/**", "publish": "service"},
                {"pattern": "chat/*", "subscribe": "user", "publish": "user", "history": "user", "presence": "user"},
                {"pattern": "lobby/*", "subscribe": "anon", "history": "anon", "presence": "user"}]}""";

    @RegisterExtension
    static final TestServer server = TestServer.perClass(c -> c
                    .withAuth(Jwts.builder().noCredentials(AuthConfig.NoCredentials.ANON).build())
                    .withPolicies(Policy.of(POLICIES)))
            .helpersAuthorizedWith(Jwts.SERVICE_KEY);

    private static void ok(SoftAssertions soft, String what, JsonNode reply) {
        soft.assertThat(reply.path("ok").asBoolean()).as("%s: %s", what, reply).isTrue();
    }

    private static void forbidden(SoftAssertions soft, String what, JsonNode reply) {
        soft.assertThat(reply.path("error").path("code").asText()).as("%s: %s", what, reply).isEqualTo("forbidden");
    }

    private static int status(String method, String path, String body, Map<String, String> headers) {
        return server.request(method, path, body, headers).statusCode();
    }

    @Test
    void usersUseChatChannelsForEveryActionOverWebSocketAndRest() {
        String ada = server.uniqueName("ada");
        SoftAssertions soft = new SoftAssertions();
        try (WsTestClient ws = Policy.ws(server, ada)) {
            ok(soft, "subscribe", ws.request("type", "subscribe", "topic", "chat/general"));
            ok(soft, "publish", ws.request("type", "publish", "topic", "chat/general", "event", "m", "data", 1,
                    "persist", true));
            ok(soft, "track", ws.request("type", "track", "topic", "chat/general", "state", Map.of("n", 1)));
            ok(soft, "untrack", ws.request("type", "untrack", "topic", "chat/general"));
            ok(soft, "history", ws.request("type", "history", "topic", "chat/general"));
            forbidden(soft, "a deeper channel no rule matches", ws.request("type", "subscribe", "topic", "chat/a/b"));
            forbidden(soft, "a channel no rule matches", ws.request("type", "publish", "topic", "other/x",
                    "event", "m"));
        }
        Map<String, String> asAda = Policy.as(ada);
        soft.assertThat(status("POST", "/v1/publish", Json.object("topic", "chat/general", "event", "m"), asAda))
                .isEqualTo(200);
        soft.assertThat(status("GET", "/v1/history?topic=chat/general", null, asAda)).isEqualTo(200);
        soft.assertThat(status("GET", "/v1/presence?topic=chat/general", null, asAda)).isEqualTo(200);
        soft.assertThat(status("GET", "/v1/history?topic=other/x", null, asAda)).isEqualTo(403);
        try (SseTestClient sse = Policy.sse(server, ada, "topic=chat/general")) {
            soft.assertThat(sse.status()).isEqualTo(200);
        }
        try (SseTestClient sse = Policy.sse(server, ada, "topic=chat/general&topic=other/x")) {
            soft.assertThat(sse.status()).as("one forbidden topic refuses the stream").isEqualTo(403);
        }
        soft.assertAll();
    }

    @Test
    void aUserSubscribesToItsOwnNotificationsOnlyAndOnlyTheServicePublishesThere() {
        String ada = server.uniqueName("ada");
        String bob = server.uniqueName("bob");
        SoftAssertions soft = new SoftAssertions();
        try (WsTestClient ws = Policy.ws(server, ada)) {
            ok(soft, "own", ws.request("type", "subscribe", "topic", "notifications/" + ada));
            forbidden(soft, "another user's", ws.request("type", "subscribe", "topic", "notifications/" + bob));
            forbidden(soft, "publish to own", ws.request("type", "publish", "topic", "notifications/" + ada,
                    "event", "m"));
            forbidden(soft, "publish to another's", ws.request("type", "publish", "topic", "notifications/" + bob,
                    "event", "m"));
            forbidden(soft, "another user's history", ws.request("type", "history", "topic", "notifications/" + bob));
            ok(soft, "own history", ws.request("type", "history", "topic", "notifications/" + ada));

            server.rest(200, "POST", "/v1/publish", Json.object("topic", "notifications/" + ada, "event", "ping",
                    "data", Map.of("for", ada)));
            soft.assertThat(ws.await(f -> f.path("type").asText().equals("event")).path("event").asText())
                    .isEqualTo("ping");
        }
        soft.assertThat(status("POST", "/v1/publish", Json.object("topic", "notifications/" + ada, "event", "m"),
                Policy.as(ada))).isEqualTo(403);
        try (SseTestClient sse = Policy.sse(server, ada, "topic=notifications/" + bob)) {
            soft.assertThat(sse.status()).isEqualTo(403);
        }
        try (SseTestClient sse = Policy.sse(server, ada, "topic=notifications/" + ada)) {
            soft.assertThat(sse.status()).isEqualTo(200);
        }
        soft.assertAll();
    }

    @Test
    void anonymousCallersAreRefusedWhereTheRuleSaysUserAndServedWhereItSaysAnon() {
        SoftAssertions soft = new SoftAssertions();
        try (WsTestClient anon = WsTestClient.connect(server.ws())) {
            forbidden(soft, "chat subscribe", anon.request("type", "subscribe", "topic", "chat/general"));
            forbidden(soft, "chat publish", anon.request("type", "publish", "topic", "chat/general", "event", "m"));
            forbidden(soft, "chat history", anon.request("type", "history", "topic", "chat/general"));
            forbidden(soft, "chat track", anon.request("type", "track", "topic", "chat/general", "state", Map.of()));
            ok(soft, "lobby subscribe", anon.request("type", "subscribe", "topic", "lobby/main"));
            ok(soft, "lobby history", anon.request("type", "history", "topic", "lobby/main"));
            forbidden(soft, "lobby track (user)", anon.request("type", "track", "topic", "lobby/main",
                    "state", Map.of()));
            forbidden(soft, "lobby publish (not named)", anon.request("type", "publish", "topic", "lobby/main",
                    "event", "m"));
        }
        try (WsTestClient user = Policy.ws(server, server.uniqueName("ada"))) {
            ok(soft, "a user tracks in the lobby", user.request("type", "track", "topic", "lobby/main",
                    "state", Map.of("n", 1)));
            forbidden(soft, "a user publishes in the lobby (not named)", user.request("type", "publish",
                    "topic", "lobby/main", "event", "m"));
        }
        soft.assertThat(status("GET", "/v1/history?topic=lobby/main", null, Map.of())).isEqualTo(200);
        soft.assertThat(status("GET", "/v1/presence?topic=lobby/main", null, Map.of())).isEqualTo(403);
        soft.assertThat(status("GET", "/v1/history?topic=chat/general", null, Map.of())).isEqualTo(403);
        try (SseTestClient sse = SseTestClient.connect(server.sse("topic=lobby/main"))) {
            soft.assertThat(sse.status()).isEqualTo(200);
        }
        try (SseTestClient sse = SseTestClient.connect(server.sse("topic=chat/general"))) {
            soft.assertThat(sse.status()).isEqualTo(403);
        }
        soft.assertAll();
    }

    @Test
    void aRefusalReadsTheSameWhetherOrNotTheChannelHasMessagesOrMembers() {
        server.rest(200, "POST", "/v1/publish", Json.object("topic", "secret/busy", "event", "m", "persist", true));
        try (WsTestClient member = WsTestClient.connect(java.net.URI.create(server.ws() + "?apikey="
                + Jwts.SERVICE_KEY))) {
            member.requestOk("type", "track", "topic", "secret/busy", "state", Map.of());
            Map<String, String> asAda = Policy.as(server.uniqueName("ada"));
            for (String endpoint : new String[] {"/v1/history?topic=", "/v1/presence?topic="}) {
                HttpResponse<String> busy = server.request("GET", endpoint + "secret/busy", null, asAda);
                HttpResponse<String> empty = server.request("GET", endpoint + "secret/empty", null, asAda);
                assertThat(busy.statusCode()).isEqualTo(403);
                assertThat(busy.body()).isEqualTo(empty.body());
            }
        }
    }
}
