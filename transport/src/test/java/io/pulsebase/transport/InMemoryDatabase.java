package io.pulsebase.transport;

import io.pulsebase.core.store.Column;
import io.pulsebase.core.store.Database;
import io.pulsebase.core.store.RowGuard;
import io.pulsebase.core.store.RowOrder;
import io.pulsebase.core.store.SqlResult;
import io.pulsebase.core.store.TableSchema;
import io.pulsebase.core.store.TableSnapshot;
import io.pulsebase.core.store.WriteResult;
import io.pulsebase.protocol.ErrorCode;
import io.pulsebase.protocol.ProtocolException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Predicate;

/**
 * A tiny in-memory {@link Database} for transport tests: tables with a schema and rows by primary key, enough to
 * drive REST CRUD and snapshots through the edge. It captures nothing; {@code execute} knows a few canned
 * statements. Records the ids it was called with, so tests can check how the edge converted them.
 */
final class InMemoryDatabase implements Database {
    private final Map<String, TableSchema> schemas = new ConcurrentHashMap<>();
    private final Map<String, Map<Object, Map<String, Object>>> rows = new ConcurrentHashMap<>();
    volatile long position = 10;
    volatile Object lastId;

    /** A table {@code name(id INTEGER PRIMARY KEY, title TEXT, done INTEGER)}. */
    InMemoryDatabase withTable(String name) {
        return withTable(name, Column.Affinity.INTEGER);
    }

    InMemoryDatabase withTable(String name, Column.Affinity idAffinity) {
        schemas.put(name, new TableSchema(name, List.of(
                new Column("id", idAffinity == Column.Affinity.INTEGER ? "INTEGER" : "TEXT", idAffinity, true, true),
                new Column("title", "TEXT", Column.Affinity.TEXT, false, false),
                new Column("done", "INTEGER", Column.Affinity.INTEGER, false, false)), "id"));
        rows.put(name, new ConcurrentHashMap<>());
        return this;
    }

    InMemoryDatabase withRow(String table, Object id, String title) {
        Map<String, Object> row = new LinkedHashMap<>();
        row.put("id", id);
        row.put("title", title);
        row.put("done", 0L);
        rows.get(table).put(id, row);
        return this;
    }

    @Override
    public SqlResult execute(String sql, List<Object> params) {
        if (sql.equals("boom")) {
            throw new IllegalStateException("driver detail that must not reach clients");
        }
        if (sql.startsWith("SELECT")) {
            return new SqlResult(List.of("n"), List.of(Map.of("n", params.isEmpty() ? 1L : params.get(0))), 0, position);
        }
        if (sql.startsWith("UPDATE")) {
            return new SqlResult(List.of(), List.of(), 3, ++position);
        }
        throw new ProtocolException(ErrorCode.SQL_ERROR, "near \"" + sql.split(" ")[0] + "\": syntax error");
    }

    @Override
    public List<String> tables() {
        return List.copyOf(schemas.keySet());
    }

    @Override
    public Optional<TableSchema> table(String name) {
        return Optional.ofNullable(schemas.get(name));
    }

    private Map<Object, Map<String, Object>> rowsOf(String table) {
        Map<Object, Map<String, Object>> r = rows.get(table);
        if (r == null) {
            throw new ProtocolException(ErrorCode.UNKNOWN_TABLE, "unknown table '" + table + "'");
        }
        return r;
    }

    @Override
    public TableSnapshot snapshot(String table, Predicate<Map<String, Object>> filter, List<RowOrder> order, int limit) {
        List<Map<String, Object>> result = new ArrayList<>(rowsOf(table).values().stream().filter(filter).toList());
        Comparator<Map<String, Object>> byId = Comparator.comparing(r -> String.valueOf(r.get("id")));
        Comparator<Map<String, Object>> comparator = byId;
        if (!order.isEmpty()) {
            RowOrder first = order.get(0);
            Comparator<Map<String, Object>> c = Comparator.comparing(r -> String.valueOf(r.get(first.column())));
            comparator = first.descending() ? c.reversed() : c;
        }
        result.sort(comparator);
        if (limit > 0 && result.size() > limit) {
            result = result.subList(0, limit);
        }
        return new TableSnapshot(table, List.copyOf(result), position);
    }

    @Override
    public WriteResult insert(String table, Map<String, Object> values, RowGuard allowed) {
        Map<Object, Map<String, Object>> r = rowsOf(table);
        for (String column : values.keySet()) {
            if (schemas.get(table).column(column).isEmpty()) {
                throw new ProtocolException(ErrorCode.UNKNOWN_COLUMN, "unknown column '" + column + "'");
            }
        }
        Map<String, Object> row = new LinkedHashMap<>();
        row.put("id", values.getOrDefault("id", (long) r.size() + 1));
        row.put("title", values.get("title"));
        row.put("done", values.getOrDefault("done", 0L));
        if (!allowed.admits(row)) {
            throw new ProtocolException(ErrorCode.FORBIDDEN, "not allowed");
        }
        r.put(row.get("id"), row);
        return new WriteResult(row, ++position);
    }

    @Override
    public Optional<Map<String, Object>> get(String table, Object id) {
        lastId = id;
        return Optional.ofNullable(rowsOf(table).get(id));
    }

    @Override
    public WriteResult update(String table, Object id, Map<String, Object> values, RowGuard visible,
                              RowGuard allowed) {
        lastId = id;
        Map<String, Object> row = rowsOf(table).get(id);
        if (row == null || !visible.admits(row)) {
            throw new ProtocolException(ErrorCode.NOT_FOUND, "no row with that id");
        }
        Map<String, Object> updated = new LinkedHashMap<>(row);
        updated.putAll(values);
        if (!allowed.admits(updated)) {
            throw new ProtocolException(ErrorCode.FORBIDDEN, "not allowed");
        }
        row.putAll(values);
        return new WriteResult(row, ++position);
    }

    @Override
    public WriteResult delete(String table, Object id, RowGuard visible) {
        lastId = id;
        Map<String, Object> row = rowsOf(table).get(id);
        if (row == null || !visible.admits(row)) {
            throw new ProtocolException(ErrorCode.NOT_FOUND, "no row with that id");
        }
        rowsOf(table).remove(id);
        return new WriteResult(row, ++position);
    }

    @Override
    public void close() {
    }
}
