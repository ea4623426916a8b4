package io.pulsebase.core.hooks;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.pulsebase.core.auth.Identity;
import io.pulsebase.core.auth.Role;
import io.pulsebase.protocol.ErrorCode;
import io.pulsebase.protocol.ProtocolException;
import io.pulsebase.protocol.RawJson;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The webhook against a real HTTP endpoint on loopback. */
class WebhookHookTest {
    private static final String SECRET = "webhook-secret-of-at-least-32-bytes!!";
    private static final Identity ADA = new Identity("default", "ada", Role.USER, Map.of("sub", "ada", "secret", "x"),
            null);
    private static final ObjectMapper JSON = new ObjectMapper();

    /** One request as the endpoint saw it. */
    record Received(Map<String, List<String>> headers, byte[] body) {
        String header(String name) {
            return headers.entrySet().stream().filter(e -> e.getKey().equalsIgnoreCase(name))
                    .map(e -> e.getValue().get(0)).findFirst().orElse(null);
        }
    }

    private HttpServer server;
    private final LinkedBlockingQueue<Received> received = new LinkedBlockingQueue<>();

    /** An endpoint answering with {@code answer(body)} = status and body (and sleeping when status is 0). */
    private URI endpoint(Function<byte[], Map.Entry<Integer, String>> answer) throws IOException {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/hook", (HttpExchange ex) -> {
            byte[] body = ex.getRequestBody().readAllBytes();
            received.add(new Received(ex.getRequestHeaders(), body));
            Map.Entry<Integer, String> a = answer.apply(body);
            if (a.getKey() == 0) {
                try {
                    Thread.sleep(2000);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                ex.close();
                return;
            }
            byte[] out = a.getValue().getBytes(StandardCharsets.UTF_8);
            ex.sendResponseHeaders(a.getKey(), out.length == 0 ? -1 : out.length);
            if (out.length > 0) {
                ex.getResponseBody().write(out);
            }
            ex.close();
        });
        server.start();
        return URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/hook");
    }

    @AfterEach
    void stop() {
        if (server != null) {
            server.stop(0);
        }
    }

    private static WebhookHook hook(URI url, Set<String> events, boolean failOpen) {
        return new WebhookHook(url, SECRET, events, Duration.ofMillis(500), failOpen, Clock.systemUTC());
    }

    private static HookEvent message() {
        return new HookEvent.Message("s-1", ADA, "chat/a", "m", RawJson.of(JSON, Map.of("text", "hi")), true);
    }

    @Test
    void theRequestIsSignedOverTimestampAndBodyAndCarriesTheEvent() throws Exception {
        WebhookHook hook = hook(endpoint(b -> Map.entry(204, "")), Set.of(), false);
        Hooks.of(List.of(hook)).run(message());

        Received r = received.poll(5, TimeUnit.SECONDS);
        assertThat(r).isNotNull();
        assertThat(r.header("X-Pulsebase-Event")).isEqualTo("message");
        String timestamp = r.header("X-Pulsebase-Timestamp");
        Mac mac = Mac.getInstance("HmacSHA256");
        mac.init(new SecretKeySpec(SECRET.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
        mac.update((timestamp + ".").getBytes(StandardCharsets.US_ASCII));
        String expected = java.util.HexFormat.of().formatHex(mac.doFinal(r.body()));
        assertThat(r.header("X-Pulsebase-Signature")).isEqualTo("v1=" + expected);
        assertThat(Math.abs(Long.parseLong(timestamp) - System.currentTimeMillis() / 1000)).isLessThan(60);

        JsonNode body = JSON.readTree(r.body());
        assertThat(body.path("type").asText()).isEqualTo("message");
        assertThat(body.path("connectionId").asText()).isEqualTo("s-1");
        assertThat(body.path("caller").path("subject").asText()).isEqualTo("ada");
        assertThat(body.path("caller").path("role").asText()).isEqualTo("user");
        assertThat(body.path("topic").asText()).isEqualTo("chat/a");
        assertThat(body.path("data").path("text").asText()).isEqualTo("hi");
        assertThat(body.path("persist").asBoolean()).isTrue();
        assertThat(new String(r.body(), StandardCharsets.UTF_8)).as("claims are not sent").doesNotContain("secret");
    }

    @Test
    void anAnswerWithAllowFalseRejectsWithItsReason() throws Exception {
        WebhookHook hook = hook(endpoint(b -> Map.entry(200, "{\"allow\":false,\"reason\":\"muted for spam\"}")),
                Set.of(), false);
        assertThatThrownBy(() -> Hooks.of(List.of(hook)).run(message()))
                .isInstanceOfSatisfying(ProtocolException.class, e -> {
                    assertThat(e.code()).isEqualTo(ErrorCode.REJECTED);
                    assertThat(e.getMessage()).isEqualTo("muted for spam");
                });
        assertThat(WebhookHook.verdict("{\"allow\":true}".getBytes(StandardCharsets.UTF_8)).allowed()).isTrue();
        assertThat(WebhookHook.verdict("ok".getBytes(StandardCharsets.UTF_8)).allowed()).isTrue();
        assertThat(WebhookHook.verdict(("{\"allow\":false,\"reason\":\"" + "x".repeat(500) + "\"}")
                .getBytes(StandardCharsets.UTF_8)).reason()).hasSize(WebhookHook.MAX_REASON);
    }

    @Test
    void anErrorStatusOrATimeoutRejectsUnlessTheHookFailsOpen() throws Exception {
        URI failing = endpoint(b -> Map.entry(500, "oops"));
        assertThatThrownBy(() -> Hooks.of(List.of(hook(failing, Set.of(), false))).run(message()))
                .isInstanceOfSatisfying(ProtocolException.class, e -> {
                    assertThat(e.code()).isEqualTo(ErrorCode.REJECTED);
                    assertThat(e.getMessage()).contains("unavailable");
                });
        Hooks.of(List.of(hook(failing, Set.of(), true))).run(message());
        stop();

        URI slow = endpoint(b -> Map.entry(0, ""));
        long start = System.nanoTime();
        assertThatThrownBy(() -> Hooks.of(List.of(hook(slow, Set.of(), false))).run(message()))
                .isInstanceOf(ProtocolException.class);
        assertThat(Duration.ofNanos(System.nanoTime() - start)).as("bounded by the timeout").isLessThan(Duration.ofSeconds(2));
    }

    @Test
    void eventsAfterTheFactAreSentWithoutWaitingAndOnlyWantedEventsAreSent() throws Exception {
        WebhookHook hook = hook(endpoint(b -> Map.entry(500, "")), Set.of("disconnect"), false);
        Hooks hooks = Hooks.of(List.of(hook));
        hooks.run(message()); // not wanted: nothing sent, nothing rejected
        hooks.run(new HookEvent.Disconnect("s-1", ADA, 1001)); // an error answer changes nothing
        Received r = received.poll(5, TimeUnit.SECONDS);
        assertThat(r).isNotNull();
        assertThat(JSON.readTree(r.body()).path("closeCode").asInt()).isEqualTo(1001);
        assertThat(received.poll(300, TimeUnit.MILLISECONDS)).isNull();
    }

    @Test
    void badSettingsAreRefusedWithoutEchoingTheSecret() {
        URI url = URI.create("http://127.0.0.1:1/hook");
        assertThatThrownBy(() -> new WebhookHook(url, "short", Set.of(), Duration.ofSeconds(1), false, Clock.systemUTC()))
                .hasMessageContaining("at least 32 bytes").hasMessageNotContaining("short");
        assertThatThrownBy(() -> new WebhookHook(url, SECRET, Set.of("publish"), Duration.ofSeconds(1), false,
                Clock.systemUTC())).hasMessageContaining("unknown event 'publish'");
        assertThatThrownBy(() -> new WebhookHook(URI.create("ftp://x/"), SECRET, Set.of(), Duration.ofSeconds(1), false,
                Clock.systemUTC())).hasMessageContaining("http or https");
        assertThat(hook(url, Set.of(), false).toString()).doesNotContain(SECRET);
    }
}
