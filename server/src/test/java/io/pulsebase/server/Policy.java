package io.pulsebase.server;

import io.pulsebase.core.policy.AccessPolicies;
import io.pulsebase.testkit.client.Json;
import io.pulsebase.testkit.client.SseTestClient;
import io.pulsebase.testkit.client.WsTestClient;
import java.net.URI;
import java.util.Map;

/** A policy file's text as the server reads it, and connections of users (signed tokens) for the policy tests. */
final class Policy {
    private Policy() {
    }

    /** Parses policy-file JSON exactly as {@code --policies} does. */
    static AccessPolicies of(String json) {
        return AccessPolicies.parse(Json.read(json));
    }

    /** A WebSocket of user {@code sub}. */
    static WsTestClient ws(TestServer server, String sub) {
        return WsTestClient.connect(URI.create(server.ws() + "?token=" + Jwts.user(sub)));
    }

    /** An SSE stream of user {@code sub} with this query (topics and options). */
    static SseTestClient sse(TestServer server, String sub, String query) {
        return SseTestClient.connect(server.sse(query + "&token=" + Jwts.user(sub)));
    }

    /** Headers of a REST call as user {@code sub}. */
    static Map<String, String> as(String sub) {
        return Map.of("Authorization", "Bearer " + Jwts.user(sub));
    }
}
