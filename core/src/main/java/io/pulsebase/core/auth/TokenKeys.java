package io.pulsebase.core.auth;

import java.io.IOException;
import java.net.MalformedURLException;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.security.Key;
import java.security.PublicKey;
import java.security.interfaces.ECPublicKey;
import java.security.interfaces.RSAPublicKey;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import javax.crypto.spec.SecretKeySpec;

import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.KeySourceException;
import com.nimbusds.jose.jwk.source.JWKSource;
import com.nimbusds.jose.jwk.source.JWKSourceBuilder;
import com.nimbusds.jose.proc.JWSKeySelector;
import com.nimbusds.jose.proc.JWSVerificationKeySelector;
import com.nimbusds.jose.proc.SecurityContext;
import com.nimbusds.jose.util.DefaultResourceRetriever;
import com.nimbusds.jose.util.Resource;

/**
 * The keys a token may be verified with, chosen by the token's {@code alg} only among keys of that algorithm's
 * type: HS256 gets the configured secrets, RS256 the RSA public keys, ES256 the P-256 public keys, and RS256 /
 * ES256 also the JWKS keys matching the token's {@code kid}. Because the lists are separated by type here (and
 * Nimbus's verifier factory checks the key type again), an HS256 token can never be checked against an RSA
 * public key used as an HMAC secret (algorithm confusion), and an algorithm with no keys gets none.
 *
 * <p>Configured secrets and PEM keys ignore {@code kid} (an identity provider's tokens usually carry one, and
 * the operator who pasted a PEM has none to match): each key of the right type is tried; there are few.
 *
 * <p>The JWKS is Nimbus's {@link JWKSourceBuilder} machinery: cached for the TTL, refetched at once for an
 * unknown {@code kid} but at most twice per minimum interval, one retry on a failed fetch, fetches bounded by
 * connect/read timeouts and a 64 KiB size limit. Thread-safe.
 */
final class TokenKeys implements JWSKeySelector<SecurityContext> {
    private static final Set<JWSAlgorithm> JWKS_ALGORITHMS = Set.of(JWSAlgorithm.RS256, JWSAlgorithm.ES256);
    private static final int JWKS_SIZE_LIMIT = 64 * 1024;

    private final Map<JWSAlgorithm, List<Key>> local;
    private final JWSKeySelector<SecurityContext> remote;
    private final FetchOutcome fetches;

    private TokenKeys(Map<JWSAlgorithm, List<Key>> local, JWSKeySelector<SecurityContext> remote,
                      FetchOutcome fetches) {
        this.local = local;
        this.remote = remote;
        this.fetches = fetches;
    }

    /**
     * The JWKS retriever, remembering whether its last fetch failed: a token refused by the refetch limit during an
     * identity provider's outage is then {@code unavailable} (retry later), not {@code unauthorized} (whose close
     * code tells a client not to reconnect), which it is when the set was fetched and lacks the token's key.
     */
    private static final class FetchOutcome extends DefaultResourceRetriever {
        private volatile boolean lastFailed;

        FetchOutcome(int timeoutMillis) {
            super(timeoutMillis, timeoutMillis, JWKS_SIZE_LIMIT);
        }

        @Override
        public Resource retrieveResource(URL url) throws IOException {
            try {
                Resource resource = super.retrieveResource(url);
                lastFailed = false;
                return resource;
            } catch (IOException | RuntimeException e) {
                lastFailed = true;
                throw e;
            }
        }
    }

    static TokenKeys from(AuthConfig config) {
        Map<JWSAlgorithm, List<Key>> local = new LinkedHashMap<>();
        for (String secret : config.hsSecrets()) {
            add(local, JWSAlgorithm.HS256, new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
        }
        for (String pem : config.publicKeys()) {
            for (PublicKey key : PemKeys.parse(pem)) {
                if (key instanceof RSAPublicKey) {
                    add(local, JWSAlgorithm.RS256, key);
                } else if (key instanceof ECPublicKey) {
                    add(local, JWSAlgorithm.ES256, key);
                }
            }
        }
        JWSKeySelector<SecurityContext> remote = null;
        FetchOutcome fetches = null;
        if (config.jwksUrl() != null) {
            fetches = new FetchOutcome((int) Math.min(Integer.MAX_VALUE, config.jwksTimeout().toMillis()));
            remote = new JWSVerificationKeySelector<>(JWKS_ALGORITHMS, jwks(config, fetches));
        }
        local.replaceAll((alg, keys) -> List.copyOf(keys));
        return new TokenKeys(Map.copyOf(local), remote, fetches);
    }

    /** Whether the last JWKS fetch failed (false without a JWKS URL). */
    boolean keySetUnavailable() {
        return fetches != null && fetches.lastFailed;
    }

    private static JWKSource<SecurityContext> jwks(AuthConfig config, FetchOutcome retriever) {
        try {
            return JWKSourceBuilder.<SecurityContext>create(config.jwksUrl().toURL(), retriever)
                    .cache(config.jwksCacheTtl().toMillis(), config.jwksTimeout().toMillis())
                    .refreshAheadCache(false) // no background threads: a refetch happens on the caller's thread
                    .rateLimited(config.jwksMinRefetchInterval().toMillis())
                    .retrying(true)
                    .build();
        } catch (MalformedURLException | IllegalArgumentException e) {
            throw new IllegalArgumentException("auth: jwksUrl is not a usable URL");
        }
    }

    private static void add(Map<JWSAlgorithm, List<Key>> map, JWSAlgorithm alg, Key key) {
        map.computeIfAbsent(alg, a -> new ArrayList<>()).add(key);
    }

    /** The algorithms some key can verify: tokens with any other {@code alg} are refused before verification. */
    Set<JWSAlgorithm> algorithms() {
        Set<JWSAlgorithm> algs = new HashSet<>(local.keySet());
        if (remote != null) {
            algs.addAll(JWKS_ALGORITHMS);
        }
        return Set.copyOf(algs);
    }

    @Override
    public List<? extends Key> selectJWSKeys(JWSHeader header, SecurityContext context) throws KeySourceException {
        JWSAlgorithm alg = header.getAlgorithm();
        List<Key> keys = new ArrayList<>(local.getOrDefault(alg, List.of()));
        if (remote != null && JWKS_ALGORITHMS.contains(alg)) {
            keys.addAll(remote.selectJWSKeys(header, context));
        }
        return keys;
    }
}
