package io.pulsebase.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.sun.net.httpserver.HttpServer;
import io.pulsebase.core.hooks.Hooks;
import io.pulsebase.core.hooks.WebhookHook;
import io.pulsebase.testkit.client.Json;
import io.pulsebase.testkit.client.WsTestClient;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Clock;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** A webhook on a real server: it sees signed events and its answer decides a publish. */
class WebhookIT {
    private static final String SECRET = "an-it-webhook-secret-of-32-bytes-or-more";
    /** Event types the receiver got whose signature verified. */
    static final List<String> VERIFIED = new CopyOnWriteArrayList<>();
    static final HttpServer RECEIVER = receiver();

    private static HttpServer receiver() {
        try {
            HttpServer http = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
            http.createContext("/hook", ex -> {
                byte[] body = ex.getRequestBody().readAllBytes();
                String timestamp = ex.getRequestHeaders().getFirst("X-Pulsebase-Timestamp");
                String signature = ex.getRequestHeaders().getFirst("X-Pulsebase-Signature");
                JsonNode event = Json.read(new String(body, StandardCharsets.UTF_8));
                if (MessageDigest.isEqual(("v1=" + sign(timestamp, body)).getBytes(StandardCharsets.US_ASCII),
                        String.valueOf(signature).getBytes(StandardCharsets.US_ASCII))) {
                    VERIFIED.add(event.path("type").asText());
                }
                byte[] answer = "spam".equals(event.path("event").asText())
                        ? "{\"allow\":false,\"reason\":\"the webhook says no\"}".getBytes(StandardCharsets.UTF_8)
                        : new byte[0];
                ex.sendResponseHeaders(200, answer.length == 0 ? -1 : answer.length);
                if (answer.length > 0) {
                    ex.getResponseBody().write(answer);
                }
                ex.close();
            });
            http.start();
            return http;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String sign(String timestamp, byte[] body) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(SECRET.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
            mac.update((timestamp + ".").getBytes(StandardCharsets.US_ASCII));
            return HexFormat.of().formatHex(mac.doFinal(body));
        } catch (java.security.GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    @RegisterExtension
    static final TestServer server = TestServer.perClass(c -> c.withHooks(Hooks.of(List.of(new WebhookHook(
            URI.create("http://127.0.0.1:" + RECEIVER.getAddress().getPort() + "/hook"), SECRET, Set.of(),
            Duration.ofSeconds(2), false, Clock.systemUTC())))));

    @AfterAll
    static void stopReceiver() {
        RECEIVER.stop(0);
    }

    @Test
    void signedEventsReachTheWebhookAndItsAnswerDecidesAPublish() {
        try (WsTestClient ws = WsTestClient.connect(server.ws())) {
            ws.subscribe("topic", "chat/webhook");
            JsonNode refused = ws.request("type", "publish", "topic", "chat/webhook", "event", "spam", "data", 1);
            assertThat(refused.path("error").path("code").asText()).isEqualTo("rejected");
            assertThat(refused.path("error").path("message").asText()).isEqualTo("the webhook says no");
            ws.requestOk("type", "publish", "topic", "chat/webhook", "event", "hello", "data", Map.of("n", 1));
            // The publisher is subscribed: its own message comes back (possibly before the reply).
            await().atMost(Duration.ofSeconds(5)).until(() -> ws.messages().stream()
                    .anyMatch(m -> m.contains("\"type\":\"event\"") && m.contains("\"event\":\"hello\"")));
            assertThat(ws.messages()).noneMatch(m -> m.contains("\"type\":\"event\"") && m.contains("spam"));
        }
        await().atMost(Duration.ofSeconds(5)).until(() -> VERIFIED.containsAll(
                List.of("connect", "subscribe", "message", "disconnect")));
    }
}
