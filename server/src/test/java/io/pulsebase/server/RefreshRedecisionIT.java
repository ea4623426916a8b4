package io.pulsebase.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.pulsebase.testkit.client.Json;
import io.pulsebase.testkit.client.WsTestClient;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * An {@code auth} refresh decides the connection's subscriptions again for the new token's claims: a table whose
 * policy now binds differently is re-snapshotted under the new policy, one that binds the same continues untouched,
 * and a channel subscription or presence the rules no longer allow ends with an error frame naming it.
 */
class RefreshRedecisionIT {
    private static final String POLICIES = """
            {"tables": {"docs": {"select": "team IN auth.teams"}},
             "channels": [{"pattern": "team/{auth.team}", "subscribe": "user", "presence": "user"}]}""";

    @RegisterExtension
    static final TestServer server = TestServer.perClass(c -> c.withAuth(Jwts.config())
                    .withPolicies(Policy.of(POLICIES)))
            .helpersAuthorizedWith(Jwts.SERVICE_KEY);

    @BeforeAll
    static void tables() {
        server.sql("CREATE TABLE docs (id INTEGER PRIMARY KEY, team TEXT, title TEXT)");
    }

    private static String token(String sub, String team) {
        return Jwts.user(sub, c -> c.claim("teams", List.of(team)).claim("team", team));
    }

    private static WsTestClient connect(String token) {
        return WsTestClient.connect(URI.create(server.ws() + "?token=" + token));
    }

    private static void doc(String team, String title) {
        server.insert("docs", "team", team, "title", title);
    }

    private static boolean received(WsTestClient ws, String text) {
        return ws.messages().stream().anyMatch(m -> m.contains(text));
    }

    @Test
    void aTableWhosePolicyBindsDifferentlyIsResnapshottedUnderTheNewClaims() {
        String ada = server.uniqueName("ada");
        String red = server.uniqueName("red");
        String blue = server.uniqueName("blue");
        doc(red, "red before");
        doc(blue, "blue before");
        try (WsTestClient ws = connect(token(ada, red))) {
            ws.subscribe("topic", "docs", "filter", "id > 0");
            doc(red, "red live");
            assertThat(ws.awaitChange("docs").toString()).contains("red live");

            ws.requestOk("type", "auth", "token", token(ada, blue));
            await().atMost(Duration.ofSeconds(10)).until(() -> received(ws, "\"snapshot\""));
            JsonNode snapshot = ws.messages().stream().map(Json::read)
                    .filter(f -> f.path("type").asText().equals("snapshot")).findFirst().orElseThrow();
            assertThat(snapshot.path("topic").asText()).isEqualTo("docs");
            assertThat(snapshot.path("rows").findValuesAsText("title")).contains("blue before")
                    .noneMatch(t -> t.startsWith("red"));

            doc(red, "red after");
            doc(blue, "blue after");
            await().atMost(Duration.ofSeconds(10)).until(() -> received(ws, "blue after"));
            assertThat(ws.messages()).noneMatch(m -> m.contains("red after"));
        }
    }

    @Test
    void aRefreshThatBindsTheSameContinuesWithoutASnapshot() {
        String bob = server.uniqueName("bob");
        String green = server.uniqueName("green");
        try (WsTestClient ws = connect(token(bob, green))) {
            ws.subscribe("topic", "docs");
            ws.requestOk("type", "auth", "token", token(bob, green)); // a later token, the same claims that matter
            doc(green, "green after refresh");
            await().atMost(Duration.ofSeconds(10)).until(() -> received(ws, "green after refresh"));
            assertThat(ws.messages()).noneMatch(m -> m.contains("\"snapshot\"") || m.contains("\"error\""));
        }
    }

    @Test
    void aChannelTheRulesNoLongerAllowEndsWithAnErrorAndPresenceLeaves() {
        String cy = server.uniqueName("cy");
        String red = server.uniqueName("red");
        String blue = server.uniqueName("blue");
        String topic = "team/" + red;
        try (WsTestClient observer = WsTestClient.connect(URI.create(server.ws() + "?apikey=" + Jwts.SERVICE_KEY));
             WsTestClient ws = connect(token(cy, red))) {
            observer.subscribe("topic", topic);
            ws.subscribe("topic", topic);
            ws.requestOk("type", "track", "topic", topic, "state", Map.of("name", "cy"));
            await().atMost(Duration.ofSeconds(10)).until(() -> received(observer, "\"join\""));

            ws.requestOk("type", "auth", "token", token(cy, blue));
            await().atMost(Duration.ofSeconds(10)).until(() -> ws.messages().stream().map(Json::read)
                    .anyMatch(f -> f.path("type").asText().equals("error")
                            && f.path("message").asText().contains("'" + topic + "'")));
            await().atMost(Duration.ofSeconds(10)).until(() -> received(observer, "\"leave\""));

            server.request("POST", "/v1/publish", Json.object("topic", topic, "event", "m", "data", "after"));
            await().atMost(Duration.ofSeconds(10)).until(() -> received(observer, "\"after\""));
            assertThat(ws.messages()).noneMatch(m -> m.contains("\"after\""));
            assertThat(ws.isOpen()).isTrue();
            ws.requestOk("type", "ping");
        }
    }
}
