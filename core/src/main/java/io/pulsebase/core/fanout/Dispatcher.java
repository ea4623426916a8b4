package io.pulsebase.core.fanout;

import io.pulsebase.core.NodeMetrics;
import io.pulsebase.core.broker.BrokerListener;
import io.pulsebase.core.broker.BrokerMessage;
import io.pulsebase.core.channel.ChannelIndex;
import io.pulsebase.core.log.ChannelMessage;
import io.pulsebase.core.log.Commit;
import io.pulsebase.core.match.SubscriptionMatcher;
import io.pulsebase.core.session.Subscription;
import io.pulsebase.protocol.JsonCodec;
import java.util.List;
import java.util.function.Supplier;

/**
 * Live fan-out. A committed transaction from the broker is matched once against every table subscription
 * (indexed, identical subscriptions share one evaluation), encoded once per matching query, and the same bytes
 * are handed to every subscriber of that query. A channel message or presence change is looked up by topic,
 * encoded once (only when someone subscribes) and handed to every subscription of the channel that wants it.
 * Runs on the broker's delivery thread, one message at a time; never blocks, since outbound queues are
 * non-blocking and bounded.
 */
public final class Dispatcher implements BrokerListener {
    private final SubscriptionMatcher<Subscription> matcher;
    private final ChannelIndex channels;
    private final JsonCodec codec;
    private final NodeMetrics metrics;
    private final int maxChangesPerFrame;
    private volatile long dispatchedPosition;

    public Dispatcher(SubscriptionMatcher<Subscription> matcher, ChannelIndex channels, JsonCodec codec,
                      NodeMetrics metrics, int maxChangesPerFrame) {
        this.matcher = matcher;
        this.channels = channels;
        this.codec = codec;
        this.metrics = metrics;
        this.maxChangesPerFrame = maxChangesPerFrame;
    }

    /** The position of the last log entry fanned out. */
    public long dispatchedPosition() {
        return dispatchedPosition;
    }

    @Override
    public void onMessage(BrokerMessage message) {
        switch (message) {
            case BrokerMessage.Logged logged -> {
                switch (logged.entry()) {
                    case Commit commit -> dispatch(commit);
                    case ChannelMessage m -> toChannel(m.topic(), m.event(), () -> ChannelFrames.event(codec, m));
                }
                dispatchedPosition = logged.entry().position();
                metrics.captured(logged.entry().timestamp());
            }
            case BrokerMessage.Broadcast b -> toChannel(b.topic(), b.event(), () -> ChannelFrames.event(codec, b));
            case BrokerMessage.Presence p -> toChannel(p.change().topic(), null,
                    () -> ChannelFrames.presence(codec, p.change()));
        }
    }

    private void dispatch(Commit commit) {
        int[] counts = new int[2];
        matcher.match(commit.changes(), (query, changes) -> {
            List<Frame> frames = ChangeFrames.encode(codec, query.table(), commit, changes, maxChangesPerFrame);
            for (Subscription subscriber : query.subscribers()) {
                for (Frame frame : frames) {
                    subscriber.deliver(frame);
                }
                counts[0] += frames.size();
                counts[1] += changes.size();
            }
        });
        metrics.delivered(counts[0], counts[1]);
    }

    /** {@code event} null: presence, for every subscription of the channel. */
    private void toChannel(String topic, String event, Supplier<Frame> encode) {
        ChannelIndex.Subscribers subscribers = channels.subscribers(topic);
        Frame frame = null;
        int delivered = 0;
        for (int i = 0; i < subscribers.size(); i++) {
            Subscription subscriber = subscribers.get(i);
            if (event == null || subscriber.wants(event)) {
                if (frame == null) {
                    frame = encode.get();
                }
                subscriber.deliver(frame);
                delivered++;
            }
        }
        if (delivered > 0) {
            metrics.channelDelivered(delivered);
        }
    }
}
