package io.pulsebase.core.fanout;

import io.pulsebase.core.NodeMetrics;
import io.pulsebase.core.broker.BrokerListener;
import io.pulsebase.core.broker.BrokerMessage;
import io.pulsebase.core.log.Commit;
import io.pulsebase.core.match.SubscriptionMatcher;
import io.pulsebase.core.session.TableSubscription;
import io.pulsebase.protocol.JsonCodec;
import java.util.List;

/**
 * Live fan-out: each committed entry from the broker is matched once against every subscription (indexed,
 * identical subscriptions share one evaluation), encoded once per matching query, and the same bytes are
 * handed to every subscriber of that query. Runs on the broker's delivery thread; never blocks, since
 * outbound queues are non-blocking and bounded.
 */
public final class Dispatcher implements BrokerListener {
    private final SubscriptionMatcher<TableSubscription> matcher;
    private final JsonCodec codec;
    private final NodeMetrics metrics;
    private final int maxChangesPerFrame;
    private volatile long dispatchedPosition;

    public Dispatcher(SubscriptionMatcher<TableSubscription> matcher, JsonCodec codec, NodeMetrics metrics,
                      int maxChangesPerFrame) {
        this.matcher = matcher;
        this.codec = codec;
        this.metrics = metrics;
        this.maxChangesPerFrame = maxChangesPerFrame;
    }

    /** The position of the last entry fanned out. */
    public long dispatchedPosition() {
        return dispatchedPosition;
    }

    @Override
    public void onMessage(BrokerMessage message) {
        switch (message) {
            case BrokerMessage.Logged logged -> {
                if (logged.entry() instanceof Commit commit) {
                    dispatch(commit);
                }
                dispatchedPosition = logged.entry().position();
                metrics.captured(logged.entry().timestamp());
            }
        }
    }

    private void dispatch(Commit commit) {
        int[] counts = new int[2];
        matcher.match(commit.changes(), (query, changes) -> {
            List<Frame> frames = ChangeFrames.encode(codec, query.table(), commit, changes, maxChangesPerFrame);
            for (TableSubscription subscriber : query.subscribers()) {
                for (Frame frame : frames) {
                    subscriber.deliver(frame);
                }
                counts[0] += frames.size();
                counts[1] += changes.size();
            }
        });
        metrics.delivered(counts[0], counts[1]);
    }
}
