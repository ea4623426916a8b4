package io.pulsebase.core.auth;

import java.text.ParseException;
import java.time.Clock;
import java.time.Instant;
import java.util.Date;
import java.util.List;
import java.util.Map;
import java.util.Set;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.KeySourceException;
import com.nimbusds.jose.jwk.source.RateLimitReachedException;
import com.nimbusds.jose.proc.BadJOSEException;
import com.nimbusds.jose.proc.BadJWSException;
import com.nimbusds.jose.proc.DefaultJOSEObjectTypeVerifier;
import com.nimbusds.jose.proc.SecurityContext;
import com.nimbusds.jwt.EncryptedJWT;
import com.nimbusds.jwt.JWT;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.JWTParser;
import com.nimbusds.jwt.PlainJWT;
import com.nimbusds.jwt.SignedJWT;
import com.nimbusds.jwt.proc.DefaultJWTProcessor;
import io.pulsebase.protocol.ProtocolException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Verifies JWTs (compact JWS) signed with HS256, RS256 or ES256 against the configured secrets, PEM keys and
 * JWKS ({@link TokenKeys}), then checks the claims with this class's clock, in this order: issuer, audience,
 * {@code nbf}, {@code exp} (issuer and audience first, so that a token that could never be accepted is not
 * reported as merely expired, which would send a client into a refresh loop).
 *
 * <p>Refused outright: {@code alg: none}, encrypted tokens, any algorithm no configured key can verify, a
 * {@code typ} other than absent, {@code JWT} or {@code at+jwt}, unknown {@code crit} headers, keys embedded in
 * the token ({@code jwk}, {@code jku}, {@code x5u} are never used). Tokens over 16 KiB are refused unparsed.
 *
 * <p>The identity: account from {@link AuthConfig#accountClaim()} (a string that is a valid account id) or the
 * default account when the claim is absent; subject from {@code sub}; role {@link Role#USER} with a
 * {@code sub}, {@link Role#ANON} without (a token never grants {@link Role#SERVICE}: that takes a service
 * key); {@link Identity#expiresAt()} is {@code exp} plus the clock skew. Thread-safe.
 */
public final class JwtAuthenticator implements Authenticator {
    static final int MAX_TOKEN_CHARS = 16 * 1024;
    private static final Logger log = LoggerFactory.getLogger(JwtAuthenticator.class);

    private final AuthConfig config;
    private final Clock clock;
    private final Set<JWSAlgorithm> algorithms;
    private final TokenKeys keys;
    private final DefaultJWTProcessor<SecurityContext> processor = new DefaultJWTProcessor<>();

    /** A verifier for {@code config}'s secrets, keys and JWKS, on the system clock. */
    public JwtAuthenticator(AuthConfig config) {
        this(config, Clock.systemUTC());
    }

    JwtAuthenticator(AuthConfig config, Clock clock) {
        if (!config.verifiesTokens()) {
            throw new IllegalArgumentException("auth: no secret, public key or JWKS URL to verify tokens with");
        }
        this.config = config;
        this.clock = clock;
        this.keys = TokenKeys.from(config);
        this.algorithms = keys.algorithms();
        processor.setJWSKeySelector(keys);
        processor.setJWSTypeVerifier(new DefaultJOSEObjectTypeVerifier<>(JOSEObjectType.JWT,
                new JOSEObjectType("at+jwt"), new JOSEObjectType("application/at+jwt"), null));
        // Claims are checked below, against an injectable clock and with distinguishable outcomes (expiry).
        processor.setJWTClaimsSetVerifier((claims, context) -> {});
    }

    /** Verifies the JWT in {@code credentials} ({@link Credentials#jwt()}); anything else is refused. */
    @Override
    public Identity authenticate(Credentials credentials) {
        String token = credentials.jwt();
        if (token == null) {
            throw Refusals.unauthorized("no token");
        }
        return verify(token);
    }

    /** Verifies one compact JWT. */
    Identity verify(String token) {
        try {
            return identity(signedClaims(token));
        } catch (ProtocolException e) {
            throw e;
        } catch (RuntimeException e) {
            // A library corner case on hostile input; the class name is enough to investigate, the text may quote it.
            log.debug("token refused by an unexpected {}", e.getClass().getName());
            throw Refusals.unauthorized("invalid token");
        }
    }

    private JWTClaimsSet signedClaims(String token) {
        if (token.length() > MAX_TOKEN_CHARS) {
            throw Refusals.unauthorized("token too long");
        }
        JWT parsed;
        try {
            parsed = JWTParser.parse(token);
        } catch (ParseException e) {
            throw Refusals.unauthorized("malformed token");
        }
        if (parsed instanceof PlainJWT) {
            throw Refusals.unauthorized("unsigned token (alg none) refused");
        }
        if (parsed instanceof EncryptedJWT || !(parsed instanceof SignedJWT jws)) {
            throw Refusals.unauthorized("encrypted tokens are not accepted");
        }
        if (!algorithms.contains(jws.getHeader().getAlgorithm())) {
            throw Refusals.unauthorized("token algorithm not accepted");
        }
        try {
            return processor.process(jws, null);
        } catch (RateLimitReachedException e) {
            if (keys.keySetUnavailable()) {
                throw Refusals.unavailable("token signing keys are unavailable; retry later");
            }
            throw Refusals.unauthorized("token signed with an unknown key");
        } catch (KeySourceException e) {
            log.warn("could not fetch the JWK set to verify a token: {}", e.getClass().getSimpleName());
            throw Refusals.unavailable("token signing keys are unavailable; retry later");
        } catch (BadJWSException e) {
            throw Refusals.unauthorized("invalid token signature");
        } catch (BadJOSEException e) {
            throw Refusals.unauthorized("token refused: no matching key, or an unsupported header");
        } catch (JOSEException e) {
            throw Refusals.unauthorized("invalid token");
        }
    }

    private Identity identity(JWTClaimsSet claims) {
        if (config.issuer() != null && !config.issuer().equals(claims.getIssuer())) {
            throw Refusals.unauthorized("token issuer not accepted");
        }
        List<String> audience = claims.getAudience();
        if (config.audience() != null && !audience.contains(config.audience())) {
            throw Refusals.unauthorized("token audience not accepted");
        }
        Instant now = clock.instant();
        Date nbf = claims.getNotBeforeTime();
        if (nbf != null && now.plus(config.clockSkew()).isBefore(nbf.toInstant())) {
            throw Refusals.unauthorized("token not yet valid");
        }
        Date exp = claims.getExpirationTime();
        if (exp == null && config.requireExpiry()) {
            throw Refusals.unauthorized("token has no expiry (exp)");
        }
        Instant expiresAt = exp == null ? null : exp.toInstant().plus(config.clockSkew());
        if (expiresAt != null && !now.isBefore(expiresAt)) {
            throw new TokenExpiredException();
        }
        Object sub = claims.getClaim("sub");
        if (sub != null && (!(sub instanceof String s) || s.isBlank())) {
            throw Refusals.unauthorized("token subject (sub) is not a non-empty string");
        }
        Map<String, Object> json = JsonValues.copyClaims(claims.toJSONObject());
        if (json == null) {
            throw Refusals.unauthorized("token claims nest too deeply");
        }
        return new Identity(account(claims.getClaim(config.accountClaim())), (String) sub,
                sub == null ? Role.ANON : Role.USER, json, expiresAt);
    }

    private String account(Object claim) {
        if (claim == null) {
            return config.defaultAccount();
        }
        if (claim instanceof String id && AccountIds.isValid(id)) {
            return id;
        }
        throw Refusals.unauthorized("token account claim is not a valid account id");
    }
}
