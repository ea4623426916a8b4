package io.pulsebase.core.auth;

import io.pulsebase.protocol.CloseCode;
import io.pulsebase.protocol.ErrorCode;
import io.pulsebase.protocol.ProtocolException;

/**
 * Turns the {@link Credentials} a request carries into a verified {@link Identity}, or refuses.
 *
 * <h2>Contract (every implementation)</h2>
 * <ul>
 *   <li><b>Thread-safe.</b> One instance serves every connection and request concurrently; calls may block
 *       briefly (a JWKS fetch, bounded by connect and read timeouts), so call it from a session or request
 *       thread, never from a Netty event loop.</li>
 *   <li><b>Only named refusals escape.</b> Whatever the input (malformed, huge, hostile), the only exception
 *       thrown is a {@link ProtocolException} with
 *       <ul>
 *         <li>{@link ErrorCode#UNAUTHORIZED}: missing, malformed, badly signed, wrong-algorithm, wrong issuer or
 *             audience, not-yet-valid, unknown key, or expired credentials. Expiry is the subclass
 *             {@link TokenExpiredException} so a WebSocket can close with {@link CloseCode#TOKEN_EXPIRED};</li>
 *         <li>{@link ErrorCode#FORBIDDEN}: only from {@link #refresh}, for credentials of a different caller;</li>
 *         <li>{@link ErrorCode#UNAVAILABLE}: the token could not be checked right now because the key set
 *             (JWKS) could not be fetched; the client should retry later.</li>
 *       </ul></li>
 *   <li><b>No secrets in messages.</b> Exception messages are fixed texts and carry no cause: they never
 *       contain the presented token or key, a configured secret, or library text that might quote them.</li>
 *   <li><b>Checks happen now.</b> An identity is valid when returned; its {@link Identity#expiresAt()} says
 *       until when. Callers holding an identity across time (a WebSocket, an SSE stream) must check it
 *       ({@link Identity#isExpiredAt}) and stop at that instant unless refreshed.</li>
 * </ul>
 */
public interface Authenticator {

    /**
     * Verifies {@code credentials}.
     *
     * @return the verified caller, never {@code null}
     * @throws ProtocolException {@code unauthorized} (or {@link TokenExpiredException}), or {@code unavailable}
     */
    Identity authenticate(Credentials credentials);

    /**
     * Verifies credentials presented on an open connection (the {@code auth} message) to replace
     * {@code current}. The rule: the new credentials must verify, and name the same caller
     * ({@link Identity#sameCallerAs}: account, subject and role). A different caller is refused with
     * {@link ErrorCode#FORBIDDEN} (the credentials are valid, but not for this connection: signing in as someone
     * else means a new connection, because everything the connection subscribed to was decided for the old
     * caller). On any refusal the connection keeps {@code current}, which still expires when it did.
     *
     * @return the new identity (new claims and expiry) for the same caller
     * @throws ProtocolException {@code unauthorized} (the new credentials do not verify, or expired),
     *                           {@code forbidden} (another caller), or {@code unavailable}
     */
    default Identity refresh(Identity current, Credentials credentials) {
        Identity next = authenticate(credentials);
        if (!next.sameCallerAs(current)) {
            throw Refusals.forbidden("credentials are for a different user or account; open a new connection");
        }
        return next;
    }

    /**
     * The WebSocket close code for a refusal of the credentials a connection opened with or holds:
     * {@link CloseCode#TOKEN_EXPIRED} (4003) for an expired token, {@link CloseCode#TRY_AGAIN_LATER} (4008) when
     * keys could not be fetched, {@link CloseCode#UNAUTHORIZED} (4004) otherwise.
     */
    static CloseCode closeCodeFor(ProtocolException refusal) {
        if (refusal instanceof TokenExpiredException) {
            return CloseCode.TOKEN_EXPIRED;
        }
        return refusal.code() == ErrorCode.UNAVAILABLE || refusal.code() == ErrorCode.TOO_MANY_CONNECTIONS
                ? CloseCode.TRY_AGAIN_LATER : CloseCode.UNAUTHORIZED;
    }
}
