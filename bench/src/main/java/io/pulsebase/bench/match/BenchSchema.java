package io.pulsebase.bench.match;

import io.pulsebase.core.store.Column;
import io.pulsebase.core.store.TableSchema;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** The table the matcher benchmarks subscribe to: {@code messages(id, room_id, status, name, score)}. */
final class BenchSchema {
    static final TableSchema MESSAGES = new TableSchema("messages", List.of(
            new Column("id", "INTEGER", Column.Affinity.INTEGER, true, true),
            new Column("room_id", "INTEGER", Column.Affinity.INTEGER, false, false),
            new Column("status", "TEXT", Column.Affinity.TEXT, false, false),
            new Column("name", "TEXT", Column.Affinity.TEXT, false, false),
            new Column("score", "REAL", Column.Affinity.REAL, false, false)), "id");

    private BenchSchema() {
    }

    static Map<String, Object> row(long id, long room, String status, String name, double score) {
        Map<String, Object> row = new HashMap<>();
        row.put("id", id);
        row.put("room_id", room);
        row.put("status", status);
        row.put("name", name);
        row.put("score", score);
        return row;
    }
}
