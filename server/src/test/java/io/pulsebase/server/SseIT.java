package io.pulsebase.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Server-Sent Events over real HTTP: snapshot and live changes, several topics on one stream, {@code id:} equal
 * to the position, resume with {@code Last-Event-ID}, plain HTTP refusals before the stream, keep-alive comments
 * and the end of the stream on a graceful stop.
 */
class SseIT {
    private static final AtomicInteger TABLES = new AtomicInteger();
    private static TestServer server;

    @BeforeAll
    static void startServer() {
        server = TestServer.start(c -> c.withTransport(c.transport().withHeartbeatInterval(Duration.ofMillis(300))));
    }

    @AfterAll
    static void stopServer() {
        server.close();
    }

    private static String newTable(TestServer on) {
        String name = "sse" + TABLES.incrementAndGet();
        on.sql("CREATE TABLE " + name + " (id INTEGER PRIMARY KEY, kind TEXT)");
        return name;
    }

    private static URI sse(TestServer on, String query) {
        return on.http("/v1/realtime/sse?" + query);
    }

    private static String enc(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }

    private static long write(TestServer on, String sql) {
        return Json.position(Json.read(on.sql(sql)));
    }

    /** A positioned event: {@code id:} is present and equals the {@code position} in its data. */
    private static JsonNode positioned(SseClient.Event e, String type) {
        assertThat(e.event()).as("event %s", e).isEqualTo(type);
        JsonNode data = e.json();
        assertThat(data.path("type").asText()).isEqualTo(type);
        assertThat(e.id()).as("id of %s", e).isNotNull().isEqualTo(data.path("position").asText());
        Json.position(data);
        return data;
    }

    @Test
    void snapshotThenLiveChangesOnOneTopicWithIdEqualToPosition() {
        String t = newTable(server);
        server.sql("INSERT INTO " + t + " (id, kind) VALUES (1, 'a'), (2, 'b')");
        try (SseClient stream = SseClient.open(sse(server, "topic=" + t + "&snapshot=true"), null)) {
            assertThat(stream.status()).isEqualTo(200);
            assertThat(stream.contentType()).startsWith("text/event-stream");
            SseClient.Event first = stream.await(e -> !e.isComment());
            assertThat(first.retry()).as("the stream starts with retry: 1000").isEqualTo("1000");

            JsonNode snapshot = positioned(stream.nextEvent(), "snapshot");
            assertThat(snapshot.path("topic").asText()).isEqualTo(t);
            assertThat(snapshot.path("rows")).hasSize(2);

            long p1 = write(server, "INSERT INTO " + t + " (id, kind) VALUES (3, 'c')");
            long p2 = write(server, "UPDATE " + t + " SET kind = 'z'");
            JsonNode c1 = positioned(stream.nextEvent(), "db_change");
            JsonNode c2 = positioned(stream.nextEvent(), "db_change");
            assertThat(Json.position(c1)).isEqualTo(p1).isGreaterThan(Json.position(snapshot));
            assertThat(c1.path("changes").get(0).path("data")).isEqualTo(Json.read("{\"id\":3,\"kind\":\"c\"}"));
            assertThat(Json.position(c2)).isEqualTo(p2);
            assertThat(c2.path("changes")).hasSize(3);
        }
    }

    @Test
    void aLargeSnapshotArrivesWholeOnTheStreamThenLiveChanges() {
        String t = newTable(server);
        server.sql("INSERT INTO " + t + " (kind) WITH RECURSIVE c(x) AS "
                + "(SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE x < 8000) SELECT hex(zeroblob(40)) FROM c");
        String b = newTable(server);
        server.sql("INSERT INTO " + b + " (kind) VALUES ('only')");
        try (SseClient stream = SseClient.open(sse(server, "topic=" + t + "&topic=" + b + "&snapshot=true"), null)) {
            assertThat(stream.status()).isEqualTo(200);
            SseClient.Event first = stream.nextEvent();
            SseClient.Event second = stream.nextEvent();
            assertThat(first.event()).isEqualTo("snapshot");
            assertThat(second.event()).isEqualTo("snapshot");
            assertThat(first.json().path("topic").asText()).isEqualTo(t);
            assertThat(first.json().path("rows")).hasSize(8000);
            assertThat(second.json().path("rows")).hasSize(1);
            long p = write(server, "INSERT INTO " + t + " (kind) VALUES ('live')");
            assertThat(Json.position(positioned(stream.nextEvent(), "db_change"))).isEqualTo(p);
        }
    }

    @Test
    void twoTopicsArriveOnOneStream() {
        String a = newTable(server);
        String b = newTable(server);
        try (SseClient stream = SseClient.open(sse(server, "topic=" + a + "&topic=" + b), null)) {
            assertThat(stream.status()).isEqualTo(200);
            long pa = write(server, "INSERT INTO " + a + " (kind) VALUES ('x')");
            long pb = write(server, "INSERT INTO " + b + " (kind) VALUES ('y')");
            long pa2 = write(server, "INSERT INTO " + a + " (kind) VALUES ('z')");
            JsonNode e1 = positioned(stream.nextEvent(), "db_change");
            JsonNode e2 = positioned(stream.nextEvent(), "db_change");
            JsonNode e3 = positioned(stream.nextEvent(), "db_change");
            assertThat(List.of(e1.path("topic").asText(), e2.path("topic").asText(), e3.path("topic").asText()))
                    .containsExactly(a, b, a);
            assertThat(List.of(Json.position(e1), Json.position(e2), Json.position(e3))).containsExactly(pa, pb, pa2);
        }
    }

    @Test
    void eventsAndFilterQueryParametersApply() {
        String t = newTable(server);
        try (SseClient stream = SseClient.open(sse(server, "topic=" + t + "&events=INSERT,DELETE&filter="
                + enc("kind = 'a'")), null)) {
            assertThat(stream.status()).isEqualTo(200);
            write(server, "INSERT INTO " + t + " (id, kind) VALUES (1, 'b')");    // filtered out
            write(server, "INSERT INTO " + t + " (id, kind) VALUES (2, 'a')");    // INSERT
            write(server, "UPDATE " + t + " SET kind = 'a' WHERE id = 2");        // UPDATE: not chosen
            long del = write(server, "DELETE FROM " + t + " WHERE id = 2");      // DELETE
            JsonNode first = positioned(stream.nextEvent(), "db_change");
            assertThat(first.path("changes").get(0).path("data").path("id").asInt()).isEqualTo(2);
            JsonNode second = positioned(stream.nextEvent(), "db_change");
            assertThat(second.path("changes").get(0).path("operation").asText()).isEqualTo("DELETE");
            assertThat(Json.position(second)).isEqualTo(del);
        }
    }

    @Test
    void lastEventIdResumesExactlyTheMissedChangesWithoutASnapshot() {
        String t = newTable(server);
        server.sql("INSERT INTO " + t + " (id, kind) VALUES (1, 'a')");
        String lastId;
        try (SseClient stream = SseClient.open(sse(server, "topic=" + t + "&snapshot=true"), null)) {
            positioned(stream.nextEvent(), "snapshot");
            write(server, "INSERT INTO " + t + " (id, kind) VALUES (2, 'a')");
            SseClient.Event change = stream.nextEvent();
            positioned(change, "db_change");
            lastId = change.id();
        }
        List<Long> missed = new ArrayList<>();
        missed.add(write(server, "INSERT INTO " + t + " (id, kind) VALUES (3, 'a')"));
        missed.add(write(server, "UPDATE " + t + " SET kind = 'b' WHERE id = 1"));
        missed.add(write(server, "DELETE FROM " + t + " WHERE id = 2"));
        try (SseClient resumed = SseClient.open(sse(server, "topic=" + t + "&snapshot=true"), lastId)) {
            assertThat(resumed.status()).isEqualTo(200);
            List<Long> got = new ArrayList<>();
            for (int i = 0; i < missed.size(); i++) {
                got.add(Json.position(positioned(resumed.nextEvent(), "db_change")));
            }
            assertThat(got).isEqualTo(missed);
            long live = write(server, "INSERT INTO " + t + " (id, kind) VALUES (4, 'a')");
            assertThat(Json.position(positioned(resumed.nextEvent(), "db_change"))).isEqualTo(live);
        }
    }

    @Test
    void lastEventIdResumesEveryTopicOfAMultiTopicStream() {
        String a = newTable(server);
        String b = newTable(server);
        String query = "topic=" + a + "&topic=" + b;
        String lastId;
        try (SseClient stream = SseClient.open(sse(server, query), null)) {
            write(server, "INSERT INTO " + a + " (kind) VALUES ('1')");
            long pb = write(server, "INSERT INTO " + b + " (kind) VALUES ('2')");
            positioned(stream.nextEvent(), "db_change");
            SseClient.Event last = stream.nextEvent();
            assertThat(Json.position(positioned(last, "db_change"))).isEqualTo(pb);
            lastId = last.id();
        }
        List<String> missed = new ArrayList<>();
        missed.add(a + "@" + write(server, "INSERT INTO " + a + " (kind) VALUES ('3')"));
        missed.add(b + "@" + write(server, "INSERT INTO " + b + " (kind) VALUES ('4')"));
        missed.add(a + "@" + write(server, "INSERT INTO " + a + " (kind) VALUES ('5')"));
        try (SseClient resumed = SseClient.open(sse(server, query), lastId)) {
            assertThat(resumed.status()).isEqualTo(200);
            List<String> got = new ArrayList<>();
            for (int i = 0; i < missed.size(); i++) {
                SseClient.Event e = resumed.nextEvent();
                assertThat(e.event()).isEqualTo("db_change");
                JsonNode data = e.json();
                if (e.id() != null) {
                    assertThat(e.id()).isEqualTo(data.path("position").asText());
                }
                got.add(data.path("topic").asText() + "@" + Json.position(data));
            }
            assertThat(got).containsExactlyInAnyOrderElementsOf(missed);
            long live = write(server, "INSERT INTO " + b + " (kind) VALUES ('6')");
            assertThat(Json.position(positioned(resumed.nextEvent(), "db_change"))).isEqualTo(live);
        }
    }

    @Test
    void sinceQueryParameterReplaysLikeTheWebSocket() {
        String t = newTable(server);
        long from = write(server, "INSERT INTO " + t + " (id, kind) VALUES (1, 'a')");
        long next = write(server, "INSERT INTO " + t + " (id, kind) VALUES (2, 'a')");
        try (SseClient stream = SseClient.open(sse(server, "topic=" + t + "&since=" + from), null)) {
            assertThat(Json.position(positioned(stream.nextEvent(), "db_change"))).isEqualTo(next);
        }
    }

    private static void assertHttpError(SseClient answer, int status, String code) {
        assertThat(answer.status()).isEqualTo(status);
        assertThat(answer.contentType()).contains("application/json");
        JsonNode error = Json.read(answer.body()).path("error");
        assertThat(error.path("code").asText()).isEqualTo(code);
        assertThat(error.path("message").asText()).isNotBlank();
    }

    @Test
    void refusedSubscriptionsAreAPlainHttpErrorBeforeTheStream() {
        String t = newTable(server);
        try (SseClient unknown = SseClient.open(sse(server, "topic=no_such_table"), null)) {
            assertHttpError(unknown, 404, "unknown_table");
        }
        try (SseClient second = SseClient.open(sse(server, "topic=" + t + "&topic=no_such_table"), null)) {
            assertHttpError(second, 404, "unknown_table");
        }
        try (SseClient badFilter = SseClient.open(sse(server, "topic=" + t + "&filter=" + enc("kind =")), null)) {
            assertHttpError(badFilter, 400, "invalid_filter");
        }
        try (SseClient noTopic = SseClient.open(sse(server, "filter=" + enc("kind = 'a'")), null)) {
            assertHttpError(noTopic, 400, "bad_request");
        }
        try (SseClient badEvents = SseClient.open(sse(server, "topic=" + t + "&events=UPSERT"), null)) {
            assertHttpError(badEvents, 400, "bad_request");
        }
        try (SseClient badSince = SseClient.open(sse(server, "topic=" + t + "&since=abc"), null)) {
            assertHttpError(badSince, 400, "invalid_position");
        }
        try (SseClient ahead = SseClient.open(sse(server, "topic=" + t + "&since=9000000000000000000"), null)) {
            assertHttpError(ahead, 410, "position_expired");
        }
    }

    @Test
    void aQuietStreamGetsKeepAliveComments() {
        String t = newTable(server);
        try (SseClient stream = SseClient.open(sse(server, "topic=" + t), null)) {
            assertThat(stream.status()).isEqualTo(200);
            SseClient.Event first = stream.await(SseClient.Event::isComment, Duration.ofSeconds(3));
            assertThat(first.comment()).isEqualTo("keep-alive");
            stream.await(SseClient.Event::isComment, Duration.ofSeconds(3));
            // the stream still carries changes afterwards
            long p = write(server, "INSERT INTO " + t + " (kind) VALUES ('x')");
            assertThat(Json.position(positioned(stream.nextEvent(), "db_change"))).isEqualTo(p);
        }
    }

    @Test
    void aGracefulServerStopEndsTheStream() {
        TestServer own = TestServer.start();
        try {
            String t = newTable(own);
            try (SseClient stream = SseClient.open(sse(own, "topic=" + t), null)) {
                assertThat(stream.status()).isEqualTo(200);
                long p = write(own, "INSERT INTO " + t + " (kind) VALUES ('x')");
                assertThat(Json.position(positioned(stream.nextEvent(), "db_change"))).isEqualTo(p);
                own.close();
                assertThat(stream.awaitEnd(Duration.ofSeconds(10))).as("stream ended by the server").isTrue();
            }
        } finally {
            own.close();
        }
    }
}
