package io.pulsebase.core.presence;

import java.util.Map;
import java.util.Objects;

/**
 * One member of a channel's presence — the record a {@link PresenceStore} keeps per member, plain fields only so
 * that a remote store can keep it as it is.
 *
 * @param key    the member's key: the tracking connection's id (one member per connection and channel)
 * @param userId the tracking connection's user (its identity's subject, the token's {@code sub}), or {@code null}
 *               for API keys, tokens without {@code sub} and anonymous callers. Set by the server from the verified
 *               identity, never from the client's {@code state}; several members (tabs) may share it
 * @param state  the member's state as the client tracked it (a JSON object; values may be null)
 */
public record PresenceMember(String key, String userId, Map<String, Object> state) {
    public PresenceMember {
        Objects.requireNonNull(key, "key");
        Objects.requireNonNull(state, "state");
    }
}
