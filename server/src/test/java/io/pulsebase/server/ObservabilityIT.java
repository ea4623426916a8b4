package io.pulsebase.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.pulsebase.testkit.client.Json;
import io.pulsebase.testkit.client.SseTestClient;
import io.pulsebase.testkit.client.WsTestClient;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * {@code /health} and {@code /metrics} on a real server: the documented meters exist in Prometheus text format
 * and move with what happens (sessions, subscriptions, connections, captured entries, delivered changes).
 */
class ObservabilityIT {
    private static final Duration WAIT = Duration.ofSeconds(10);

    @RegisterExtension
    static final TestServer server = TestServer.perClass();

    @BeforeAll
    static void createTables() {
        server.sql("CREATE TABLE obs (id INTEGER PRIMARY KEY, v INTEGER)");
    }

    private static String scrape() {
        HttpResponse<String> r = server.request("GET", "/metrics", null);
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.headers().firstValue("content-type").orElse("")).startsWith("text/plain");
        return r.body();
    }

    /** The value of the first sample whose name (and labels) start with {@code series}, or NaN when none. */
    static double sample(String text, String series) {
        for (String line : text.split("\n")) {
            if (line.startsWith("#")) {
                continue;
            }
            boolean match = line.startsWith(series + " ") || (!series.contains("{") && line.startsWith(series + "{"));
            if (match) {
                String[] parts = line.trim().split(" ");
                return Double.parseDouble(parts[parts.length - 1]);
            }
        }
        return Double.NaN;
    }

    private static double metric(String series) {
        return sample(scrape(), series);
    }

    @Test
    void healthIsOkWhileCaptureRuns() {
        HttpResponse<String> r = server.request("GET", "/health", null);
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(Json.read(r.body())).isEqualTo(Json.read("{\"status\":\"ok\"}"));
    }

    @Test
    void channelMetersCountPublishesPresenceAndDeliveries() {
        String topic = server.uniqueName("metrics/");
        String before = scrape();
        double published = sample(before, "pulsebase_channel_messages_published_total");
        double persisted = sample(before, "pulsebase_channel_messages_persisted_total");
        double duplicates = sample(before, "pulsebase_channel_messages_duplicate_total");
        double presence = sample(before, "pulsebase_presence_changes_total");
        double frames = sample(before, "pulsebase_channel_frames_delivered_total");
        try (WsTestClient client = WsTestClient.connect(server.ws())) {
            client.subscribe("topic", topic);
            assertThat(sample(scrape(), "pulsebase_channels")).isGreaterThanOrEqualTo(1);
            client.requestOk("type", "publish", "topic", topic, "event", "e", "data", 1);
            client.requestOk("type", "publish", "topic", topic, "event", "e", "data", 2, "persist", true, "id", "x");
            client.requestOk("type", "publish", "topic", topic, "event", "e", "data", 2, "persist", true, "id", "x");
            client.requestOk("type", "track", "topic", topic);
            await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
                String after = scrape();
                assertThat(sample(after, "pulsebase_channel_messages_published_total")).isEqualTo(published + 2);
                assertThat(sample(after, "pulsebase_channel_messages_persisted_total")).isEqualTo(persisted + 1);
                assertThat(sample(after, "pulsebase_channel_messages_duplicate_total")).isEqualTo(duplicates + 1);
                assertThat(sample(after, "pulsebase_presence_changes_total")).isEqualTo(presence + 1);
                // two events and the join reached this subscriber
                assertThat(sample(after, "pulsebase_channel_frames_delivered_total")).isGreaterThanOrEqualTo(frames + 3);
            });
        }
    }

    @Test
    void namedErrorsAreCountedByCodeOnEveryTransport() {
        String before = scrape();
        double unknownType = sample(before, "pulsebase_errors_total{code=\"unknown_type\"}");
        double notFound = sample(before, "pulsebase_errors_total{code=\"not_found\"}");
        double tooLarge = sample(before, "pulsebase_errors_total{code=\"too_large\"}");
        try (WsTestClient client = WsTestClient.connect(server.ws())) {
            assertThat(client.request("type", "no_such_type").path("ok").asBoolean()).isFalse();
        }
        assertThat(server.request("GET", "/v1/no/such/endpoint", null).statusCode()).isEqualTo(404);
        try (WsTestClient client = WsTestClient.connect(server.ws())) {
            client.sendRaw("\"" + "x".repeat(200 * 1024) + "\""); // over the 128 KiB frame limit: close 1009
            assertThat(client.awaitClose(WAIT)).isEqualTo(1009);
        }
        await().atMost(WAIT).untilAsserted(() -> {
            String after = scrape();
            assertThat(orZero(sample(after, "pulsebase_errors_total{code=\"unknown_type\"}")))
                    .isEqualTo(orZero(unknownType) + 1);
            assertThat(orZero(sample(after, "pulsebase_errors_total{code=\"not_found\"}")))
                    .isEqualTo(orZero(notFound) + 1);
            assertThat(orZero(sample(after, "pulsebase_errors_total{code=\"too_large\"}")))
                    .isEqualTo(orZero(tooLarge) + 1);
        });
    }

    /** A counter created on first use is absent (NaN) before it. */
    private static double orZero(double sample) {
        return Double.isNaN(sample) ? 0 : sample;
    }

    @Test
    void metricsArePrometheusTextWithTheDocumentedMeters() {
        String text = scrape();
        for (String name : List.of("pulsebase_sessions", "pulsebase_subscriptions", "pulsebase_log_entries_captured_total",
                "pulsebase_changes_delivered_total", "pulsebase_slow_consumer_disconnects_total",
                "pulsebase_capture_lag_seconds", "pulsebase_connections", "pulsebase_channels", "pulsebase_log_head",
                "pulsebase_capture_position", "pulsebase_channel_messages_published_total",
                "pulsebase_channel_messages_persisted_total", "pulsebase_channel_messages_duplicate_total",
                "pulsebase_channel_frames_delivered_total", "pulsebase_presence_changes_total")) {
            assertThat(text).as("meter %s", name).containsPattern("(?m)^" + name + "[ {]");
            assertThat(text).as("TYPE line of %s", name).containsPattern("(?m)^# TYPE " + name + " (gauge|counter)");
        }
        assertThat(text).contains("pulsebase_connections{transport=\"websocket\"}");
        assertThat(text).contains("pulsebase_connections{transport=\"sse\"}");
        assertThat(sample(text, "pulsebase_slow_consumer_disconnects_total")).isZero();
        assertThat(sample(text, "pulsebase_capture_lag_seconds")).isGreaterThanOrEqualTo(0);
    }

    @Test
    void subscriptionSessionAndConnectionGaugesFollowTheClients() {
        await().atMost(WAIT).until(() -> metric("pulsebase_subscriptions") == 0 && metric("pulsebase_sessions") == 0);
        try (WsTestClient client = WsTestClient.connect(server.ws())) {
            client.requestOk("type", "ping");
            assertThat(metric("pulsebase_sessions")).isEqualTo(1);
            assertThat(metric("pulsebase_connections{transport=\"websocket\"}")).isEqualTo(1);
            assertThat(metric("pulsebase_subscriptions")).isZero();

            client.subscribe("topic", "obs");
            assertThat(metric("pulsebase_subscriptions")).isEqualTo(1);
            client.subscribe("topic", "obs", "filter", "v > 1");   // replaces: still one
            assertThat(metric("pulsebase_subscriptions")).isEqualTo(1);
            client.requestOk("type", "unsubscribe", "topic", "obs");
            assertThat(metric("pulsebase_subscriptions")).isZero();

            client.subscribe("topic", "obs");
            assertThat(metric("pulsebase_subscriptions")).isEqualTo(1);
        }
        // a closed connection gives back its session and subscriptions
        await().atMost(WAIT).untilAsserted(() -> {
            String text = scrape();
            assertThat(sample(text, "pulsebase_subscriptions")).isZero();
            assertThat(sample(text, "pulsebase_sessions")).isZero();
            assertThat(sample(text, "pulsebase_connections{transport=\"websocket\"}")).isZero();
        });
    }

    @Test
    void capturedAndDeliveredCountersGrowWithWrites() {
        try (WsTestClient client = WsTestClient.connect(server.ws())) {
            client.subscribe("topic", "obs");
            String before = scrape();
            double captured = sample(before, "pulsebase_log_entries_captured_total");
            double delivered = sample(before, "pulsebase_changes_delivered_total");
            server.sql("INSERT INTO obs (v) VALUES (1)");
            server.sql("INSERT INTO obs (v) VALUES (2), (3)");
            server.sql("UPDATE obs SET v = v + 1");
            for (int i = 0; i < 3; i++) {
                JsonNode f = client.awaitChange("obs");
                assertThat(f.path("changes").size()).isPositive();
            }
            await().atMost(WAIT).untilAsserted(() -> {
                String after = scrape();
                assertThat(sample(after, "pulsebase_log_entries_captured_total")).isGreaterThanOrEqualTo(captured + 3);
                assertThat(sample(after, "pulsebase_changes_delivered_total")).isGreaterThanOrEqualTo(delivered + 3);
            });
        }
    }

    @Test
    void sseConnectionsAreCounted() {
        try (SseTestClient stream = SseTestClient.connect(server.sse("topic=obs"))) {
            assertThat(stream.status()).isEqualTo(200);
            await().atMost(WAIT).until(() -> metric("pulsebase_connections{transport=\"sse\"}") == 1);
        }
        await().atMost(WAIT).until(() -> metric("pulsebase_connections{transport=\"sse\"}") == 0);
    }
}
