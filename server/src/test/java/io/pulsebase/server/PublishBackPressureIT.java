package io.pulsebase.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.pulsebase.core.channel.ChannelLimits;
import io.pulsebase.testkit.client.Json;
import io.pulsebase.testkit.client.RawWebSocket;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A publisher that sends much faster than its messages are handled is slowed down by TCP (the server stops
 * reading its socket while its queue of waiting messages is full), not refused: every message arrives, in order,
 * and the publisher gets no error. The waiting-message limit is set low so a burst surely crosses it.
 */
class PublishBackPressureIT {
    private static final int MESSAGES = 5_000;

    @RegisterExtension
    static final TestServer server = TestServer.perClass(c -> c.withNode(c.node()
            .withMaxQueuedCommands(8)
            .withChannels(ChannelLimits.defaults().withPublishesPerSecond(1_000_000))));

    @Test
    void aFloodingPublisherIsSlowedDownNotRefusedAndNothingIsLost() throws Exception {
        String topic = server.uniqueName("flood/");
        try (RawWebSocket subscriber = RawWebSocket.connect(server.port(), "/v1/realtime", java.util.Map.of(), 4 << 20);
                RawWebSocket publisher = RawWebSocket.connect(server.port(), "/v1/realtime")) {
            subscriber.sendText(Json.object("type", "subscribe", "ref", "s", "topic", topic));
            subscriber.readUntil(f -> f.opcode() == RawWebSocket.TEXT && f.text().contains("\"reply\""),
                    Duration.ofSeconds(10));

            for (int i = 0; i < MESSAGES; i++) {
                publisher.sendText(Json.object("type", "publish", "topic", topic, "event", "n", "data", i));
            }
            publisher.sendText(Json.object("type", "ping", "ref", "done"));

            List<Long> received = new ArrayList<>();
            try {
                while (received.size() < MESSAGES) {
                    JsonNode frame = Json.read(subscriber.readUntil(f -> f.opcode() == RawWebSocket.TEXT,
                            Duration.ofSeconds(20)).text());
                    if (frame.path("type").asText().equals("event")) {
                        received.add(frame.path("data").asLong());
                    }
                }
            } catch (SocketTimeoutException e) {
                throw new AssertionError("delivery stopped after " + received.size() + " of " + MESSAGES, e);
            }
            JsonNode last = Json.read(publisher.readUntil(f -> f.opcode() == RawWebSocket.TEXT, Duration.ofSeconds(30))
                    .text());
            assertThat(last.path("ref").asText()).as("the publisher's first answer is its ping: no error before it")
                    .isEqualTo("done");
            List<Long> expected = new ArrayList<>();
            for (long i = 0; i < MESSAGES; i++) {
                expected.add(i);
            }
            assertThat(received).isEqualTo(expected);
        }
    }
}
