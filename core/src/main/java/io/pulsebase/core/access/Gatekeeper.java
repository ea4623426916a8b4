package io.pulsebase.core.access;

import io.pulsebase.core.NodeMetrics;
import io.pulsebase.core.auth.AuthConfig;
import io.pulsebase.core.auth.Authenticator;
import io.pulsebase.core.auth.CompositeAuthenticator;
import io.pulsebase.core.auth.Credentials;
import io.pulsebase.core.auth.Identity;
import io.pulsebase.core.auth.Role;
import io.pulsebase.core.filter.RowFilter;
import io.pulsebase.core.policy.AccessPolicies;
import io.pulsebase.core.policy.ChannelAction;
import io.pulsebase.core.policy.ChannelRules;
import io.pulsebase.core.policy.Policies;
import io.pulsebase.core.policy.PolicyOperation;
import io.pulsebase.core.store.RowGuard;
import io.pulsebase.core.store.TableSchema;
import io.pulsebase.protocol.ErrorCode;
import io.pulsebase.protocol.ProtocolException;
import java.util.Optional;

/**
 * Who may come in and what they may do: the one place every transport asks — WebSocket sessions, SSE streams and
 * REST calls — and the one that holds the access rules (the policy file's {@link AccessPolicies}).
 *
 * <ul>
 *   <li><b>Admission</b> ({@link #admit}): the credentials must verify ({@link Authenticator}). The identity names
 *       the caller's account, and the node then routes the caller to that account's space
 *       ({@link io.pulsebase.core.Node#space}); the rules below apply within it.</li>
 *   <li><b>Tables</b> (subscribe, snapshot, {@code since}, SSE, REST rows): the table's row-level policy for the
 *       operation ({@link Policies}). {@link #requireTable} refuses a caller no policy admits, before the table is
 *       looked up; {@link #rows} is the filter a read evaluates (the policy bound to the caller, joined with the
 *       caller's filter) and {@link #guard} the check a write makes inside its transaction. Service callers are
 *       never restricted; a table without a policy is closed to everyone else.</li>
 *   <li><b>{@code /v1/sql}</b> and {@code /metrics}: service callers only ({@link #requireService}).</li>
 *   <li><b>Channels</b> ({@link #requireChannel}: subscribe, publish, history, presence): the {@link ChannelRules}
 *       when the policy file has a {@code "channels"} key; without one, any admitted user or service caller, and an
 *       anonymous caller ({@link Role#ANON}: a public API key, a token without {@code sub}, or no credentials) only
 *       when the server admits anonymous callers ({@link AuthConfig.NoCredentials#ANON}).</li>
 * </ul>
 * With security disabled every caller is a service caller, so every check passes, as before security existed.
 *
 * <p>Refusals are {@link ProtocolException}s whose messages never name a credential and never depend on whether a
 * table or channel exists or holds anything, so they reveal nothing about what exists. Thread-safe (immutable);
 * {@link #admit} and {@link #refresh} may block on a JWKS fetch, so never call them on a network event loop.
 */
public final class Gatekeeper {
    private final AuthConfig config;
    private final Authenticator authenticator;
    private final AccessPolicies policies;
    private final NodeMetrics metrics;
    private final AccountLimits.Usage usage;

    /**
     * @param policies the table policies and channel rules ({@link AccessPolicies#none()}: tables closed to
     *                 non-service callers, the default channel access)
     * @param metrics  where refusals are counted ({@code pulsebase_auth_refusals_total{code}})
     */
    public Gatekeeper(AuthConfig config, AccessPolicies policies, NodeMetrics metrics) {
        this(config, policies, AccountLimits.NONE, metrics);
    }

    /** @param limits connections and publishes per second per account ({@link AccountLimits#NONE}: none) */
    public Gatekeeper(AuthConfig config, AccessPolicies policies, AccountLimits limits, NodeMetrics metrics) {
        this.usage = limits.newUsage();
        this.config = config;
        this.authenticator = CompositeAuthenticator.from(config);
        this.policies = policies;
        this.metrics = metrics;
    }

    /** Whether credentials are checked at all; when not, {@link #admit} never blocks and admits everyone. */
    public boolean enabled() {
        return !config.isDisabled();
    }

    /**
     * Verifies credentials and admits the caller.
     *
     * @throws ProtocolException {@code unauthorized} (bad, missing or expired credentials; expiry is a
     *                           {@code TokenExpiredException}) or {@code unavailable} (JWKS unreachable)
     */
    public Identity admit(Credentials credentials) {
        try {
            return authenticator.authenticate(credentials);
        } catch (ProtocolException e) {
            metrics.authRefused(e.code());
            throw e;
        }
    }

    /**
     * New credentials for an open connection ({@code auth} message): they must verify and name the same caller
     * (account, subject, role); see {@link Authenticator#refresh}.
     *
     * @throws ProtocolException {@code unauthorized}, {@code forbidden} (another caller) or {@code unavailable};
     *                           the connection keeps {@code current}
     */
    public Identity refresh(Identity current, Credentials credentials) {
        try {
            return authenticator.refresh(current, credentials);
        } catch (ProtocolException e) {
            metrics.authRefused(e.code());
            throw e;
        }
    }

    /**
     * Refuses a caller for whom no policy opens the table for the operation; asked before the table is looked up,
     * so the answer is the same whether or not it exists.
     *
     * @throws ProtocolException {@code forbidden}
     */
    public void requireTable(Identity caller, PolicyOperation operation, String table) {
        policies.tables().require(caller, operation, table);
    }

    /**
     * The rows of the table the caller may read ({@link PolicyOperation#SELECT}) or write through an operation,
     * joined with the caller's own filter: the one filter a subscription, a replay or a REST read evaluates. Its
     * canonical text holds the bound policy, so identical subscriptions of the same caller still share a query.
     *
     * @param filter the caller's filter text, or {@code null}
     * @throws ProtocolException {@code invalid_filter} for a bad filter, {@code forbidden} without a policy
     */
    public RowFilter rows(Identity caller, PolicyOperation operation, TableSchema schema, String filter) {
        return policies.tables().filter(caller, operation, schema, filter);
    }

    /**
     * The check a write makes inside its transaction ({@link io.pulsebase.core.store.Database}): the operation's
     * policy bound to the caller; {@link RowGuard#ANY} for a service caller.
     *
     * @throws ProtocolException {@code forbidden} without a policy
     */
    public RowGuard guard(Identity caller, PolicyOperation operation, TableSchema schema) {
        if (caller.isService()) {
            return RowGuard.ANY;
        }
        return policies.tables().policy(caller, operation, schema)::matches;
    }

    /** {@code what} ({@code /v1/sql}, {@code /metrics}) is for service callers only. */
    public void requireService(Identity caller, String what) {
        if (!caller.isService()) {
            throw forbidden(what + " is for service callers only (a service API key)");
        }
    }

    /**
     * Whether the caller may take the action on the channel: the channel rules, or without any, the default (any
     * admitted caller; anonymous ones only where the server admits them). The refusal names the action, never
     * anything about the channel's messages or members.
     *
     * @throws ProtocolException {@code forbidden}
     */
    public void requireChannel(Identity caller, ChannelAction action, String topic) {
        Optional<ChannelRules> rules = policies.channels();
        if (rules.isEmpty()) {
            if (caller.role() == Role.ANON && config.noCredentials() != AuthConfig.NoCredentials.ANON) {
                throw forbidden("anonymous callers may not use channels on this server; sign in");
            }
        } else if (!rules.get().allows(caller, action, topic)) {
            throw forbidden("the channel rules do not allow this caller to " + action.configName()
                    + " on this channel");
        }
    }

    private static ProtocolException forbidden(String message) {
        return new ProtocolException(ErrorCode.FORBIDDEN, message);
    }

    /**
     * A connection of the caller opens (WebSocket or SSE, after {@link #admit}): takes one of its account's
     * connection slots; {@link #disconnected} gives it back.
     *
     * @throws ProtocolException {@code too_many_connections}
     */
    public void connected(Identity caller) {
        try {
            usage.connect(caller.account());
        } catch (ProtocolException e) {
            metrics.accountLimitRefused("connections");
            throw e;
        }
    }

    /** A connection that {@link #connected} closed. */
    public void disconnected(Identity caller) {
        usage.disconnect(caller.account());
    }

    /**
     * The caller publishes a channel message (WebSocket or REST): one from its account's budget.
     *
     * @throws ProtocolException {@code rate_limited}
     */
    public void publishing(Identity caller) {
        try {
            usage.publish(caller.account());
        } catch (ProtocolException e) {
            metrics.accountLimitRefused("publishes");
            throw e;
        }
    }

    /** Whether accounts' connections are counted (a connection must then be admitted off the event loop). */
    public boolean limitsConnections() {
        return usage.limitsConnections();
    }

    @Override
    public String toString() {
        return "Gatekeeper[" + config + ", " + policies + "]";
    }
}
