package io.pulsebase.core.access;

import io.pulsebase.core.NodeMetrics;
import io.pulsebase.core.auth.AuthConfig;
import io.pulsebase.core.auth.Authenticator;
import io.pulsebase.core.auth.CompositeAuthenticator;
import io.pulsebase.core.auth.Credentials;
import io.pulsebase.core.auth.Identity;
import io.pulsebase.core.auth.Role;
import io.pulsebase.protocol.ErrorCode;
import io.pulsebase.protocol.ProtocolException;

/**
 * Who may come in, and what they may do until row-level policies, channel rules and account isolation exist. The
 * one place every transport asks: WebSocket sessions, SSE streams and REST calls.
 *
 * <ul>
 *   <li><b>Admission</b> ({@link #admit}): the credentials must verify ({@link Authenticator}), and the caller's
 *       account must be the default account. Accounts are not isolated yet, so a caller of any other account would
 *       otherwise reach the default account's data; it is refused with {@code forbidden} instead.</li>
 *   <li><b>Tables</b> (subscribe, snapshot, {@code since}, REST rows) are open to service callers only: a table
 *       without a policy is closed to everyone else, and no policies exist yet.</li>
 *   <li><b>{@code /v1/sql}</b> and {@code /metrics}: service callers only.</li>
 *   <li><b>Channels</b> (subscribe, publish, track, untrack, history, presence): any admitted user or service
 *       caller; an anonymous caller ({@link Role#ANON}: a public API key, a token without {@code sub}, or no
 *       credentials) only when the server admits anonymous callers ({@link AuthConfig.NoCredentials#ANON}).</li>
 * </ul>
 * With security disabled every caller is a service caller, so every check passes, as before security existed.
 *
 * <p>Refusals are {@link ProtocolException}s with fixed messages: they never name a credential, and they are the
 * same whatever the table or topic, so they reveal nothing about what exists. Thread-safe (immutable);
 * {@link #admit} and {@link #refresh} may block on a JWKS fetch, so never call them on a network event loop.
 */
public final class Gatekeeper {
    private final AuthConfig config;
    private final Authenticator authenticator;
    private final NodeMetrics metrics;

    /** @param metrics where refusals are counted ({@code pulsebase_auth_refusals_total{code}}) */
    public Gatekeeper(AuthConfig config, NodeMetrics metrics) {
        this.config = config;
        this.authenticator = CompositeAuthenticator.from(config);
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
     *                           {@code TokenExpiredException}), {@code unavailable} (JWKS unreachable), or
     *                           {@code forbidden} (an account this server does not serve yet)
     */
    public Identity admit(Credentials credentials) {
        try {
            Identity caller = authenticator.authenticate(credentials);
            if (!caller.account().equals(config.defaultAccount())) {
                throw new ProtocolException(ErrorCode.FORBIDDEN,
                        "this server serves only its default account: accounts are not isolated yet");
            }
            return caller;
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

    /** Tables: service callers only, until row-level policies exist. */
    public void requireTables(Identity caller) {
        if (!caller.isService()) {
            throw forbidden("tables are open to service callers only (no row-level policies exist yet)");
        }
    }

    /** {@code what} ({@code /v1/sql}, {@code /metrics}) is for service callers only. */
    public void requireService(Identity caller, String what) {
        if (!caller.isService()) {
            throw forbidden(what + " is for service callers only (a service API key)");
        }
    }

    /** Channels: any admitted caller, anonymous ones only where the server admits anonymous callers. */
    public void requireChannels(Identity caller) {
        if (caller.role() == Role.ANON && config.noCredentials() != AuthConfig.NoCredentials.ANON) {
            throw forbidden("anonymous callers may not use channels on this server; sign in");
        }
    }

    private static ProtocolException forbidden(String message) {
        return new ProtocolException(ErrorCode.FORBIDDEN, message);
    }

    @Override
    public String toString() {
        return "Gatekeeper[" + config + "]";
    }
}
