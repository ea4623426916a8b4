package io.pulsebase.core.channel;

import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Publish ids seen within the dedup window, for idempotent publishing: per (topic, id), when it was first
 * accepted and, for a persisted message, its position. Bounded: expired ids and, beyond {@code maxIds}, the
 * oldest are forgotten. Thread-safe (one lock; a publish holds it for a map lookup, never across I/O).
 *
 * <p>A publish {@link #claim}s its id before it is delivered; the claim is {@link #settle}d with the position
 * once persisted, or {@link #release}d when the publish failed, so a retry is not mistaken for a duplicate.
 */
final class RecentIds {
    /** The answer to a claim: {@code duplicate} with the first message's position (0 if none or not yet known). */
    record Claim(boolean duplicate, long position) {
    }

    private record Seen(long atNanos, long position) {
    }

    private final long windowNanos;
    private final int maxIds;
    private final LinkedHashMap<String, Seen> seen = new LinkedHashMap<>();

    RecentIds(long windowNanos, int maxIds) {
        this.windowNanos = windowNanos;
        this.maxIds = maxIds;
    }

    Claim claim(String topic, String id, long nowNanos) {
        String key = key(topic, id);
        synchronized (seen) {
            expire(nowNanos);
            Seen earlier = seen.get(key);
            if (earlier != null) {
                return new Claim(true, earlier.position());
            }
            seen.put(key, new Seen(nowNanos, 0));
            if (seen.size() > maxIds) {
                Iterator<String> oldest = seen.keySet().iterator();
                oldest.next();
                oldest.remove();
            }
            return new Claim(false, 0);
        }
    }

    /** Records the position of a claimed, now persisted message. */
    void settle(String topic, String id, long position) {
        String key = key(topic, id);
        synchronized (seen) {
            seen.computeIfPresent(key, (k, s) -> new Seen(s.atNanos(), position));
        }
    }

    /** Forgets a claim whose publish failed. */
    void release(String topic, String id) {
        synchronized (seen) {
            seen.remove(key(topic, id));
        }
    }

    /** Remembers an id persisted earlier (reloaded from the log at start), as seen {@code ageNanos} ago. */
    void remember(String topic, String id, long position, long nowNanos, long ageNanos) {
        synchronized (seen) {
            seen.putIfAbsent(key(topic, id), new Seen(nowNanos - ageNanos, position));
        }
    }

    int size() {
        synchronized (seen) {
            return seen.size();
        }
    }

    private void expire(long nowNanos) {
        Iterator<Map.Entry<String, Seen>> it = seen.entrySet().iterator();
        while (it.hasNext()) {
            if (nowNanos - it.next().getValue().atNanos() < windowNanos) {
                return; // insertion order: the rest are newer
            }
            it.remove();
        }
    }

    private static String key(String topic, String id) {
        return topic + '\n' + id;
    }
}
