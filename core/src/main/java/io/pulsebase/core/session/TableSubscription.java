package io.pulsebase.core.session;

import io.pulsebase.core.fanout.Frame;
import io.pulsebase.core.match.Query;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;

/**
 * One connection's subscription to one table. It is registered with the matcher before its snapshot or
 * {@code since} replay is read, and buffers live frames until that catch-up is sent; then it goes live and
 * sends every buffered frame newer than what the catch-up covered. So snapshot and stream meet at a position:
 * no change is missed and none is sent twice.
 *
 * <p>Threading: {@link #deliver} runs on the dispatcher thread, the catch-up methods on the session's thread;
 * both take the subscription's lock only to update its position and hand frames to the non-blocking
 * {@link Outbound}.
 */
public final class TableSubscription {
    private final Session session;
    private final String topic;
    private final long maxPendingBytes;
    private final Object lock = new Object();

    private Query<TableSubscription> query;
    private boolean live;
    private boolean cancelled;
    /** The newest position this subscriber's view includes; frames at or below it are not sent again. */
    private long position;
    private ArrayDeque<Frame> pending = new ArrayDeque<>();
    private long pendingBytes;

    TableSubscription(Session session, String topic, long maxPendingBytes) {
        this.session = session;
        this.topic = topic;
        this.maxPendingBytes = maxPendingBytes;
    }

    public String topic() {
        return topic;
    }

    /** The newest position this subscriber has been sent (or that its snapshot covers). */
    public long position() {
        synchronized (lock) {
            return position;
        }
    }

    void attach(Query<TableSubscription> query) {
        this.query = query;
    }

    Query<TableSubscription> query() {
        return query;
    }

    /** Dispatcher thread: a live frame for this subscription, in position order. */
    public void deliver(Frame frame) {
        boolean overflow = false;
        synchronized (lock) {
            if (cancelled) {
                return;
            }
            if (!live) {
                pending.add(frame);
                pendingBytes += frame.size();
                overflow = pendingBytes > maxPendingBytes;
            } else {
                send(frame);
            }
        }
        if (overflow) {
            session.overflowed();
        }
    }

    /** Session thread, during catch-up: the starting point when there is no snapshot and no replay. */
    void startAt(long startPosition) {
        synchronized (lock) {
            position = startPosition;
        }
    }

    /**
     * Session thread, during catch-up: a snapshot frame (the whole snapshot or one of its parts), read at
     * {@code position}; the subscription starts there.
     */
    void sendSnapshot(Frame part, long position) {
        synchronized (lock) {
            if (cancelled) {
                return;
            }
            this.position = position;
            session.send(part);
        }
    }

    /** Session thread, during catch-up: a replayed frame, in position order. */
    void sendCatchUp(Frame frame) {
        synchronized (lock) {
            if (!cancelled) {
                send(frame);
            }
        }
    }

    /**
     * Session thread: the catch-up of these subscriptions (one connection's) is sent; flush what arrived
     * meanwhile and deliver live from now on. The buffered frames of all of them are merged in position order
     * (a stable sort keeps the parts of a transaction together) and sent while every one's lock is held, so
     * frames of different topics leave in position order and the dispatcher, which holds one subscription's
     * lock at a time, continues after them with newer ones.
     */
    static void goLiveTogether(List<TableSubscription> subscriptions) {
        holdingLocks(subscriptions, 0, () -> {
            List<Map.Entry<TableSubscription, Frame>> buffered = new ArrayList<>();
            for (TableSubscription subscription : subscriptions) {
                if (!subscription.cancelled) {
                    subscription.pending.forEach(frame -> buffered.add(Map.entry(subscription, frame)));
                }
            }
            buffered.sort(Comparator.comparingLong(e -> e.getValue().position()));
            for (Map.Entry<TableSubscription, Frame> e : buffered) {
                e.getKey().send(e.getValue());
            }
            for (TableSubscription subscription : subscriptions) {
                subscription.pending = null;
                subscription.pendingBytes = 0;
                subscription.live = true;
            }
        });
    }

    private static void holdingLocks(List<TableSubscription> subscriptions, int from, Runnable body) {
        if (from == subscriptions.size()) {
            body.run();
            return;
        }
        synchronized (subscriptions.get(from).lock) {
            holdingLocks(subscriptions, from + 1, body);
        }
    }

    /**
     * Sends a positioned frame unless this subscriber already has its transaction. The position moves only on
     * a transaction's last frame, so every part of a transaction sent in parts passes, and a transaction
     * already covered by the catch-up is not sent again. Called with the lock held.
     */
    private void send(Frame frame) {
        if (frame.position() > position) {
            if (!frame.partial()) {
                position = frame.position();
            }
            session.send(frame);
        }
    }

    /** Stops delivery; the caller removes the subscription from the matcher. */
    void cancel() {
        synchronized (lock) {
            cancelled = true;
            pending = null;
        }
    }
}
