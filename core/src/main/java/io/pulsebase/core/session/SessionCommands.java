package io.pulsebase.core.session;

import io.pulsebase.core.fanout.ChangeFrames;
import io.pulsebase.core.fanout.Frame;
import io.pulsebase.core.filter.FilterCompiler;
import io.pulsebase.core.filter.RowFilter;
import io.pulsebase.core.log.Commit;
import io.pulsebase.core.log.EventLog;
import io.pulsebase.core.log.LogEntry;
import io.pulsebase.core.log.PositionExpiredException;
import io.pulsebase.core.match.Query;
import io.pulsebase.core.match.SubscriptionMatcher;
import io.pulsebase.core.store.TableSchema;
import io.pulsebase.core.store.TableSnapshot;
import io.pulsebase.protocol.ClientMessage;
import io.pulsebase.protocol.CloseCode;
import io.pulsebase.protocol.ErrorCode;
import io.pulsebase.protocol.Positions;
import io.pulsebase.protocol.ProtocolException;
import io.pulsebase.protocol.ServerMessage;
import io.pulsebase.protocol.ServerMessage.Reply;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The commands a session understands, run on the session's serial executor. Table subscriptions are
 * complete here; channels, presence, history, reducers and auth arrive with their own capabilities and are
 * answered {@code not_supported} until then.
 */
final class SessionCommands {
    /** A replay that cannot queue anything for this long (the client stopped reading) gives up. */
    private static final long CATCH_UP_STALL_NANOS = 30_000_000_000L;

    private final Session session;
    private final SessionServices services;

    SessionCommands(Session session, SessionServices services) {
        this.session = session;
        this.services = services;
    }

    Reply handle(ClientMessage message) {
        return switch (message) {
            case ClientMessage.Subscribe s -> subscribe(s);
            case ClientMessage.Unsubscribe u -> unsubscribe(u);
            case ClientMessage.Ping p -> Reply.ok(p.ref(), Map.of());
            // No token verification is configured yet: any token is accepted (security lands separately).
            case ClientMessage.Auth a -> Reply.ok(a.ref(), Map.of());
            case ClientMessage.Publish p -> notYet(p, "channels");
            case ClientMessage.Track t -> notYet(t, "presence");
            case ClientMessage.Untrack u -> notYet(u, "presence");
            case ClientMessage.History h -> notYet(h, "channel history");
            case ClientMessage.Call c -> notYet(c, "server functions");
        };
    }

    private static Reply notYet(ClientMessage message, String what) {
        return Reply.error(message.ref(), ErrorCode.NOT_SUPPORTED, what + " are not available on this server yet");
    }

    private Reply subscribe(ClientMessage.Subscribe s) {
        return subscribeAll(List.of(s)).get(0);
    }

    /** A subscribe that passed validation, not yet registered. */
    private record Prepared(ClientMessage.Subscribe request, RowFilter filter, long since) {
    }

    /**
     * Subscribes several topics as one unit — an SSE stream's topics, or a single WebSocket subscribe — and
     * answers one reply per request, in order. The subscriptions are registered before any catch-up is read;
     * {@code since} replays for all of them are one pass over the log in position order, and they go live
     * together, so frames of different topics leave in position order and a stream's positions never go
     * backwards (what lets a reconnecting {@code EventSource} resume exactly from its last event id).
     * Snapshots are read one table at a time, each at its own position.
     */
    List<Reply> subscribeAll(List<ClientMessage.Subscribe> requests) {
        Reply[] replies = new Reply[requests.size()];
        List<Prepared> prepared = new ArrayList<>();
        Set<String> topics = new HashSet<>();
        for (int i = 0; i < requests.size(); i++) {
            ClientMessage.Subscribe s = requests.get(i);
            try {
                if (s.topic().indexOf('/') >= 0) {
                    replies[i] = notYet(s, "channels");
                } else {
                    prepared.add(prepare(s, topics));
                    topics.add(s.topic());
                }
            } catch (ProtocolException e) {
                replies[i] = Reply.error(s.ref(), e.code(), e.getMessage());
            }
        }
        List<TableSubscription> registered = new ArrayList<>();
        try {
            for (Prepared p : prepared) {
                registered.add(register(p));
            }
            catchUp(prepared, registered);
            TableSubscription.goLiveTogether(registered);
        } catch (RuntimeException e) {
            for (TableSubscription subscription : registered) {
                remove(subscription.topic());
            }
            throw e;
        }
        for (int i = 0, next = 0; i < requests.size(); i++) {
            if (replies[i] == null) {
                TableSubscription subscription = registered.get(next++);
                replies[i] = Reply.ok(requests.get(i).ref(), Map.of("topic", subscription.topic(),
                        "position", Positions.format(subscription.position())));
            }
        }
        return List.of(replies);
    }

    /** Validates one subscribe: table, filter, position, the connection's limit (counting {@code alsoNew}). */
    private Prepared prepare(ClientMessage.Subscribe s, Set<String> alsoNew) {
        String topic = s.topic();
        TableSchema schema = services.database().table(topic)
                .orElseThrow(() -> new ProtocolException(ErrorCode.UNKNOWN_TABLE, "unknown table '" + topic + "'"));
        if (!schema.name().equals(topic)) {
            throw new ProtocolException(ErrorCode.UNKNOWN_TABLE,
                    "unknown table '" + topic + "' (did you mean '" + schema.name() + "'?)");
        }
        if (alsoNew.contains(topic)) {
            throw new ProtocolException(ErrorCode.BAD_REQUEST, "topic '" + topic + "' is listed twice");
        }
        RowFilter filter = FilterCompiler.compile(s.filter(), schema);
        long since = s.since() == null ? -1 : Positions.parse(s.since());
        long held = session.subscriptions().size() + alsoNew.stream()
                .filter(t -> !session.subscriptions().containsKey(t)).count();
        if (!session.subscriptions().containsKey(topic) && held >= services.config().maxSubscriptionsPerConnection()) {
            throw new ProtocolException(ErrorCode.TOO_MANY_SUBSCRIPTIONS,
                    "a connection may hold at most " + services.config().maxSubscriptionsPerConnection()
                            + " subscriptions");
        }
        if (since >= 0 && !s.snapshot()) {
            checkResumable(since);
        }
        return new Prepared(s, filter, since);
    }

    /** Registers with the matcher (live frames start buffering); replaces an earlier subscription to the topic. */
    private TableSubscription register(Prepared p) {
        String topic = p.request().topic();
        remove(topic);
        TableSubscription subscription = new TableSubscription(session, topic, services.config().maxPendingBytes());
        subscription.attach(services.matcher().add(topic, p.request().events(), p.filter(), subscription));
        session.subscriptions().put(topic, subscription);
        services.metrics().subscriptionAdded();
        return subscription;
    }

    /** Sends each subscription's snapshot or replay, or anchors it at the log head. */
    private void catchUp(List<Prepared> prepared, List<TableSubscription> registered) {
        List<TableSubscription> replaying = new ArrayList<>();
        long from = Long.MAX_VALUE;
        for (int i = 0; i < prepared.size(); i++) {
            Prepared p = prepared.get(i);
            TableSubscription subscription = registered.get(i);
            if (p.request().snapshot()) {
                TableSnapshot snapshot = services.database().snapshot(subscription.topic(), p.filter()::matches,
                        List.of(), 0);
                for (Frame part : ChangeFrames.snapshot(services.codec(), subscription.topic(), snapshot,
                        services.config().maxChangesPerFrame())) {
                    awaitRoom();
                    subscription.sendSnapshot(part, snapshot.position());
                }
            } else if (p.since() >= 0) {
                subscription.startAt(p.since());
                replaying.add(subscription);
                from = Math.min(from, p.since());
            } else {
                // Live from now: anchored at the log head read after registering, so a transaction committed
                // before the subscribe (whose dispatch may lag) is not delivered, and every later one is.
                subscription.startAt(services.log().head());
            }
        }
        if (!replaying.isEmpty()) {
            replay(replaying, from);
        }
    }

    private void checkResumable(long since) {
        EventLog log = services.log();
        long horizon = log.horizon();
        long head = log.head();
        if (since < horizon) {
            throw new PositionExpiredException("position " + since + " is older than the log's retention (oldest "
                    + "resumable position is " + horizon + "); re-snapshot");
        }
        if (since > head) {
            throw new PositionExpiredException("position " + since + " is ahead of this server's log (head "
                    + head + "); re-snapshot");
        }
    }

    /**
     * Sends every entry after {@code since} that matches one of the subscriptions, in log order, batch by batch,
     * until the log has nothing newer; each subscription skips what its own starting position covers. Live
     * frames that arrive meanwhile wait in the subscriptions and are de-duplicated by position.
     */
    private void replay(List<TableSubscription> subscriptions, long since) {
        SubscriptionMatcher<TableSubscription> solo = new SubscriptionMatcher<>();
        for (TableSubscription subscription : subscriptions) {
            Query<TableSubscription> live = subscription.query();
            solo.add(live.table(), live.events(), live.filter(), subscription);
        }
        long after = since;
        while (true) {
            List<LogEntry> entries = services.log().readAfter(after, services.config().catchUpBatch());
            if (entries.isEmpty()) {
                return;
            }
            for (LogEntry entry : entries) {
                after = entry.position();
                if (entry instanceof Commit commit) {
                    solo.match(commit.changes(), (query, changes) -> {
                        List<Frame> frames = ChangeFrames.encode(services.codec(), query.table(), commit, changes,
                                services.config().maxChangesPerFrame());
                        for (TableSubscription subscription : query.subscribers()) {
                            for (Frame frame : frames) {
                                awaitRoom();
                                subscription.sendCatchUp(frame);
                            }
                        }
                    });
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
    private void awaitRoom() {
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

    private Reply unsubscribe(ClientMessage.Unsubscribe u) {
        if (!remove(u.topic())) {
            throw new ProtocolException(ErrorCode.NOT_SUBSCRIBED, "not subscribed to '" + u.topic() + "'");
        }
        return Reply.ok(u.ref(), Map.of("topic", u.topic()));
    }

    /** Removes a subscription if present; true when there was one. */
    boolean remove(String topic) {
        TableSubscription subscription = session.subscriptions().remove(topic);
        if (subscription == null) {
            return false;
        }
        subscription.cancel();
        services.matcher().remove(subscription.query(), subscription);
        services.metrics().subscriptionRemoved();
        return true;
    }
}
