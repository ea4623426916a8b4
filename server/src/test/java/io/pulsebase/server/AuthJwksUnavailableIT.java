package io.pulsebase.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.pulsebase.core.auth.AuthConfig;
import io.pulsebase.testkit.client.Json;
import io.pulsebase.testkit.client.SseTestClient;
import io.pulsebase.testkit.client.WsTestClient;
import java.net.URI;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * When the identity provider's key set cannot be fetched, a token that needs it is not refused as bad: REST and
 * SSE answer {@code 503 unavailable}, a WebSocket closes with 4008 (reconnect later).
 */
class AuthJwksUnavailableIT {
    @RegisterExtension
    static final TestServer server = TestServer.perClass(c -> c.withAuth(AuthConfig.builder()
            .jwksUrl(Jwts.unreachableJwks())
            .jwksTimeout(Duration.ofSeconds(1))
            .build()));

    @Test
    void aTokenThatNeedsTheUnreachableKeySetIsAnsweredUnavailable() {
        String token = Jwts.rs256("kid-1", "u1");
        HttpResponse<String> rest = server.request("GET", "/v1/presence?topic=chat/j", null,
                Map.of("Authorization", "Bearer " + token));
        assertThat(rest.statusCode()).isEqualTo(503);
        assertThat(Json.read(rest.body()).path("error").path("code").asText()).isEqualTo("unavailable");
        try (SseTestClient sse = SseTestClient.connect(server.sse("topic=chat/j&token=" + token))) {
            assertThat(sse.status()).isEqualTo(503);
        }
        try (WsTestClient ws = WsTestClient.connect(URI.create(server.ws() + "?token=" + token))) {
            assertThat(ws.awaitType("error").path("code").asText()).isEqualTo("unavailable");
            assertThat(ws.awaitClose(Duration.ofSeconds(15))).isEqualTo(4008);
            assertThat(ws.closeReason()).startsWith("unavailable: ");
        }
    }
}
