package io.pulsebase.core.policy;

import java.util.Locale;

/** What a channel rule governs. */
public enum ChannelAction {
    /** {@code subscribe} (WebSocket, SSE), with its {@code presence_state}, presence changes and {@code since} replay. */
    SUBSCRIBE,
    /** {@code publish} (WebSocket) and {@code POST /v1/publish}. */
    PUBLISH,
    /** {@code history} (WebSocket) and {@code GET /v1/history}. */
    HISTORY,
    /** {@code track} / {@code untrack} (WebSocket) and {@code GET /v1/presence}. */
    PRESENCE;

    /** The name in a policy file: {@code subscribe}, {@code publish}, {@code history}, {@code presence}. */
    public String configName() {
        return name().toLowerCase(Locale.ROOT);
    }
}
