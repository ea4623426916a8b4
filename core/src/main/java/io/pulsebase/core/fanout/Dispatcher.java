package io.pulsebase.core.fanout;

import io.pulsebase.core.NodeMetrics;
import io.pulsebase.core.broker.BrokerListener;
import io.pulsebase.core.broker.BrokerMessage;
import io.pulsebase.core.log.Commit;
import io.pulsebase.core.match.SubscriptionMatcher;
import io.pulsebase.core.session.TableSubscription;
import io.pulsebase.protocol.JsonCodec;
import io.pulsebase.protocol.ServerMessage;

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
    private volatile long dispatchedPosition;

    public Dispatcher(SubscriptionMatcher<TableSubscription> matcher, JsonCodec codec, NodeMetrics metrics) {
        this.matcher = matcher;
        this.codec = codec;
        this.metrics = metrics;
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
            Frame frame = Frame.encode(codec, new ServerMessage.DbChange(query.table(), commit.position(), changes,
                    commit.timestamp(), commit.meta()), commit.position());
            for (TableSubscription subscriber : query.subscribers()) {
                subscriber.deliver(frame);
                counts[0]++;
                counts[1] += changes.size();
            }
        });
        metrics.delivered(counts[0], counts[1]);
    }
}
