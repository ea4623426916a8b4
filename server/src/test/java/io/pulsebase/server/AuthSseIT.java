package io.pulsebase.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.pulsebase.testkit.client.Json;
import io.pulsebase.testkit.client.SseTestClient;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.assertj.core.api.SoftAssertions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Security on {@code /v1/realtime/sse}: refused credentials and forbidden topics are plain HTTP errors with the
 * named error body before the stream starts; admitted callers stream; a stream ends when its token expires.
 */
class AuthSseIT {
    @RegisterExtension
    static final TestServer server = TestServer.perClass(c -> c.withAuth(Jwts.config()))
            .helpersAuthorizedWith(Jwts.SERVICE_KEY);

    private record Refused(String name, String query, Map<String, String> headers, int status, String code,
                           String message) {
    }

    private static void assertRefused(SoftAssertions soft, Refused c) {
        try (SseTestClient sse = SseTestClient.connect(server.sse(c.query()), c.headers())) {
            soft.assertThat(sse.status()).as(c.name()).isEqualTo(c.status());
            soft.assertThat(sse.contentType()).as(c.name()).contains("application/json");
            JsonNode error = Json.read(sse.body()).path("error");
            soft.assertThat(error.path("code").asText()).as(c.name()).isEqualTo(c.code());
            soft.assertThat(error.path("message").asText()).as(c.name()).contains(c.message());
        }
    }

    @Test
    void refusedCredentialsAreAnHttpErrorBeforeTheStreamStarts() {
        String topic = "topic=chat/sse";
        SoftAssertions soft = new SoftAssertions();
        for (Refused c : List.of(
                new Refused("none", topic, Map.of(), 401, "unauthorized", "credentials required"),
                new Refused("expired", topic + "&token=" + Jwts.expired("u1"), Map.of(), 401, "unauthorized",
                        "token expired"),
                new Refused("badly signed", topic + "&token=" + Jwts.badlySigned("u1"), Map.of(), 401, "unauthorized",
                        "signature"),
                new Refused("alg none", topic + "&token=" + Jwts.unsigned("u1"), Map.of(), 401, "unauthorized",
                        "alg none"),
                new Refused("wrong audience", topic, Map.of("Authorization", "Bearer " + Jwts.wrongAudience("u1")),
                        401, "unauthorized", "audience"),
                new Refused("wrong issuer", topic + "&token=" + Jwts.wrongIssuer("u1"), Map.of(), 401, "unauthorized",
                        "issuer"),
                new Refused("public key on a channel", topic + "&apikey=" + Jwts.ANON_KEY, Map.of(), 403, "forbidden",
                        "anonymous"),
                new Refused("user on a table", "topic=no_such_table&token=" + Jwts.user("u1"), Map.of(), 403,
                        "forbidden", "service"),
                new Refused("user on a channel and a table", topic + "&topic=some_table&token=" + Jwts.user("u1"),
                        Map.of(), 403, "forbidden", "service"))) {
            assertRefused(soft, c);
        }
        soft.assertAll();
    }

    @Test
    void aUserStreamsAChannelWithTheTokenInTheQueryOrTheHeader() {
        try (SseTestClient query = SseTestClient.connect(server.sse("topic=chat/sse-ok&token=" + Jwts.user("u1")));
             SseTestClient header = SseTestClient.connect(server.sse("topic=chat/sse-ok"),
                     Map.of("Authorization", "Bearer " + Jwts.user("u2")))) {
            assertThat(query.status()).isEqualTo(200);
            assertThat(header.status()).isEqualTo(200);
            server.rest(200, "POST", "/v1/publish", Json.object("topic", "chat/sse-ok", "event", "hello", "data", 1));
            assertThat(query.await(e -> "event".equals(e.event())).json().path("event").asText()).isEqualTo("hello");
            assertThat(header.await(e -> "event".equals(e.event())).json().path("event").asText()).isEqualTo("hello");
        }
    }

    @Test
    void theServiceKeyStreamsATable() {
        String t = server.newTable("id INTEGER PRIMARY KEY, v TEXT");
        server.insert(t, "v", "a");
        try (SseTestClient sse = SseTestClient.connect(server.sse("topic=" + t + "&snapshot=true&apikey="
                + Jwts.SERVICE_KEY))) {
            assertThat(sse.status()).isEqualTo(200);
            assertThat(sse.nextEvent().json().path("rows").get(0).path("v").asText()).isEqualTo("a");
        }
    }

    @Test
    void aStreamEndsWhenItsTokenExpires() {
        try (SseTestClient sse = SseTestClient.connect(server.sse("topic=chat/sse-expiring&token="
                + Jwts.user("u1", Duration.ofSeconds(2))))) {
            assertThat(sse.status()).isEqualTo(200);
            SseTestClient.Event close = sse.await(e -> e.isComment() && e.comment().startsWith("close"),
                    Duration.ofSeconds(15));
            assertThat(close.comment()).isEqualTo("close unauthorized: token expired");
            assertThat(sse.awaitEnd(Duration.ofSeconds(10))).isTrue();
        }
    }
}
