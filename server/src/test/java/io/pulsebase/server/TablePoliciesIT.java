package io.pulsebase.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.pulsebase.testkit.client.Json;
import io.pulsebase.testkit.client.SseTestClient;
import io.pulsebase.testkit.client.WsTestClient;
import java.net.URI;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Row-level policies on every path, with a real server and real sockets: {@code owner_id = auth.sub} on
 * {@code todos} for two users over WebSocket (snapshot, live, enter / leave, {@code since}), SSE (snapshot, live,
 * {@code Last-Event-ID}) and REST (list, get, insert, update, delete); a table opened for reading with
 * {@code TRUE}; a table without a policy, closed to users and open to the service.
 */
class TablePoliciesIT {
    private static final String POLICIES = """
            {"tables": {
                "todos":  {"select": "owner_id = auth.sub", "insert": "owner_id = auth.sub",
                           "update": "owner_id = auth.sub", "delete": "owner_id = auth.sub"},
                "notice": {"select": "TRUE"}}}""";

    @RegisterExtension
    static final TestServer server = TestServer.perClass(c -> c.withAuth(Jwts.config())
                    .withPolicies(Policy.of(POLICIES)))
            .helpersAuthorizedWith(Jwts.SERVICE_KEY);

    @BeforeAll
    static void tables() {
        server.sql("CREATE TABLE todos (id INTEGER PRIMARY KEY, owner_id TEXT, title TEXT)");
        server.sql("CREATE TABLE notice (id INTEGER PRIMARY KEY, text TEXT)");
        server.sql("CREATE TABLE closed (id INTEGER PRIMARY KEY, v TEXT)");
        server.insert("notice", "text", "hello");
    }

    /** Inserts a todo as the service; answers its id. */
    private static long todo(String owner, String title) {
        return server.insert("todos", "owner_id", owner, "title", title).path("row").path("id").asLong();
    }

    /** A WebSocket of user {@code sub} subscribed to live changes of {@code todos}. */
    private static WsTestClient liveTodos(String sub) {
        WsTestClient ws = Policy.ws(server, sub);
        ws.subscribe("topic", "todos");
        return ws;
    }

    /** A snapshot (or list) of exactly one row, titled {@code title}. */
    private static void assertOnlyRow(JsonNode snapshot, String title) {
        assertThat(snapshot.path("rows")).hasSize(1);
        assertThat(snapshot.path("rows").get(0).path("title").asText()).isEqualTo(title);
    }

    private static JsonNode onlyChange(JsonNode frame) {
        assertThat(frame.path("changes").size()).as("%s", frame).isEqualTo(1);
        return frame.path("changes").get(0);
    }

    private static HttpResponse<String> rest(String sub, String method, String path, String body) {
        return server.request(method, path, body, Policy.as(sub));
    }

    private static String errorCode(HttpResponse<String> r) {
        return Json.read(r.body()).path("error").path("code").asText();
    }

    @Test
    void aSnapshotShowsTheCallersRowsOnlyAndOtherUsersInsertsNeverArrive() {
        String ada = server.uniqueName("ada");
        String bob = server.uniqueName("bob");
        todo(ada, "a1");
        todo(bob, "b1");
        try (WsTestClient ws = Policy.ws(server, ada)) {
            String ref = ws.send("type", "subscribe", "topic", "todos", "snapshot", true);
            assertOnlyRow(ws.awaitType("snapshot"), "a1");
            assertThat(ws.await(f -> ref.equals(f.path("ref").asText())).path("ok").asBoolean()).isTrue();

            todo(bob, "b2");
            todo(ada, "a2");
            assertThat(onlyChange(ws.awaitChange("todos")).path("data").path("title").asText()).isEqualTo("a2");
            assertThat(ws.messages()).noneMatch(m -> m.contains(bob));
        }
    }

    @Test
    void anUpdateMovingARowToAnotherOwnerIsADeleteForTheOldOwnerAndAnInsertForTheNew() {
        String ada = server.uniqueName("ada");
        String bob = server.uniqueName("bob");
        long id = todo(ada, "moving");
        try (WsTestClient adaWs = liveTodos(ada); WsTestClient bobWs = liveTodos(bob)) {
            server.sql("UPDATE todos SET owner_id = '" + bob + "', title = 'moved' WHERE id = " + id);

            JsonNode left = adaWs.awaitChange("todos");
            assertThat(onlyChange(left).path("operation").asText()).isEqualTo("DELETE");
            assertThat(onlyChange(left).path("old").path("title").asText()).isEqualTo("moving");
            assertThat(onlyChange(left).path("data").isNull()).isTrue();
            assertThat(left.toString()).as("the new row is never sent to the old owner").doesNotContain(bob, "moved");

            JsonNode entered = bobWs.awaitChange("todos");
            assertThat(onlyChange(entered).path("operation").asText()).isEqualTo("INSERT");
            assertThat(onlyChange(entered).path("data").path("title").asText()).isEqualTo("moved");
        }
    }

    @Test
    void aDeleteReachesOnlyTheUsersWhoCouldSeeTheRow() {
        String ada = server.uniqueName("ada");
        String bob = server.uniqueName("bob");
        long bobs = todo(bob, "bob's secret");
        try (WsTestClient adaWs = liveTodos(ada); WsTestClient bobWs = liveTodos(bob)) {
            server.sql("DELETE FROM todos WHERE id = " + bobs);
            JsonNode deleted = onlyChange(bobWs.awaitChange("todos"));
            assertThat(deleted.path("operation").asText()).isEqualTo("DELETE");
            assertThat(deleted.path("old").path("id").asLong()).isEqualTo(bobs);

            todo(ada, "after"); // committed after the delete: it is Ada's next frame only if the delete never came
            assertThat(onlyChange(adaWs.awaitChange("todos")).path("data").path("title").asText()).isEqualTo("after");
            assertThat(adaWs.messages()).noneMatch(m -> m.contains("bob's secret"));
        }
    }

    @Test
    void aSinceResumeAfterADisconnectReplaysOnlyWhatTheCallerMaySee() {
        String ada = server.uniqueName("ada");
        String bob = server.uniqueName("bob");
        todo(ada, "before");
        String position;
        try (WsTestClient ws = Policy.ws(server, ada)) {
            position = ws.subscribe("topic", "todos", "snapshot", true).path("position").asText();
        }
        todo(bob, "bob's while away");
        long moved = todo(ada, "mine, then bob's");
        todo(ada, "mine");
        server.sql("UPDATE todos SET owner_id = '" + bob + "' WHERE id = " + moved);

        try (WsTestClient ws = Policy.ws(server, ada)) {
            String ref = ws.send("type", "subscribe", "topic", "todos", "since", position);
            List<String> seen = new ArrayList<>();
            while (true) {
                JsonNode frame = ws.next();
                if (ref.equals(frame.path("ref").asText())) {
                    assertThat(frame.path("ok").asBoolean()).as("%s", frame).isTrue();
                    break;
                }
                JsonNode change = onlyChange(frame);
                JsonNode row = change.path("operation").asText().equals("DELETE") ? change.path("old") : change.path("data");
                seen.add(change.path("operation").asText() + " " + row.path("title").asText());
            }
            assertThat(seen).containsExactly("INSERT mine, then bob's", "INSERT mine", "DELETE mine, then bob's");
            assertThat(ws.messages()).noneMatch(m -> m.contains(bob));
        }
    }

    @Test
    void anSseStreamShowsOnlyTheCallersRowsAndResumesWithLastEventIdWithinThePolicy() {
        String ada = server.uniqueName("ada");
        String bob = server.uniqueName("bob");
        todo(ada, "s1");
        todo(bob, "sb1");
        String lastId;
        try (SseTestClient sse = Policy.sse(server, ada, "topic=todos&snapshot=true")) {
            assertThat(sse.status()).isEqualTo(200);
            assertOnlyRow(sse.await(e -> "snapshot".equals(e.event())).json(), "s1");
            todo(bob, "sb2");
            todo(ada, "s2");
            SseTestClient.Event change = sse.await(e -> "db_change".equals(e.event()));
            assertThat(onlyChange(change.json()).path("data").path("title").asText()).isEqualTo("s2");
            lastId = change.id();
        }
        todo(bob, "sb3");
        todo(ada, "s3");
        try (SseTestClient resumed = SseTestClient.resume(
                server.sse("topic=todos&snapshot=true&token=" + Jwts.user(ada)), lastId)) {
            SseTestClient.Event change = resumed.await(e -> "db_change".equals(e.event()));
            assertThat(onlyChange(change.json()).path("data").path("title").asText()).isEqualTo("s3");
        }
    }

    @Test
    void restRowsObeyThePolicyForListGetInsertUpdateAndDelete() {
        String ada = server.uniqueName("ada");
        String bob = server.uniqueName("bob");
        long adas = todo(ada, "r1");
        long bobs = todo(bob, "r2");
        String rows = "/v1/tables/todos/rows";

        JsonNode list = Json.read(rest(ada, "GET", rows, null).body());
        assertThat(list.path("rows")).hasSize(1);
        assertThat(list.path("rows").get(0).path("id").asLong()).isEqualTo(adas);
        assertThat(Json.read(rest(ada, "GET", rows + "?filter=title%20%3D%20'r2'", null).body()).path("rows")).isEmpty();

        assertThat(rest(ada, "GET", rows + "/" + adas, null).statusCode()).isEqualTo(200);
        HttpResponse<String> hidden = rest(ada, "GET", rows + "/" + bobs, null);
        assertThat(hidden.statusCode()).isEqualTo(404);
        assertThat(errorCode(hidden)).isEqualTo("not_found");

        HttpResponse<String> forged = rest(ada, "POST", rows, Json.object("owner_id", bob, "title", "forged"));
        assertThat(forged.statusCode()).isEqualTo(403);
        assertThat(errorCode(forged)).isEqualTo("forbidden");
        assertThat(server.sql("SELECT count(*) AS n FROM todos WHERE title = 'forged'")).contains("\"n\":0");
        assertThat(rest(ada, "POST", rows, Json.object("owner_id", ada, "title", "own")).statusCode()).isEqualTo(201);

        HttpResponse<String> giveAway = rest(ada, "PATCH", rows + "/" + adas, Json.object("owner_id", bob));
        assertThat(giveAway.statusCode()).isEqualTo(403);
        assertThat(server.rest(200, "GET", rows + "/" + adas, null).path("row").path("owner_id").asText()).isEqualTo(ada);
        assertThat(rest(ada, "PATCH", rows + "/" + bobs, Json.object("title", "mine now")).statusCode()).isEqualTo(404);
        assertThat(rest(ada, "PATCH", rows + "/" + adas, Json.object("title", "renamed")).statusCode()).isEqualTo(200);

        assertThat(rest(ada, "DELETE", rows + "/" + bobs, null).statusCode()).isEqualTo(404);
        assertThat(server.rest(200, "GET", rows + "/" + bobs, null).path("row").path("title").asText()).isEqualTo("r2");
        assertThat(rest(ada, "DELETE", rows + "/" + adas, null).statusCode()).isEqualTo(200);
    }

    @Test
    void aTableWithoutAPolicyIsClosedToUsersWhetherItExistsOrNotAndOpenToTheService() {
        String ada = server.uniqueName("ada");
        try (WsTestClient ws = Policy.ws(server, ada)) {
            JsonNode closed = ws.request("type", "subscribe", "topic", "closed", "snapshot", true);
            JsonNode missing = ws.request("type", "subscribe", "topic", "missing", "snapshot", true);
            assertThat(closed.path("error").path("code").asText()).isEqualTo("forbidden");
            assertThat(closed.path("error").path("message").asText().replace("closed", "missing"))
                    .isEqualTo(missing.path("error").path("message").asText());
        }
        HttpResponse<String> rest = rest(ada, "GET", "/v1/tables/closed/rows", null);
        assertThat(rest.statusCode()).isEqualTo(403);
        try (SseTestClient sse = Policy.sse(server, ada, "topic=closed")) {
            assertThat(sse.status()).isEqualTo(403);
        }
        server.rest(200, "GET", "/v1/tables/closed/rows", null);
        try (WsTestClient service = WsTestClient.connect(URI.create(server.ws() + "?apikey="
                + Jwts.SERVICE_KEY))) {
            service.subscribe("topic", "closed", "snapshot", true);
        }
    }

    @Test
    void selectTrueOpensATableForReadingOnly() {
        String ada = server.uniqueName("ada");
        try (WsTestClient ws = Policy.ws(server, ada)) {
            ws.send("type", "subscribe", "topic", "notice", "snapshot", true);
            assertThat(ws.awaitType("snapshot").path("rows").get(0).path("text").asText()).isEqualTo("hello");
        }
        assertThat(rest(ada, "GET", "/v1/tables/notice/rows", null).body()).contains("hello");
        HttpResponse<String> insert = rest(ada, "POST", "/v1/tables/notice/rows", Json.object("text", "spam"));
        assertThat(insert.statusCode()).isEqualTo(403);
        assertThat(Json.read(insert.body()).path("error").path("message").asText()).contains("insert");
    }

    @Test
    void identicalSubscriptionsOfOneUserShareAQueryAndEachUserHasItsOwn() {
        await().atMost(Duration.ofSeconds(10)).until(() -> server.server().node().queryCount() == 0);
        String ada = server.uniqueName("ada");
        String bob = server.uniqueName("bob");
        try (WsTestClient a1 = Policy.ws(server, ada); WsTestClient a2 = Policy.ws(server, ada);
             WsTestClient b = Policy.ws(server, bob)) {
            for (WsTestClient ws : List.of(a1, a2, b)) {
                ws.subscribe("topic", "todos", "filter", "title != 'x'");
            }
            assertThat(server.server().node().queryCount()).isEqualTo(2);
        }
    }
}
