package io.pulsebase.server;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.PlainJWT;
import com.nimbusds.jwt.SignedJWT;
import io.pulsebase.core.auth.ApiKey;
import io.pulsebase.core.auth.AuthConfig;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.security.KeyPairGenerator;
import java.security.interfaces.RSAPrivateKey;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.function.UnaryOperator;

/**
 * Credentials for the security tests: the server's settings ({@link #config()}) and tokens signed with Nimbus,
 * good and bad. Issuer and audience are checked, the clock skew is zero (expiry tests wait seconds, not half a
 * minute).
 */
final class Jwts {
    static final String SECRET = "integration-test-hs256-secret-0123456789abcdef";
    static final String WRONG_SECRET = "some-other-hs256-secret-that-signs-badly-000000";
    static final String ANON_KEY = "anon-key-for-the-integration-tests";
    static final String SERVICE_KEY = "service-key-for-the-integration-tests";
    static final String ISSUER = "https://issuer.test";
    static final String AUDIENCE = "pulsebase-tests";

    private Jwts() {
    }

    /** HS256 secret, public and service key of the default account; refuse requests without credentials. */
    static AuthConfig config() {
        return builder().build();
    }

    static AuthConfig.Builder builder() {
        return AuthConfig.builder()
                .hsSecret(SECRET)
                .apiKey(ApiKey.anon(AuthConfig.DEFAULT_ACCOUNT, ANON_KEY))
                .apiKey(ApiKey.service(AuthConfig.DEFAULT_ACCOUNT, SERVICE_KEY))
                .issuer(ISSUER)
                .audience(AUDIENCE)
                .clockSkew(Duration.ZERO);
    }

    /** Claims of a valid user token: subject {@code sub}, the right issuer and audience, an hour left. */
    static JWTClaimsSet.Builder claims(String sub) {
        return new JWTClaimsSet.Builder()
                .subject(sub)
                .issuer(ISSUER)
                .audience(AUDIENCE)
                .issueTime(Date.from(Instant.now().minusSeconds(5)))
                .expirationTime(Date.from(Instant.now().plusSeconds(3600)));
    }

    /** A valid token for user {@code sub}. */
    static String user(String sub) {
        return hs256(SECRET, claims(sub).build());
    }

    /** A valid token for user {@code sub} that expires {@code ttl} from now. */
    static String user(String sub, Duration ttl) {
        return hs256(SECRET, claims(sub).expirationTime(Date.from(Instant.now().plus(ttl))).build());
    }

    /** A user token with changed claims. */
    static String user(String sub, UnaryOperator<JWTClaimsSet.Builder> change) {
        return hs256(SECRET, change.apply(claims(sub)).build());
    }

    static String expired(String sub) {
        return user(sub, c -> c.expirationTime(Date.from(Instant.now().minusSeconds(60))));
    }

    static String badlySigned(String sub) {
        return hs256(WRONG_SECRET, claims(sub).build());
    }

    /** The same claims, unsigned ({@code alg: none}). */
    static String unsigned(String sub) {
        return new PlainJWT(claims(sub).build()).serialize();
    }

    static String wrongAudience(String sub) {
        return user(sub, c -> c.audience("someone-else"));
    }

    static String wrongIssuer(String sub) {
        return user(sub, c -> c.issuer("https://evil.test"));
    }

    /** A valid token for a user of another account, {@code acme} (served from its own space: AccountIsolationIT). */
    static String otherAccount(String sub) {
        return user(sub, c -> c.claim("account", "acme"));
    }

    static String hs256(String secret, JWTClaimsSet claims) {
        SignedJWT jwt = new SignedJWT(new JWSHeader.Builder(JWSAlgorithm.HS256).type(JOSEObjectType.JWT).build(), claims);
        try {
            jwt.sign(new MACSigner(secret.getBytes(StandardCharsets.UTF_8)));
        } catch (JOSEException e) {
            throw new IllegalStateException(e);
        }
        return jwt.serialize();
    }

    /** An RS256 token with a {@code kid}, signed by a fresh key no JWK set will ever hold. */
    static String rs256(String kid, String sub) {
        try {
            KeyPairGenerator g = KeyPairGenerator.getInstance("RSA");
            g.initialize(2048);
            SignedJWT jwt = new SignedJWT(new JWSHeader.Builder(JWSAlgorithm.RS256).keyID(kid).build(),
                    claims(sub).build());
            jwt.sign(new RSASSASigner((RSAPrivateKey) g.generateKeyPair().getPrivate()));
            return jwt.serialize();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    /** A JWKS URL on a loopback port where nothing listens: every fetch fails. */
    static URI unreachableJwks() {
        try (java.net.ServerSocket s = new java.net.ServerSocket(0)) {
            return URI.create("http://127.0.0.1:" + s.getLocalPort() + "/jwks.json");
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
