package io.pulsebase.client;

/**
 * One member of a channel's presence: one per connection that tracks the channel.
 *
 * @param key    the member's key (the tracking connection's id; it changes with every reconnect)
 * @param userId the member's user — the {@code sub} of the token its connection was opened with, set by the server
 *               (a tracked state cannot set or change it) — or null for API keys, tokens without {@code sub},
 *               anonymous callers and servers with security disabled. Several members (tabs) may share one user
 * @param data   the member's state as it tracked it
 */
public record PresenceMember(String key, String userId, Object data) {
}
