package io.pulsebase.core.session;

import io.pulsebase.core.fanout.Frame;
import io.pulsebase.core.match.Query;
import io.pulsebase.protocol.ClientMessage;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;

/**
 * One connection's subscription to one topic: a table (matched by the matcher) or a channel (found by topic in
 * the channel index). It is registered before its snapshot, presence state or {@code since} replay is read, and
 * buffers live frames until that catch-up is sent; then it goes live and sends every buffered frame newer than
 * what the catch-up covered. So snapshot and stream meet at a position: no change is missed and none is sent
 * twice. Frames without a position (unpersisted channel messages, presence changes) are never held back by
 * position: they are sent in the order they were dispatched.
 *
 * <p>Threading: {@link #deliver} runs on the dispatcher thread, the catch-up methods on the session's thread;
 * both take the subscription's lock only to update its position and hand frames to the non-blocking
 * {@link Outbound}.
 */
public final class Subscription {
    /** Dispatch order of buffered frames, across subscriptions, so buffers merge in the order they filled. */
    private static final AtomicLong BUFFER_ORDER = new AtomicLong();

    private final Session session;
    private final String topic;
    private final long maxPendingBytes;
    /** Channel event names to deliver; empty means all (and always empty for tables). */
    private final Set<String> eventNames;
    /** What the client asked for, kept to decide the subscription again when the caller's token is refreshed. */
    private final ClientMessage.Subscribe request;
    private final Object lock = new Object();

    /** The live query of a table subscription; {@code null} for a channel. */
    private Query<Subscription> query;
    private boolean live;
    private boolean cancelled;
    /** The newest position this subscriber's view includes; frames at or below it are not sent again. */
    private long position;
    private ArrayDeque<Buffered> pending = new ArrayDeque<>();
    private long pendingBytes;

    /** A live frame that arrived during catch-up, with its place in dispatch order. */
    private record Buffered(long order, Frame frame) {
    }

    Subscription(Session session, String topic, long maxPendingBytes, Set<String> eventNames) {
        this(session, topic, maxPendingBytes, eventNames, null);
    }

    Subscription(Session session, String topic, long maxPendingBytes, Set<String> eventNames,
                 ClientMessage.Subscribe request) {
        this.session = session;
        this.topic = topic;
        this.maxPendingBytes = maxPendingBytes;
        this.eventNames = eventNames;
        this.request = request;
    }

    /** The subscribe this subscription answers (its caller's own filter and events); null in matcher tests. */
    ClientMessage.Subscribe request() {
        return request;
    }

    /** Whether a channel message with this event name is for this subscription. */
    public boolean wants(String eventName) {
        return eventNames.isEmpty() || eventNames.contains(eventName);
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

    void attach(Query<Subscription> query) {
        this.query = query;
    }

    Query<Subscription> query() {
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
                pending.add(new Buffered(BUFFER_ORDER.incrementAndGet(), frame));
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

    /** Session thread, during catch-up: a replayed frame (in position order), or a channel's presence state. */
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
     * lock at a time, continues after them with newer ones. Merging by dispatch order rather than by position
     * keeps unpositioned frames (unpersisted channel messages, presence) where they were dispatched.
     */
    static void goLiveTogether(List<Subscription> subscriptions) {
        holdingLocks(subscriptions, 0, () -> {
            List<Map.Entry<Subscription, Buffered>> buffered = new ArrayList<>();
            for (Subscription subscription : subscriptions) {
                if (!subscription.cancelled) {
                    subscription.pending.forEach(b -> buffered.add(Map.entry(subscription, b)));
                }
            }
            buffered.sort(Comparator.comparingLong(e -> e.getValue().order()));
            for (Map.Entry<Subscription, Buffered> e : buffered) {
                e.getKey().send(e.getValue().frame());
            }
            for (Subscription subscription : subscriptions) {
                subscription.pending = null;
                subscription.pendingBytes = 0;
                subscription.live = true;
            }
        });
    }

    private static void holdingLocks(List<Subscription> subscriptions, int from, Runnable body) {
        if (from == subscriptions.size()) {
            body.run();
            return;
        }
        synchronized (subscriptions.get(from).lock) {
            holdingLocks(subscriptions, from + 1, body);
        }
    }

    /**
     * Sends a positioned frame unless this subscriber already has its transaction, and every unpositioned frame.
     * The position moves only on a transaction's last frame, so every part of a transaction sent in parts
     * passes, and a transaction already covered by the catch-up is not sent again. Called with the lock held.
     */
    private void send(Frame frame) {
        if (frame.position() == 0) {
            session.send(frame);
        } else if (frame.position() > position) {
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
