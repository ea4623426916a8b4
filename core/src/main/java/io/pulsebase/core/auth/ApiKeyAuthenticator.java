package io.pulsebase.core.auth;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.List;

/**
 * Verifies API keys: each account's public (anon) keys give {@link Role#ANON}, its service keys
 * {@link Role#SERVICE}; neither has a subject, claims or an expiry.
 *
 * <p>Keys are kept only as SHA-256 digests. A presented key is digested and compared with <em>every</em>
 * configured digest using {@link MessageDigest#isEqual} (constant-time for equal lengths, and all digests have
 * 32 bytes), without stopping at a match, so the time taken does not depend on which key, if any, matched, nor
 * on how much of it was right. There are few keys, so the scan is cheap. Thread-safe (immutable).
 */
public final class ApiKeyAuthenticator implements Authenticator {
    private record Entry(byte[] digest, String account, Role role) {}

    private final List<Entry> entries;

    public ApiKeyAuthenticator(List<ApiKey> keys) {
        if (keys.isEmpty()) {
            throw new IllegalArgumentException("auth: no API keys configured");
        }
        this.entries = keys.stream().map(k -> new Entry(sha256(k.key()), k.account(), k.role())).toList();
    }

    /** Verifies the API key in {@code credentials}: {@code ?apikey=}, else a dot-less token slot value. */
    @Override
    public Identity authenticate(Credentials credentials) {
        String key = credentials.apikey() != null ? credentials.apikey() : credentials.slotKey();
        if (key == null) {
            throw Refusals.unauthorized("no API key");
        }
        return verify(key);
    }

    /** Verifies one presented key. */
    Identity verify(String key) {
        if (key.length() > ApiKey.MAX_LENGTH) {
            // Cannot match any configured key; refusing by length reveals only the public length limit.
            throw Refusals.unauthorized("invalid API key");
        }
        byte[] digest = sha256(key);
        Entry match = null;
        for (Entry e : entries) {
            if (MessageDigest.isEqual(e.digest, digest)) {
                match = e; // keep scanning: the loop does the same work whether or where a key matched
            }
        }
        if (match == null) {
            throw Refusals.unauthorized("invalid API key");
        }
        return match.role == Role.SERVICE ? Identity.service(match.account) : Identity.anonymous(match.account);
    }

    private static byte[] sha256(String s) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JDK has SHA-256", e);
        }
    }
}
