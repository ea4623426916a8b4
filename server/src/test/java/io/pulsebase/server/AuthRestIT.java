package io.pulsebase.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.pulsebase.testkit.client.Json;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.assertj.core.api.SoftAssertions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Security over REST, every endpoint: refused credentials (none, expired, badly signed, {@code alg: none}, wrong
 * audience or issuer, an unknown API key) answer 401 / 403 with the named error body before the
 * request is looked at; user tokens reach channels only; the public key nothing (anonymous callers are not
 * admitted on this server); the service key everything; {@code /health} needs nothing.
 */
class AuthRestIT {
    @RegisterExtension
    static final TestServer server = TestServer.perClass(c -> c.withAuth(Jwts.config()))
            .helpersAuthorizedWith(Jwts.SERVICE_KEY);

    /** What an endpoint is open to on this server, which has no policy file. */
    enum Kind { SERVICE, TABLE, CHANNEL }

    record Endpoint(String method, String path, String body, Kind kind) {
        @Override
        public String toString() {
            return method + " " + path;
        }
    }

    /** Every REST endpoint but /health. Tables and rows need not exist: refusals come first. */
    static Stream<Endpoint> endpoints() {
        return Stream.of(
                new Endpoint("POST", "/v1/sql", Json.object("sql", "SELECT 1"), Kind.SERVICE),
                new Endpoint("GET", "/metrics", null, Kind.SERVICE),
                new Endpoint("GET", "/v1/tables/secret_table/rows", null, Kind.TABLE),
                new Endpoint("POST", "/v1/tables/secret_table/rows", Json.object("title", "x"), Kind.TABLE),
                new Endpoint("GET", "/v1/tables/secret_table/rows/1", null, Kind.TABLE),
                new Endpoint("PATCH", "/v1/tables/secret_table/rows/1", Json.object("title", "y"), Kind.TABLE),
                new Endpoint("DELETE", "/v1/tables/secret_table/rows/1", null, Kind.TABLE),
                new Endpoint("POST", "/v1/publish", Json.object("topic", "chat/rest", "event", "m", "data", 1),
                        Kind.CHANNEL),
                new Endpoint("GET", "/v1/history?topic=chat/rest", null, Kind.CHANNEL),
                new Endpoint("GET", "/v1/presence?topic=chat/rest", null, Kind.CHANNEL));
    }

    private record Refusal(String name, String token, Map<String, String> headers, String query, int status,
                           String code, String message) {
    }

    private static Refusal bearer(String name, String token, int status, String code, String message) {
        return new Refusal(name, token, Map.of("Authorization", "Bearer " + token), "", status, code, message);
    }

    private static List<Refusal> refusals() {
        String expired = Jwts.expired("u1");
        return List.of(
                new Refusal("no credentials", null, Map.of(), "", 401, "unauthorized", "credentials required"),
                bearer("expired token", expired, 401, "unauthorized", "token expired"),
                new Refusal("expired ?token=", expired, Map.of(), "token=" + expired, 401, "unauthorized",
                        "token expired"),
                bearer("badly signed token", Jwts.badlySigned("u1"), 401, "unauthorized", "signature"),
                bearer("alg none", Jwts.unsigned("u1"), 401, "unauthorized", "alg none"),
                bearer("wrong audience", Jwts.wrongAudience("u1"), 401, "unauthorized", "audience"),
                bearer("wrong issuer", Jwts.wrongIssuer("u1"), 401, "unauthorized", "issuer"),
                bearer("garbage token", "not.a.token", 401, "unauthorized", "malformed"),
                new Refusal("unknown API key", "an-api-key-nobody-configured", Map.of(),
                        "apikey=an-api-key-nobody-configured", 401, "unauthorized", "invalid API key"));
    }

    private static HttpResponse<String> call(Endpoint e, Map<String, String> headers, String query) {
        String path = query.isEmpty() ? e.path() : e.path() + (e.path().contains("?") ? "&" : "?") + query;
        return server.request(e.method(), path, e.body(), headers);
    }

    private static void assertError(SoftAssertions soft, String what, HttpResponse<String> r, int status, String code,
                                    String message, String secret) {
        soft.assertThat(r.statusCode()).as("%s: status (%s)", what, r.body()).isEqualTo(status);
        JsonNode error = Json.read(r.body()).path("error");
        soft.assertThat(error.path("code").asText()).as("%s: code", what).isEqualTo(code);
        soft.assertThat(error.path("message").asText()).as("%s: message", what).contains(message);
        if (secret != null) {
            soft.assertThat(r.body()).as("%s: no credential in the answer", what).doesNotContain(secret);
        }
        if (status == 401) {
            soft.assertThat(r.headers().firstValue("www-authenticate")).as("%s: www-authenticate", what).isPresent();
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("endpoints")
    void refusedCredentialsAreAnsweredWithTheNamedErrorBeforeTheRequestIsLookedAt(Endpoint e) {
        SoftAssertions soft = new SoftAssertions();
        for (Refusal r : refusals()) {
            assertError(soft, e + " with " + r.name(), call(e, r.headers(), r.query()), r.status(), r.code(),
                    r.message(), r.token());
        }
        soft.assertAll();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("endpoints")
    void aUserTokenReachesChannelsOnlyWhetherInTheHeaderOrInTheQuery(Endpoint e) {
        String token = Jwts.user("u1");
        SoftAssertions soft = new SoftAssertions();
        for (HttpResponse<String> r : List.of(call(e, Map.of("Authorization", "Bearer " + token), ""),
                call(e, Map.of(), "token=" + token))) {
            if (e.kind() == Kind.CHANNEL) {
                soft.assertThat(r.statusCode()).as("%s: %s", e, r.body()).isEqualTo(200);
            } else {
                assertError(soft, e.toString(), r, 403, "forbidden", "service", token);
            }
        }
        soft.assertAll();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("endpoints")
    void thePublicKeyAloneReachesNothingWhereAnonymousCallersAreNotAdmitted(Endpoint e) {
        SoftAssertions soft = new SoftAssertions();
        assertError(soft, e.toString(), call(e, Map.of(), "apikey=" + Jwts.ANON_KEY), 403, "forbidden",
                e.kind() == Kind.CHANNEL ? "anonymous" : "service", Jwts.ANON_KEY);
        soft.assertAll();
    }

    @Test
    void theServiceKeyReachesEveryEndpointInTheHeaderOrAsApikey() {
        String t = server.newTable("id INTEGER PRIMARY KEY, title TEXT");
        Map<String, String> header = Map.of("Authorization", "Bearer " + Jwts.SERVICE_KEY);
        assertThat(server.request("POST", "/v1/tables/" + t + "/rows", Json.object("title", "a"), header).statusCode())
                .isEqualTo(201);
        String q = "?apikey=" + Jwts.SERVICE_KEY;
        assertThat(server.request("GET", "/v1/tables/" + t + "/rows/1" + q, null, Map.of()).body()).contains("\"a\"");
        assertThat(server.request("PATCH", "/v1/tables/" + t + "/rows/1" + q, Json.object("title", "b"), Map.of())
                .statusCode()).isEqualTo(200);
        assertThat(server.request("GET", "/v1/tables/" + t + "/rows" + q, null, Map.of()).body()).contains("\"b\"");
        assertThat(server.request("DELETE", "/v1/tables/" + t + "/rows/1", null, header).statusCode()).isEqualTo(200);
        assertThat(server.request("POST", "/v1/sql" + q, Json.object("sql", "SELECT 1 AS one"), Map.of()).body())
                .contains("\"one\":1");
        assertThat(server.request("POST", "/v1/publish", Json.object("topic", "chat/svc", "event", "m", "persist", true),
                header).statusCode()).isEqualTo(200);
        assertThat(server.request("GET", "/v1/history?topic=chat/svc", null, header).body()).contains("\"m\"");
        assertThat(server.request("GET", "/v1/presence?topic=chat/svc", null, header).statusCode()).isEqualTo(200);
        server.request("GET", "/v1/presence?topic=chat/svc", null, Map.of()); // refused: counted
        assertThat(server.request("GET", "/metrics", null, header).body()).contains("pulsebase_sessions")
                .contains("pulsebase_auth_refusals_total{code=\"unauthorized\"");
    }

    @Test
    void healthNeedsNoCredentials() {
        assertThat(server.request("GET", "/health", null, Map.of()).statusCode()).isEqualTo(200);
    }

    @Test
    void twoDifferentApiKeysInOneRequestAreRefused() {
        HttpResponse<String> r = server.request("GET", "/v1/presence?topic=chat/x&apikey=" + Jwts.ANON_KEY, null,
                Map.of("Authorization", "Bearer " + Jwts.SERVICE_KEY));
        SoftAssertions soft = new SoftAssertions();
        assertError(soft, "two keys", r, 401, "unauthorized", "two different API keys", Jwts.SERVICE_KEY);
        soft.assertAll();
    }
}
