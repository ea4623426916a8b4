package io.pulsebase.core.channel;

/**
 * One connection's publish budget: a token bucket of {@code perSecond} tokens that refills at {@code perSecond}
 * per second. Not thread-safe: a session handles its messages one at a time.
 */
public final class PublishRate {
    private final int perSecond;
    private double tokens;
    private long lastNanos;

    public PublishRate(int perSecond, long nowNanos) {
        this.perSecond = perSecond;
        this.tokens = perSecond;
        this.lastNanos = nowNanos;
    }

    /** Takes one token; {@code false} when the bucket is empty (the publish is refused). */
    public boolean tryAcquire(long nowNanos) {
        long elapsed = nowNanos - lastNanos;
        if (elapsed > 0) {
            tokens = Math.min(perSecond, tokens + elapsed * (perSecond / 1e9));
            lastNanos = nowNanos;
        }
        if (tokens >= 1) {
            tokens -= 1;
            return true;
        }
        return false;
    }
}
