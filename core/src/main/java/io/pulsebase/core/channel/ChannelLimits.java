package io.pulsebase.core.channel;

import java.time.Duration;

/**
 * Limits and windows of channels, presence and history; each refusal has its own error code.
 *
 * @param maxMessageBytes       largest publish message, as received (the whole JSON message, or REST body):
 *                              {@code too_large} beyond
 * @param publishesPerSecond    publishes one connection may make per second (a bucket of this size that refills
 *                              at this rate): {@code rate_limited} beyond
 * @param maxPresenceMembers    members one channel may have: {@code too_many_members} beyond
 * @param maxPresenceStateBytes largest presence state, encoded as JSON: {@code too_large} beyond
 * @param dedupWindow           how long a publish {@code id} is remembered for idempotency
 * @param maxDedupIds           ids remembered at most (the oldest are forgotten first)
 * @param defaultHistoryLimit   messages a {@code history} request without {@code limit} answers
 * @param maxHistoryLimit       the largest {@code limit} a {@code history} request may ask for
 */
public record ChannelLimits(
        int maxMessageBytes,
        int publishesPerSecond,
        int maxPresenceMembers,
        int maxPresenceStateBytes,
        Duration dedupWindow,
        int maxDedupIds,
        int defaultHistoryLimit,
        int maxHistoryLimit) {

    public static ChannelLimits defaults() {
        return new ChannelLimits(64 * 1024, 1000, 10_000, 4096, Duration.ofMinutes(2), 100_000, 50, 1000);
    }

    public ChannelLimits {
        if (maxMessageBytes < 1 || publishesPerSecond < 1 || maxPresenceMembers < 1 || maxPresenceStateBytes < 2
                || maxDedupIds < 1 || defaultHistoryLimit < 1 || maxHistoryLimit < defaultHistoryLimit) {
            throw new IllegalArgumentException("channel limits must be positive (history default <= max): " + this);
        }
        if (dedupWindow.isNegative()) {
            throw new IllegalArgumentException("the dedup window must not be negative");
        }
    }

    public ChannelLimits withMaxMessageBytes(int n) {
        return new ChannelLimits(n, publishesPerSecond, maxPresenceMembers, maxPresenceStateBytes, dedupWindow,
                maxDedupIds, defaultHistoryLimit, maxHistoryLimit);
    }

    public ChannelLimits withPublishesPerSecond(int n) {
        return new ChannelLimits(maxMessageBytes, n, maxPresenceMembers, maxPresenceStateBytes, dedupWindow,
                maxDedupIds, defaultHistoryLimit, maxHistoryLimit);
    }

    public ChannelLimits withMaxPresenceMembers(int n) {
        return new ChannelLimits(maxMessageBytes, publishesPerSecond, n, maxPresenceStateBytes, dedupWindow,
                maxDedupIds, defaultHistoryLimit, maxHistoryLimit);
    }

    public ChannelLimits withMaxPresenceStateBytes(int n) {
        return new ChannelLimits(maxMessageBytes, publishesPerSecond, maxPresenceMembers, n, dedupWindow,
                maxDedupIds, defaultHistoryLimit, maxHistoryLimit);
    }

    public ChannelLimits withDedupWindow(Duration d) {
        return new ChannelLimits(maxMessageBytes, publishesPerSecond, maxPresenceMembers, maxPresenceStateBytes, d,
                maxDedupIds, defaultHistoryLimit, maxHistoryLimit);
    }
}
