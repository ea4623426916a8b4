package io.pulsebase.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.pulsebase.testkit.client.Json;
import io.pulsebase.testkit.client.WsTestClient;
import java.net.URLEncoder;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * REST over real HTTP: {@code /v1/sql}, row CRUD, listing, the error bodies and statuses of docs/protocol.md,
 * value round-trips between REST and the live stream, and delivery of every REST write to a subscriber.
 */
class RestIT {
    @RegisterExtension
    static final TestServer server = TestServer.perClass();

    private static String notesTable() {
        return server.newTable("id INTEGER PRIMARY KEY, title TEXT NOT NULL, done INTEGER NOT NULL DEFAULT 0, "
                + "tag TEXT DEFAULT 'misc', score REAL, UNIQUE (title)");
    }

    /** A refusal: the status and the {@code {"error": {"code", "message"}}} body. */
    private static JsonNode refused(int status, String code, String method, String path, String body) {
        HttpResponse<String> r = server.request(method, path, body);
        assertThat(r.statusCode()).as("%s %s -> %s", method, path, r.body()).isEqualTo(status);
        assertThat(r.headers().firstValue("content-type").orElse("")).contains("application/json");
        JsonNode error = Json.read(r.body()).path("error");
        assertThat(error.path("code").asText()).as("%s %s -> %s", method, path, r.body()).isEqualTo(code);
        assertThat(error.path("message").asText()).isNotBlank();
        return error;
    }

    private static JsonNode sqlCall(String sql, Object... params) {
        return server.rest(200, "POST", "/v1/sql", Json.object("sql", sql, "params", Arrays.asList(params)));
    }

    private static String enc(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8).replace("+", "%20");
    }

    private static int count(String table) {
        return Json.read(server.sql("SELECT count(*) AS n FROM " + table)).path("rows").get(0).path("n").asInt();
    }

    @Test
    void sqlRunsDdlDmlAndSelectWithColumnsRowsChangesAndPosition() {
        String t = server.uniqueName("sql");
        JsonNode ddl = server.rest(200, "POST", "/v1/sql", Json.object("sql", "CREATE TABLE " + t + " (id INTEGER PRIMARY KEY, a TEXT, b REAL)"));
        Json.position(ddl);
        JsonNode dml = server.rest(200, "POST", "/v1/sql", Json.object("sql", "INSERT INTO " + t + " (a, b) VALUES ('x', 1.5), ('y', NULL)"));
        assertThat(dml.path("changes").asInt()).isEqualTo(2);
        assertThat(Json.position(dml)).isGreaterThan(0);
        JsonNode select = server.rest(200, "POST", "/v1/sql", Json.object("sql", "SELECT id, a, b FROM " + t + " ORDER BY id"));
        assertThat(select.path("columns")).isEqualTo(Json.read("[\"id\",\"a\",\"b\"]"));
        assertThat(select.path("rows")).isEqualTo(Json.read("[{\"id\":1,\"a\":\"x\",\"b\":1.5},{\"id\":2,\"a\":\"y\",\"b\":null}]"));
        assertThat(select.path("changes").asInt()).isZero();
        JsonNode update = sqlCall("UPDATE " + t + " SET a = 'z'");
        assertThat(update.path("changes").asInt()).isEqualTo(2);
        assertThat(Json.position(update)).isGreaterThan(Json.position(dml));
    }

    @Test
    void sqlParamsArePositionalAndBooleansBecomeOneAndZero() {
        String t = server.newTable("id INTEGER PRIMARY KEY, n INTEGER, s TEXT, yes INTEGER, no INTEGER, r REAL, z TEXT");
        sqlCall("INSERT INTO " + t + " (n, s, yes, no, r, z) VALUES (?, ?, ?, ?, ?, ?)", 7, "it's \"quoted\"", true, false, 2.5, null);
        JsonNode rows = sqlCall("SELECT n, s, yes, no, r, z FROM " + t + " WHERE s = ?", "it's \"quoted\"").path("rows");
        assertThat(rows).isEqualTo(Json.read("[{\"n\":7,\"s\":\"it's \\\"quoted\\\"\",\"yes\":1,\"no\":0,\"r\":2.5,\"z\":null}]"));
        // a parameter is a value, never SQL
        sqlCall("INSERT INTO " + t + " (s) VALUES (?)", "x'); DROP TABLE " + t + "; --");
        assertThat(count(t)).isEqualTo(2);
    }

    @Test
    void badSqlIsSqlErrorWithSqlitesMessage() {
        JsonNode error = refused(400, "sql_error", "POST", "/v1/sql", Json.object("sql", "SELEC 1"));
        assertThat(error.path("message").asText()).contains("SELEC");
        refused(400, "sql_error", "POST", "/v1/sql", Json.object("sql", "SELECT * FROM no_such_table"));
        refused(400, "bad_request", "POST", "/v1/sql", Json.object("params", List.of()));
    }

    @Test
    void multipleStatementsAreRefusedAndNoneRuns() {
        String t = server.newTable("id INTEGER PRIMARY KEY, v INTEGER");
        HttpResponse<String> r = server.request("POST", "/v1/sql",
                Json.object("sql", "INSERT INTO " + t + " (v) VALUES (1); INSERT INTO " + t + " (v) VALUES (2)"));
        assertThat(r.statusCode()).as(r.body()).isEqualTo(400);
        assertThat(Json.read(r.body()).path("error").path("code").asText()).isIn("bad_request", "sql_error");
        assertThat(count(t)).isZero();
    }

    @Test
    void constraintViolationsAre409() {
        String t = notesTable();
        server.rest(201, "POST", "/v1/tables/" + t + "/rows", Json.object("id", 1, "title", "a"));
        refused(409, "constraint_violation", "POST", "/v1/tables/" + t + "/rows", Json.object("id", 1, "title", "b"));
        refused(409, "constraint_violation", "POST", "/v1/tables/" + t + "/rows", Json.object("title", "a"));
        refused(409, "constraint_violation", "POST", "/v1/tables/" + t + "/rows", Json.object("done", 1));
        refused(409, "constraint_violation", "POST", "/v1/sql",
                Json.object("sql", "INSERT INTO " + t + " (id, title) VALUES (1, 'c')"));
        server.rest(201, "POST", "/v1/tables/" + t + "/rows", Json.object("id", 2, "title", "b"));
        refused(409, "constraint_violation", "PATCH", "/v1/tables/" + t + "/rows/2", Json.object("title", "a"));
        assertThat(count(t)).isEqualTo(2);
    }

    @Test
    void rowCrudCreatesReadsPatchesAndDeletes() {
        String t = notesTable();
        JsonNode created = server.rest(201, "POST", "/v1/tables/" + t + "/rows", Json.object("title", "write tests"));
        JsonNode row = created.path("row");
        assertThat(row.path("id").isIntegralNumber()).as("generated id: %s", row).isTrue();
        assertThat(row).isEqualTo(Json.read("{\"id\":" + row.path("id").asLong()
                + ",\"title\":\"write tests\",\"done\":0,\"tag\":\"misc\",\"score\":null}"));
        long p1 = Json.position(created);
        String path = "/v1/tables/" + t + "/rows/" + row.path("id").asLong();

        assertThat(server.rest(200, "GET", path, null).path("row")).isEqualTo(row);

        JsonNode patched = server.rest(200, "PATCH", path, Json.object("done", 1, "score", 0.5));
        assertThat(patched.path("row").path("done").asInt()).isEqualTo(1);
        assertThat(patched.path("row").path("score").asDouble()).isEqualTo(0.5);
        assertThat(patched.path("row").path("title").asText()).isEqualTo("write tests");
        assertThat(Json.position(patched)).isGreaterThan(p1);
        assertThat(server.rest(200, "GET", path, null).path("row")).isEqualTo(patched.path("row"));

        JsonNode deleted = server.rest(200, "DELETE", path, null);
        assertThat(deleted.path("row")).as("DELETE answers the row as it was").isEqualTo(patched.path("row"));
        assertThat(Json.position(deleted)).isGreaterThan(Json.position(patched));
        refused(404, "not_found", "GET", path, null);
        refused(404, "not_found", "DELETE", path, null);
        refused(404, "not_found", "PATCH", path, Json.object("done", 0));
    }

    @Test
    void missingRowsUnknownColumnsAndUnknownTablesAreNamed() {
        String t = notesTable();
        server.rest(201, "POST", "/v1/tables/" + t + "/rows", Json.object("id", 1, "title", "a"));
        refused(404, "not_found", "GET", "/v1/tables/" + t + "/rows/999", null);
        refused(400, "unknown_column", "PATCH", "/v1/tables/" + t + "/rows/1", Json.object("colour", "red"));
        refused(400, "unknown_column", "POST", "/v1/tables/" + t + "/rows", Json.object("title", "b", "colour", "red"));
        refused(400, "unknown_column", "GET", "/v1/tables/" + t + "/rows?order=colour.desc", null);
        assertThat(server.rest(200, "GET", "/v1/tables/" + t + "/rows/1", null).path("row").path("title").asText()).isEqualTo("a");

        refused(404, "unknown_table", "GET", "/v1/tables/nope/rows", null);
        refused(404, "unknown_table", "POST", "/v1/tables/nope/rows", Json.object("a", 1));
        refused(404, "unknown_table", "GET", "/v1/tables/nope/rows/1", null);
        refused(404, "unknown_table", "PATCH", "/v1/tables/nope/rows/1", Json.object("a", 1));
        refused(404, "unknown_table", "DELETE", "/v1/tables/nope/rows/1", null);
    }

    @Test
    void listRowsFiltersOrdersAndLimits() {
        String t = notesTable();
        server.sql("INSERT INTO " + t + " (id, title, done, score) VALUES "
                + "(1, 'a', 0, 1.0), (2, 'b', 1, 5.0), (3, 'c', 0, 3.0), (4, 'd', 0, 4.0), (5, 'e', 0, NULL)");
        JsonNode all = server.rest(200, "GET", "/v1/tables/" + t + "/rows", null);
        assertThat(all.path("rows")).hasSize(5);
        Json.position(all);

        JsonNode page = server.rest(200, "GET", "/v1/tables/" + t + "/rows?filter=" + enc("done = 0 AND score IS NOT NULL")
                + "&order=score.desc&limit=2", null);
        List<Integer> ids = new ArrayList<>();
        page.path("rows").forEach(r -> ids.add(r.path("id").asInt()));
        assertThat(ids).containsExactly(4, 3);

        JsonNode asc = server.rest(200, "GET", "/v1/tables/" + t + "/rows?order=done.desc,id&limit=3", null);
        List<Integer> ascIds = new ArrayList<>();
        asc.path("rows").forEach(r -> ascIds.add(r.path("id").asInt()));
        assertThat(ascIds).containsExactly(2, 1, 3);

        refused(400, "invalid_filter", "GET", "/v1/tables/" + t + "/rows?filter=" + enc("score >"), null);
        refused(400, "invalid_filter", "GET", "/v1/tables/" + t + "/rows?filter=" + enc("colour = 1"), null);
        refused(400, "bad_request", "GET", "/v1/tables/" + t + "/rows?limit=0", null);
        refused(400, "bad_request", "GET", "/v1/tables/" + t + "/rows?limit=10001", null);
        refused(400, "bad_request", "GET", "/v1/tables/" + t + "/rows?limit=ten", null);
    }

    @Test
    void unknownPathsWrongMethodsAndNonJsonBodiesAreRefused() {
        refused(404, "not_found", "GET", "/v1/nope", null);
        refused(404, "not_found", "GET", "/nope", null);
        refused(404, "not_found", "GET", "/v1/tables/x/columns", null);
        refused(405, "method_not_allowed", "GET", "/v1/sql", null);
        refused(405, "method_not_allowed", "PUT", "/v1/tables/x/rows/1", Json.object("a", 1));
        refused(405, "method_not_allowed", "DELETE", "/v1/tables/x/rows", null);
        refused(405, "method_not_allowed", "POST", "/health", "{}");

        String t = notesTable();
        refused(400, "invalid_json", "POST", "/v1/tables/" + t + "/rows", "not json");
        refused(400, "invalid_json", "POST", "/v1/tables/" + t + "/rows", "[{\"title\":\"a\"}]");
        refused(400, "invalid_json", "POST", "/v1/sql", "{\"sql\": ");
        refused(400, "invalid_json", "POST", "/v1/sql", "\"SELECT 1\"");
        server.rest(201, "POST", "/v1/tables/" + t + "/rows", Json.object("id", 1, "title", "a"));
        refused(400, "invalid_json", "PATCH", "/v1/tables/" + t + "/rows/1", "done=1");
        assertThat(count(t)).isEqualTo(1);
    }

    @Test
    void aTableWithoutPrimaryKeyIsAddressedByRowid() {
        String t = server.newTable("a TEXT, b INTEGER");
        server.rest(201, "POST", "/v1/tables/" + t + "/rows", Json.object("a", "x", "b", 1));
        server.rest(201, "POST", "/v1/tables/" + t + "/rows", Json.object("a", "y", "b", 2));
        assertThat(server.rest(200, "GET", "/v1/tables/" + t + "/rows/2", null).path("row").path("a").asText()).isEqualTo("y");
        assertThat(server.rest(200, "PATCH", "/v1/tables/" + t + "/rows/2", Json.object("b", 3)).path("row").path("b").asInt())
                .isEqualTo(3);
        assertThat(server.rest(200, "DELETE", "/v1/tables/" + t + "/rows/1", null).path("row").path("a").asText()).isEqualTo("x");
        assertThat(server.rest(200, "GET", "/v1/tables/" + t + "/rows", null).path("rows")).hasSize(1);
    }

    @Test
    void aBodyOverTheLimitIsTooLarge() {
        try (TestServer small = TestServer.start(c -> c.withTransport(c.transport().withMaxBodyBytes(1024)))) {
            small.sql("CREATE TABLE big (id INTEGER PRIMARY KEY, v TEXT)");
            HttpResponse<String> r = small.request("POST", "/v1/tables/big/rows", Json.object("v", "x".repeat(4096)));
            assertThat(r.statusCode()).as(r.body()).isEqualTo(413);
            assertThat(Json.read(r.body()).path("error").path("code").asText()).isEqualTo("too_large");
            HttpResponse<String> ok = small.request("POST", "/v1/tables/big/rows", Json.object("v", "x".repeat(100)));
            assertThat(ok.statusCode()).as(ok.body()).isEqualTo(201);
            assertThat(Json.read(small.sql("SELECT count(*) AS n FROM big")).path("rows").get(0).path("n").asInt()).isEqualTo(1);
        }
    }

    @Test
    void textPrimaryKeyRowsAreAddressedByTheirUrlEncodedKey() {
        String t = server.newTable("k TEXT PRIMARY KEY, v TEXT");
        String key = "hello world/ä?&#+%";
        JsonNode created = server.rest(201, "POST", "/v1/tables/" + t + "/rows", Json.object("k", key, "v", "1"));
        assertThat(created.path("row")).isEqualTo(Json.read(Json.object("k", key, "v", "1")));
        String path = "/v1/tables/" + t + "/rows/" + enc(key);
        assertThat(server.rest(200, "GET", path, null).path("row").path("k").asText()).isEqualTo(key);
        assertThat(server.rest(200, "PATCH", path, Json.object("v", "2")).path("row").path("v").asText()).isEqualTo("2");

        // a numeric-looking text key stays text
        server.rest(201, "POST", "/v1/tables/" + t + "/rows", Json.object("k", "42", "v", "n"));
        assertThat(server.rest(200, "GET", "/v1/tables/" + t + "/rows/42", null).path("row").path("k").asText()).isEqualTo("42");
        refused(404, "not_found", "GET", "/v1/tables/" + t + "/rows/043", null);

        assertThat(server.rest(200, "DELETE", path, null).path("row")).isEqualTo(Json.read(Json.object("k", key, "v", "2")));
        refused(404, "not_found", "GET", path, null);
    }

    @Test
    void realNullBlobAndLargeIntegerValuesRoundTripEquallyThroughRestAndTheLiveStream() {
        String t = server.newTable("id INTEGER PRIMARY KEY, r REAL, whole REAL, s TEXT, b BLOB, n INTEGER, big INTEGER");
        try (WsTestClient client = WsTestClient.connect(server.ws())) {
            client.subscribe("topic", t);
            server.sql("INSERT INTO " + t + " (id, r, whole, s, b, n, big) VALUES "
                    + "(1, 1.5, 2.0, 'h\u00e9llo \"q\" \u2603', X'00FF10ab', NULL, 9007199254740993)");
            JsonNode live = client.awaitChange(t).path("changes").get(0).path("data");
            assertThat(live.path("r").asDouble()).isEqualTo(1.5);
            assertThat(live.path("b").asText()).isEqualTo("00FF10AB");
            assertThat(live.path("n").isNull()).isTrue();
            assertThat(live.path("big").asLong()).isEqualTo(9007199254740993L);
            assertThat(live.path("s").asText()).isEqualTo("h\u00e9llo \"q\" \u2603");

            JsonNode byId = server.rest(200, "GET", "/v1/tables/" + t + "/rows/1", null).path("row");
            JsonNode listed = server.rest(200, "GET", "/v1/tables/" + t + "/rows", null).path("rows").get(0);
            String ref = client.send("type", "subscribe", "topic", t, "snapshot", true);
            JsonNode snapshot = client.awaitType("snapshot").path("rows").get(0);
            client.await(f -> f.path("ref").asText().equals(ref));
            assertThat(byId).isEqualTo(live);
            assertThat(listed).isEqualTo(live);
            assertThat(snapshot).isEqualTo(live);

            // an update through REST carries the same values in old and data
            JsonNode patched = server.rest(200, "PATCH", "/v1/tables/" + t + "/rows/1", Json.object("n", 3)).path("row");
            JsonNode update = client.awaitChange(t).path("changes").get(0);
            assertThat(update.path("old")).isEqualTo(live);
            assertThat(update.path("data")).isEqualTo(patched);
        }
    }

    @Test
    void everyRestWriteIsDeliveredToALiveSubscriberAtItsPosition() {
        String t = notesTable();
        try (WsTestClient client = WsTestClient.connect(server.ws())) {
            client.subscribe("topic", t);
            JsonNode created = server.rest(201, "POST", "/v1/tables/" + t + "/rows", Json.object("title", "a"));
            String path = "/v1/tables/" + t + "/rows/" + created.path("row").path("id").asLong();
            JsonNode patched = server.rest(200, "PATCH", path, Json.object("done", 1));
            JsonNode deleted = server.rest(200, "DELETE", path, null);
            JsonNode viaSql = sqlCall("INSERT INTO " + t + " (title) VALUES (?), (?)", "b", "c");

            JsonNode f1 = client.next();
            assertThat(Json.position(f1)).isEqualTo(Json.position(created));
            assertThat(f1.path("changes").get(0).path("operation").asText()).isEqualTo("INSERT");
            assertThat(f1.path("changes").get(0).path("data")).isEqualTo(created.path("row"));
            JsonNode f2 = client.next();
            assertThat(Json.position(f2)).isEqualTo(Json.position(patched));
            assertThat(f2.path("changes").get(0).path("data")).isEqualTo(patched.path("row"));
            assertThat(f2.path("changes").get(0).path("old")).isEqualTo(created.path("row"));
            JsonNode f3 = client.next();
            assertThat(Json.position(f3)).isEqualTo(Json.position(deleted));
            assertThat(f3.path("changes").get(0).path("operation").asText()).isEqualTo("DELETE");
            assertThat(f3.path("changes").get(0).path("old")).isEqualTo(deleted.path("row"));
            JsonNode f4 = client.next();
            assertThat(Json.position(f4)).isEqualTo(Json.position(viaSql));
            assertThat(f4.path("changes")).hasSize(2);
        }
    }
}
