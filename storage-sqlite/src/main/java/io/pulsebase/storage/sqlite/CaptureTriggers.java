package io.pulsebase.storage.sqlite;

import io.pulsebase.core.store.TableSchema;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * The AFTER INSERT / UPDATE / DELETE triggers that write every row change of every user table into
 * {@code _pb_log}, inside the writer's own transaction. Each trigger row holds the transaction marker from
 * {@code _pb_txctx}, the table, the operation and the new and old rows as JSON objects (columns in table
 * order; BLOBs as upper-case hex, since {@code json_object} refuses blobs).
 *
 * <p>Installation is idempotent and compares text: SQLite keeps a trigger's {@code CREATE} statement verbatim,
 * so a trigger whose text differs from what we would create now (a column was added, renamed or dropped, the
 * table was renamed) is dropped and created again, and {@code _pb_} triggers of tables that no longer exist
 * under that name are dropped.
 *
 * <p>Two more triggers are kept with them, on {@code _pb_log} itself: {@link LogSchema#KEEP_NEWEST}, which refuses
 * to delete the log's newest row, and {@link LogSchema#KEEP_SEQ}, which refuses to change any row's {@code seq}
 * (together, the invariant that keeps positions from being reused, see {@link LogSchema}).
 * It is dropped and put back with the others, so a migration or an {@code ALTER TABLE} never trips on it.
 */
final class CaptureTriggers {
    /** Functions take at most 100 arguments by default (SQLITE_LIMIT_FUNCTION_ARG): build wide rows in chunks. */
    private static final int COLUMNS_PER_CALL = 40;

    private static final String TS = "CAST(unixepoch('subsec') * 1000 AS INTEGER)";

    private CaptureTriggers() {
    }

    /** Trigger name to the exact {@code CREATE TRIGGER} text, for every user table. */
    static Map<String, String> expected(Connection connection, TableCatalog catalog) throws SQLException {
        Map<String, String> triggers = new LinkedHashMap<>();
        triggers.put(LogSchema.KEEP_NEWEST, LogSchema.KEEP_NEWEST_SQL);
        triggers.put(LogSchema.KEEP_SEQ, LogSchema.KEEP_SEQ_SQL);
        for (String table : catalog.tables(connection)) {
            Optional<TableSchema> schema = catalog.table(connection, table);
            if (schema.isEmpty()) {
                continue;
            }
            List<String> columns = TableCatalog.rowColumns(schema.get());
            TableSchema s = schema.get();
            triggers.put(name("ins", table), create("ins", "INSERT", table, json(s, columns, "NEW"), "NULL"));
            triggers.put(name("upd", table), create("upd", "UPDATE", table, json(s, columns, "NEW"), json(s, columns, "OLD")));
            triggers.put(name("del", table), create("del", "DELETE", table, "NULL", json(s, columns, "OLD")));
        }
        return triggers;
    }

    /** Our triggers as they are in the database, name to text. */
    static Map<String, String> installed(Connection connection) throws SQLException {
        Map<String, String> triggers = new LinkedHashMap<>();
        try (Statement statement = connection.createStatement();
                ResultSet rs = statement.executeQuery("SELECT name, sql FROM sqlite_master WHERE type = 'trigger'"
                        + " AND substr(name, 1, 4) = '" + TableCatalog.INTERNAL_PREFIX + "'")) {
            while (rs.next()) {
                triggers.put(rs.getString(1), rs.getString(2));
            }
        }
        return triggers;
    }

    /** Whether every user table has exactly our current triggers (a read-only check). */
    static boolean upToDate(Connection connection, TableCatalog catalog) throws SQLException {
        return expected(connection, catalog).equals(installed(connection));
    }

    /**
     * Brings the triggers in line with the tables; must run inside a write transaction so that no row written
     * to a table after its creation escapes capture. Returns whether anything changed.
     */
    static boolean install(Connection connection, TableCatalog catalog) throws SQLException {
        Map<String, String> expected = expected(connection, catalog);
        Map<String, String> installed = installed(connection);
        boolean changed = false;
        try (Statement statement = connection.createStatement()) {
            for (Map.Entry<String, String> trigger : installed.entrySet()) {
                if (!trigger.getValue().equals(expected.get(trigger.getKey()))) {
                    statement.execute("DROP TRIGGER IF EXISTS " + SqlQuoting.identifier(trigger.getKey()));
                    changed = true;
                }
            }
            for (Map.Entry<String, String> trigger : expected.entrySet()) {
                if (!trigger.getValue().equals(installed.get(trigger.getKey()))) {
                    statement.execute(trigger.getValue());
                    changed = true;
                }
            }
        }
        return changed;
    }

    /**
     * Drops all our triggers; done before {@code ALTER TABLE} in our own transactions, because SQLite refuses
     * to drop or rename a column that a trigger still names. {@link #install} puts them back before commit.
     */
    static void dropAll(Connection connection) throws SQLException {
        try (Statement statement = connection.createStatement()) {
            for (String name : installed(connection).keySet()) {
                statement.execute("DROP TRIGGER IF EXISTS " + SqlQuoting.identifier(name));
            }
        }
    }

    private static String name(String kind, String table) {
        return TableCatalog.INTERNAL_PREFIX + kind + "_" + table;
    }

    private static String create(String kind, String operation, String table, String newRow, String oldRow) {
        return "CREATE TRIGGER " + SqlQuoting.identifier(name(kind, table)) + " AFTER " + operation + " ON "
                + SqlQuoting.identifier(table) + " BEGIN INSERT INTO _pb_log(tx, tbl, op, new, old, ts) VALUES ("
                + "(SELECT tx FROM _pb_txctx), " + SqlQuoting.literal(table) + ", '" + operation + "', "
                + newRow + ", " + oldRow + ", " + TS + "); END";
    }

    /**
     * The row as a JSON object: one {@code json_object} call, or for tables wider than one call allows, the
     * members of several calls spliced into one object. Each call's text is a compact object whose last
     * character is its closing brace and whose first is its opening one (no value is an object), so trimming
     * one brace from each side and joining with commas yields the whole row, nulls and column order kept.
     */
    private static String json(TableSchema schema, List<String> columns, String row) {
        List<String> calls = new ArrayList<>();
        for (int start = 0; start < columns.size(); start += COLUMNS_PER_CALL) {
            StringBuilder call = new StringBuilder("json_object(");
            for (int i = start; i < Math.min(start + COLUMNS_PER_CALL, columns.size()); i++) {
                if (i > start) {
                    call.append(", ");
                }
                call.append(SqlQuoting.literal(columns.get(i))).append(", ").append(value(schema, columns.get(i), row));
            }
            calls.add(call.append(')').toString());
        }
        if (calls.size() == 1) {
            return calls.get(0);
        }
        return "'{' || " + calls.stream().map(call -> "ltrim(rtrim(" + call + ", '}'), '{')")
                .collect(Collectors.joining(" || ',' || ")) + " || '}'";
    }

    private static String value(TableSchema schema, String column, String row) {
        String ref = row + "." + TableCatalog.columnExpression(schema, column);
        return "CASE WHEN typeof(" + ref + ") = 'blob' THEN hex(" + ref + ") ELSE " + ref + " END";
    }
}
