package io.pulsebase.core.auth;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Set;

/**
 * How the server verifies callers. Build one with {@link #builder()}, or take {@link #disabled()} (today's
 * behaviour: no checks). Validated when built: a bad value throws {@link IllegalArgumentException} naming the
 * setting, never its value. {@link #toString()} shows no secret, key or key material, only counts.
 *
 * @param noCredentials          what a request without any credentials gets
 * @param defaultAccount         the account of anonymous callers and of tokens without the account claim
 * @param accountClaim           the token claim that names the account (a string); default {@code account}
 * @param hsSecrets              HS256 shared secrets (UTF-8 text, at least 32 bytes each); a token verifies with
 *                               any of them, so a second one can be added while rotating
 * @param publicKeys             PEM texts of RS256 (RSA ≥ 2048 bits) and ES256 (P-256) public keys or
 *                               certificates; any of them verifies (rotation as for secrets)
 * @param jwksUrl                a JWK set URL (https, or http to a loopback address), or {@code null}; its
 *                               RSA and EC keys verify RS256 and ES256 tokens, chosen by {@code kid}
 * @param jwksCacheTtl           how long a fetched JWK set is used before it is fetched again
 * @param jwksMinRefetchInterval a token with an unknown {@code kid} refetches the set at once, but at most
 *                               twice per this interval (a flood of made-up {@code kid}s cannot hammer the
 *                               identity provider); must be shorter than the cache TTL
 * @param jwksTimeout            connect and read timeout of one JWKS fetch
 * @param issuer                 required {@code iss} value, or {@code null} for any
 * @param audience               a value {@code aud} must contain, or {@code null} for any
 * @param clockSkew              tolerance for {@code exp} and {@code nbf}, 0 to 5 minutes
 * @param requireExpiry          whether tokens without {@code exp} are refused (default: yes)
 * @param apiKeys                public (anon) and service keys, per account, any number of each
 */
public record AuthConfig(
        NoCredentials noCredentials,
        String defaultAccount,
        String accountClaim,
        List<String> hsSecrets,
        List<String> publicKeys,
        URI jwksUrl,
        Duration jwksCacheTtl,
        Duration jwksMinRefetchInterval,
        Duration jwksTimeout,
        String issuer,
        String audience,
        Duration clockSkew,
        boolean requireExpiry,
        List<ApiKey> apiKeys) {

    /** The account used when nothing names one. */
    public static final String DEFAULT_ACCOUNT = "default";
    /** The claim that names the account unless configured otherwise. */
    public static final String DEFAULT_ACCOUNT_CLAIM = "account";
    static final int MIN_SECRET_BYTES = 32;

    /** What a request that carries no credentials at all gets. */
    public enum NoCredentials {
        /** Refused with {@code unauthorized}: security is on and every caller must prove who it is. */
        REFUSE,
        /** An {@link Role#ANON} caller in the default account, subject to policies. */
        ANON,
        /**
         * Security disabled: every request, whatever it carries, is a {@link Role#SERVICE} caller in the default
         * account and credentials are not read. Today's behaviour, for development only; refused in combination
         * with any secret, key or JWKS URL, since those would then protect nothing.
         */
        SERVICE
    }

    public AuthConfig {
        Objects.requireNonNull(noCredentials, "auth: noCredentials");
        hsSecrets = copy(hsSecrets, "hsSecrets");
        publicKeys = copy(publicKeys, "publicKeys");
        apiKeys = copy(apiKeys, "apiKeys");
        require(AccountIds.isValid(defaultAccount), "defaultAccount must be 1-64 characters of A-Z a-z 0-9 _ -");
        require(accountClaim != null && !accountClaim.isBlank(), "accountClaim must not be blank");
        require(issuer == null || !issuer.isBlank(), "issuer must not be blank (leave it unset for any)");
        require(audience == null || !audience.isBlank(), "audience must not be blank (leave it unset for any)");
        require(clockSkew != null && !clockSkew.isNegative() && clockSkew.compareTo(Duration.ofMinutes(5)) <= 0,
                "clockSkew must be between 0 and 5 minutes");
        for (int i = 0; i < hsSecrets.size(); i++) {
            require(hsSecrets.get(i).getBytes(StandardCharsets.UTF_8).length >= MIN_SECRET_BYTES,
                    "hsSecrets[" + i + "] is shorter than " + MIN_SECRET_BYTES + " bytes (HS256 needs 256 bits)");
        }
        for (int i = 0; i < publicKeys.size(); i++) {
            try {
                PemKeys.parse(publicKeys.get(i));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("auth: publicKeys[" + i + "]: " + e.getMessage());
            }
        }
        if (jwksUrl != null) {
            require(jwksUrlAllowed(jwksUrl), "jwksUrl must be an https URL (http only to a loopback address)");
            require(positive(jwksCacheTtl) && positive(jwksMinRefetchInterval) && positive(jwksTimeout),
                    "jwksCacheTtl, jwksMinRefetchInterval and jwksTimeout must be positive");
            require(jwksMinRefetchInterval.compareTo(jwksCacheTtl) < 0,
                    "jwksMinRefetchInterval must be shorter than jwksCacheTtl");
        }
        Set<String> seen = new HashSet<>();
        for (ApiKey key : apiKeys) {
            require(seen.add(key.key()), "the same API key is configured twice (account " + key.account() + ")");
        }
        boolean verifies = !hsSecrets.isEmpty() || !publicKeys.isEmpty() || jwksUrl != null || !apiKeys.isEmpty();
        require(noCredentials != NoCredentials.SERVICE || !verifies,
                "noCredentials=SERVICE disables security; it cannot be combined with secrets, keys or a JWKS URL");
        require(noCredentials != NoCredentials.REFUSE || verifies,
                "credentials are required but no secret, public key, JWKS URL or API key is configured");
    }

    /** Security disabled (every request is a service caller in the default account): today's behaviour. */
    public static AuthConfig disabled() {
        return builder().noCredentials(NoCredentials.SERVICE).build();
    }

    public static Builder builder() {
        return new Builder();
    }

    /** Whether security is disabled ({@link NoCredentials#SERVICE}). */
    public boolean isDisabled() {
        return noCredentials == NoCredentials.SERVICE;
    }

    /** Whether tokens can be verified (a secret, a public key or a JWKS URL is configured). */
    public boolean verifiesTokens() {
        return !hsSecrets.isEmpty() || !publicKeys.isEmpty() || jwksUrl != null;
    }

    private static boolean jwksUrlAllowed(URI url) {
        if (!url.isAbsolute() || url.getHost() == null) {
            return false;
        }
        String scheme = url.getScheme().toLowerCase(Locale.ROOT);
        if (scheme.equals("https")) {
            return true;
        }
        String host = url.getHost();
        return scheme.equals("http")
                && (host.equals("localhost") || host.startsWith("127.") || host.equals("[::1]"));
    }

    private static boolean positive(Duration d) {
        return d != null && !d.isNegative() && !d.isZero();
    }

    private static <T> List<T> copy(List<T> list, String name) {
        if (list == null) {
            return List.of();
        }
        require(!list.contains(null), name + " must not contain null");
        return List.copyOf(list);
    }

    private static void require(boolean ok, String message) {
        if (!ok) {
            throw new IllegalArgumentException("auth: " + message);
        }
    }

    /** Counts and non-secret settings only; the JWKS URL without user info or query, which may hold secrets. */
    @Override
    public String toString() {
        String jwks = jwksUrl == null ? null : jwksUrl.getScheme() + "://" + jwksUrl.getHost()
                + (jwksUrl.getPort() < 0 ? "" : ":" + jwksUrl.getPort()) + Objects.requireNonNullElse(jwksUrl.getPath(), "");
        List<String> keys = new ArrayList<>();
        for (ApiKey k : apiKeys) {
            keys.add(k.account() + ":" + k.role());
        }
        return "AuthConfig[noCredentials=" + noCredentials + ", defaultAccount=" + defaultAccount + ", accountClaim="
                + accountClaim + ", hsSecrets=" + hsSecrets.size() + ", publicKeys=" + publicKeys.size() + ", jwksUrl="
                + jwks + ", issuer=" + issuer + ", audience=" + audience + ", clockSkew=" + clockSkew
                + ", requireExpiry=" + requireExpiry + ", apiKeys=" + keys + "]";
    }

    /** Builds an {@link AuthConfig}; defaults as documented on each setter. Not thread-safe. */
    public static final class Builder {
        private NoCredentials noCredentials = NoCredentials.REFUSE;
        private String defaultAccount = DEFAULT_ACCOUNT;
        private String accountClaim = DEFAULT_ACCOUNT_CLAIM;
        private final List<String> hsSecrets = new ArrayList<>();
        private final List<String> publicKeys = new ArrayList<>();
        private URI jwksUrl;
        private Duration jwksCacheTtl = Duration.ofMinutes(5);
        private Duration jwksMinRefetchInterval = Duration.ofSeconds(30);
        private Duration jwksTimeout = Duration.ofSeconds(5);
        private String issuer;
        private String audience;
        private Duration clockSkew = Duration.ofSeconds(30);
        private boolean requireExpiry = true;
        private final List<ApiKey> apiKeys = new ArrayList<>();

        private Builder() {}

        /** Default {@link NoCredentials#REFUSE}. */
        public Builder noCredentials(NoCredentials v) {
            noCredentials = v;
            return this;
        }

        /** Default {@value AuthConfig#DEFAULT_ACCOUNT}. */
        public Builder defaultAccount(String v) {
            defaultAccount = v;
            return this;
        }

        /** Default {@value AuthConfig#DEFAULT_ACCOUNT_CLAIM}. */
        public Builder accountClaim(String v) {
            accountClaim = v;
            return this;
        }

        /** Adds an HS256 secret (call again to accept a second one while rotating). */
        public Builder hsSecret(String secret) {
            hsSecrets.add(secret);
            return this;
        }

        /** Adds RS256/ES256 public keys or certificates from PEM text. */
        public Builder publicKeyPem(String pem) {
            publicKeys.add(pem);
            return this;
        }

        /** Adds RS256/ES256 public keys or certificates from a PEM file, read now. */
        public Builder publicKeyFile(Path file) {
            try {
                publicKeys.add(Files.readString(file, StandardCharsets.US_ASCII));
            } catch (IOException e) {
                throw new UncheckedIOException("auth: cannot read public key file " + file, e);
            }
            return this;
        }

        public Builder jwksUrl(URI v) {
            jwksUrl = v;
            return this;
        }

        /** Default 5 minutes. */
        public Builder jwksCacheTtl(Duration v) {
            jwksCacheTtl = v;
            return this;
        }

        /** Default 30 seconds. */
        public Builder jwksMinRefetchInterval(Duration v) {
            jwksMinRefetchInterval = v;
            return this;
        }

        /** Default 5 seconds. */
        public Builder jwksTimeout(Duration v) {
            jwksTimeout = v;
            return this;
        }

        public Builder issuer(String v) {
            issuer = v;
            return this;
        }

        public Builder audience(String v) {
            audience = v;
            return this;
        }

        /** Default 30 seconds. */
        public Builder clockSkew(Duration v) {
            clockSkew = v;
            return this;
        }

        /** Default true. */
        public Builder requireExpiry(boolean v) {
            requireExpiry = v;
            return this;
        }

        public Builder apiKey(ApiKey key) {
            apiKeys.add(key);
            return this;
        }

        public AuthConfig build() {
            return new AuthConfig(noCredentials, defaultAccount, accountClaim, hsSecrets, publicKeys, jwksUrl,
                    jwksCacheTtl, jwksMinRefetchInterval, jwksTimeout, issuer, audience, clockSkew, requireExpiry,
                    apiKeys);
        }
    }
}
