package io.pulsebase.core.auth;

import java.time.Clock;

/**
 * The server's authenticator: picks the verifier by what the credentials carry, and applies the
 * no-credentials rule. Build it with {@link #from(AuthConfig)}.
 *
 * <ol>
 *   <li>Security disabled ({@link AuthConfig.NoCredentials#SERVICE}): credentials are not read; every caller is
 *       a service caller in the default account (today's behaviour).</li>
 *   <li>No credentials: {@link AuthConfig.NoCredentials#REFUSE} answers {@code unauthorized},
 *       {@link AuthConfig.NoCredentials#ANON} gives an anonymous caller in the default account.</li>
 *   <li>Credentials present are always verified, never ignored: a bad or expired token is refused even where an
 *       anonymous caller would be admitted (a client must not silently lose its identity).</li>
 *   <li>A JWT (header or {@code ?token=}, with a dot) decides the identity. An API key sent with it (the usual
 *       pair from a browser SDK: the public key plus the user's token) must verify too and belong to the same
 *       account, else {@code unauthorized}.</li>
 *   <li>Otherwise the API key ({@code ?apikey=}, or a dot-less {@code Authorization: Bearer} value) decides. Two
 *       different keys in one request are refused.</li>
 * </ol>
 * Thread-safe (immutable; the verifiers are thread-safe).
 */
public final class CompositeAuthenticator implements Authenticator {
    private final AuthConfig config;
    private final JwtAuthenticator tokens; // null: tokens not configured
    private final ApiKeyAuthenticator keys; // null: keys not configured
    /** Security disabled: every caller is this one service identity, shared (no allocation per connection). */
    private final Identity disabledCaller;

    private CompositeAuthenticator(AuthConfig config, JwtAuthenticator tokens, ApiKeyAuthenticator keys) {
        this.config = config;
        this.disabledCaller = Identity.service(config.defaultAccount());
        this.tokens = tokens;
        this.keys = keys;
    }

    /** The authenticator {@code config} describes. */
    public static CompositeAuthenticator from(AuthConfig config) {
        return from(config, Clock.systemUTC());
    }

    static CompositeAuthenticator from(AuthConfig config, Clock clock) {
        return new CompositeAuthenticator(config,
                config.verifiesTokens() ? new JwtAuthenticator(config, clock) : null,
                config.apiKeys().isEmpty() ? null : new ApiKeyAuthenticator(config.apiKeys()));
    }

    @Override
    public Identity authenticate(Credentials credentials) {
        if (config.isDisabled()) {
            return disabledCaller;
        }
        String jwt = credentials.jwt();
        String key = credentials.apikey();
        String slotKey = credentials.slotKey();
        if (key != null && slotKey != null && !key.equals(slotKey)) {
            throw Refusals.unauthorized("two different API keys presented");
        }
        key = key != null ? key : slotKey;
        if (jwt == null && key == null) {
            if (config.noCredentials() == AuthConfig.NoCredentials.ANON) {
                return Identity.anonymous(config.defaultAccount());
            }
            throw Refusals.unauthorized("credentials required: a token or an API key");
        }
        Identity byKey = null;
        if (key != null) {
            if (keys == null) {
                throw Refusals.unauthorized("API keys are not accepted by this server");
            }
            byKey = keys.verify(key);
        }
        if (jwt == null) {
            return byKey;
        }
        if (tokens == null) {
            throw Refusals.unauthorized("tokens are not accepted by this server");
        }
        Identity byToken = tokens.verify(jwt);
        if (byKey != null && !byKey.account().equals(byToken.account())) {
            throw Refusals.unauthorized("the API key and the token belong to different accounts");
        }
        return byToken;
    }

    @Override
    public String toString() {
        return "CompositeAuthenticator[" + config + "]";
    }
}
