package io.pulsebase.storage.sqlite;

import io.pulsebase.core.store.Column;
import io.pulsebase.core.store.TableSchema;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The user tables of the database and their schemas, read with {@code PRAGMA table_list} /
 * {@code table_xinfo}. Schemas are cached and tagged with the {@code schema_version} they were read at, so a
 * connection always gets the schema its own transaction sees (readers may lag the writer by a commit).
 *
 * <p>User tables are ordinary tables of the main schema; views, virtual tables (which cannot carry
 * triggers) and their shadow tables, SQLite's own {@code sqlite_*} tables and our {@code _pb_*} tables are
 * not. A table without a declared primary key is keyed by its rowid, which then appears in its rows under
 * the name {@code rowid} (or {@code _rowid_} / {@code oid} when a column shadows that name).
 */
final class TableCatalog {
    static final String INTERNAL_PREFIX = "_pb_";

    private static final String[] ROWID_ALIASES = {"rowid", "_rowid_", "oid"};

    private record Cached<T>(long schemaVersion, T value) {
    }

    private final SqliteConnections connections;
    private final ConcurrentHashMap<String, Cached<Optional<TableSchema>>> schemas = new ConcurrentHashMap<>();
    private volatile Cached<List<String>> tableList;

    TableCatalog(SqliteConnections connections) {
        this.connections = connections;
    }

    static boolean isInternal(String name) {
        String lower = name.toLowerCase(Locale.ROOT);
        return lower.startsWith(INTERNAL_PREFIX) || lower.startsWith("sqlite_");
    }

    /** Changes whenever any connection changes the schema (and so the cached schemas may be stale). */
    long schemaVersion(Connection connection) throws SQLException {
        try (ResultSet rs = connections.prepared(connection, "PRAGMA schema_version").executeQuery()) {
            rs.next();
            return rs.getLong(1);
        }
    }

    /** The user tables, sorted by name. */
    List<String> tables(Connection connection) throws SQLException {
        long version = schemaVersion(connection);
        Cached<List<String>> cached = tableList;
        if (cached != null && cached.schemaVersion() == version) {
            return cached.value();
        }
        List<String> names = new ArrayList<>();
        try (Statement statement = connection.createStatement();
                ResultSet rs = statement.executeQuery(
                        "SELECT name FROM pragma_table_list WHERE schema = 'main' AND type = 'table' ORDER BY name")) {
            while (rs.next()) {
                String name = rs.getString(1);
                if (!isInternal(name)) {
                    names.add(name);
                }
            }
        }
        List<String> result = List.copyOf(names);
        tableList = new Cached<>(version, result);
        return result;
    }

    /** The schema of a user table (name matched as SQLite does, ignoring ASCII case), if there is one. */
    Optional<TableSchema> table(Connection connection, String name) throws SQLException {
        if (name == null || name.isEmpty() || isInternal(name)) {
            return Optional.empty();
        }
        long version = schemaVersion(connection);
        String key = name.toLowerCase(Locale.ROOT);
        Cached<Optional<TableSchema>> cached = schemas.get(key);
        if (cached != null && cached.schemaVersion() == version) {
            return cached.value();
        }
        Optional<TableSchema> schema = load(connection, name);
        if (schema.isPresent()) {
            schemas.put(key, new Cached<>(version, schema));
        } else {
            schemas.remove(key); // no negative entries: clients may ask for any name
        }
        return schema;
    }

    private Optional<TableSchema> load(Connection connection, String name) throws SQLException {
        String canonical = null;
        PreparedStatement find = connections.prepared(connection,
                "SELECT name FROM pragma_table_list WHERE schema = 'main' AND type = 'table' AND name = ? COLLATE NOCASE");
        find.setString(1, name);
        try (ResultSet rs = find.executeQuery()) {
            if (rs.next()) {
                canonical = rs.getString(1);
            }
        }
        if (canonical == null || isInternal(canonical)) {
            return Optional.empty();
        }
        List<Column> columns = new ArrayList<>();
        List<String> keyColumns = new ArrayList<>();
        PreparedStatement info = connections.prepared(connection,
                "SELECT name, type, \"notnull\", pk, hidden FROM pragma_table_xinfo(?) ORDER BY cid");
        info.setString(1, canonical);
        try (ResultSet rs = info.executeQuery()) {
            while (rs.next()) {
                if (rs.getInt(5) == 1) {
                    continue; // hidden column of a virtual table
                }
                String column = rs.getString(1);
                String type = rs.getString(2) == null ? "" : rs.getString(2);
                boolean pk = rs.getInt(4) > 0;
                columns.add(new Column(column, type, affinity(type), rs.getInt(3) != 0, pk));
                if (pk) {
                    keyColumns.add(column);
                }
            }
        }
        String key = switch (keyColumns.size()) {
            case 0 -> rowidAlias(columns);
            case 1 -> keyColumns.get(0);
            default -> null; // composite key: CRUD by id refuses it
        };
        return Optional.of(new TableSchema(canonical, columns, key));
    }

    private static String rowidAlias(List<Column> columns) {
        for (String alias : ROWID_ALIASES) {
            boolean shadowed = columns.stream().anyMatch(c -> c.name().equalsIgnoreCase(alias));
            if (!shadowed) {
                return alias;
            }
        }
        return null;
    }

    /** Whether the table is keyed by its rowid (no declared primary key); rows then carry the rowid. */
    static boolean rowidKeyed(TableSchema schema) {
        return schema.primaryKey() != null && schema.column(schema.primaryKey()).isEmpty();
    }

    /** The keys of a row of this table, in order: the rowid alias first for rowid-keyed tables, then the columns. */
    static List<String> rowColumns(TableSchema schema) {
        List<String> names = new ArrayList<>(schema.columns().size() + 1);
        if (rowidKeyed(schema)) {
            names.add(schema.primaryKey());
        }
        for (Column column : schema.columns()) {
            names.add(column.name());
        }
        return names;
    }

    /** A row key as an SQL expression: rowid aliases bare (quoting would not make them rowid), columns quoted. */
    static String columnExpression(TableSchema schema, String name) {
        return rowidKeyed(schema) && name.equals(schema.primaryKey()) ? name : SqlQuoting.identifier(name);
    }

    /** The type affinity SQLite gives a declared type (section 3.1 of "Datatypes In SQLite"). */
    static Column.Affinity affinity(String declaredType) {
        String type = declaredType.toUpperCase(Locale.ROOT);
        if (type.contains("INT")) {
            return Column.Affinity.INTEGER;
        }
        if (type.contains("CHAR") || type.contains("CLOB") || type.contains("TEXT")) {
            return Column.Affinity.TEXT;
        }
        if (type.isEmpty() || type.contains("BLOB")) {
            return Column.Affinity.BLOB;
        }
        if (type.contains("REAL") || type.contains("FLOA") || type.contains("DOUB")) {
            return Column.Affinity.REAL;
        }
        return Column.Affinity.NUMERIC;
    }
}
