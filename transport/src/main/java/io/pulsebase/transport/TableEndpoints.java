package io.pulsebase.transport;

import com.fasterxml.jackson.databind.JsonNode;
import io.pulsebase.core.Node;
import io.pulsebase.core.auth.Identity;
import io.pulsebase.core.filter.RowFilter;
import io.pulsebase.core.policy.PolicyOperation;
import io.pulsebase.core.store.Column;
import io.pulsebase.core.store.Database;
import io.pulsebase.core.store.RowGuard;
import io.pulsebase.core.store.RowOrder;
import io.pulsebase.core.store.SqlResult;
import io.pulsebase.core.store.TableSchema;
import io.pulsebase.core.store.TableSnapshot;
import io.pulsebase.core.store.WriteResult;
import io.pulsebase.protocol.ErrorCode;
import io.pulsebase.protocol.JsonCodec;
import io.pulsebase.protocol.Positions;
import io.pulsebase.protocol.ProtocolException;
import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * {@code POST /v1/sql} and row CRUD under {@code /v1/tables/{table}/rows}: JSON in, JSON out, every call straight
 * to the node's {@link Database}. Rows obey the caller's table policies (reads the select policy, writes the guards
 * of their operation, checked inside the write's transaction); {@code /v1/sql} is for service callers only. Runs on
 * the blocking executor, never on an event loop; refusals are {@link ProtocolException}s the router turns into
 * error bodies.
 */
final class TableEndpoints {
    static final int DEFAULT_LIMIT = 1000;
    static final int MAX_LIMIT = 10_000;

    private final Node node;

    TableEndpoints(Node node) {
        this.node = node;
    }

    /** {@code POST /v1/sql {"sql": "...", "params": [...]}}. */
    RestResponse sql(RestRequest request, Identity caller) {
        Map<String, Object> body = objectBody(request);
        if (!(body.get("sql") instanceof String sql) || sql.isBlank()) {
            throw new ProtocolException(ErrorCode.BAD_REQUEST, "field 'sql' is required and must be a non-empty string");
        }
        Object params = body.get("params");
        if (params != null && !(params instanceof List<?>)) {
            throw new ProtocolException(ErrorCode.BAD_REQUEST, "field 'params' must be an array");
        }
        @SuppressWarnings("unchecked")
        List<Object> values = params == null ? List.of() : (List<Object>) params;
        SqlResult result = node.space(caller).database().execute(sql, values);
        Map<String, Object> answer = new LinkedHashMap<>();
        answer.put("columns", result.columns());
        answer.put("rows", result.rows());
        answer.put("changes", result.changes());
        answer.put("position", Positions.format(result.position()));
        return RestResponse.json(200, answer);
    }

    /** {@code GET /v1/tables/{table}/rows?filter=&order=&limit=}: the caller's filter within its select policy. */
    RestResponse list(String table, RestRequest request, Identity caller) {
        Database database = node.space(caller).database();
        TableSchema schema = schema(database, table);
        String filterText = request.param("filter");
        RowFilter filter = node.gatekeeper().rows(caller, PolicyOperation.SELECT, schema,
                filterText == null || filterText.isBlank() ? null : filterText);
        List<RowOrder> order = order(schema, request.param("order"));
        int limit = limit(request.param("limit"));
        TableSnapshot snapshot = database.snapshot(table, filter::matches, order, limit);
        Map<String, Object> answer = new LinkedHashMap<>();
        answer.put("rows", snapshot.rows());
        answer.put("position", Positions.format(snapshot.position()));
        return RestResponse.json(200, answer);
    }

    /** {@code POST /v1/tables/{table}/rows} with the row as a JSON object; the row as stored must pass the insert policy. */
    RestResponse insert(String table, RestRequest request, Identity caller) {
        Database database = node.space(caller).database();
        RowGuard allowed = node.gatekeeper().guard(caller, PolicyOperation.INSERT, schema(database, table));
        return written(201, database.insert(table, objectBody(request), allowed));
    }

    /** {@code GET /v1/tables/{table}/rows/{id}}: a row the select policy hides is {@code not_found}. */
    RestResponse get(String table, String id, Identity caller) {
        Database database = node.space(caller).database();
        RowFilter visible = node.gatekeeper().rows(caller, PolicyOperation.SELECT, schema(database, table), null);
        return database.get(table, id(database, table, id))
                .filter(visible::matches)
                .map(row -> RestResponse.json(200, Map.of("row", row)))
                .orElseThrow(() -> new ProtocolException(ErrorCode.NOT_FOUND,
                        "no row with id '" + clip(id) + "' in '" + clip(table) + "'"));
    }

    /**
     * {@code PATCH /v1/tables/{table}/rows/{id}} with the changed columns as a JSON object: the row before must pass
     * the update policy (else {@code not_found}), and so must the row after (else {@code forbidden}, nothing written).
     */
    RestResponse update(String table, String id, RestRequest request, Identity caller) {
        Map<String, Object> values = objectBody(request);
        Database database = node.space(caller).database();
        RowGuard policy = node.gatekeeper().guard(caller, PolicyOperation.UPDATE, schema(database, table));
        return written(200, database.update(table, id(database, table, id), values, policy, policy));
    }

    /** {@code DELETE /v1/tables/{table}/rows/{id}}: a row the delete policy refuses is {@code not_found}. */
    RestResponse delete(String table, String id, Identity caller) {
        Database database = node.space(caller).database();
        RowGuard visible = node.gatekeeper().guard(caller, PolicyOperation.DELETE, schema(database, table));
        return written(200, database.delete(table, id(database, table, id), visible));
    }

    /** The schema of a table of the caller's account; {@code unknown_table} when it has none. */
    private static TableSchema schema(Database database, String table) {
        return database.table(table)
                .orElseThrow(() -> new ProtocolException(ErrorCode.UNKNOWN_TABLE, "unknown table '" + table + "'"));
    }

    private static RestResponse written(int status, WriteResult result) {
        Map<String, Object> answer = new LinkedHashMap<>();
        answer.put("row", result.row());
        answer.put("position", Positions.format(result.position()));
        return RestResponse.json(status, answer);
    }

    /** The id as the store expects it: a Long for an INTEGER primary key (or rowid) when it is one, else the text. */
    private static Object id(Database database, String table, String id) {
        TableSchema schema = schema(database, table);
        boolean integer = schema.column(schema.primaryKey())
                .map(c -> c.affinity() == Column.Affinity.INTEGER)
                .orElse(true); // no such column: SQLite's implicit rowid
        if (integer) {
            try {
                return Long.parseLong(id);
            } catch (NumberFormatException e) {
                // not a number: let the store compare it as text
            }
        }
        return id;
    }

    /** {@code order=col,col.asc,col.desc}; every column must exist ({@code unknown_column}). */
    static List<RowOrder> order(TableSchema schema, String order) {
        if (order == null || order.isBlank()) {
            return List.of();
        }
        List<RowOrder> terms = new ArrayList<>();
        for (String part : order.split(",")) {
            String term = part.trim();
            if (term.isEmpty()) {
                throw new ProtocolException(ErrorCode.BAD_REQUEST, "'order' has an empty term");
            }
            String column = term;
            boolean descending = false;
            int dot = term.lastIndexOf('.');
            if (dot > 0) {
                String direction = term.substring(dot + 1).toLowerCase(Locale.ROOT);
                if (direction.equals("asc") || direction.equals("desc")) {
                    column = term.substring(0, dot);
                    descending = direction.equals("desc");
                }
            }
            if (schema.column(column).isEmpty() && !column.equals(schema.primaryKey())) {
                throw new ProtocolException(ErrorCode.UNKNOWN_COLUMN,
                        "unknown column '" + clip(column) + "' in 'order' of table '" + schema.name() + "'");
            }
            terms.add(new RowOrder(column, descending));
        }
        return terms;
    }

    static int limit(String limit) {
        if (limit == null || limit.isBlank()) {
            return DEFAULT_LIMIT;
        }
        try {
            int n = Integer.parseInt(limit.trim());
            if (n >= 1 && n <= MAX_LIMIT) {
                return n;
            }
        } catch (NumberFormatException e) {
            // answered below
        }
        throw new ProtocolException(ErrorCode.BAD_REQUEST, "'limit' must be an integer from 1 to " + MAX_LIMIT);
    }

    @SuppressWarnings("unchecked")
    private Map<String, Object> objectBody(RestRequest request) {
        JsonNode tree = null;
        if (request.body().length > 0) {
            try {
                tree = node.codec().mapper().readTree(request.body());
            } catch (IOException e) {
                throw new ProtocolException(ErrorCode.INVALID_JSON, "request body is not valid JSON");
            }
        }
        if (tree == null || !tree.isObject()) {
            throw new ProtocolException(ErrorCode.INVALID_JSON, "request body must be a JSON object");
        }
        return (Map<String, Object>) JsonCodec.toValue(tree);
    }

    private static String clip(String s) {
        return s.length() <= 64 ? s : s.substring(0, 64) + "…";
    }
}
