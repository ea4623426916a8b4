package io.pulsebase.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.pulsebase.testkit.client.Json;
import io.pulsebase.testkit.client.WsTestClient;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A publisher publishes persisted channel messages continuously while the server is killed with SIGKILL and
 * restarted. A subscriber that resumes with {@code since} from the last position it saw receives every message
 * the channel's history holds exactly once, in order, and every acknowledged publish is among them; a persisted
 * publish id is still remembered after the crash.
 */
class ChannelCrashRecoveryIT {
    private static final String TOPIC = "crash/ch";
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    @TempDir
    Path dir;

    @Test
    void resumeAfterKillNineDeliversEveryPersistedMessageExactlyOnceInOrder() throws Exception {
        try (ServerProcess server = new ServerProcess(dir.resolve("data"), dir.resolve("server.log"))) {
            server.start();
            JsonNode keyed = Json.read(post(server, Json.object("topic", TOPIC, "event", "m", "data", -1,
                    "persist", true, "id", "before-crash")).body());
            long keyedPosition = Json.position(keyed);

            List<Long> received = new ArrayList<>();
            long[] last = {0};
            WsTestClient client = WsTestClient.connect(server.ws());
            last[0] = Json.position(client.subscribe("topic", TOPIC));

            Set<Long> acknowledged = ConcurrentHashMap.newKeySet();
            AtomicBoolean publishing = new AtomicBoolean(true);
            Thread publisher = Thread.ofPlatform().name("crash-publisher").start(() -> {
                long n = 0;
                while (publishing.get()) {
                    n++;
                    try {
                        HttpResponse<String> r = post(server, Json.object("topic", TOPIC, "event", "m", "data", n, "persist", true));
                        if (r.statusCode() == 200) {
                            acknowledged.add(n);
                        }
                    } catch (Exception e) {
                        sleep(20); // server down: keep trying until it is back
                    }
                }
            });

            collectFor(client, received, last, Duration.ofMillis(1500));
            server.kill();
            assertThat(client.awaitClose(Duration.ofSeconds(10))).isNotNegative();
            int beforeCrash = received.size();
            assertThat(beforeCrash).as("messages seen before the crash").isPositive();

            server.start();
            sleep(1000);
            publishing.set(false);
            publisher.join(10_000);

            JsonNode again = Json.read(post(server, Json.object("topic", TOPIC, "event", "m", "data", -2,
                    "persist", true, "id", "before-crash")).body());
            assertThat(again.path("duplicate").asBoolean()).as("a persisted id survives a crash: %s", again).isTrue();
            assertThat(Json.position(again)).isEqualTo(keyedPosition);

            List<Long> history = historyOldestFirst(server);
            long head = Json.position(Json.read(get(server, "/v1/history?topic=crash%2Fch&limit=1").body()).path("messages").get(0));
            WsTestClient resumed = WsTestClient.connect(server.ws());
            // Replayed messages arrive before the subscribe reply: collect everything, do not wait for the reply.
            resumed.send("type", "subscribe", "topic", TOPIC, "since", Long.toString(last[0]));
            long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            while (last[0] < head && System.nanoTime() < deadline) {
                collectFor(resumed, received, last, Duration.ofMillis(200));
            }
            resumed.close();

            assertThat(received).as("every persisted message exactly once, in position order").isEqualTo(history);
            assertThat(new HashSet<>(received)).as("every acknowledged publish survived").containsAll(acknowledged);
            assertThat(received.size()).isGreaterThan(beforeCrash);
        }
    }

    /** Applies event frames for a while; positions must grow. */
    private static void collectFor(WsTestClient client, List<Long> received, long[] last, Duration time) {
        long deadline = System.nanoTime() + time.toNanos();
        while (System.nanoTime() < deadline) {
            JsonNode frame = client.poll(Duration.ofMillis(50));
            if (frame == null || !ChannelClients.isEvent(frame, TOPIC)) {
                continue;
            }
            long position = Json.position(frame);
            assertThat(position).as("positions grow").isGreaterThan(last[0]);
            last[0] = position;
            received.add(frame.path("data").asLong());
        }
    }

    /** The data of every message in the channel's history, oldest first (the keyed message before the crash excluded). */
    private static List<Long> historyOldestFirst(ServerProcess server) throws Exception {
        List<Long> newestFirst = new ArrayList<>();
        String before = null;
        while (true) {
            JsonNode page = Json.read(get(server, "/v1/history?topic=crash%2Fch&limit=1000"
                    + (before == null ? "" : "&before=" + before)).body());
            for (JsonNode m : page.path("messages")) {
                newestFirst.add(m.path("data").asLong());
                before = m.path("position").asText();
            }
            if (!page.path("more").asBoolean()) {
                break;
            }
        }
        Collections.reverse(newestFirst);
        assertThat(newestFirst.get(0)).as("the keyed message is the oldest").isEqualTo(-1L);
        return newestFirst.subList(1, newestFirst.size());
    }

    private static HttpResponse<String> post(ServerProcess server, String body) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(server.http("/v1/publish")).timeout(Duration.ofSeconds(5))
                .header("content-type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
    }

    private static HttpResponse<String> get(ServerProcess server, String path) throws Exception {
        URI uri = server.http(path);
        HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(5)).GET().build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).as("GET %s -> %s", path, r.body()).isEqualTo(200);
        return r;
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
