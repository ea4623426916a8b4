package io.pulsebase.client;

import java.util.List;
import java.util.OptionalLong;

/**
 * Persisted messages of a channel, newest first.
 *
 * @param more older messages exist: ask again with {@link #nextBefore()}
 */
public record HistoryPage(List<ChannelEvent> messages, boolean more) {
    /** The {@code before} of the next (older) page: the oldest message's position, when {@link #more}. */
    public OptionalLong nextBefore() {
        return more && !messages.isEmpty() ? OptionalLong.of(messages.get(messages.size() - 1).position())
                : OptionalLong.empty();
    }
}
