package io.pulsebase.core.policy;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Iterator;
import java.util.Optional;

/**
 * What a policy file ({@code --policies}) holds: row-level {@linkplain Policies table policies} under
 * {@code "tables"} and {@linkplain ChannelRules channel rules} under {@code "channels"}. Either key may be absent: no
 * {@code "tables"} closes every table to callers that are not the service; no {@code "channels"} keeps the default
 * channel access (any admitted caller, see {@code Gatekeeper}), whereas an empty {@code "channels": []} closes every
 * channel to them. Immutable and thread-safe.
 *
 * <pre>{@code
 * {"tables":   {"todos": {"select": "owner_id = auth.sub", "all": "owner_id = auth.sub"}},
 *  "channels": [{"pattern": "chat/*", "subscribe": "user", "publish": "user"}]}
 * }</pre>
 */
public final class AccessPolicies {
    private static final AccessPolicies NONE = new AccessPolicies(Policies.none(), null);

    private final Policies tables;
    private final ChannelRules channels;

    private AccessPolicies(Policies tables, ChannelRules channels) {
        this.tables = tables;
        this.channels = channels;
    }

    /** No file: tables closed to non-service callers, the default channel access. */
    public static AccessPolicies none() {
        return NONE;
    }

    /**
     * Reads a policy file's JSON tree, checking every expression and pattern.
     *
     * @throws IllegalArgumentException naming the table and operation, or the channel rule, and the problem
     */
    public static AccessPolicies parse(JsonNode root) {
        if (root == null || !root.isObject()) {
            throw new IllegalArgumentException("policies: the file must hold a JSON object");
        }
        for (Iterator<String> it = root.fieldNames(); it.hasNext(); ) {
            String key = it.next();
            if (!key.equals("tables") && !key.equals("channels")) {
                throw new IllegalArgumentException("policies: unknown key '" + key + "' (expected 'tables' or "
                        + "'channels')");
            }
        }
        JsonNode channels = root.get("channels");
        return new AccessPolicies(Policies.parseTables(root.path("tables")),
                channels == null ? null : ChannelRules.parse(channels));
    }

    /** The table policies. */
    public Policies tables() {
        return tables;
    }

    /** The channel rules; empty when the file has no {@code "channels"} key (the default channel access). */
    public Optional<ChannelRules> channels() {
        return Optional.ofNullable(channels);
    }

    /** Counts, for the start-up log line. */
    @Override
    public String toString() {
        return "policies for " + tables.tableCount() + " table(s), "
                + (channels == null ? "default channel access" : channels.size() + " channel rule(s)");
    }
}
