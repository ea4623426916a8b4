package io.pulsebase.core.channel;

import io.pulsebase.core.NodeMetrics;
import io.pulsebase.core.broker.Broker;
import io.pulsebase.core.broker.BrokerMessage;
import io.pulsebase.core.log.ChannelMessage;
import io.pulsebase.core.log.EventLog;
import io.pulsebase.core.presence.PresenceChange;
import io.pulsebase.core.presence.PresenceMember;
import io.pulsebase.core.presence.PresenceStore;
import io.pulsebase.core.session.Subscription;
import io.pulsebase.protocol.ErrorCode;
import io.pulsebase.protocol.JsonCodec;
import io.pulsebase.protocol.RawJson;
import io.pulsebase.protocol.ProtocolException;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Channels: publishing (persisted through the log, or broadcast through the broker), idempotency, presence and
 * history — shared by WebSocket sessions and REST, so both follow the same rules and limits. Per-connection
 * limits (publish rate, topics per connection) are the session's.
 *
 * <p>Ordering: every message of a channel reaches the dispatcher through the one broker, whose order all
 * subscribers share. Presence changes of a channel are stored and published under the channel's lock, and a
 * subscription is registered and reads the members under the same lock, so a subscriber's {@code presence_state}
 * plus the changes after it is exactly the channel's presence.
 *
 * <p>Threading: every method may block on the log or the presence store; call it from session or REST worker
 * threads, never a network event loop.
 */
public final class ChannelService {
    private static final int STRIPES = 64;

    private final ChannelLimits limits;
    private final EventLog log;
    private final Broker broker;
    private final PresenceStore presence;
    private final ChannelIndex index;
    private final JsonCodec codec;
    private final NodeMetrics metrics;
    private final RecentIds recentIds;
    private final Object[] stripes = new Object[STRIPES];

    /** The answer to a publish: the position when persisted (else 0); {@code duplicate} for a repeated id. */
    public record Published(long position, boolean duplicate) {
    }

    /** One page of history, newest first; {@code more} when older messages exist. */
    public record HistoryPage(List<ChannelMessage> messages, boolean more) {
    }

    public ChannelService(ChannelLimits limits, EventLog log, Broker broker, PresenceStore presence,
                          ChannelIndex index, JsonCodec codec, NodeMetrics metrics) {
        this.limits = limits;
        this.log = log;
        this.broker = broker;
        this.presence = presence;
        this.index = index;
        this.codec = codec;
        this.metrics = metrics;
        this.recentIds = new RecentIds(limits.dedupWindow().toNanos(), limits.maxDedupIds());
        for (int i = 0; i < STRIPES; i++) {
            stripes[i] = new Object();
        }
    }

    public ChannelLimits limits() {
        return limits;
    }

    /** Whether an unpersisted publish completes without waiting for I/O (the broker delivers in process). */
    public boolean publishesInline() {
        return broker.deliversInProcess();
    }

    /**
     * Reloads the ids of persisted messages within the dedup window from the log, so a publisher that retries
     * across a restart is still recognised. Called once at start.
     */
    public void reloadRecentIds() {
        long now = System.currentTimeMillis();
        long nanos = System.nanoTime();
        long windowMillis = limits.dedupWindow().toMillis();
        for (ChannelMessage m : log.messagesWithIdSince(now - windowMillis, limits.maxDedupIds())) {
            recentIds.remember(m.topic(), m.id(), m.position(), nanos, Math.max(0, now - m.timestamp()) * 1_000_000);
        }
    }

    /**
     * Publishes a message to a channel. {@code messageBytes} is the size of the publish as received (checked
     * against the limit). Answers once the message is accepted for fan-out — and, when persisted, committed.
     */
    public Published publish(String topic, String event, Object data, boolean persist, String id, String userId,
                             long messageBytes) {
        ChannelNames.require(topic);
        RawJson payload = RawJson.of(codec.mapper(), data);
        if (messageBytes > limits.maxMessageBytes()) {
            throw new ProtocolException(ErrorCode.TOO_LARGE, "message of " + messageBytes + " bytes is over the limit of "
                    + limits.maxMessageBytes());
        }
        if (id != null) {
            RecentIds.Claim claim = recentIds.claim(topic, id, System.nanoTime());
            if (claim.duplicate()) {
                metrics.duplicatePublish();
                return new Published(claim.position(), true);
            }
        }
        try {
            long position = 0;
            if (persist) {
                position = log.append(topic, event, payload, id, userId).position();
                if (id != null) {
                    recentIds.settle(topic, id, position);
                }
            } else {
                broker.publish(new BrokerMessage.Broadcast(topic, event, payload, id, userId, System.currentTimeMillis()));
            }
            metrics.published(persist);
            return new Published(position, false);
        } catch (RuntimeException e) {
            if (id != null) {
                recentIds.release(topic, id);
            }
            throw e;
        }
    }

    /**
     * Joins or updates {@code key} in the channel's presence and announces it to the channel's subscribers.
     *
     * @param userId the tracking caller's user (its identity's subject), or {@code null}: taken from the verified
     *               identity, never from {@code state}
     */
    public PresenceChange track(String topic, String key, String userId, Map<String, Object> state) {
        ChannelNames.require(topic);
        int size = codec.encodeValue(state).length;
        if (size > limits.maxPresenceStateBytes()) {
            throw new ProtocolException(ErrorCode.TOO_LARGE, "presence state of " + size + " bytes is over the limit of "
                    + limits.maxPresenceStateBytes());
        }
        synchronized (stripe(topic)) {
            PresenceChange change = presence.track(topic, new PresenceMember(key, userId, state), limits.maxPresenceMembers());
            announce(change);
            return change;
        }
    }

    /** Removes {@code key} from the channel's presence (announcing the leave); false when it was not there. */
    public boolean untrack(String topic, String key) {
        synchronized (stripe(topic)) {
            Optional<PresenceChange> change = presence.untrack(topic, key);
            change.ifPresent(this::announce);
            return change.isPresent();
        }
    }

    /** The channel's current members. */
    public List<PresenceMember> members(String topic) {
        ChannelNames.require(topic);
        return presence.members(topic);
    }

    /**
     * Registers a subscription for the channel's live traffic and answers the members at that instant: every
     * presence change after it reaches the subscription.
     */
    public List<PresenceMember> attach(String topic, Subscription subscription) {
        synchronized (stripe(topic)) {
            index.add(topic, subscription);
            return presence.members(topic);
        }
    }

    public void detach(String topic, Subscription subscription) {
        index.remove(topic, subscription);
    }

    /**
     * Persisted messages of the channel, newest first: {@code limit} (0 = the default) with a position below
     * {@code before} ({@code Long.MAX_VALUE} = from the newest; 0 = nothing is older).
     */
    public HistoryPage history(String topic, long before, int limit) {
        ChannelNames.require(topic);
        int n = limit == 0 ? limits.defaultHistoryLimit() : limit;
        if (n < 1 || n > limits.maxHistoryLimit()) {
            throw new ProtocolException(ErrorCode.BAD_REQUEST, "limit must be 1-" + limits.maxHistoryLimit());
        }
        List<ChannelMessage> found = log.history(topic, before, n + 1);
        boolean more = found.size() > n;
        return new HistoryPage(more ? found.subList(0, n) : found, more);
    }

    private void announce(PresenceChange change) {
        metrics.presenceChanged();
        broker.publish(new BrokerMessage.Presence(change));
    }

    private Object stripe(String topic) {
        return stripes[(topic.hashCode() & 0x7fffffff) % STRIPES];
    }
}
