package io.pulsebase.core.session;

import io.pulsebase.core.auth.Credentials;
import io.pulsebase.core.auth.Identity;
import io.pulsebase.core.channel.ChannelNames;
import io.pulsebase.core.fanout.ChangeFrames;
import io.pulsebase.core.fanout.ChannelFrames;
import io.pulsebase.core.fanout.Frame;
import io.pulsebase.core.filter.RowFilter;
import io.pulsebase.core.hooks.HookEvent;
import io.pulsebase.core.log.EventLog;
import io.pulsebase.core.log.PositionExpiredException;
import io.pulsebase.core.policy.ChannelAction;
import io.pulsebase.core.policy.PolicyOperation;
import io.pulsebase.core.presence.PresenceMember;
import io.pulsebase.core.store.TableSchema;
import io.pulsebase.protocol.ClientMessage;
import io.pulsebase.protocol.ErrorCode;
import io.pulsebase.protocol.Positions;
import io.pulsebase.protocol.ProtocolException;
import io.pulsebase.protocol.ServerMessage.Reply;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The commands a session understands, run on the session's serial executor: subscriptions to tables and channels
 * and the {@code auth} refresh here, the other channel commands in {@link ChannelCommands}. Reducers arrive with
 * their own capability ({@code call} is answered {@code not_supported} until then). What the caller may touch is
 * the {@code Gatekeeper}'s decision, asked before anything about the topic is looked at.
 */
final class SessionCommands {
    private final Session session;
    private final SessionServices services;
    private final ChannelCommands channels;
    private final CatchUp catchUp;

    SessionCommands(Session session, SessionServices services) {
        this.session = session;
        this.services = services;
        this.channels = new ChannelCommands(session, services);
        this.catchUp = new CatchUp(session, services);
    }

    /** Handles one message; {@code size} is its size as received, in bytes (publishes are limited by it). */
    Reply handle(ClientMessage message, int size) {
        return switch (message) {
            case ClientMessage.Subscribe s -> subscribe(s);
            case ClientMessage.Unsubscribe u -> unsubscribe(u);
            case ClientMessage.Ping p -> Reply.ok(p.ref(), Map.of());
            case ClientMessage.Auth a -> refresh(a);
            case ClientMessage.Publish p -> channels.publish(p, size);
            case ClientMessage.Track t -> channels.track(t);
            case ClientMessage.Untrack u -> channels.untrack(u);
            case ClientMessage.History h -> channels.history(h);
            case ClientMessage.Call c -> notYet(c, "server functions");
        };
    }

    /** The connection is gone: leave every channel's presence. */
    void leaveAll() {
        channels.leaveAll();
    }

    private static Reply notYet(ClientMessage message, String what) {
        return Reply.error(message.ref(), ErrorCode.NOT_SUPPORTED, what + " are not available on this server yet");
    }

    /**
     * {@code auth}: new credentials for the same caller replace the old ones, and the expiry moves with them. On
     * any refusal the connection keeps its identity, which still expires when it did.
     */
    private Reply refresh(ClientMessage.Auth a) {
        session.caller().actAs(services.gatekeeper().refresh(session.identity(), Credentials.ofToken(a.token())));
        redecide();
        return Reply.ok(a.ref(), Map.of());
    }

    /**
     * After a refresh: every subscription and tracked channel is decided again for the new token's claims, as if
     * the client asked now, so a claim that changed (a team left, a role claim revoked) takes effect on an open
     * connection and not only on the next one.
     * <ul>
     *   <li>A table subscription whose select policy binds to the same filter continues untouched. One whose
     *       policy now binds differently is replaced by a subscription with a fresh {@code snapshot} at the current
     *       position (the client replaces its copy: rows it may no longer see are gone, rows it may now see are
     *       there), then live changes under the new policy.</li>
     *   <li>A channel subscription or presence the channel rules no longer allow is ended (presence: a
     *       {@code leave}).</li>
     * </ul>
     * Whatever ends gets an {@code error} frame naming the topic and the reason. The refresh itself succeeds.
     */
    private void redecide() {
        Identity caller = session.identity();
        for (Subscription subscription : List.copyOf(session.subscriptions().values())) {
            String topic = subscription.topic();
            try {
                if (subscription.query() == null) {
                    services.gatekeeper().requireChannel(caller, ChannelAction.SUBSCRIBE, topic);
                } else if (subscription.request() != null && rebinds(caller, subscription)) {
                    ClientMessage.Subscribe asked = subscription.request();
                    Reply again = subscribeAll(List.of(new ClientMessage.Subscribe(null, topic, asked.events(),
                            asked.filter(), true, null, asked.eventNames()))).get(0);
                    if (!again.ok()) {
                        throw new ProtocolException(again.error().code(), again.error().message());
                    }
                }
            } catch (ProtocolException e) {
                remove(topic);
                session.sendError(null, e.code(), "subscription to '" + topic + "' ended after the token refresh: "
                        + e.getMessage());
            }
        }
        channels.redecidePresence(caller);
    }

    /** Whether the table's select policy binds differently for the refreshed caller than the query it runs. */
    private boolean rebinds(Identity caller, Subscription subscription) {
        TableSchema schema = session.space().database().table(subscription.topic())
                .orElseThrow(() -> new ProtocolException(ErrorCode.UNKNOWN_TABLE,
                        "unknown table '" + subscription.topic() + "'"));
        RowFilter now = services.gatekeeper().rows(caller, PolicyOperation.SELECT, schema,
                subscription.request().filter());
        return !now.canonical().equals(subscription.query().filter().canonical());
    }

    private Reply subscribe(ClientMessage.Subscribe s) {
        return subscribeAll(List.of(s)).get(0);
    }

    /** A subscribe that passed validation, not yet registered; {@code filter} is null for a channel. */
    private record Prepared(ClientMessage.Subscribe request, RowFilter filter, long since, boolean channel) {
    }

    /**
     * Subscribes several topics as one unit — an SSE stream's topics, or a single WebSocket subscribe — and
     * answers one reply per request, in order. The subscriptions are registered before any catch-up is read;
     * {@code since} replays for all of them are one pass over the log in position order, and they go live
     * together, so frames of different topics leave in position order and a stream's positions never go
     * backwards (what lets a reconnecting {@code EventSource} resume exactly from its last event id).
     * Snapshots are read one table at a time, each at its own position. A channel's {@code presence_state} is
     * sent as it is registered, before any replay.
     */
    List<Reply> subscribeAll(List<ClientMessage.Subscribe> requests) {
        Reply[] replies = new Reply[requests.size()];
        List<Prepared> prepared = new ArrayList<>();
        Set<String> topics = new HashSet<>();
        for (int i = 0; i < requests.size(); i++) {
            ClientMessage.Subscribe s = requests.get(i);
            try {
                Prepared p = ChannelNames.isChannel(s.topic()) ? prepareChannel(s, topics) : prepare(s, topics);
                // Asked last: a hook sees only subscriptions the server itself would allow.
                if (!services.config().hooks().isEmpty()) { // the event is built only when a hook listens
                    services.config().hooks().run(new HookEvent.Subscribe(Long.toString(session.id()),
                            session.identity(), s.topic(), s.filter()));
                }
                prepared.add(p);
                topics.add(s.topic());
            } catch (ProtocolException e) {
                replies[i] = Reply.error(s.ref(), e.code(), e.getMessage());
            }
        }
        List<Subscription> registered = new ArrayList<>();
        try {
            for (Prepared p : prepared) {
                registered.add(register(p));
            }
            catchUp(prepared, registered);
            Subscription.goLiveTogether(registered);
        } catch (RuntimeException e) {
            for (Subscription subscription : registered) {
                remove(subscription.topic());
            }
            throw e;
        }
        for (int i = 0, next = 0; i < requests.size(); i++) {
            if (replies[i] == null) {
                Subscription subscription = registered.get(next++);
                replies[i] = Reply.ok(requests.get(i).ref(), Map.of("topic", subscription.topic(),
                        "position", Positions.format(subscription.position())));
            }
        }
        return List.of(replies);
    }

    /** Validates one subscribe: table, filter, position, the connection's limit (counting {@code alsoNew}). */
    private Prepared prepare(ClientMessage.Subscribe s, Set<String> alsoNew) {
        Identity caller = session.identity();
        String topic = s.topic();
        services.gatekeeper().requireTable(caller, PolicyOperation.SELECT, topic);
        TableSchema schema = session.space().database().table(topic)
                .orElseThrow(() -> new ProtocolException(ErrorCode.UNKNOWN_TABLE, "unknown table '" + topic + "'"));
        if (!schema.name().equals(topic)) {
            throw new ProtocolException(ErrorCode.UNKNOWN_TABLE,
                    "unknown table '" + topic + "' (did you mean '" + schema.name() + "'?)");
        }
        checkNotListedTwice(topic, alsoNew);
        // The caller's filter joined with the table's select policy bound to the caller: snapshot, replay and live
        // matching (enter / leave included) all evaluate this one filter.
        RowFilter filter = services.gatekeeper().rows(caller, PolicyOperation.SELECT, schema, s.filter());
        long since = s.since() == null ? -1 : Positions.parse(s.since());
        checkRoom(topic, alsoNew);
        if (since >= 0 && !s.snapshot()) {
            checkResumable(since);
        }
        return new Prepared(s, filter, since, false);
    }

    /** Validates a channel subscribe: name, options that apply to tables only, position, the limit. */
    private Prepared prepareChannel(ClientMessage.Subscribe s, Set<String> alsoNew) {
        String topic = s.topic();
        services.gatekeeper().requireChannel(session.identity(), ChannelAction.SUBSCRIBE, topic);
        ChannelNames.require(topic);
        if (s.filter() != null || s.snapshot()) {
            throw new ProtocolException(ErrorCode.BAD_REQUEST,
                    "'filter' and 'snapshot' apply to tables; '" + topic + "' is a channel");
        }
        checkNotListedTwice(topic, alsoNew);
        long since = s.since() == null ? -1 : Positions.parse(s.since());
        checkRoom(topic, alsoNew);
        if (since >= 0) {
            checkResumable(since);
        }
        return new Prepared(s, null, since, true);
    }

    private static void checkNotListedTwice(String topic, Set<String> alsoNew) {
        if (alsoNew.contains(topic)) {
            throw new ProtocolException(ErrorCode.BAD_REQUEST, "topic '" + topic + "' is listed twice");
        }
    }

    /** The connection's topic limit, counting what it holds plus {@code alsoNew} (subscribed in the same unit). */
    private void checkRoom(String topic, Set<String> alsoNew) {
        long held = session.topicCount() + alsoNew.stream().filter(t -> !session.holdsTopic(t)).count();
        if (!session.holdsTopic(topic) && held >= services.config().maxSubscriptionsPerConnection()) {
            throw new ProtocolException(ErrorCode.TOO_MANY_SUBSCRIPTIONS,
                    "a connection may hold at most " + services.config().maxSubscriptionsPerConnection()
                            + " topics (subscriptions and tracked channels together)");
        }
    }

    /**
     * Registers with the matcher or the channel index (live frames start buffering); replaces an earlier
     * subscription to the topic. A channel's members are read as it registers and sent at once.
     */
    private Subscription register(Prepared p) {
        String topic = p.request().topic();
        remove(topic);
        Subscription subscription = new Subscription(session, topic, services.config().maxPendingBytes(),
                p.request().eventNames(), p.request());
        if (p.channel()) {
            List<PresenceMember> members = session.space().channels().attach(topic, subscription);
            session.subscriptions().put(topic, subscription);
            services.metrics().subscriptionAdded();
            for (Frame part : ChannelFrames.presenceState(services.codec(), topic, members,
                    services.config().maxChangesPerFrame())) {
                catchUp.awaitRoom();
                subscription.sendCatchUp(part);
            }
        } else {
            subscription.attach(session.space().matcher().add(topic, p.request().events(), p.filter(), subscription));
            session.subscriptions().put(topic, subscription);
            services.metrics().subscriptionAdded();
        }
        return subscription;
    }

    /** Sends each subscription's snapshot or replay, or anchors it at the log head. */
    private void catchUp(List<Prepared> prepared, List<Subscription> registered) {
        List<Subscription> replaying = new ArrayList<>();
        long from = Long.MAX_VALUE;
        for (int i = 0; i < prepared.size(); i++) {
            Prepared p = prepared.get(i);
            Subscription subscription = registered.get(i);
            if (p.request().snapshot()) {
                // Each page is encoded as it is read: what waits to be paced out is the frames' bytes, not the rows.
                List<Frame> parts = new ArrayList<>();
                String topic = subscription.topic();
                long position = session.space().database().snapshotPages(topic, p.filter()::matches,
                        services.config().maxChangesPerFrame(), (rows, at, last) ->
                                parts.add(ChangeFrames.snapshotPart(services.codec(), topic, rows, at, !last)));
                for (int part = 0; part < parts.size(); part++) {
                    catchUp.awaitRoom();
                    subscription.sendSnapshot(parts.set(part, null), position); // sent bytes are freed as we go
                }
            } else if (p.since() >= 0) {
                subscription.startAt(p.since());
                replaying.add(subscription);
                from = Math.min(from, p.since());
            } else {
                // Live from now: anchored at the log head read after registering, so a transaction committed
                // before the subscribe (whose dispatch may lag) is not delivered, and every later one is.
                subscription.startAt(session.space().log().head());
            }
        }
        if (!replaying.isEmpty()) {
            catchUp.replay(replaying, from);
        }
    }

    private void checkResumable(long since) {
        EventLog log = session.space().log();
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

    private Reply unsubscribe(ClientMessage.Unsubscribe u) {
        if (!remove(u.topic())) {
            throw new ProtocolException(ErrorCode.NOT_SUBSCRIBED, "not subscribed to '" + u.topic() + "'");
        }
        if (!services.config().hooks().isEmpty()) { // the event is built only when a hook listens
            services.config().hooks().run(new HookEvent.Unsubscribe(Long.toString(session.id()), session.identity(),
                    u.topic()));
        }
        return Reply.ok(u.ref(), Map.of("topic", u.topic()));
    }

    /** Removes a subscription if present; true when there was one. */
    boolean remove(String topic) {
        Subscription subscription = session.subscriptions().remove(topic);
        if (subscription == null) {
            return false;
        }
        subscription.cancel();
        if (subscription.query() == null) {
            session.space().channels().detach(topic, subscription);
        } else {
            session.space().matcher().remove(subscription.query(), subscription);
        }
        services.metrics().subscriptionRemoved();
        return true;
    }
}
