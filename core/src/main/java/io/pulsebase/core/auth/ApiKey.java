package io.pulsebase.core.auth;

import java.util.Objects;

/**
 * One configured API key: the account it opens and whether it is the public (anon) key browsers may embed or
 * the service key only trusted backends may hold. An account may have several of each at once, which is how
 * keys are rotated (add the new key, move the clients, remove the old one).
 *
 * <p>The key itself is only held until {@link ApiKeyAuthenticator} hashes it; {@link #toString()} never shows
 * it.
 *
 * @param account the account the key opens
 * @param role    {@link Role#ANON} (public key) or {@link Role#SERVICE} (service key)
 * @param key     16 to 256 printable ASCII characters, no spaces and no dot (a dot would make it look like a
 *                JWT when sent as {@code Authorization: Bearer})
 */
public record ApiKey(String account, Role role, String key) {
    static final int MIN_LENGTH = 16;
    static final int MAX_LENGTH = 256;

    public ApiKey {
        if (!AccountIds.isValid(account)) {
            throw new IllegalArgumentException("auth: an API key names an invalid account id");
        }
        Objects.requireNonNull(role, "role");
        if (role == Role.USER) {
            throw new IllegalArgumentException("auth: an API key is ANON (public) or SERVICE, never USER");
        }
        if (!wellFormed(key)) {
            throw new IllegalArgumentException("auth: an API key of account " + account + " must be " + MIN_LENGTH
                    + " to " + MAX_LENGTH + " printable ASCII characters without spaces or dots");
        }
    }

    /** A public (anon) key of {@code account}. */
    public static ApiKey anon(String account, String key) {
        return new ApiKey(account, Role.ANON, key);
    }

    /** A service key of {@code account}. */
    public static ApiKey service(String account, String key) {
        return new ApiKey(account, Role.SERVICE, key);
    }

    static boolean wellFormed(String key) {
        if (key == null || key.length() < MIN_LENGTH || key.length() > MAX_LENGTH) {
            return false;
        }
        for (int i = 0; i < key.length(); i++) {
            char c = key.charAt(i);
            if (c <= ' ' || c > '~' || c == '.') {
                return false;
            }
        }
        return true;
    }

    @Override
    public String toString() {
        return "ApiKey[account=" + account + ", role=" + role + ", key=(hidden)]";
    }
}
