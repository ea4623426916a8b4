package io.pulsebase.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** The client follows each close code's advice: reconnect, refresh the token first, or stop. */
class CloseAdviceIT {
    @Test
    void reconnectAdviceReconnects() throws Exception {
        try (ScriptedCloseServer server = new ScriptedCloseServer(List.of(1001, 4001, 4008, 1011));
             PulsebaseClient client = PulsebaseClient.builder(server.base())
                     .reconnect(Duration.ofMillis(10), Duration.ofMillis(50)).build()) {
            client.connect().join();
            await().atMost(Duration.ofSeconds(10)).until(() -> client.connectionCount() == 5
                    && client.status() == ConnectionStatus.CONNECTED);
        }
    }

    @Test
    void doNotReconnectAdviceEndsTheClientAndFailsWhatWaits() throws Exception {
        try (ScriptedCloseServer server = new ScriptedCloseServer(List.of(4005));
             PulsebaseClient client = PulsebaseClient.builder(server.base())
                     .reconnect(Duration.ofMillis(10), Duration.ofMillis(50)).build()) {
            List<PulsebaseException> errors = new CopyOnWriteArrayList<>();
            client.onError(errors::add);
            client.connect().join();
            await().atMost(Duration.ofSeconds(10)).until(() -> client.status() == ConnectionStatus.DISCONNECTED);
            assertThat(errors).singleElement().isInstanceOf(PulsebaseException.ClosedException.class)
                    .extracting(Throwable::getMessage).asString().contains("4005");
            assertThatThrownBy(() -> client.channel("a/b").publish("e", 1).join())
                    .cause().isInstanceOf(PulsebaseException.ClosedException.class);
            assertThat(server.authorizations).hasSize(1);
        }
    }

    @Test
    void tokenExpiredAsksTheSupplierThenReconnectsWithTheNewToken() throws Exception {
        AtomicInteger calls = new AtomicInteger();
        try (ScriptedCloseServer server = new ScriptedCloseServer(List.of(4003, 4003));
             PulsebaseClient client = PulsebaseClient.builder(server.base()).token("t0")
                     .tokenSupplier(() -> "t" + calls.incrementAndGet())
                     .reconnect(Duration.ofMillis(10), Duration.ofMillis(50)).build()) {
            client.connect().join();
            await().atMost(Duration.ofSeconds(10)).until(() -> client.connectionCount() == 3
                    && client.status() == ConnectionStatus.CONNECTED);
            assertThat(server.authorizations).containsExactly("Bearer t0", "Bearer t1", "Bearer t2");
        }
    }

    @Test
    void tokenExpiredWithoutASupplierStops() throws Exception {
        try (ScriptedCloseServer server = new ScriptedCloseServer(List.of(4003));
             PulsebaseClient client = PulsebaseClient.builder(server.base()).token("t0")
                     .reconnect(Duration.ofMillis(10), Duration.ofMillis(50)).build()) {
            client.connect().join();
            await().atMost(Duration.ofSeconds(10)).until(() -> client.status() == ConnectionStatus.DISCONNECTED);
            assertThat(server.authorizations).hasSize(1);
        }
    }
}
