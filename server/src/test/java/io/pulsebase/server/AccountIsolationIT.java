package io.pulsebase.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.pulsebase.core.auth.ApiKey;
import io.pulsebase.testkit.client.Json;
import io.pulsebase.testkit.client.SseTestClient;
import io.pulsebase.testkit.client.WsTestClient;
import java.net.URI;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.assertj.core.api.SoftAssertions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Two accounts on one server, {@code default} and {@code acme}, each with a table {@code notes}, a table only it
 * has, channels of the same names, history and presence: every probe one account's callers can make over REST,
 * WebSocket and SSE — table names, filters, positions, channel names, channel events, history, presence, raw SQL —
 * sees its own account only, and a name that exists only in the other account is answered exactly like one that exists nowhere.
 */
class AccountIsolationIT {
    static final String ACME = "acme";
    static final String ACME_SERVICE_KEY = "service-key-of-the-acme-account-0001";
    private static final String POLICIES = """
            {"tables": {
                "notes":        {"select": "TRUE"},
                "default_only": {"select": "TRUE"},
                "acme_only":    {"select": "TRUE"},
                "missing":      {"select": "TRUE"}}}""";

    @RegisterExtension
    static final TestServer server = TestServer.perClass(c -> c
                    .withAuth(Jwts.builder().apiKey(ApiKey.service(ACME, ACME_SERVICE_KEY)).build())
                    .withPolicies(Policy.of(POLICIES)))
            .helpersAuthorizedWith(Jwts.SERVICE_KEY);

    @BeforeAll
    static void tables() {
        server.sql("CREATE TABLE notes (id INTEGER PRIMARY KEY, text TEXT)");
        server.sql("CREATE TABLE default_only (id INTEGER PRIMARY KEY, text TEXT)");
        server.sql("INSERT INTO notes (text) VALUES ('default note 1'), ('default note 2'), ('default note 3')");
        server.sql("INSERT INTO default_only (text) VALUES ('default secret')");
        acmeSql("CREATE TABLE notes (id INTEGER PRIMARY KEY, text TEXT)");
        acmeSql("CREATE TABLE acme_only (id INTEGER PRIMARY KEY, text TEXT)");
        acmeSql("INSERT INTO notes (text) VALUES ('acme note 1')");
    }

    /** A token of user {@code sub} in account acme. */
    static String acmeUser(String sub) {
        return Jwts.user(sub, c -> c.claim("account", ACME));
    }

    static HttpResponse<String> acmeSql(String sql) {
        HttpResponse<String> r = server.request("POST", "/v1/sql", Json.object("sql", sql),
                Map.of("Authorization", "Bearer " + ACME_SERVICE_KEY));
        assertThat(r.statusCode()).as("acme SQL %s -> %s", sql, r.body()).isEqualTo(200);
        return r;
    }

    private static HttpResponse<String> asAcme(String method, String path, String body) {
        return server.request(method, path, body, Map.of("Authorization", "Bearer " + acmeUser("ann")));
    }

    private static HttpResponse<String> asDefault(String method, String path, String body) {
        return server.request(method, path, body, Policy.as("dan"));
    }

    private static WsTestClient acmeWs(String sub) {
        return WsTestClient.connect(URI.create(server.ws() + "?token=" + acmeUser(sub)));
    }

    private static boolean received(WsTestClient ws, String text) {
        return ws.messages().stream().anyMatch(m -> m.contains(text));
    }

    private static List<String> texts(JsonNode rows) {
        return rows.findValuesAsText("text");
    }

    @Test
    void eachAccountHasItsOwnDatabaseFolder() {
        assertThat(server.dataDir().resolve("pulsebase.db")).exists();
        assertThat(server.dataDir().resolve("accounts").resolve(ACME).resolve("pulsebase.db")).exists();
    }

    @Test
    void restRowsAndRawSqlSeeTheCallersAccountOnly() {
        for (int i = 0; i < 5; i++) { // so default's notes have ids acme's do not
            server.sql("INSERT INTO notes (text) VALUES ('default extra " + i + "')");
        }
        SoftAssertions soft = new SoftAssertions();
        JsonNode acmeNotes = Json.read(asAcme("GET", "/v1/tables/notes/rows", null).body()).path("rows");
        soft.assertThat(texts(acmeNotes)).contains("acme note 1").allMatch(t -> t.startsWith("acme"));
        JsonNode defaultNotes = Json.read(asDefault("GET", "/v1/tables/notes/rows", null).body()).path("rows");
        soft.assertThat(texts(defaultNotes)).contains("default note 1").allMatch(t -> t.startsWith("default"));
        // The newest of default's notes has an id acme's notes do not: acme's get is not_found, like a row that
        // exists nowhere.
        long defaultOnly = defaultNotes.get(defaultNotes.size() - 1).path("id").asLong();
        soft.assertThat(acmeNotes.findValuesAsText("id")).doesNotContain(Long.toString(defaultOnly));
        HttpResponse<String> acmeGet = asAcme("GET", "/v1/tables/notes/rows/" + defaultOnly, null);
        HttpResponse<String> acmeGetNowhere = asAcme("GET", "/v1/tables/notes/rows/99999", null);
        soft.assertThat(acmeGet.statusCode()).isEqualTo(404);
        soft.assertThat(acmeGet.body()).isEqualTo(acmeGetNowhere.body().replace("99999", Long.toString(defaultOnly)));
        // Raw SQL with acme's service key runs in acme's database.
        String acmeCount = acmeSql("SELECT count(*) AS n FROM notes").body();
        soft.assertThat(Json.read(acmeCount).path("rows").get(0).path("n").asInt()).isEqualTo(acmeNotes.size());
        HttpResponse<String> probe = server.request("POST", "/v1/sql",
                Json.object("sql", "SELECT * FROM default_only"),
                Map.of("Authorization", "Bearer " + ACME_SERVICE_KEY));
        soft.assertThat(probe.statusCode()).isEqualTo(400);
        soft.assertThat(probe.body()).doesNotContain("default secret");
        soft.assertAll();
    }

    @Test
    void aTableOfAnotherAccountIsAnsweredLikeATableThatExistsNowhere() {
        SoftAssertions soft = new SoftAssertions();
        for (String path : List.of("/v1/tables/%s/rows", "/v1/tables/%s/rows/1")) {
            HttpResponse<String> other = asAcme("GET", path.formatted("default_only"), null);
            HttpResponse<String> nowhere = asAcme("GET", path.formatted("missing"), null);
            soft.assertThat(other.statusCode()).as(path).isEqualTo(404);
            soft.assertThat(other.body().replace("default_only", "T")).as(path)
                    .isEqualTo(nowhere.body().replace("missing", "T"));
            soft.assertThat(asDefault("GET", path.formatted("acme_only"), null).statusCode()).as(path).isEqualTo(404);
        }
        HttpResponse<String> insert = asAcme("POST", "/v1/tables/default_only/rows", Json.object("text", "x"));
        soft.assertThat(insert.statusCode()).as("an insert is refused by the (absent) insert policy first")
                .isEqualTo(403);
        try (WsTestClient ws = acmeWs("ann")) {
            JsonNode other = ws.request("type", "subscribe", "topic", "default_only");
            JsonNode nowhere = ws.request("type", "subscribe", "topic", "missing");
            soft.assertThat(other.path("error").path("code").asText()).isEqualTo("unknown_table");
            soft.assertThat(other.path("error").path("message").asText().replace("default_only", "T"))
                    .isEqualTo(nowhere.path("error").path("message").asText().replace("missing", "T"));
        }
        soft.assertAll();
    }

    @Test
    void liveChangesSnapshotsAndFiltersStayInTheirAccount() {
        try (WsTestClient acme = acmeWs("ann"); WsTestClient dflt = Policy.ws(server, "dan")) {
            String ref = acme.send("type", "subscribe", "topic", "notes", "snapshot", true, "filter", "id >= 1");
            JsonNode snapshot = acme.awaitType("snapshot");
            assertThat(texts(snapshot.path("rows"))).containsExactly("acme note 1");
            assertThat(acme.await(f -> ref.equals(f.path("ref").asText())).path("ok").asBoolean()).isTrue();
            dflt.subscribe("topic", "notes", "filter", "id >= 1");

            server.sql("INSERT INTO notes (text) VALUES ('default live')");
            acmeSql("INSERT INTO notes (text) VALUES ('acme live')");

            JsonNode acmeChange = acme.awaitChange("notes");
            assertThat(acmeChange.path("changes").get(0).path("data").path("text").asText()).isEqualTo("acme live");
            JsonNode defaultChange = dflt.awaitChange("notes");
            assertThat(defaultChange.path("changes").get(0).path("data").path("text").asText())
                    .isEqualTo("default live");
            acme.drain(Duration.ofMillis(300));
            assertThat(acme.messages()).noneMatch(m -> m.contains("default"));
            assertThat(dflt.messages()).noneMatch(m -> m.contains("acme"));
        }
    }

    @Test
    void positionsAreTheAccountsOwn() {
        // Default's log is far ahead of acme's; a position of default's is not one acme can resume from.
        for (int i = 0; i < 20; i++) {
            server.sql("INSERT INTO notes (text) VALUES ('default filler " + i + "')");
        }
        long defaultHead = Json.position(Json.read(asDefault("GET", "/v1/tables/notes/rows", null).body()));
        long acmeHead = Json.position(Json.read(asAcme("GET", "/v1/tables/notes/rows", null).body()));
        assertThat(acmeHead).isLessThan(defaultHead);
        try (WsTestClient ws = acmeWs("ann")) {
            JsonNode ahead = ws.request("type", "subscribe", "topic", "notes", "since", Long.toString(defaultHead));
            assertThat(ahead.path("error").path("code").asText()).isEqualTo("position_expired");

            // From the start of acme's log: acme's changes, and nothing of default's.
            ws.subscribe("topic", "notes", "since", "0");
            acmeSql("INSERT INTO notes (text) VALUES ('acme marker')");
            ws.await(f -> f.toString().contains("acme marker"));
            assertThat(ws.messages()).noneMatch(m -> m.contains("default"));
        }
    }

    @Test
    void channelsHistoryAndPresenceOfTheSameNameAreSeparate() {
        String topic = "chat/" + server.uniqueName("room");
        try (WsTestClient dflt = Policy.ws(server, "dan"); WsTestClient acme = acmeWs("ann")) {
            dflt.requestOk("type", "track", "topic", topic, "state", Map.of("name", "dan"));
            dflt.subscribe("topic", topic);
            String ref = acme.send("type", "subscribe", "topic", topic);
            JsonNode state = acme.awaitType("presence_state");
            assertThat(state.toString()).doesNotContain("dan");
            assertThat(acme.await(f -> ref.equals(f.path("ref").asText())).path("ok").asBoolean()).isTrue();

            dflt.requestOk("type", "publish", "topic", topic, "event", "said", "data", "default secret",
                    "persist", true);
            acme.requestOk("type", "publish", "topic", topic, "event", "said", "data", "acme hello", "persist", true);
            // A publisher receives its own message, perhaps before its reply (which the request helper waits for).
            await().atMost(Duration.ofSeconds(10)).until(() -> received(acme, "acme hello")
                    && received(dflt, "default secret"));

            JsonNode acmeHistory = acme.requestOk("type", "history", "topic", topic);
            assertThat(acmeHistory.toString()).contains("acme hello").doesNotContain("default secret");
            assertThat(asAcme("GET", "/v1/history?topic=" + topic, null).body())
                    .contains("acme hello").doesNotContain("default secret");
            assertThat(asAcme("GET", "/v1/presence?topic=" + topic, null).body()).doesNotContain("dan");
            assertThat(asDefault("GET", "/v1/presence?topic=" + topic, null).body()).contains("dan");
            acme.drain(Duration.ofMillis(300));
            assertThat(acme.messages()).noneMatch(m -> m.contains("default secret") || m.contains("\"dan\""));
            assertThat(dflt.messages()).noneMatch(m -> m.contains("acme hello"));
        }
    }

    @Test
    void sseStreamsAndResumesWithinTheCallersAccount() {
        long acmeAt = Json.position(Json.read(asAcme("GET", "/v1/tables/notes/rows", null).body()));
        server.sql("INSERT INTO notes (text) VALUES ('default while away')");
        acmeSql("INSERT INTO notes (text) VALUES ('acme while away')");
        List<String> seen = new ArrayList<>();
        try (SseTestClient sse = SseTestClient.resume(server.sse("topic=notes&token=" + acmeUser("ann")),
                Long.toString(acmeAt))) {
            SseTestClient.Event missed = sse.await(e -> seen.add(String.valueOf(e.data()))
                    && e.data() != null && e.data().contains("while away"));
            assertThat(missed.data()).contains("acme while away");
            acmeSql("INSERT INTO notes (text) VALUES ('acme sse live')");
            sse.await(e -> seen.add(String.valueOf(e.data())) && e.data() != null
                    && e.data().contains("acme sse live"));
        }
        assertThat(seen).noneMatch(data -> data.contains("default"));
    }

    @Test
    void anSseChannelStreamSeesItsAccountsEventsAndPresenceOnly() {
        String topic = "chat/" + server.uniqueName("sse-room");
        List<String> seen = new ArrayList<>();
        try (WsTestClient dflt = Policy.ws(server, "dan");
             SseTestClient sse = SseTestClient.connect(server.sse("topic=" + topic + "&token=" + acmeUser("ann")))) {
            dflt.requestOk("type", "track", "topic", topic, "state", Map.of("name", "dan"));
            dflt.requestOk("type", "publish", "topic", topic, "event", "said", "data", "default secret",
                    "persist", true);
            try (WsTestClient acme = acmeWs("amy")) {
                acme.requestOk("type", "track", "topic", topic, "state", Map.of("name", "amy"));
                acme.requestOk("type", "publish", "topic", topic, "event", "said", "data", "acme hello",
                        "persist", true);
                sse.await(e -> seen.add(String.valueOf(e.data())) && e.data() != null
                        && e.data().contains("acme hello"));
            }
        }
        assertThat(seen).anyMatch(data -> data.contains("amy")); // acme's own presence reached the stream
        assertThat(seen).noneMatch(data -> data.contains("default secret") || data.contains("\"dan\""));
    }

    @Test
    void aServerServesAtMostMaxAccountsAndRefusesTheNextOneByName() {
        try (TestServer small = TestServer.start(c -> c.withAuth(Jwts.config()).withMaxAccounts(2))) {
            String globex = Jwts.user("gil", c -> c.claim("account", "globex"));
            String initech = Jwts.user("ida", c -> c.claim("account", "initech"));
            try (WsTestClient first = WsTestClient.connect(URI.create(small.ws() + "?token=" + globex))) {
                first.requestOk("type", "ping");
                try (WsTestClient refused = WsTestClient.connect(URI.create(small.ws() + "?token=" + initech))) {
                    JsonNode error = refused.awaitType("error");
                    assertThat(error.path("code").asText()).isEqualTo("forbidden");
                    assertThat(refused.awaitClose(Duration.ofSeconds(10))).isEqualTo(4004);
                }
                HttpResponse<String> rest = small.request("GET", "/v1/history?topic=chat/x", null,
                        Map.of("Authorization", "Bearer " + initech));
                assertThat(rest.statusCode()).isEqualTo(403);
                assertThat(Files.exists(small.dataDir().resolve("accounts").resolve("initech"))).isFalse();
                first.requestOk("type", "ping");
            }
        }
    }

    @Test
    void anAccountsDataAndPositionsSurviveARestart() {
        String marker = server.uniqueName("persisted");
        acmeSql("INSERT INTO notes (text) VALUES ('" + marker + "')");
        long before = Json.position(Json.read(asAcme("GET", "/v1/tables/notes/rows", null).body()));
        server.restart(c -> c.withAuth(Jwts.builder().apiKey(ApiKey.service(ACME, ACME_SERVICE_KEY)).build())
                .withPolicies(Policy.of(POLICIES)));
        JsonNode after = Json.read(asAcme("GET", "/v1/tables/notes/rows", null).body());
        assertThat(texts(after.path("rows"))).contains(marker).noneMatch(t -> t.startsWith("default"));
        assertThat(Json.position(after)).isEqualTo(before);
        try (WsTestClient ws = acmeWs("ann")) {
            ws.subscribe("topic", "notes", "since", Long.toString(before));
            acmeSql("INSERT INTO notes (text) VALUES ('after restart')");
            JsonNode change = ws.awaitChange("notes");
            assertThat(change.path("changes").get(0).path("data").path("text").asText()).isEqualTo("after restart");
            assertThat(Json.position(change)).isGreaterThan(before);
        }
    }
}
