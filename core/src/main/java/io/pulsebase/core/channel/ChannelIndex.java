package io.pulsebase.core.channel;

import io.pulsebase.core.session.Subscription;
import java.util.Arrays;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The subscriptions of each channel, for fan-out: one lookup by topic, then the same encoded frame to each.
 * Copy-on-write arrays: the dispatcher reads without locking; subscribing copies the (usually short) array.
 */
public final class ChannelIndex {
    private static final Subscription[] NONE = new Subscription[0];

    private final ConcurrentHashMap<String, Subscription[]> byTopic = new ConcurrentHashMap<>();

    /** The channel's subscriptions at this instant; never {@code null}; do not modify. */
    public Subscription[] subscribers(String topic) {
        Subscription[] subscribers = byTopic.get(topic);
        return subscribers == null ? NONE : subscribers;
    }

    public void add(String topic, Subscription subscription) {
        byTopic.compute(topic, (t, current) -> {
            if (current == null) {
                return new Subscription[] {subscription};
            }
            Subscription[] grown = Arrays.copyOf(current, current.length + 1);
            grown[current.length] = subscription;
            return grown;
        });
    }

    public void remove(String topic, Subscription subscription) {
        byTopic.computeIfPresent(topic, (t, current) -> {
            for (int i = 0; i < current.length; i++) {
                if (current[i] == subscription) {
                    if (current.length == 1) {
                        return null;
                    }
                    Subscription[] shrunk = new Subscription[current.length - 1];
                    System.arraycopy(current, 0, shrunk, 0, i);
                    System.arraycopy(current, i + 1, shrunk, i, current.length - i - 1);
                    return shrunk;
                }
            }
            return current;
        });
    }

    /** Channels with at least one subscriber. */
    public int channelCount() {
        return byTopic.size();
    }
}
