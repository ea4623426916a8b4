package io.pulsebase.core.auth;

/**
 * What kind of caller an {@link Identity} is. Policies and channel rules (wired separately) decide what each
 * role may do; only {@link #SERVICE} is decided here: it bypasses them.
 */
public enum Role {
    /** A caller with the account's public (anon) key, a verified token without {@code sub}, or no credentials
     *  on a server that admits anonymous callers. Subject to policies; has no user id. */
    ANON,
    /** A caller with a verified token that names a user ({@code sub}). Subject to policies. */
    USER,
    /** A trusted backend holding the account's service key (or anyone, on a server with security disabled).
     *  Bypasses policies and channel rules; still confined to its account. */
    SERVICE
}
