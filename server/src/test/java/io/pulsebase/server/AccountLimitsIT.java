package io.pulsebase.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.pulsebase.core.access.AccountLimits;
import io.pulsebase.testkit.client.Json;
import io.pulsebase.testkit.client.SseTestClient;
import io.pulsebase.testkit.client.WsTestClient;
import java.net.http.HttpResponse;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Per-account limits on a real server (security disabled: every caller is the service caller of the default
 * account, so all connections here share one account): connections per account over WebSocket and SSE, and
 * publishes per second shared by an account's connections and REST calls.
 */
class AccountLimitsIT {
    @RegisterExtension
    static final TestServer server = TestServer.perClass(c -> c.withAccountLimits(new AccountLimits(2, 10)));

    @Test
    void anAccountsThirdConnectionIsRefusedAndASlotFreesWhenOneCloses() {
        try (WsTestClient one = WsTestClient.connect(server.ws()); WsTestClient two = WsTestClient.connect(server.ws())) {
            one.requestOk("type", "ping");
            two.requestOk("type", "ping");
            try (WsTestClient three = WsTestClient.connect(server.ws())) {
                JsonNode error = three.awaitType("error");
                assertThat(error.path("code").asText()).isEqualTo("too_many_connections");
                assertThat(three.awaitClose(Duration.ofSeconds(5))).isEqualTo(4008);
                assertThat(three.closeReason()).startsWith("too_many_connections:");
            }
            try (SseTestClient sse = SseTestClient.connect(server.sse("topic=chat/limits"))) {
                assertThat(sse.status()).isEqualTo(429);
            }
            one.close();
            await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> {
                try (WsTestClient again = WsTestClient.connect(server.ws())) {
                    assertThat(again.request("type", "ping").path("ok").asBoolean()).isTrue();
                }
            });
        }
    }

    @Test
    void anAccountsConnectionsAndRestCallsShareOnePublishBudget() throws InterruptedException {
        Thread.sleep(1100); // a full budget: the other test may have published nothing, but be independent of it
        try (WsTestClient a = WsTestClient.connect(server.ws())) {
            int accepted = 0;
            int limited = 0;
            for (int i = 0; i < 8; i++) {
                JsonNode reply = a.request("type", "publish", "topic", "chat/limits", "event", "m", "data", i);
                if (reply.path("ok").asBoolean()) {
                    accepted++;
                } else {
                    assertThat(reply.path("error").path("code").asText()).isEqualTo("rate_limited");
                    limited++;
                }
            }
            int restLimited = 0;
            for (int i = 0; i < 6; i++) {
                HttpResponse<String> r = server.request("POST", "/v1/publish",
                        Json.object("topic", "chat/limits", "event", "m", "data", i));
                if (r.statusCode() == 429) {
                    assertThat(Json.read(r.body()).path("error").path("code").asText()).isEqualTo("rate_limited");
                    restLimited++;
                }
            }
            assertThat(accepted).as("8 publishes within a fresh budget of 10").isEqualTo(8);
            assertThat(limited + restLimited).as("14 publishes against a budget of 10 per second (plus refill)")
                    .isGreaterThanOrEqualTo(2);
            assertThat(restLimited).as("REST draws on the same budget the WebSocket used").isPositive();
        }
    }
}
