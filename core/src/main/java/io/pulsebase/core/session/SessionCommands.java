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
import java.util.List;
import java.util.Map;

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
        String topic = s.topic();
        if (topic.indexOf('/') >= 0) {
            return notYet(s, "channels");
        }
        TableSchema schema = services.database().table(topic)
                .orElseThrow(() -> new ProtocolException(ErrorCode.UNKNOWN_TABLE, "unknown table '" + topic + "'"));
        if (!schema.name().equals(topic)) {
            throw new ProtocolException(ErrorCode.UNKNOWN_TABLE,
                    "unknown table '" + topic + "' (did you mean '" + schema.name() + "'?)");
        }
        RowFilter filter = FilterCompiler.compile(s.filter(), schema);
        long since = s.since() == null ? -1 : Positions.parse(s.since());
        if (!session.subscriptions().containsKey(topic)
                && session.subscriptions().size() >= services.config().maxSubscriptionsPerConnection()) {
            throw new ProtocolException(ErrorCode.TOO_MANY_SUBSCRIPTIONS,
                    "a connection may hold at most " + services.config().maxSubscriptionsPerConnection()
                            + " subscriptions");
        }
        if (since >= 0 && !s.snapshot()) {
            checkResumable(since);
        }
        // Subscribing again to a topic replaces the earlier subscription.
        remove(topic);

        TableSubscription subscription =
                new TableSubscription(session, topic, services.config().maxPendingBytes());
        subscription.attach(services.matcher().add(topic, s.events(), filter, subscription));
        session.subscriptions().put(topic, subscription);
        services.metrics().subscriptionAdded();
        try {
            if (s.snapshot()) {
                TableSnapshot snapshot = services.database().snapshot(topic, filter::matches, List.of(), 0);
                subscription.sendSnapshot(Frame.encode(services.codec(),
                        new ServerMessage.Snapshot(topic, snapshot.rows(), snapshot.position()), snapshot.position()),
                        snapshot.position());
            } else if (since >= 0) {
                subscription.startAt(since);
                replay(subscription, since);
            } else {
                // Live from now: anchored at the log head read after registering, so a transaction committed
                // before the subscribe (whose dispatch may lag) is not delivered, and every later one is.
                subscription.startAt(services.log().head());
            }
            subscription.goLive();
        } catch (RuntimeException e) {
            remove(topic);
            throw e;
        }
        return Reply.ok(s.ref(), Map.of("topic", topic, "position", Positions.format(subscription.position())));
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
     * Sends every matching entry after {@code since} from the log, batch by batch, until the log has nothing
     * newer; live frames that arrive meanwhile wait in the subscription and are de-duplicated by position.
     */
    private void replay(TableSubscription subscription, long since) {
        Query<TableSubscription> live = subscription.query();
        SubscriptionMatcher<TableSubscription> solo = new SubscriptionMatcher<>();
        solo.add(live.table(), live.events(), live.filter(), subscription);
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
                        for (Frame frame : ChangeFrames.encode(services.codec(), query.table(), commit, changes,
                                services.config().maxChangesPerFrame())) {
                            awaitRoom();
                            subscription.sendCatchUp(frame);
                        }
                    });
                }
            }
        }
    }

    /**
     * Flow control for replays: before queueing the next frame, wait until the connection's queue is at most
     * half full, so a backlog larger than the queue reaches a client that keeps reading instead of closing it
     * as a slow consumer. Live frames meanwhile wait in the subscription's own buffer.
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
