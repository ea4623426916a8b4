package io.pulsebase.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.pulsebase.core.auth.ApiKey;
import io.pulsebase.core.auth.AuthConfig;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.Test;

/**
 * The Java client against a server with security on: a token that expires closes the connection with 4003, the
 * token supplier's fresh token reconnects it and the channel resumes with every persisted message once;
 * {@code setToken} refreshes an open connection; a forged token ends the client instead of a reconnect loop.
 */
class TokenIT {
    static final String SECRET = "a-java-client-test-secret-of-32-bytes+";
    private static final String SERVICE_KEY = "service-key-for-java-client-tests";

    private static RealServer securedServer() {
        return RealServer.start(c -> c.withAuth(AuthConfig.builder().hsSecret(SECRET).clockSkew(Duration.ZERO)
                .apiKey(ApiKey.service(AuthConfig.DEFAULT_ACCOUNT, SERVICE_KEY)).build()));
    }

    /** An HS256 JWT for {@code sub}, valid for {@code seconds}. */
    static String token(String sub, long seconds) {
        Base64.Encoder b64 = Base64.getUrlEncoder().withoutPadding();
        long now = Instant.now().getEpochSecond();
        String body = b64.encodeToString("{\"alg\":\"HS256\",\"typ\":\"JWT\"}".getBytes(StandardCharsets.UTF_8)) + "."
                + b64.encodeToString(("{\"sub\":\"" + sub + "\",\"iat\":" + now + ",\"exp\":" + (now + seconds) + "}")
                .getBytes(StandardCharsets.UTF_8));
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(SECRET.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
            return body + "." + b64.encodeToString(mac.doFinal(body.getBytes(StandardCharsets.US_ASCII)));
        } catch (java.security.GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    @Test
    void anExpiredTokenIsReplacedByTheSuppliersAndTheChannelResumesWithoutLoss() throws Exception {
        AtomicInteger supplied = new AtomicInteger();
        try (RealServer server = securedServer();
             PulsebaseClient user = PulsebaseClient.builder(server.base()).token(token("ada", 3))
                     .tokenSupplier(() -> {
                         supplied.incrementAndGet();
                         return token("ada", 600);
                     })
                     .reconnect(Duration.ofMillis(50), Duration.ofMillis(200)).build();
             PulsebaseClient backend = PulsebaseClient.builder(server.base()).apiKey(SERVICE_KEY).build()) {
            List<Object> got = new CopyOnWriteArrayList<>();
            user.channel("chat/token").on("message", e -> got.add(e.data())).subscribe().join();
            Channel out = backend.channel("chat/token");
            for (int i = 0; i < 40; i++) {
                out.publish("message", i, PublishOptions.persistent()).join();
                Thread.sleep(100);
            }
            await().atMost(Duration.ofSeconds(15)).until(() -> got.size() >= 40);
            assertThat(got).hasSize(40);
            for (int i = 0; i < 40; i++) {
                assertThat(got.get(i)).isEqualTo((long) i);
            }
            assertThat(supplied.get()).as("the supplier ran after the 4003 close").isEqualTo(1);
        }
    }

    @Test
    void setTokenRefreshesAnOpenConnectionPastTheFirstTokensExpiry() throws Exception {
        try (RealServer server = securedServer();
             PulsebaseClient user = PulsebaseClient.builder(server.base()).token(token("bob", 3)).build();
             PulsebaseClient backend = PulsebaseClient.builder(server.base()).apiKey(SERVICE_KEY).build()) {
            List<ConnectionStatus> statuses = new CopyOnWriteArrayList<>();
            user.onStatusChange(statuses::add);
            List<Object> got = new CopyOnWriteArrayList<>();
            user.channel("chat/refresh").on("message", e -> got.add(e.data())).subscribe().join();
            user.setToken(token("bob", 600));
            Thread.sleep(4000); // past the first token's expiry
            backend.channel("chat/refresh").publish("message", "after", PublishOptions.persistent()).join();
            await().atMost(Duration.ofSeconds(10)).until(() -> got.size() == 1);
            assertThat(statuses).doesNotContain(ConnectionStatus.RECONNECTING);
        }
    }

    @Test
    void aForgedTokenEndsTheClientInsteadOfReconnecting() throws Exception {
        String forged = token("eve", 600);
        forged = forged.substring(0, forged.lastIndexOf('.') + 1) + "Zm9yZ2Vk";
        try (RealServer server = securedServer();
             PulsebaseClient user = PulsebaseClient.builder(server.base()).token(forged)
                     .reconnect(Duration.ofMillis(50), Duration.ofMillis(200)).build()) {
            List<ConnectionStatus> statuses = new CopyOnWriteArrayList<>();
            user.onStatusChange(statuses::add);
            user.channel("chat/forged").subscribe();
            await().atMost(Duration.ofSeconds(10)).until(() -> user.status() == ConnectionStatus.DISCONNECTED);
            Thread.sleep(500);
            assertThat(statuses.stream().filter(s -> s == ConnectionStatus.CONNECTING).count())
                    .as("one attempt, no reconnect loop: %s", statuses).isLessThanOrEqualTo(1);
            assertThat(user.status()).isEqualTo(ConnectionStatus.DISCONNECTED);
        }
    }
}
