package io.pulsebase.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.pulsebase.core.auth.AuthConfig;
import io.pulsebase.testkit.client.Json;
import io.pulsebase.testkit.client.SseTestClient;
import io.pulsebase.testkit.client.WsTestClient;
import java.net.URI;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A server that admits anonymous callers ({@code --auth-no-credentials anon}): callers without credentials, and
 * with the public key, use channels; tables and {@code /v1/sql} stay closed to them; credentials that are present
 * are still verified, so a bad token is refused rather than served as anonymous.
 */
class AuthAnonymousIT {
    @RegisterExtension
    static final TestServer server = TestServer.perClass(c -> c.withAuth(
                    Jwts.builder().noCredentials(AuthConfig.NoCredentials.ANON).build()))
            .helpersAuthorizedWith(Jwts.SERVICE_KEY);

    @Test
    void anonymousCallersUseChannelsButNotTables() {
        try (WsTestClient nobody = WsTestClient.connect(server.ws());
             WsTestClient anon = WsTestClient.connect(URI.create(server.ws() + "?apikey=" + Jwts.ANON_KEY))) {
            nobody.subscribe("topic", "chat/open");
            anon.requestOk("type", "track", "topic", "chat/open", "state", Map.of("n", "anon"));
            anon.requestOk("type", "publish", "topic", "chat/open", "event", "hi", "data", 1);
            assertThat(nobody.await(f -> f.path("event").asText().equals("hi"))).isNotNull();
            assertThat(nobody.request("type", "subscribe", "topic", "some_table").path("error").path("code").asText())
                    .isEqualTo("forbidden");
        }
        assertThat(server.request("GET", "/v1/presence?topic=chat/open", null, Map.of()).statusCode()).isEqualTo(200);
        assertThat(server.request("POST", "/v1/sql", Json.object("sql", "SELECT 1"), Map.of()).statusCode())
                .isEqualTo(403);
        try (SseTestClient sse = SseTestClient.connect(server.sse("topic=chat/open"))) {
            assertThat(sse.status()).isEqualTo(200);
        }
    }

    @Test
    void presentCredentialsAreStillVerified() {
        try (WsTestClient ws = WsTestClient.connect(URI.create(server.ws() + "?token=" + Jwts.badlySigned("u1")))) {
            assertThat(ws.awaitClose(Duration.ofSeconds(15))).isEqualTo(4004);
        }
        try (WsTestClient ws = WsTestClient.connect(URI.create(server.ws() + "?token=" + Jwts.expired("u1")))) {
            assertThat(ws.awaitClose(Duration.ofSeconds(15))).isEqualTo(4003);
        }
        assertThat(server.request("GET", "/v1/presence?topic=chat/open", null,
                Map.of("Authorization", "Bearer " + Jwts.unsigned("u1"))).statusCode()).isEqualTo(401);
    }
}
