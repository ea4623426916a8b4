package io.pulsebase.core.policy;

import com.fasterxml.jackson.databind.JsonNode;
import io.pulsebase.core.auth.Identity;
import io.pulsebase.core.filter.FilterCompiler;
import io.pulsebase.core.filter.RowFilter;
import io.pulsebase.core.store.TableSchema;
import io.pulsebase.protocol.ErrorCode;
import io.pulsebase.protocol.ProtocolException;
import java.util.EnumMap;
import java.util.Iterator;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Row-level policies: per table and per operation, which rows a caller may read or write, as an expression over
 * the row and the caller's claims ({@code owner_id = auth.sub}, {@code team_id IN auth.teams}).
 *
 * <p>Rules. A {@linkplain Identity#isService() service} caller is never restricted. Any other caller may use a
 * table only through a policy for that operation: a table (or an operation) without one is closed, and answers
 * {@link ErrorCode#FORBIDDEN}. {@code TRUE} opens a table to every caller. A policy is bound to the caller and
 * becomes an ordinary filter, joined with the caller's own filter by {@code AND}: the same compiled filter then
 * serves snapshots, live changes, {@code since} replays and SSE, with the matcher's equality index — a per-user
 * policy costs one indexed lookup per change, not a query per subscriber.
 *
 * <p>The {@code "tables"} key of the policy file ({@code --policies}, see {@link AccessPolicies}), JSON:
 * <pre>{@code
 * {"tables": {
 *     "todos":  {"select": "owner_id = auth.sub", "insert": "owner_id = auth.sub",
 *                "update": "owner_id = auth.sub", "delete": "owner_id = auth.sub"},
 *     "posts":  {"select": "TRUE", "all": "author = auth.sub"}}}
 * }</pre>
 * {@code all} stands for every operation not named. Table names match case-insensitively, as in SQLite.
 *
 * <p>Immutable and thread-safe.
 */
public final class Policies {
    private static final Logger log = LoggerFactory.getLogger(Policies.class);
    private static final Policies NONE = new Policies(new TreeMap<>(String.CASE_INSENSITIVE_ORDER));

    private final Map<String, Map<PolicyOperation, TablePolicy>> tables;

    private Policies(Map<String, Map<PolicyOperation, TablePolicy>> tables) {
        this.tables = tables;
    }

    /** No policy at all: every table is closed to callers that are not the service. */
    public static Policies none() {
        return NONE;
    }

    /**
     * Reads a whole policy file's JSON tree and answers its table policies; {@link AccessPolicies#parse} answers the
     * channel rules too. Same checks and errors.
     *
     * @throws IllegalArgumentException naming the table and operation, or the channel rule, and the problem
     */
    public static Policies parse(JsonNode root) {
        return AccessPolicies.parse(root).tables();
    }

    /**
     * Reads the {@code "tables"} object of a policy file ({@link AccessPolicies#parse} reads the file); a missing
     * node is no policy at all.
     *
     * @throws IllegalArgumentException naming the table, the operation and the problem
     */
    static Policies parseTables(JsonNode tableNodes) {
        if (!tableNodes.isMissingNode() && !tableNodes.isObject()) {
            throw new IllegalArgumentException("policies: 'tables' must be an object of table name → policies");
        }
        Map<String, Map<PolicyOperation, TablePolicy>> tables = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
        for (Iterator<Map.Entry<String, JsonNode>> it = tableNodes.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> table = it.next();
            if (tables.containsKey(table.getKey())) {
                throw new IllegalArgumentException("policies: table '" + table.getKey() + "' is listed twice");
            }
            tables.put(table.getKey(), tablePolicies(table.getKey(), table.getValue()));
        }
        return new Policies(tables);
    }

    private static Map<PolicyOperation, TablePolicy> tablePolicies(String table, JsonNode node) {
        if (!node.isObject()) {
            throw new IllegalArgumentException("policies: table '" + table + "' must map operations to expressions");
        }
        Map<PolicyOperation, TablePolicy> byOperation = new EnumMap<>(PolicyOperation.class);
        TablePolicy all = null;
        for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> entry = it.next();
            String key = entry.getKey().toLowerCase(Locale.ROOT);
            PolicyOperation op = PolicyOperation.ofConfigName(key);
            if (op == null && !key.equals("all")) {
                throw new IllegalArgumentException("policies: table '" + table + "': unknown operation '"
                        + entry.getKey() + "' (select, insert, update, delete or all)");
            }
            if (!entry.getValue().isTextual()) {
                throw new IllegalArgumentException("policies: table '" + table + "', " + key
                        + ": the policy must be a string");
            }
            TablePolicy policy;
            try {
                policy = TablePolicy.parse(entry.getValue().asText());
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("policies: table '" + table + "', " + key + ": " + e.getMessage());
            }
            if (op == null) {
                all = policy;
            } else {
                byOperation.put(op, policy);
            }
        }
        if (all != null) {
            for (PolicyOperation op : PolicyOperation.values()) {
                byOperation.putIfAbsent(op, all);
            }
        }
        return byOperation;
    }

    /** Whether any policy is configured. */
    public boolean isEmpty() {
        return tables.isEmpty();
    }

    /**
     * Refuses a caller for whom no policy opens the table for the operation — before the table is looked up, so the
     * refusal is the same whether or not the table exists.
     *
     * @throws ProtocolException {@link ErrorCode#FORBIDDEN}
     */
    public void require(Identity caller, PolicyOperation operation, String table) {
        if (!caller.isService()) {
            policy(table, operation);
        }
    }

    /** How many tables have at least one policy. */
    public int tableCount() {
        return tables.size();
    }

    /**
     * The rows of a table the caller may use through an operation, joined with the caller's own filter: the one
     * filter to evaluate for this caller. A service caller gets its filter unchanged.
     *
     * @param userFilter the caller's filter text, or {@code null}
     * @throws ProtocolException {@link ErrorCode#INVALID_FILTER} for a bad {@code userFilter} (checked first, so
     *                           its message and positions are the caller's own); {@link ErrorCode#FORBIDDEN}
     *                           when no policy opens the table to this caller for this operation, or the
     *                           policy does not fit the table (logged; never shown to the caller)
     */
    public RowFilter filter(Identity caller, PolicyOperation operation, TableSchema schema, String userFilter) {
        RowFilter own = FilterCompiler.compile(userFilter, schema);
        if (caller.isService()) {
            return own;
        }
        TablePolicy policy = policy(schema.name(), operation);
        String bound = policy.boundText(caller);
        try {
            FilterCompiler.compileServerText(bound, schema, TablePolicy.MAX_BOUND_LENGTH);
        } catch (ProtocolException e) {
            log.warn("policy does not fit its table table={} operation={} problem={}", schema.name(),
                    operation.configName(), e.getMessage());
            throw new ProtocolException(ErrorCode.FORBIDDEN, "the policy of table '" + schema.name()
                    + "' cannot be applied; see the server log");
        }
        String joined = own == RowFilter.ALL ? bound : "(" + bound + ") AND (" + userFilter + ")";
        return FilterCompiler.compileServerText(joined, schema, TablePolicy.MAX_BOUND_LENGTH
                + FilterCompiler.MAX_LENGTH + 16);
    }

    /**
     * The policy alone, bound to the caller (for checking one row, or for SQL); {@link RowFilter#ALL} for a service
     * caller. Same {@link ErrorCode#FORBIDDEN} rules as {@link #filter}.
     */
    public RowFilter policy(Identity caller, PolicyOperation operation, TableSchema schema) {
        return filter(caller, operation, schema, null);
    }

    private TablePolicy policy(String table, PolicyOperation operation) {
        Map<PolicyOperation, TablePolicy> byOperation = tables.get(table);
        TablePolicy policy = byOperation == null ? null : byOperation.get(operation);
        if (policy == null) {
            throw new ProtocolException(ErrorCode.FORBIDDEN, "no " + operation.configName() + " policy opens table '"
                    + table + "' to this caller (a table without one is for service callers only)");
        }
        return policy;
    }
}
