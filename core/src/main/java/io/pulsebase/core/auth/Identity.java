package io.pulsebase.core.auth;

import java.time.Instant;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * A verified caller: what every later check (account isolation, policies, channel rules, hooks, limits)
 * works from. Immutable and safe to share between threads.
 *
 * @param account   the account (tenant) the caller belongs to and is confined to; always a valid
 *                  {@linkplain AccountIds account id}
 * @param subject   the user id (the token's {@code sub}), or {@code null} for API keys, tokens without
 *                  {@code sub} and anonymous callers
 * @param role      {@link Role#SERVICE} bypasses policies; {@link Role#ANON} and {@link Role#USER} do not
 * @param claims    the token's claims as plain JSON values ({@code String}, {@code Long}, {@code Double},
 *                  {@code Boolean}, {@code null}, unmodifiable {@code List} and {@code Map} of those), for
 *                  policies such as {@code auth.sub} or {@code auth.teams}; empty for API keys and anonymous
 *                  callers. Timestamps ({@code exp}, {@code nbf}, {@code iat}) are epoch seconds
 * @param expiresAt the instant from which this identity is no longer valid (the token's {@code exp} plus the
 *                  allowed clock skew), or {@code null} when it does not expire (API keys, anonymous callers,
 *                  tokens without {@code exp} where that is allowed). A connection must stop acting for the
 *                  caller from then on unless it was refreshed: close a WebSocket with 4003
 */
public record Identity(String account, String subject, Role role, Map<String, Object> claims, Instant expiresAt) {

    public Identity {
        if (!AccountIds.isValid(account)) {
            throw new IllegalArgumentException("not a valid account id");
        }
        Objects.requireNonNull(role, "role");
        // A shallow, unmodifiable copy (values may be null, so not Map.copyOf); JsonValues gives deep ones.
        // Empty claims share one map: every connection holds its caller, and idle connections count in kilobytes.
        claims = claims == null || claims.isEmpty() ? Map.of() : Collections.unmodifiableMap(new LinkedHashMap<>(claims));
    }

    /** An anonymous caller of {@code account}: no user, no claims, no expiry, subject to policies. */
    public static Identity anonymous(String account) {
        return new Identity(account, null, Role.ANON, Map.of(), null);
    }

    /** A service caller of {@code account}: bypasses policies, confined to the account, no expiry. */
    public static Identity service(String account) {
        return new Identity(account, null, Role.SERVICE, Map.of(), null);
    }

    /** Whether this identity bypasses policies and channel rules. */
    public boolean isService() {
        return role == Role.SERVICE;
    }

    /** Whether this identity is no longer valid at {@code now}. Never true when {@link #expiresAt} is null. */
    public boolean isExpiredAt(Instant now) {
        return expiresAt != null && !now.isBefore(expiresAt);
    }

    /**
     * Whether {@code other} is the same caller: same account, same subject (both absent counts as the same)
     * and same role. The rule for refreshing credentials on an open connection
     * ({@link Authenticator#refresh}); claims and expiry may differ.
     */
    public boolean sameCallerAs(Identity other) {
        return account.equals(other.account) && Objects.equals(subject, other.subject) && role == other.role;
    }

    /** Account, subject, role, expiry and the claim names; never claim values, which may be personal data. */
    @Override
    public String toString() {
        return "Identity[account=" + account + ", subject=" + subject + ", role=" + role + ", claims="
                + claims.keySet() + ", expiresAt=" + expiresAt + "]";
    }
}
