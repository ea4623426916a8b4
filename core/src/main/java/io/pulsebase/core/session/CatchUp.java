package io.pulsebase.core.session;

import io.pulsebase.core.fanout.ChangeFrames;
import io.pulsebase.core.fanout.ChannelFrames;
import io.pulsebase.core.fanout.Frame;
import io.pulsebase.core.log.ChannelMessage;
import io.pulsebase.core.log.Commit;
import io.pulsebase.core.log.LogEntry;
import io.pulsebase.core.match.Query;
import io.pulsebase.core.match.SubscriptionMatcher;
import io.pulsebase.protocol.CloseCode;
import io.pulsebase.protocol.ErrorCode;
import io.pulsebase.protocol.ProtocolException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The catch-up half of a subscribe, on the session's thread: the {@code since} replay from the log for tables and
 * channels together, and the pacing of every catch-up frame (snapshot parts, presence state, replay) to the
 * connection's queue. Live frames meanwhile wait in the subscriptions (see {@link Subscription}).
 */
final class CatchUp {
    /** A replay that cannot queue anything for this long (the client stopped reading) gives up. */
    private static final long CATCH_UP_STALL_NANOS = 30_000_000_000L;

    private final Session session;
    private final SessionServices services;

    CatchUp(Session session, SessionServices services) {
        this.session = session;
        this.services = services;
    }

    /**
     * Sends every entry after {@code since} that matches one of the subscriptions, in log order, batch by batch,
     * until the log has nothing newer; each subscription skips what its own starting position covers. Live
     * frames that arrive meanwhile wait in the subscriptions and are de-duplicated by position.
     */
    void replay(List<Subscription> subscriptions, long since) {
        SubscriptionMatcher<Subscription> solo = new SubscriptionMatcher<>();
        Map<String, List<Subscription>> channelSubscriptions = new HashMap<>();
        for (Subscription subscription : subscriptions) {
            Query<Subscription> live = subscription.query();
            if (live == null) {
                channelSubscriptions.computeIfAbsent(subscription.topic(), t -> new ArrayList<>()).add(subscription);
            } else {
                solo.add(live.table(), live.events(), live.filter(), subscription);
            }
        }
        long after = since;
        while (true) {
            List<LogEntry> entries = session.space().log().readAfter(after, services.config().catchUpBatch());
            if (entries.isEmpty()) {
                return;
            }
            for (LogEntry entry : entries) {
                after = entry.position();
                switch (entry) {
                    case Commit commit -> solo.match(commit.changes(), (query, changes) -> {
                        List<Frame> frames = ChangeFrames.encode(services.codec(), query.table(), commit, changes,
                                services.config().maxChangesPerFrame());
                        for (Subscription subscription : query.subscribers()) {
                            for (Frame frame : frames) {
                                awaitRoom();
                                subscription.sendCatchUp(frame);
                            }
                        }
                    });
                    case ChannelMessage message -> {
                        Frame frame = null;
                        for (Subscription subscription : channelSubscriptions.getOrDefault(message.topic(), List.of())) {
                            if (subscription.wants(message.event())) {
                                frame = frame != null ? frame : ChannelFrames.event(services.codec(), message);
                                awaitRoom();
                                subscription.sendCatchUp(frame);
                            }
                        }
                    }
                }
            }
        }
    }

    /**
     * Flow control for catch-up (snapshot parts and replays): before queueing the next frame, wait until the
     * connection's queue is at most half full, so a catch-up larger than the queue reaches a client that keeps
     * reading instead of closing it as a slow consumer. Live frames meanwhile wait in the subscription's own
     * buffer. Never called with a subscription's lock held: the dispatcher must not wait for a slow client.
     */
    void awaitRoom() {
        long highWater = session.outbound().capacityBytes() / 2;
        long start = System.nanoTime();
        while (session.outbound().queuedBytes() > highWater && !session.isClosed()) {
            if (System.nanoTime() - start > CATCH_UP_STALL_NANOS) {
                session.outbound().close(CloseCode.SLOW_CONSUMER, "client stopped reading during replay");
                throw new ProtocolException(ErrorCode.UNAVAILABLE, "client stopped reading during replay");
            }
            try {
                Thread.sleep(2);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new ProtocolException(ErrorCode.UNAVAILABLE, "interrupted");
            }
        }
    }
}
