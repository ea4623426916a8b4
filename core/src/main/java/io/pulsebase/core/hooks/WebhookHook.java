package io.pulsebase.core.hooks;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.InvalidKeyException;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.time.Duration;
import java.util.HexFormat;
import java.util.Locale;
import java.util.Objects;
import java.util.Set;
import java.util.UUID;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A hook that POSTs each event as JSON to an HTTP endpoint, signed with HMAC-SHA256 so the receiver can tell it
 * came from this server and was not replayed.
 *
 * <p>The request: {@code Content-Type: application/json}; {@code X-Pulsebase-Event: <type>}; {@code
 * X-Pulsebase-Timestamp: <epoch seconds>}; {@code X-Pulsebase-Signature: v1=<hex>} where {@code <hex>} is
 * HMAC-SHA256 with the shared secret over {@code <timestamp>.<body bytes>}. A receiver recomputes it, compares in
 * constant time, and refuses timestamps more than a few minutes old. The body:
 * {@code {"id", "type", "timestamp", "connectionId", "caller": {"account", "subject", "role"}, ...}} plus
 * {@code transport}/{@code remoteAddress} (connect), {@code closeCode} (disconnect), {@code topic} and
 * {@code filter} (subscribe), {@code topic} (unsubscribe), {@code topic}, {@code event}, {@code data},
 * {@code persist} (message). Token claims are not sent.
 *
 * <p>The answer, for a connect, subscribe or message: a 2xx allows, unless its body is a JSON object with
 * {@code "allow": false} (and an optional {@code "reason"} shown to the client); any other status, a timeout or a
 * connection error rejects (fail closed) — or allows when {@code failOpen} is set. Disconnect and unsubscribe are
 * sent without waiting for the answer. Thread-safe.
 */
public final class WebhookHook implements Hook {
    private static final Logger log = LoggerFactory.getLogger(WebhookHook.class);
    private static final ObjectMapper JSON = new ObjectMapper();
    /** The longest reason taken from a webhook's answer. */
    static final int MAX_REASON = 200;

    private final URI url;
    private final byte[] secret;
    private final Set<String> events;
    private final Duration timeout;
    private final boolean failOpen;
    private final HttpClient http;
    private final Clock clock;

    /**
     * @param events   event types to send ({@code connect}, {@code disconnect}, {@code subscribe},
     *                 {@code unsubscribe}, {@code message}); empty means all
     * @param secret   the shared signing secret, at least 32 bytes
     * @param timeout  how long a rejectable event waits for the answer
     * @param failOpen whether an unreachable or failing webhook allows (default: it rejects)
     */
    public WebhookHook(URI url, String secret, Set<String> events, Duration timeout, boolean failOpen, Clock clock) {
        this.url = Objects.requireNonNull(url, "url");
        if (!"https".equals(url.getScheme()) && !"http".equals(url.getScheme())) {
            throw new IllegalArgumentException("webhook: the URL must be http or https");
        }
        if (secret == null || secret.getBytes(StandardCharsets.UTF_8).length < 32) {
            throw new IllegalArgumentException("webhook: the signing secret must be at least 32 bytes");
        }
        for (String e : events) {
            if (!Set.of("connect", "disconnect", "subscribe", "unsubscribe", "message").contains(e)) {
                throw new IllegalArgumentException("webhook: unknown event '" + e
                        + "' (connect, disconnect, subscribe, unsubscribe, message)");
            }
        }
        this.secret = secret.getBytes(StandardCharsets.UTF_8);
        this.events = Set.copyOf(events);
        this.timeout = timeout;
        this.failOpen = failOpen;
        this.clock = clock;
        this.http = HttpClient.newBuilder().connectTimeout(timeout).followRedirects(HttpClient.Redirect.NEVER).build();
    }

    @Override
    public boolean wants(HookEvent event) {
        return events.isEmpty() || events.contains(event.type());
    }

    @Override
    public HookVerdict on(HookEvent event) throws InterruptedException {
        long now = clock.instant().getEpochSecond();
        byte[] body = body(event, now);
        HttpRequest request = HttpRequest.newBuilder(url)
                .timeout(timeout)
                .header("Content-Type", "application/json")
                .header("X-Pulsebase-Event", event.type())
                .header("X-Pulsebase-Timestamp", Long.toString(now))
                .header("X-Pulsebase-Signature", "v1=" + signature(now, body))
                .POST(HttpRequest.BodyPublishers.ofByteArray(body))
                .build();
        if (!event.rejectable()) {
            http.sendAsync(request, HttpResponse.BodyHandlers.discarding()).whenComplete((r, e) -> {
                if (e != null || r.statusCode() / 100 != 2) {
                    log.warn("webhook did not accept an event url={} event={} status={}", url, event.type(),
                            e != null ? e.getClass().getSimpleName() : Integer.toString(r.statusCode()));
                }
            });
            return HookVerdict.allow();
        }
        HttpResponse<byte[]> response;
        try {
            response = http.send(request, HttpResponse.BodyHandlers.ofByteArray());
        } catch (IOException e) {
            log.warn("webhook unreachable url={} event={} error={}", url, event.type(), e.toString());
            return failOpen ? HookVerdict.allow() : HookVerdict.reject("a server hook is unavailable");
        }
        if (response.statusCode() / 100 != 2) {
            log.warn("webhook answered an error url={} event={} status={}", url, event.type(), response.statusCode());
            return failOpen ? HookVerdict.allow() : HookVerdict.reject("a server hook is unavailable");
        }
        return verdict(response.body());
    }

    /** A 2xx answer: allowed unless it says {@code "allow": false}. */
    static HookVerdict verdict(byte[] answer) {
        if (answer.length == 0) {
            return HookVerdict.allow();
        }
        JsonNode node;
        try {
            node = JSON.readTree(answer);
        } catch (IOException e) {
            return HookVerdict.allow(); // a 2xx with a body that is not JSON (e.g. "ok") allows
        }
        if (node != null && node.isObject() && node.path("allow").isBoolean() && !node.path("allow").asBoolean()) {
            String reason = node.path("reason").isTextual() ? node.path("reason").asText() : "rejected by a server hook";
            return HookVerdict.reject(reason.length() > MAX_REASON ? reason.substring(0, MAX_REASON) : reason);
        }
        return HookVerdict.allow();
    }

    /** Hex HMAC-SHA256 of {@code <timestamp>.<body>}. */
    String signature(long timestamp, byte[] body) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(secret, "HmacSHA256"));
            mac.update((timestamp + ".").getBytes(StandardCharsets.US_ASCII));
            return HexFormat.of().formatHex(mac.doFinal(body));
        } catch (NoSuchAlgorithmException | InvalidKeyException e) {
            throw new IllegalStateException("HmacSHA256 is not available", e);
        }
    }

    static byte[] body(HookEvent event, long timestamp) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(256);
        try (JsonGenerator g = JSON.createGenerator(out)) {
            g.writeStartObject();
            g.writeStringField("id", UUID.randomUUID().toString());
            g.writeStringField("type", event.type());
            g.writeNumberField("timestamp", timestamp);
            g.writeStringField("connectionId", event.connectionId());
            g.writeObjectFieldStart("caller");
            g.writeStringField("account", event.caller().account());
            g.writeStringField("subject", event.caller().subject());
            g.writeStringField("role", event.caller().role().name().toLowerCase(Locale.ROOT));
            g.writeEndObject();
            switch (event) {
                case HookEvent.Connect c -> {
                    g.writeStringField("transport", c.transport());
                    g.writeStringField("remoteAddress", c.remoteAddress());
                }
                case HookEvent.Disconnect d -> g.writeNumberField("closeCode", d.closeCode());
                case HookEvent.Subscribe s -> {
                    g.writeStringField("topic", s.topic());
                    g.writeStringField("filter", s.filter());
                }
                case HookEvent.Unsubscribe u -> g.writeStringField("topic", u.topic());
                case HookEvent.Message m -> {
                    g.writeStringField("topic", m.topic());
                    g.writeStringField("event", m.event());
                    g.writeFieldName("data");
                    g.writeRawValue(m.data() == null ? "null" : m.data().toString());
                    g.writeBooleanField("persist", m.persist());
                }
            }
            g.writeEndObject();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }

    @Override
    public String toString() {
        return "WebhookHook[" + url + ", events=" + (events.isEmpty() ? "all" : events) + "]"; // never the secret
    }
}
