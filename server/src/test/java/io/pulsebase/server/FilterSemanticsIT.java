package io.pulsebase.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.pulsebase.testkit.client.Json;
import io.pulsebase.testkit.client.WsTestClient;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The filter language evaluates exactly as SQLite does (three-valued logic, affinity, {@code 7 = 7.0}, ASCII
 * case-insensitive {@code LIKE}): for each filter, the snapshot holds exactly the rows SQLite's {@code WHERE}
 * selects, and a transaction that rewrites every row produces exactly the enter / update / leave operations that
 * SQLite's view of the rows before and after implies.
 */
class FilterSemanticsIT {
    private static final String COLUMNS = "id INTEGER PRIMARY KEY, age INTEGER, name TEXT, score REAL, flag INTEGER, note TEXT";
    private static final String ROWS = "(1, 30, 'Alice', 1.5, 1, NULL), (2, 7, 'bob', 7.0, 0, 'x'), "
            + "(3, NULL, 'Carol_1', NULL, 1, '100%'), (4, 45, 'dave', 2.25, NULL, 'it''s'), "
            + "(5, 30, 'ALICE', -1, 0, ''), (6, 8, '\u00c9clair', 1e10, 2, 'Bob')";
    private static final int N = 6;

    @RegisterExtension
    static final TestServer server = TestServer.perClass();

    @BeforeAll
    static void createTables() {
        server.sql("CREATE TABLE people (" + COLUMNS + ")");
        server.sql("INSERT INTO people (id, age, name, score, flag, note) VALUES " + ROWS);
        server.sql("CREATE TABLE sentinel (id INTEGER PRIMARY KEY, n INTEGER)");
    }

    private static Set<Integer> sqliteIds(String table, String filter) {
        Set<Integer> ids = new TreeSet<>();
        Json.read(server.sql("SELECT id FROM " + table + " WHERE " + filter)).path("rows")
                .forEach(r -> ids.add(r.path("id").asInt()));
        return ids;
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "age = '30'",
        "age = 30.0",
        "score = 7",
        "name = 'alice'",
        "name LIKE 'alice'",
        "name LIKE 'c%'",
        "name LIKE '_ob'",
        "name NOT LIKE '%a%'",
        "name LIKE '\u00e9clair'",
        "note LIKE '100%'",
        "age IN (7, 45)",
        "age NOT IN (7, 45)",
        "age NOT IN (7, NULL)",
        "age IS NULL",
        "note IS NOT NULL AND note != ''",
        "age BETWEEN 7 AND 30",
        "age NOT BETWEEN 7 AND 30",
        "NOT (age = 30)",
        "NOT (age = 30 OR flag = 1)",
        "flag = TRUE",
        "flag = FALSE OR flag IS NULL",
        "\"age\" > 10 AND (score < 2 OR score IS NULL)",
        "note = 'it''s'",
        "age > score",
        "7 < age",
        "age <> 30",
        "score >= 10000000000",
        "name > 'Z'",
        "age = NULL",
        "name = note",
        "age = 30 and name like 'A%'",
    })
    void snapshotAndLiveStreamAgreeWithSqlite(String filter) {
        Set<Integer> expected = sqliteIds("people", filter);
        String live = server.newTable(COLUMNS);
        try (WsTestClient client = WsTestClient.connect(server.ws())) {
            // Snapshot: exactly the rows SQLite selects.
            String ref = client.send("type", "subscribe", "topic", "people", "filter", filter, "snapshot", true);
            JsonNode snapshot = client.awaitType("snapshot");
            JsonNode reply = client.await(f -> f.path("ref").asText().equals(ref));
            assertThat(reply.path("ok").asBoolean()).as("subscribe %s: %s", filter, reply).isTrue();
            Set<Integer> got = new TreeSet<>();
            snapshot.path("rows").forEach(r -> got.add(r.path("id").asInt()));
            assertThat(got).as("snapshot of %s", filter).isEqualTo(expected);

            // Live: insert all rows in one transaction, then rotate every row's values to the next row's.
            client.subscribe("topic", live, "filter", filter);
            client.subscribe("topic", "sentinel");
            long insertPosition = server.write(
                    "INSERT INTO " + live + " (id, age, name, score, flag, note) VALUES " + ROWS);
            server.sql("UPDATE " + live + " SET age = p.age, name = p.name, score = p.score, flag = p.flag, note = p.note "
                    + "FROM people p WHERE p.id = " + live + ".id % " + N + " + 1");
            Set<Integer> afterRotation = sqliteIds(live, filter);
            long sentinel = server.write("INSERT INTO sentinel (n) VALUES (1)");

            Set<Integer> inserted = new TreeSet<>();
            Map<Integer, String> rotated = new HashMap<>();
            int frames = 0;
            while (true) {
                JsonNode f = client.awaitType("db_change");
                if (f.path("topic").asText().equals("sentinel")) {
                    if (Json.position(f) >= sentinel) {
                        break;
                    }
                    continue;
                }
                frames++;
                for (JsonNode c : f.path("changes")) {
                    String op = c.path("operation").asText();
                    if (Json.position(f) == insertPosition) {
                        assertThat(op).isEqualTo("INSERT");
                        inserted.add(c.path("data").path("id").asInt());
                    } else {
                        int id = (op.equals("DELETE") ? c.path("old") : c.path("data")).path("id").asInt();
                        assertThat(rotated.put(id, op)).as("one change per row").isNull();
                    }
                }
            }
            assertThat(inserted).as("live inserts of %s", filter).isEqualTo(expected);
            Map<Integer, String> want = new HashMap<>();
            for (int id = 1; id <= N; id++) {
                boolean before = expected.contains(id);
                boolean after = afterRotation.contains(id);
                if (before && after) {
                    want.put(id, "UPDATE");
                } else if (before) {
                    want.put(id, "DELETE");
                } else if (after) {
                    want.put(id, "INSERT");
                }
            }
            assertThat(rotated).as("rotation as seen through %s", filter).isEqualTo(want);
            int expectedFrames = (expected.isEmpty() ? 0 : 1) + (want.isEmpty() ? 0 : 1);
            assertThat(frames).as("one frame per transaction that the filter sees").isEqualTo(expectedFrames);
        }
    }
}
