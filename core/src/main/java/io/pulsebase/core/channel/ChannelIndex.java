package io.pulsebase.core.channel;

import io.pulsebase.core.session.Subscription;
import java.util.Arrays;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The subscriptions of each channel, for fan-out: one lookup by topic, then the same encoded frame to each.
 *
 * <p>Threading: the dispatcher reads without locking; subscribe and unsubscribe change a channel's entry
 * atomically (in the map's {@code compute}). An entry is an immutable view — an array and how many of its slots
 * are in use — so a reader iterates a consistent set however the channel changes meanwhile. Adding appends into
 * spare capacity (amortized O(1), so 20,000 subscribers of one channel do not copy 20,000² references);
 * removing copies into a fresh array, so a slot a reader may still see is never overwritten.
 */
public final class ChannelIndex {
    private static final Subscribers NONE = new Subscribers(new Subscription[0], 0);

    /** A consistent set of a channel's subscriptions: {@code get(0 .. size()-1)}. */
    public static final class Subscribers {
        private final Subscription[] slots;
        private final int size;

        private Subscribers(Subscription[] slots, int size) {
            this.slots = slots;
            this.size = size;
        }

        public int size() {
            return size;
        }

        public Subscription get(int index) {
            return slots[index];
        }
    }

    private final ConcurrentHashMap<String, Subscribers> byTopic = new ConcurrentHashMap<>();

    /** The channel's subscriptions at this instant; never {@code null}. */
    public Subscribers subscribers(String topic) {
        Subscribers subscribers = byTopic.get(topic);
        return subscribers == null ? NONE : subscribers;
    }

    public void add(String topic, Subscription subscription) {
        byTopic.compute(topic, (t, current) -> {
            if (current == null) {
                return new Subscribers(new Subscription[] {subscription, null}, 1);
            }
            Subscription[] slots = current.slots;
            if (current.size == slots.length) {
                slots = Arrays.copyOf(slots, slots.length * 2);
            }
            // Beyond the published size: no reader looks at this slot until it sees the new entry.
            slots[current.size] = subscription;
            return new Subscribers(slots, current.size + 1);
        });
    }

    public void remove(String topic, Subscription subscription) {
        byTopic.computeIfPresent(topic, (t, current) -> {
            for (int i = 0; i < current.size; i++) {
                if (current.slots[i] == subscription) {
                    if (current.size == 1) {
                        return null;
                    }
                    Subscription[] rest = new Subscription[current.size - 1];
                    System.arraycopy(current.slots, 0, rest, 0, i);
                    System.arraycopy(current.slots, i + 1, rest, i, current.size - i - 1);
                    return new Subscribers(rest, rest.length);
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
