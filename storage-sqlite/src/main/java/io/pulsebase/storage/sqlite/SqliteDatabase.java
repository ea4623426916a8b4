package io.pulsebase.storage.sqlite;

import io.pulsebase.core.store.Column;
import io.pulsebase.core.store.Database;
import io.pulsebase.core.store.RowOrder;
import io.pulsebase.core.store.SqlResult;
import io.pulsebase.core.store.RowGuard;
import io.pulsebase.core.store.TableSchema;
import io.pulsebase.core.store.TableSnapshot;
import io.pulsebase.core.store.WriteResult;
import io.pulsebase.protocol.ErrorCode;
import io.pulsebase.protocol.ProtocolException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.LongFunction;
import java.util.function.Predicate;
import java.util.stream.Collectors;

/**
 * The {@link Database} on one SQLite file. Writes run on the single writer connection through {@code GroupCommit}:
 * each is one transaction as far as the log goes — it bumps the transaction marker in {@code _pb_txctx} at its
 * start and its end, so the capture triggers give all its rows (and only those) one marker, one log entry and one
 * position — while concurrent writes share one {@code COMMIT}, each in its own savepoint (a failing write fails
 * alone). Every write is answered only after its commit. A statement that changes the schema runs in a
 * transaction of its own and gets its capture triggers installed before that transaction commits, so not one
 * row of a new table escapes capture. Reads (snapshots, CRUD gets, read-only SQL) run on pooled read-only
 * connections, each in one read transaction that also reads the log head: WAL gives them a consistent
 * snapshot at exactly that position.
 *
 * <p>Rows are maps in column order; see {@link RowValues} for the values. A table without a declared primary
 * key is addressed by its rowid, which its rows carry under the name {@link TableSchema#primaryKey()}. A table
 * with a composite key has a {@code null} primary key: CRUD by id refuses it, SQL works.
 *
 * <p>Not allowed through {@link #execute}: several statements in one request, transaction control
 * ({@code BEGIN}, {@code COMMIT}, {@code SAVEPOINT} ...), and {@code PRAGMA}s that set connection settings (only
 * {@code user_version} and {@code application_id} may be set), and {@code CREATE TEMP ...}. {@code VACUUM} and
 * {@code ATTACH} fail as {@code sql_error} since every statement runs inside a transaction.
 *
 * <p>{@link #close()} closes the whole {@link SqliteStorage}.
 */
public final class SqliteDatabase implements Database {
    private static final Set<String> READ_KEYWORDS = Set.of("SELECT", "VALUES", "WITH", "EXPLAIN");
    private static final Set<String> TRANSACTION_KEYWORDS =
            Set.of("BEGIN", "COMMIT", "END", "ROLLBACK", "SAVEPOINT", "RELEASE");
    private static final Set<String> PRAGMAS_READING_ARGUMENT = Set.of("table_info", "table_xinfo", "table_list",
            "index_list", "index_info", "index_xinfo", "foreign_key_list", "foreign_key_check", "integrity_check",
            "quick_check");
    private static final Set<String> PRAGMAS_SETTABLE = Set.of("user_version", "application_id");
    /**
     * Statements that may share a transaction with other requests, each in its own savepoint. Everything else
     * (schema changes, settable PRAGMAs, VACUUM ...) runs in a transaction of its own: a schema change makes
     * every other request's statements re-prepare, and some statements refuse to run inside a savepoint.
     */
    private static final Set<String> GROUPABLE_KEYWORDS = Set.of("INSERT", "UPDATE", "DELETE", "REPLACE", "WITH");

    /** The value of a {@link #transaction} and the log position its commit reached. */
    public record Committed<T>(T value, long position) {
    }

    private record Written<T>(T value, long position, boolean logged) {
    }

    private final SqliteConnections connections;
    private final TableCatalog catalog;
    private final Runnable afterLoggedCommit;
    private final Runnable onClose;
    /** A schema read, and whether the triggers were current at the schema version it was read at. */
    private record SchemaLookup(boolean triggersCurrent, Optional<TableSchema> schema) {
    }

    /** The schema version at which this database last made sure every table has its capture triggers. */
    private volatile long triggersCurrentAt = Long.MIN_VALUE;

    SqliteDatabase(SqliteConnections connections, TableCatalog catalog, Runnable afterLoggedCommit, Runnable onClose) {
        this.connections = connections;
        this.catalog = catalog;
        this.afterLoggedCommit = afterLoggedCommit;
        this.onClose = onClose;
    }

    @Override
    public SqlResult execute(String sql, List<Object> params) {
        if (sql == null) {
            throw new ProtocolException(ErrorCode.BAD_REQUEST, "sql is required");
        }
        List<Object> args = params == null ? List.of() : params;
        StatementScanner.Scanned statement = StatementScanner.scan(sql);
        if (TRANSACTION_KEYWORDS.contains(statement.keyword())) {
            throw new ProtocolException(ErrorCode.BAD_REQUEST, "each statement runs in its own transaction; "
                    + statement.keyword() + " is not supported here");
        }
        if (statement.temporary()) {
            // They would live on one pooled connection: visible to some later requests and not to others.
            throw new ProtocolException(ErrorCode.BAD_REQUEST, "temporary tables, views and triggers are not supported");
        }
        boolean read = READ_KEYWORDS.contains(statement.keyword());
        if (statement.pragma() != null) {
            boolean settable = PRAGMAS_SETTABLE.contains(statement.pragma());
            if (statement.pragmaSetsValue() && !settable
                    || statement.pragmaHasArgument() && !settable
                    && !PRAGMAS_READING_ARGUMENT.contains(statement.pragma())) {
                throw new ProtocolException(ErrorCode.BAD_REQUEST,
                        "PRAGMA " + statement.pragma() + " cannot be set through SQL");
            }
            read = !(settable && (statement.pragmaSetsValue() || statement.pragmaHasArgument()));
        }
        try {
            if (read) {
                try {
                    return connections.read(c -> run(c, sql, args, LogRow.head(c, connections), false));
                } catch (SQLException e) {
                    if (!SqliteErrors.isReadOnly(e) || statement.pragma() != null) {
                        throw e;
                    }
                    // WITH ... INSERT / UPDATE / DELETE: a write after all; run it on the writer.
                }
            }
            Written<SqlResult> written = writeTx(c -> run(c, sql, args, 0, true), statement.keyword().equals("ALTER"),
                    statement.pragma() != null || !GROUPABLE_KEYWORDS.contains(statement.keyword()));
            SqlResult result = written.value();
            return new SqlResult(result.columns(), result.rows(), result.changes(), written.position());
        } catch (SQLException e) {
            throw SqliteErrors.translate(e, true, "SQL statement");
        }
    }

    /** Runs user SQL; a statement that failed is dropped from the connection's cache ({@link SqliteConnections#discard}). */
    private SqlResult run(Connection c, String sql, List<Object> args, long position, boolean write)
            throws SQLException {
        try {
            return runCached(c, sql, args, position, write);
        } catch (SQLException | RuntimeException e) {
            connections.discard(c, sql);
            throw e;
        }
    }

    private SqlResult runCached(Connection c, String sql, List<Object> args, long position, boolean write)
            throws SQLException {
        PreparedStatement ps = connections.prepared(c, sql);
        int expected = ps.getParameterMetaData().getParameterCount();
        if (expected != args.size()) {
            throw new ProtocolException(ErrorCode.BAD_REQUEST, "the statement has " + expected
                    + " parameter(s) but " + args.size() + " were given");
        }
        for (int i = 0; i < args.size(); i++) {
            RowValues.bind(ps, i + 1, args.get(i), "parameter " + (i + 1));
        }
        if (write) {
            // changes() keeps the count of the last INSERT/UPDATE/DELETE: make it 0 for DDL.
            connections.prepared(c, "UPDATE _pb_txctx SET tx = tx WHERE 0").executeUpdate();
        }
        List<String> columns = List.of();
        List<Map<String, Object>> rows = new ArrayList<>();
        if (ps.execute()) {
            try (ResultSet rs = ps.getResultSet()) {
                ResultSetMetaData meta = rs.getMetaData();
                List<String> names = new ArrayList<>();
                for (int i = 1; i <= meta.getColumnCount(); i++) {
                    names.add(meta.getColumnLabel(i));
                }
                columns = List.copyOf(names);
                while (rs.next()) {
                    rows.add(RowValues.read(rs, columns));
                }
            }
        }
        long changes = write ? changes(c) : 0;
        return new SqlResult(columns, rows, changes, position);
    }

    private long changes(Connection c) throws SQLException {
        try (ResultSet rs = connections.prepared(c, "SELECT changes()").executeQuery()) {
            rs.next();
            return rs.getLong(1);
        }
    }

    /**
     * Runs {@code work} in one write transaction on the writer connection and answers its value with the
     * position of the commit. Everything the work writes is captured as one log entry, whose position is
     * answered; if it creates or changes tables, their capture triggers are installed before commit. The work
     * must not commit or roll back; throwing rolls back everything it wrote, and only that. This is the hook for
     * multi-statement server functions.
     *
     * <p>Threads and ordering: callable from any thread, blocking until the commit. The work runs on the writer
     * connection, on whichever caller's thread leads the batch, possibly in one {@code COMMIT} with other writes
     * (inside a savepoint of its own, see {@code GroupCommit}); calls queued earlier have lower positions. The
     * work may run again if SQLite rolls the whole shared transaction back, so it must have no effect outside
     * the connection. (An
     * {@code ALTER TABLE} that drops or renames a column fails here, because the capture triggers name the
     * column; {@link #execute} handles it.)
     */
    public <T> Committed<T> transaction(SqlWork<T> work) {
        try {
            Written<T> written = writeTx(work, false, false);
            return new Committed<>(written.value(), written.position());
        } catch (SQLException e) {
            throw SqliteErrors.translate(e, true, "transaction");
        }
    }

    /**
     * One Pulsebase write transaction: {@code work} between two marker bumps, its triggers brought up to date,
     * the log head after it as its position. {@code alone}: never share the commit with other writes.
     */
    private <T> Written<T> writeTx(SqlWork<T> work, boolean alter, boolean alone) throws SQLException {
        Written<T> written = connections.commit(c -> {
            long headBefore = LogRow.head(c, connections);
            bump(c);
            long schemaBefore = catalog.schemaVersion(c);
            if (alter) {
                CaptureTriggers.dropAll(c);
            }
            T value = work.run(c);
            if (alter || catalog.schemaVersion(c) != schemaBefore) {
                CaptureTriggers.install(c, catalog);
            }
            long headAfter = LogRow.head(c, connections);
            bump(c);
            return new Written<>(value, headAfter, headAfter != headBefore);
        }, alter || alone);
        if (written.logged()) {
            afterLoggedCommit.run();
        }
        return written;
    }

    private void bump(Connection c) throws SQLException {
        connections.prepared(c, "UPDATE _pb_txctx SET tx = tx + 1").executeUpdate();
    }

    @Override
    public List<String> tables() {
        try {
            return connections.read(catalog::tables);
        } catch (SQLException e) {
            throw SqliteErrors.unexpected(e, "listing tables");
        }
    }

    /**
     * {@inheritDoc}
     *
     * <p>A table another program created is captured from the moment this answers it: when the schema changed
     * since triggers were last brought up to date, they are installed here first (in a write transaction)
     * rather than left to the next capture poll, so a client that subscribes to the new table and then writes
     * to it misses nothing.
     */
    @Override
    public Optional<TableSchema> table(String name) {
        try {
            // One read in the common case: the schema is unchanged since triggers were last made current.
            SchemaLookup lookup = connections.read(c -> catalog.schemaVersion(c) == triggersCurrentAt
                    ? new SchemaLookup(true, catalog.table(c, name)) : new SchemaLookup(false, Optional.empty()));
            if (lookup.triggersCurrent()) {
                return lookup.schema();
            }
            return connections.write(w -> {
                CaptureTriggers.install(w, catalog);
                triggersCurrentAt = catalog.schemaVersion(w);
                return catalog.table(w, name);
            });
        } catch (SQLException e) {
            throw SqliteErrors.unexpected(e, "reading a table schema");
        }
    }

    @Override
    public TableSnapshot snapshot(String table, Predicate<Map<String, Object>> filter, List<RowOrder> order,
            int limit) {
        if (limit < 0) {
            throw new ProtocolException(ErrorCode.BAD_REQUEST, "limit must not be negative");
        }
        List<Map<String, Object>> rows = new ArrayList<>();
        Scan scan = scan(table, order == null ? List.of() : order, filter == null ? limit : 0, position -> row -> {
            if (filter == null || filter.test(row)) {
                rows.add(row);
            }
            return limit == 0 || rows.size() < limit;
        });
        return new TableSnapshot(scan.table(), rows, scan.position());
    }

    /** Streams: rows are read, filtered and handed over a page at a time, so only one page is held here. */
    @Override
    public long snapshotPages(String table, Predicate<Map<String, Object>> filter, int pageRows,
                              SnapshotPages pages) {
        if (pageRows < 1) {
            throw new IllegalArgumentException("pageRows must be positive");
        }
        var page = new Object() {
            List<Map<String, Object>> rows = new ArrayList<>();
        };
        Scan scan = scan(table, List.of(), 0, position -> row -> {
            if (filter == null || filter.test(row)) {
                if (page.rows.size() == pageRows) { // a full page is sent once a row is known to follow it
                    pages.page(page.rows, position, false);
                    page.rows = new ArrayList<>();
                }
                page.rows.add(row);
            }
            return true;
        });
        pages.page(page.rows, scan.position(), true);
        return scan.position();
    }

    /** A scan's table (as the schema spells it) and the log position its read transaction saw. */
    private record Scan(String table, long position) {
    }

    /**
     * One read transaction: the log position, then the table's rows in {@code order} (primary key when empty), at
     * most {@code sqlLimit} (0: all), each handed to the visitor made for that position until it answers false.
     */
    private Scan scan(String table, List<RowOrder> order, int sqlLimit,
                      LongFunction<Predicate<Map<String, Object>>> visitorAt) {
        try {
            return connections.read(c -> {
                TableSchema schema = requireTable(c, table);
                String orderBy = orderBy(schema, order);
                long position = LogRow.head(c, connections);
                Predicate<Map<String, Object>> visitor = visitorAt.apply(position);
                List<String> names = TableCatalog.rowColumns(schema);
                String sql = "SELECT " + selectList(schema) + " FROM " + SqlQuoting.identifier(schema.name())
                        + orderBy + (sqlLimit > 0 ? " LIMIT " + sqlLimit : "");
                try (ResultSet rs = connections.prepared(c, sql).executeQuery()) {
                    while (rs.next() && visitor.test(RowValues.read(rs, names))) {
                        // the visitor keeps what it wants
                    }
                }
                return new Scan(schema.name(), position);
            });
        } catch (SQLException e) {
            throw SqliteErrors.translate(e, false, "snapshot");
        }
    }

    @Override
    public WriteResult insert(String table, Map<String, Object> given, RowGuard allowed) {
        Map<String, Object> values = given == null ? Map.of() : given;
        return write("insert", c -> {
            TableSchema schema = requireTable(c, table);
            List<String> names = new ArrayList<>();
            for (String name : values.keySet()) {
                names.add(rowColumn(schema, name));
            }
            String into = SqlQuoting.identifier(schema.name());
            String sql = names.isEmpty()
                    ? "INSERT INTO " + into + " DEFAULT VALUES"
                    : "INSERT INTO " + into + " (" + names.stream().map(n -> TableCatalog.columnExpression(schema, n))
                            .collect(Collectors.joining(", ")) + ") VALUES ("
                            + names.stream().map(n -> "?").collect(Collectors.joining(", ")) + ")";
            Map<String, Object> row = returningOne(c, schema, sql + " RETURNING " + selectList(schema),
                    new ArrayList<>(values.values()), names);
            if (row != null && !allowed.admits(row)) {
                throw new ProtocolException(ErrorCode.FORBIDDEN, "the policy of this table does not allow this row");
            }
            return row;
        });
    }

    @Override
    public Optional<Map<String, Object>> get(String table, Object id) {
        try {
            return connections.read(c -> {
                TableSchema schema = requireTable(c, table);
                return Optional.ofNullable(returningOne(c, schema, "SELECT " + selectList(schema) + " FROM "
                        + SqlQuoting.identifier(schema.name()) + " WHERE " + keyCondition(schema), ids(id), ID));
            });
        } catch (SQLException e) {
            throw SqliteErrors.translate(e, false, "get");
        }
    }

    @Override
    public WriteResult update(String table, Object id, Map<String, Object> given, RowGuard visible,
                              RowGuard allowed) {
        Map<String, Object> values = given == null ? Map.of() : given;
        if (values.isEmpty()) {
            try {
                return connections.read(c -> {
                    TableSchema schema = requireTable(c, table);
                    Map<String, Object> row = visibleRow(c, schema, id, visible);
                    return new WriteResult(found(schema, row, id), LogRow.head(c, connections));
                });
            } catch (SQLException e) {
                throw SqliteErrors.translate(e, false, "update");
            }
        }
        return write("update", c -> {
            TableSchema schema = requireTable(c, table);
            if (visible != RowGuard.ANY) {
                found(schema, visibleRow(c, schema, id, visible), id);
            }
            List<String> sets = new ArrayList<>();
            List<String> labels = new ArrayList<>();
            for (String name : values.keySet()) {
                String column = rowColumn(schema, name);
                sets.add(TableCatalog.columnExpression(schema, column) + " = ?");
                labels.add(column);
            }
            List<Object> args = new ArrayList<>(values.values());
            args.add(id);
            labels.add("id");
            String sql = "UPDATE " + SqlQuoting.identifier(schema.name()) + " SET " + String.join(", ", sets)
                    + " WHERE " + keyCondition(schema) + " RETURNING " + selectList(schema);
            Map<String, Object> updated = found(schema, returningOne(c, schema, sql, args, labels), id);
            if (!allowed.admits(updated)) {
                throw new ProtocolException(ErrorCode.FORBIDDEN, "the policy of this table does not allow this row");
            }
            return updated;
        });
    }

    @Override
    public WriteResult delete(String table, Object id, RowGuard visible) {
        return write("delete", c -> {
            TableSchema schema = requireTable(c, table);
            if (visible != RowGuard.ANY) {
                found(schema, visibleRow(c, schema, id, visible), id);
            }
            String sql = "DELETE FROM " + SqlQuoting.identifier(schema.name()) + " WHERE " + keyCondition(schema)
                    + " RETURNING " + selectList(schema);
            return found(schema, returningOne(c, schema, sql, ids(id), ID), id);
        });
    }

    private WriteResult write(String doing, SqlWork<Map<String, Object>> work) {
        try {
            Written<Map<String, Object>> written = writeTx(work, false, false);
            return new WriteResult(written.value(), written.position());
        } catch (SQLException e) {
            throw SqliteErrors.translate(e, false, doing);
        }
    }

    /** The row with that key if the guard admits it; null when there is none or it is not visible. */
    private Map<String, Object> visibleRow(Connection c, TableSchema schema, Object id, RowGuard visible)
            throws SQLException {
        Map<String, Object> row = returningOne(c, schema, "SELECT " + selectList(schema) + " FROM "
                + SqlQuoting.identifier(schema.name()) + " WHERE " + keyCondition(schema), ids(id), ID);
        return row != null && visible.admits(row) ? row : null;
    }

    /** Runs a statement that yields at most one row of the table; that row, or null. */
    private Map<String, Object> returningOne(Connection c, TableSchema schema, String sql, List<Object> args,
            List<String> labels) throws SQLException {
        PreparedStatement ps = connections.prepared(c, sql);
        try {
            for (int i = 0; i < args.size(); i++) {
                RowValues.bind(ps, i + 1, args.get(i), labels.get(i));
            }
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? RowValues.read(rs, TableCatalog.rowColumns(schema)) : null;
            }
        } catch (SQLException | RuntimeException e) {
            connections.discard(c, sql); // a failed statement is finalized by the driver: prepare it afresh next time
            throw e;
        }
    }

    private static final List<String> ID = List.of("id");

    private static List<Object> ids(Object id) {
        if (id == null) {
            throw new ProtocolException(ErrorCode.BAD_REQUEST, "id is required");
        }
        return List.of(id);
    }

    private static Map<String, Object> found(TableSchema schema, Map<String, Object> row, Object id) {
        if (row == null) {
            throw new ProtocolException(ErrorCode.NOT_FOUND,
                    "no row in table " + schema.name() + " has " + schema.primaryKey() + " = " + id);
        }
        return row;
    }

    private TableSchema requireTable(Connection c, String table) throws SQLException {
        return catalog.table(c, table).orElseThrow(
                () -> new ProtocolException(ErrorCode.UNKNOWN_TABLE, "unknown table: " + table));
    }

    /** The row key named {@code name}, as the table spells it (SQLite names ignore ASCII case). */
    private static String rowColumn(TableSchema schema, String name) {
        for (String column : TableCatalog.rowColumns(schema)) {
            if (column.equalsIgnoreCase(name)) {
                return column;
            }
        }
        throw new ProtocolException(ErrorCode.UNKNOWN_COLUMN,
                "unknown column: " + name + " (table " + schema.name() + ")");
    }

    private static String keyCondition(TableSchema schema) {
        if (schema.primaryKey() == null) {
            throw new ProtocolException(ErrorCode.BAD_REQUEST, "table " + schema.name()
                    + " has a composite primary key; row CRUD needs a single-column key (use /v1/sql)");
        }
        return TableCatalog.columnExpression(schema, schema.primaryKey()) + " = ?";
    }

    private static String selectList(TableSchema schema) {
        return TableCatalog.rowColumns(schema).stream().map(n -> TableCatalog.columnExpression(schema, n))
                .collect(Collectors.joining(", "));
    }

    private static String orderBy(TableSchema schema, List<RowOrder> order) {
        List<String> terms = new ArrayList<>();
        for (RowOrder term : order) {
            terms.add(TableCatalog.columnExpression(schema, rowColumn(schema, term.column()))
                    + (term.descending() ? " DESC" : ""));
        }
        if (schema.primaryKey() != null) {
            terms.add(TableCatalog.columnExpression(schema, schema.primaryKey()));
        } else {
            for (Column column : schema.columns()) {
                if (column.primaryKey()) {
                    terms.add(SqlQuoting.identifier(column.name()));
                }
            }
        }
        return terms.isEmpty() ? "" : " ORDER BY " + String.join(", ", terms);
    }

    /** Closes the whole storage: capture stops and the connections are closed. */
    @Override
    public void close() {
        onClose.run();
    }
}
