package io.pulsebase.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import io.pulsebase.testkit.client.Json;
import io.pulsebase.testkit.client.SseTestClient;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Server-Sent Events over real HTTP: snapshot and live changes, several topics on one stream, {@code id:} equal
 * to the position, resume with {@code Last-Event-ID}, plain HTTP refusals before the stream, keep-alive comments
 * and the end of the stream on a graceful stop.
 */
class SseIT {
    private static final String COLUMNS = "id INTEGER PRIMARY KEY, kind TEXT";

    @RegisterExtension
    static final TestServer server = TestServer.perClass(
            c -> c.withTransport(c.transport().withHeartbeatInterval(Duration.ofMillis(300))));

    private static String enc(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }

    /** A positioned event: {@code id:} is present and equals the {@code position} in its data. */
    private static JsonNode positioned(SseTestClient.Event e, String type) {
        assertThat(e.event()).as("event %s", e).isEqualTo(type);
        JsonNode data = e.json();
        assertThat(data.path("type").asText()).isEqualTo(type);
        assertThat(e.id()).as("id of %s", e).isNotNull().isEqualTo(data.path("position").asText());
        Json.position(data);
        return data;
    }

    @Test
    void snapshotThenLiveChangesOnOneTopicWithIdEqualToPosition() {
        String t = server.newTable(COLUMNS);
        server.sql("INSERT INTO " + t + " (id, kind) VALUES (1, 'a'), (2, 'b')");
        try (SseTestClient stream = SseTestClient.connect(server.sse("topic=" + t + "&snapshot=true"))) {
            assertThat(stream.status()).isEqualTo(200);
            assertThat(stream.contentType()).startsWith("text/event-stream");
            SseTestClient.Event first = stream.await(e -> !e.isComment());
            assertThat(first.retry()).as("the stream starts with retry: 1000").isEqualTo("1000");

            JsonNode snapshot = positioned(stream.nextEvent(), "snapshot");
            assertThat(snapshot.path("topic").asText()).isEqualTo(t);
            assertThat(snapshot.path("rows")).hasSize(2);

            long p1 = server.write("INSERT INTO " + t + " (id, kind) VALUES (3, 'c')");
            long p2 = server.write("UPDATE " + t + " SET kind = 'z'");
            JsonNode c1 = positioned(stream.nextEvent(), "db_change");
            JsonNode c2 = positioned(stream.nextEvent(), "db_change");
            assertThat(Json.position(c1)).isEqualTo(p1).isGreaterThan(Json.position(snapshot));
            assertThat(c1.path("changes").get(0).path("data")).isEqualTo(Json.read("{\"id\":3,\"kind\":\"c\"}"));
            assertThat(Json.position(c2)).isEqualTo(p2);
            assertThat(c2.path("changes")).hasSize(3);
        }
    }

    @Test
    void aLargeSnapshotArrivesInPartsOnTheStreamThenLiveChanges() {
        String t = server.newTable(COLUMNS);
        server.sql("INSERT INTO " + t + " (kind) WITH RECURSIVE c(x) AS "
                + "(SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE x < 8000) SELECT hex(zeroblob(40)) FROM c");
        String b = server.newTable(COLUMNS);
        server.sql("INSERT INTO " + b + " (kind) VALUES ('only')");
        try (SseTestClient stream = SseTestClient.connect(server.sse("topic=" + t + "&topic=" + b + "&snapshot=true"))) {
            assertThat(stream.status()).isEqualTo(200);
            int rows = 0;
            for (int i = 0; i < 8; i++) {
                SseTestClient.Event part = stream.nextEvent();
                assertThat(part.event()).isEqualTo("snapshot");
                assertThat(part.json().path("topic").asText()).isEqualTo(t);
                assertThat(part.json().path("more").asBoolean(false)).isEqualTo(i < 7);
                rows += part.json().path("rows").size();
            }
            assertThat(rows).isEqualTo(8000);
            SseTestClient.Event second = stream.nextEvent();
            assertThat(second.event()).isEqualTo("snapshot");
            assertThat(second.json().path("rows")).hasSize(1);
            long p = server.write("INSERT INTO " + t + " (kind) VALUES ('live')");
            assertThat(Json.position(positioned(stream.nextEvent(), "db_change"))).isEqualTo(p);
        }
    }

    @Test
    void aTransactionSentInPartsCarriesAnEventIdOnlyOnItsLastPart() {
        String t = server.newTable(COLUMNS);
        try (SseTestClient stream = SseTestClient.connect(server.sse("topic=" + t))) {
            assertThat(stream.status()).isEqualTo(200);
            long p = server.write("INSERT INTO " + t + " (kind) WITH RECURSIVE c(x) AS "
                    + "(SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE x < 1500) SELECT 'k' FROM c");
            SseTestClient.Event part = stream.await(e -> "db_change".equals(e.event()));
            SseTestClient.Event last = stream.await(e -> "db_change".equals(e.event()));
            assertThat(part.json().path("more").asBoolean()).isTrue();
            assertThat(part.id()).as("Last-Event-ID must never point inside a transaction").isNull();
            assertThat(last.json().has("more")).isFalse();
            assertThat(last.id()).isEqualTo(Long.toString(p));
            assertThat(part.json().path("changes").size() + last.json().path("changes").size()).isEqualTo(1500);
        }
    }

    @Test
    void partsOfATransactionReplayedOnAStreamOfSeveralTopicsKeepTheirEventType() {
        String t = server.newTable(COLUMNS);
        String other = server.newTable(COLUMNS);
        long since = server.write("INSERT INTO " + other + " (kind) VALUES ('before')");
        long p = server.write("INSERT INTO " + t + " (kind) WITH RECURSIVE c(x) AS "
                + "(SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE x < 1500) SELECT 'k' FROM c");
        try (SseTestClient stream = SseTestClient.connect(
                server.sse("topic=" + t + "&topic=" + other + "&since=" + since))) {
            assertThat(stream.status()).isEqualTo(200);
            SseTestClient.Event first = stream.await(e -> !e.isComment() && e.data() != null);
            SseTestClient.Event second = stream.await(e -> !e.isComment() && e.data() != null);
            for (SseTestClient.Event e : List.of(first, second)) {
                assertThat(e.event()).as("event type of %s", e).isEqualTo("db_change");
                assertThat(Json.position(e.json())).isEqualTo(p);
            }
            assertThat(first.json().path("more").asBoolean()).isTrue();
            assertThat(first.json().path("changes").size() + second.json().path("changes").size()).isEqualTo(1500);
        }
    }

    @Test
    void severalTopicsResumeFromLastEventIdExactlyWithIncreasingIds() {
        String a = server.newTable(COLUMNS);
        String b = server.newTable(COLUMNS);
        long since = server.write("INSERT INTO " + a + " (kind) VALUES ('before')");
        List<Long> written = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            written.add(server.write("INSERT INTO " + (i % 2 == 0 ? b : a) + " (kind) VALUES ('w" + i + "')"));
        }
        String query = "topic=" + a + "&topic=" + b + "&since=" + since;
        List<Long> ids = new ArrayList<>();
        try (SseTestClient stream = SseTestClient.connect(server.sse(query))) {
            for (int i = 0; i < 3; i++) {
                SseTestClient.Event e = stream.await(ev -> "db_change".equals(ev.event()));
                assertThat(e.id()).as("every replayed event carries its id").isNotNull();
                ids.add(Long.parseLong(e.id()));
            }
        }
        try (SseTestClient stream = SseTestClient.resume(server.sse(query), Long.toString(ids.get(2)))) {
            for (int i = 3; i < 6; i++) {
                ids.add(Long.parseLong(stream.await(ev -> "db_change".equals(ev.event())).id()));
            }
            assertThatThrownBy(() -> stream.await(ev -> "db_change".equals(ev.event()), Duration.ofMillis(300)))
                    .as("nothing more, nothing twice").isInstanceOf(AssertionError.class);
        }
        assertThat(ids).as("both topics in position order, every write exactly once").isEqualTo(written);
    }

    @Test
    void twoTopicsArriveOnOneStream() {
        String a = server.newTable(COLUMNS);
        String b = server.newTable(COLUMNS);
        try (SseTestClient stream = SseTestClient.connect(server.sse("topic=" + a + "&topic=" + b))) {
            assertThat(stream.status()).isEqualTo(200);
            long pa = server.write("INSERT INTO " + a + " (kind) VALUES ('x')");
            long pb = server.write("INSERT INTO " + b + " (kind) VALUES ('y')");
            long pa2 = server.write("INSERT INTO " + a + " (kind) VALUES ('z')");
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
        String t = server.newTable(COLUMNS);
        try (SseTestClient stream = SseTestClient.connect(server.sse("topic=" + t + "&events=INSERT,DELETE&filter="
                + enc("kind = 'a'")))) {
            assertThat(stream.status()).isEqualTo(200);
            server.write("INSERT INTO " + t + " (id, kind) VALUES (1, 'b')");    // filtered out
            server.write("INSERT INTO " + t + " (id, kind) VALUES (2, 'a')");    // INSERT
            server.write("UPDATE " + t + " SET kind = 'a' WHERE id = 2");        // UPDATE: not chosen
            long del = server.write("DELETE FROM " + t + " WHERE id = 2");      // DELETE
            JsonNode first = positioned(stream.nextEvent(), "db_change");
            assertThat(first.path("changes").get(0).path("data").path("id").asInt()).isEqualTo(2);
            JsonNode second = positioned(stream.nextEvent(), "db_change");
            assertThat(second.path("changes").get(0).path("operation").asText()).isEqualTo("DELETE");
            assertThat(Json.position(second)).isEqualTo(del);
        }
    }

    @Test
    void aLiveStreamStartsWithItsPositionSoACutBeforeAnyChangeStillResumesWithoutAGap() {
        String t = server.newTable(COLUMNS);
        long before = server.write("INSERT INTO " + t + " (id, kind) VALUES (1, 'old')");
        String start;
        try (SseTestClient stream = SseTestClient.connect(server.sse("topic=" + t))) {
            SseTestClient.Event marker = stream.await(e -> e.id() != null);
            assertThat(marker.event()).as("an id line alone: no event is dispatched").isNull();
            assertThat(marker.data()).isNull();
            start = marker.id();
            assertThat(Long.parseLong(start)).isGreaterThanOrEqualTo(before);
        }
        long missed = server.write("INSERT INTO " + t + " (id, kind) VALUES (2, 'missed')");
        try (SseTestClient resumed = SseTestClient.resume(server.sse("topic=" + t), start)) {
            JsonNode change = positioned(resumed.nextEvent(), "db_change");
            assertThat(Json.position(change)).isEqualTo(missed);
            assertThat(change.path("changes").get(0).path("data").path("kind").asText()).isEqualTo("missed");
        }
    }

    @Test
    void lastEventIdResumesExactlyTheMissedChangesWithoutASnapshot() {
        String t = server.newTable(COLUMNS);
        server.sql("INSERT INTO " + t + " (id, kind) VALUES (1, 'a')");
        String lastId;
        try (SseTestClient stream = SseTestClient.connect(server.sse("topic=" + t + "&snapshot=true"))) {
            positioned(stream.nextEvent(), "snapshot");
            server.write("INSERT INTO " + t + " (id, kind) VALUES (2, 'a')");
            SseTestClient.Event change = stream.nextEvent();
            positioned(change, "db_change");
            lastId = change.id();
        }
        List<Long> missed = new ArrayList<>();
        missed.add(server.write("INSERT INTO " + t + " (id, kind) VALUES (3, 'a')"));
        missed.add(server.write("UPDATE " + t + " SET kind = 'b' WHERE id = 1"));
        missed.add(server.write("DELETE FROM " + t + " WHERE id = 2"));
        try (SseTestClient resumed = SseTestClient.resume(server.sse("topic=" + t + "&snapshot=true"), lastId)) {
            assertThat(resumed.status()).isEqualTo(200);
            List<Long> got = new ArrayList<>();
            for (int i = 0; i < missed.size(); i++) {
                got.add(Json.position(positioned(resumed.nextEvent(), "db_change")));
            }
            assertThat(got).isEqualTo(missed);
            long live = server.write("INSERT INTO " + t + " (id, kind) VALUES (4, 'a')");
            assertThat(Json.position(positioned(resumed.nextEvent(), "db_change"))).isEqualTo(live);
        }
    }

    @Test
    void lastEventIdResumesEveryTopicOfAMultiTopicStream() {
        String a = server.newTable(COLUMNS);
        String b = server.newTable(COLUMNS);
        String query = "topic=" + a + "&topic=" + b;
        String lastId;
        try (SseTestClient stream = SseTestClient.connect(server.sse(query))) {
            server.write("INSERT INTO " + a + " (kind) VALUES ('1')");
            long pb = server.write("INSERT INTO " + b + " (kind) VALUES ('2')");
            positioned(stream.nextEvent(), "db_change");
            SseTestClient.Event last = stream.nextEvent();
            assertThat(Json.position(positioned(last, "db_change"))).isEqualTo(pb);
            lastId = last.id();
        }
        List<String> missed = new ArrayList<>();
        missed.add(a + "@" + server.write("INSERT INTO " + a + " (kind) VALUES ('3')"));
        missed.add(b + "@" + server.write("INSERT INTO " + b + " (kind) VALUES ('4')"));
        missed.add(a + "@" + server.write("INSERT INTO " + a + " (kind) VALUES ('5')"));
        try (SseTestClient resumed = SseTestClient.resume(server.sse(query), lastId)) {
            assertThat(resumed.status()).isEqualTo(200);
            List<String> got = new ArrayList<>();
            for (int i = 0; i < missed.size(); i++) {
                SseTestClient.Event e = resumed.nextEvent();
                assertThat(e.event()).isEqualTo("db_change");
                JsonNode data = e.json();
                if (e.id() != null) {
                    assertThat(e.id()).isEqualTo(data.path("position").asText());
                }
                got.add(data.path("topic").asText() + "@" + Json.position(data));
            }
            assertThat(got).containsExactlyInAnyOrderElementsOf(missed);
            long live = server.write("INSERT INTO " + b + " (kind) VALUES ('6')");
            assertThat(Json.position(positioned(resumed.nextEvent(), "db_change"))).isEqualTo(live);
        }
    }

    @Test
    void sinceQueryParameterReplaysLikeTheWebSocket() {
        String t = server.newTable(COLUMNS);
        long from = server.write("INSERT INTO " + t + " (id, kind) VALUES (1, 'a')");
        long next = server.write("INSERT INTO " + t + " (id, kind) VALUES (2, 'a')");
        try (SseTestClient stream = SseTestClient.connect(server.sse("topic=" + t + "&since=" + from))) {
            assertThat(Json.position(positioned(stream.nextEvent(), "db_change"))).isEqualTo(next);
        }
    }

    private static void assertHttpError(SseTestClient answer, int status, String code) {
        assertThat(answer.status()).isEqualTo(status);
        assertThat(answer.contentType()).contains("application/json");
        JsonNode error = Json.read(answer.body()).path("error");
        assertThat(error.path("code").asText()).isEqualTo(code);
        assertThat(error.path("message").asText()).isNotBlank();
    }

    @Test
    void refusedSubscriptionsAreAPlainHttpErrorBeforeTheStream() {
        String t = server.newTable(COLUMNS);
        try (SseTestClient unknown = SseTestClient.connect(server.sse("topic=no_such_table"))) {
            assertHttpError(unknown, 404, "unknown_table");
        }
        try (SseTestClient second = SseTestClient.connect(server.sse("topic=" + t + "&topic=no_such_table"))) {
            assertHttpError(second, 404, "unknown_table");
        }
        try (SseTestClient badFilter = SseTestClient.connect(server.sse("topic=" + t + "&filter=" + enc("kind =")))) {
            assertHttpError(badFilter, 400, "invalid_filter");
        }
        try (SseTestClient noTopic = SseTestClient.connect(server.sse("filter=" + enc("kind = 'a'")))) {
            assertHttpError(noTopic, 400, "bad_request");
        }
        try (SseTestClient badEvents = SseTestClient.connect(server.sse("topic=" + t + "&events=UPSERT"))) {
            assertHttpError(badEvents, 400, "bad_request");
        }
        try (SseTestClient badSince = SseTestClient.connect(server.sse("topic=" + t + "&since=abc"))) {
            assertHttpError(badSince, 400, "invalid_position");
        }
        try (SseTestClient ahead = SseTestClient.connect(server.sse("topic=" + t + "&since=9000000000000000000"))) {
            assertHttpError(ahead, 410, "position_expired");
        }
    }

    @Test
    void aQuietStreamGetsKeepAliveComments() {
        String t = server.newTable(COLUMNS);
        try (SseTestClient stream = SseTestClient.connect(server.sse("topic=" + t))) {
            assertThat(stream.status()).isEqualTo(200);
            SseTestClient.Event first = stream.await(SseTestClient.Event::isComment, Duration.ofSeconds(3));
            assertThat(first.comment()).isEqualTo("keep-alive");
            stream.await(SseTestClient.Event::isComment, Duration.ofSeconds(3));
            // the stream still carries changes afterwards
            long p = server.write("INSERT INTO " + t + " (kind) VALUES ('x')");
            assertThat(Json.position(positioned(stream.nextEvent(), "db_change"))).isEqualTo(p);
        }
    }

    @Test
    void aGracefulServerStopEndsTheStream() {
        TestServer own = TestServer.start();
        try {
            String t = own.newTable(COLUMNS);
            try (SseTestClient stream = SseTestClient.connect(own.sse("topic=" + t))) {
                assertThat(stream.status()).isEqualTo(200);
                long p = own.write("INSERT INTO " + t + " (kind) VALUES ('x')");
                assertThat(Json.position(positioned(stream.nextEvent(), "db_change"))).isEqualTo(p);
                own.close();
                assertThat(stream.awaitEnd(Duration.ofSeconds(10))).as("stream ended by the server").isTrue();
            }
        } finally {
            own.close();
        }
    }
}
