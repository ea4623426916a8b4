/**
 * Verifying callers: turns what a request carries ({@link io.pulsebase.core.auth.Credentials}: a bearer token,
 * {@code ?token=}, {@code ?apikey=}) into a verified {@link io.pulsebase.core.auth.Identity} (account, subject,
 * role, claims, expiry) or a named refusal.
 *
 * <ul>
 *   <li>{@link io.pulsebase.core.auth.Authenticator}: the contract (thread-safety, refusals, expiry, refresh).</li>
 *   <li>{@link io.pulsebase.core.auth.CompositeAuthenticator#from(io.pulsebase.core.auth.AuthConfig)}: the one
 *       the server uses, configured by {@link io.pulsebase.core.auth.AuthConfig}.</li>
 *   <li>{@link io.pulsebase.core.auth.JwtAuthenticator}: HS256 / RS256 / ES256 over secrets, PEM keys and JWKS
 *       (Nimbus JOSE+JWT).</li>
 *   <li>{@link io.pulsebase.core.auth.ApiKeyAuthenticator}: public (anon) and service keys, stored hashed,
 *       compared in constant time.</li>
 * </ul>
 *
 * <p>Nothing here decides what a caller may do (policies, channel rules, hooks) or keeps accounts apart; those
 * layers take the {@code Identity}, starting with {@link io.pulsebase.core.access.Gatekeeper}. The user-facing description is {@code docs/security.md}.
 */
package io.pulsebase.core.auth;
