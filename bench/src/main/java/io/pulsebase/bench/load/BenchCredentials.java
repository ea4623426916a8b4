package io.pulsebase.bench.load;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import io.pulsebase.core.auth.ApiKey;
import io.pulsebase.core.auth.AuthConfig;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Instant;
import java.util.Base64;
import java.util.Date;
import java.util.HexFormat;
import java.util.Map;

/**
 * What the generator signs in with on a server with security on: the HS256 secret it signs each subscriber's
 * user token with ({@code sub = user-<room>}), and the service key of the writers and of the setup's {@code
 * /v1/sql} and {@code /metrics}. An in-process server is configured with fresh ones ({@link #generate()});
 * for an external server they are read from the same files or environment variables the server reads
 * ({@link #read}). {@link #toString()} shows neither.
 */
final class BenchCredentials {
    static final String SECRET_FILE_ENV = "PULSEBASE_AUTH_HS256_SECRET_FILE";
    static final String SECRET_ENV = "PULSEBASE_AUTH_HS256_SECRET";
    static final String SERVICE_KEY_FILE_ENV = "PULSEBASE_AUTH_SERVICE_KEY_FILE";
    static final String SERVICE_KEY_ENV = "PULSEBASE_AUTH_SERVICE_KEY";

    private final String hs256Secret;
    private final String serviceKey;
    private final MACSigner signer;

    BenchCredentials(String hs256Secret, String serviceKey) {
        this.hs256Secret = hs256Secret;
        this.serviceKey = serviceKey;
        try {
            this.signer = hs256Secret == null ? null : new MACSigner(hs256Secret.getBytes(StandardCharsets.UTF_8));
        } catch (JOSEException e) {
            throw new IllegalArgumentException("the HS256 secret must be at least 32 bytes");
        }
    }

    /** A fresh random secret and service key, for an in-process server. */
    static BenchCredentials generate() {
        SecureRandom random = new SecureRandom();
        byte[] secret = new byte[48];
        byte[] key = new byte[24];
        random.nextBytes(secret);
        random.nextBytes(key);
        return new BenchCredentials(Base64.getUrlEncoder().withoutPadding().encodeToString(secret),
                "bench-" + HexFormat.of().formatHex(key));
    }

    /**
     * The secret (first non-blank line of {@code secretFile}, else of the file named by {@value #SECRET_FILE_ENV},
     * else {@value #SECRET_ENV}) and the service key (first key of {@code serviceKeyFile}, {@value
     * #SERVICE_KEY_FILE_ENV} or {@value #SERVICE_KEY_ENV}); either may be absent (null). Null when both are.
     *
     * @throws IllegalArgumentException when a file cannot be read or is empty (the message never holds a value)
     */
    static BenchCredentials read(Path secretFile, Path serviceKeyFile, Map<String, String> env) {
        String secret = first(secretFile, env, SECRET_FILE_ENV, SECRET_ENV, "--auth-hs256-secret-file", "\\R");
        String key = first(serviceKeyFile, env, SERVICE_KEY_FILE_ENV, SERVICE_KEY_ENV, "--auth-service-key-file",
                "\\s+");
        return secret == null && key == null ? null : new BenchCredentials(secret, key);
    }

    private static String first(Path option, Map<String, String> env, String fileEnv, String valueEnv, String name,
            String separator) {
        Path file = option != null ? option : env.containsKey(fileEnv) ? Path.of(env.get(fileEnv)) : null;
        String text;
        String source;
        if (file != null) {
            source = option != null ? name + " " + file : "env " + fileEnv + " (" + file + ")";
            try {
                text = Files.readString(file, StandardCharsets.UTF_8);
            } catch (IOException e) {
                throw new IllegalArgumentException(source + ": cannot read (" + e.getClass().getSimpleName() + ")");
            }
        } else {
            source = "env " + valueEnv;
            text = env.get(valueEnv);
            if (text == null) {
                return null;
            }
        }
        for (String part : text.strip().split(separator)) {
            if (!part.isBlank()) {
                return part.strip();
            }
        }
        throw new IllegalArgumentException(source + " is empty");
    }

    boolean hasSecret() {
        return signer != null;
    }

    boolean hasServiceKey() {
        return serviceKey != null;
    }

    /** Security settings of an in-process server: this secret and this service key, no anonymous callers. */
    AuthConfig authConfig() {
        return AuthConfig.builder()
                .hsSecret(hs256Secret)
                .apiKey(ApiKey.service(AuthConfig.DEFAULT_ACCOUNT, serviceKey))
                .build();
    }

    /** {@code Authorization} header value of a service caller, or null without a service key. */
    String serviceAuthorization() {
        return serviceKey == null ? null : "Bearer " + serviceKey;
    }

    /** {@code Authorization} header value of user {@code sub}: an HS256 JWT valid until {@code expiry}. */
    String userAuthorization(String sub, Instant expiry) {
        JWTClaimsSet claims = new JWTClaimsSet.Builder()
                .subject(sub)
                .issueTime(Date.from(Instant.now()))
                .expirationTime(Date.from(expiry))
                .build();
        SignedJWT jwt = new SignedJWT(new JWSHeader.Builder(JWSAlgorithm.HS256).type(JOSEObjectType.JWT).build(),
                claims);
        try {
            jwt.sign(signer);
        } catch (JOSEException e) {
            throw new IllegalStateException("signing a user token failed", e);
        }
        return "Bearer " + jwt.serialize();
    }

    @Override
    public String toString() {
        return "BenchCredentials[secret " + (hasSecret() ? "set" : "none") + ", service key "
                + (hasServiceKey() ? "set" : "none") + "]";
    }
}
