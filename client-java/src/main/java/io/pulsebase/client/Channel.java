package io.pulsebase.client;

import io.pulsebase.protocol.ClientMessage;
import io.pulsebase.protocol.ErrorCode;
import io.pulsebase.protocol.Positions;
import io.pulsebase.protocol.ServerMessage;
import io.pulsebase.protocol.client.ClientCodec;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A pub/sub channel (a topic with {@code /}): subscribe with event-name listeners, publish (optionally persisted,
 * optionally idempotent), presence ({@link #track}, {@link #untrack}, {@link #presence()}) and history.
 *
 * <p>After a dropped connection a subscribed channel resumes from its position (the larger of the subscribe
 * reply's and the last persisted message's), so listeners see every missed <em>persisted</em> message exactly once
 * and in order; unpersisted messages sent meanwhile are not replayed (they have no position). A tracked presence
 * state is tracked again. If the position expired, the {@link #onResync resync listeners} are told and the
 * subscription continues live.
 *
 * <p>All methods may be called from any thread; listeners run on the client's event thread.
 */
public final class Channel {
    private static final long NONE = -1;

    private final PulsebaseClient client;
    private final String topic;
    private final ConcurrentHashMap<String, CopyOnWriteArrayList<ChannelEventListener>> byEvent =
            new ConcurrentHashMap<>();
    private final CopyOnWriteArrayList<ChannelEventListener> allListeners = new CopyOnWriteArrayList<>();
    private final CopyOnWriteArrayList<PresenceListener> presenceListeners = new CopyOnWriteArrayList<>();
    private final CopyOnWriteArrayList<ResyncListener> resyncListeners = new CopyOnWriteArrayList<>();

    /** The members as last received, both views of one state (so that they never disagree). */
    private record Members(Map<String, Object> states, Map<String, PresenceMember> details) {
        static final Members NONE = new Members(Map.of(), Map.of());
    }

    private volatile Members members = Members.NONE;
    private volatile long positionView = NONE;
    private volatile boolean subscribedView;

    // event thread only
    private boolean subscribed;
    private Set<String> eventNames = Set.of();
    private long position = NONE;
    private String subscribeRef;
    private final List<CompletableFuture<Channel>> subscribeWaiters = new ArrayList<>();
    private Map<String, Object> trackedState;
    private String trackRef;
    private final List<CompletableFuture<String>> trackWaiters = new ArrayList<>();
    private List<ServerMessage.PresenceMember> presenceParts;

    Channel(PulsebaseClient client, String topic) {
        this.client = client;
        this.topic = topic;
    }

    public String topic() {
        return topic;
    }

    /** Adds a listener for messages with this event name; {@code "*"} means every message. */
    public Channel on(String event, ChannelEventListener listener) {
        Objects.requireNonNull(listener);
        if ("*".equals(event)) {
            allListeners.add(listener);
        } else {
            byEvent.computeIfAbsent(Objects.requireNonNull(event), e -> new CopyOnWriteArrayList<>()).add(listener);
        }
        return this;
    }

    /** Adds a presence listener (full syncs, joins, updates, leaves). */
    public Channel onPresence(PresenceListener listener) {
        presenceListeners.add(Objects.requireNonNull(listener));
        return this;
    }

    /** Adds a listener told when the channel's position expired (persisted messages were missed). */
    public Channel onResync(ResyncListener listener) {
        resyncListeners.add(Objects.requireNonNull(listener));
        return this;
    }

    /** Subscribes to every event of the channel; see {@link #subscribe(Collection)}. */
    public CompletableFuture<Channel> subscribe() {
        return subscribe(Set.of());
    }

    /**
     * Subscribes to these event names (empty: all), replacing an earlier subscription of this channel. The future
     * completes once the server accepted (after the {@code presence_state}); it fails if the server refused.
     * Subscribing again while subscribed keeps the position.
     */
    public CompletableFuture<Channel> subscribe(Collection<String> events) {
        Set<String> names = Set.copyOf(events);
        CompletableFuture<Channel> f = new CompletableFuture<>();
        client.execute(() -> {
            if (client.isClosed()) {
                f.completeExceptionally(new PulsebaseException.ClosedException("client closed"));
                return;
            }
            subscribed = true;
            subscribedView = true;
            eventNames = names;
            subscribeWaiters.add(f);
            if (client.isOpen()) {
                sendSubscribe();
            } else {
                client.ensureConnecting();
            }
        });
        return f;
    }

    /** Stops receiving messages and presence; the future completes once the server confirmed. */
    public CompletableFuture<Void> unsubscribe() {
        CompletableFuture<Void> f = new CompletableFuture<>();
        client.execute(() -> {
            if (!subscribed) {
                f.complete(null);
                return;
            }
            subscribed = false;
            subscribedView = false;
            subscribeRef = null;
            position = NONE;
            positionView = NONE;
            members = Members.NONE;
            failWaiters(new PulsebaseException(null, "unsubscribed"));
            String ref = client.sendRequest(new PendingRequest(r -> new ClientMessage.Unsubscribe(r, topic),
                    reply -> f.complete(null), false, e -> f.complete(null), e -> f.complete(null)));
            if (ref == null) {
                f.complete(null);
            }
        });
        return f;
    }

    /** Whether {@link #subscribe} was called (and not undone). */
    public boolean isSubscribed() {
        return subscribedView;
    }

    /** The position a resubscribe would resume from, or -1. */
    public long position() {
        return positionView;
    }

    /** Publishes a message that is not persisted. */
    public CompletableFuture<PublishResult> publish(String event, Object data) {
        return publish(event, data, PublishOptions.none());
    }

    /**
     * Publishes a message. Disconnected, it waits in the client's bounded offline queue and is sent after the
     * reconnect (or fails at once with {@link PulsebaseException.OfflineException} when the queue is full or
     * disabled). If the connection drops after it was sent but before the reply, a publish with an
     * {@link PublishOptions#id() id} is sent again (the server drops the repeat and answers {@code duplicate});
     * one without an id fails with {@link PulsebaseException.ConnectionLostException}: it may or may not have
     * been delivered.
     */
    public CompletableFuture<PublishResult> publish(String event, Object data, PublishOptions options) {
        Objects.requireNonNull(event);
        PublishOptions o = options == null ? PublishOptions.none() : options;
        CompletableFuture<PublishResult> f = new CompletableFuture<>();
        PendingRequest p = new PendingRequest(
                ref -> new ClientMessage.Publish(ref, topic, event, data, o.persist(), o.id()),
                reply -> {
                    if (reply.ok()) {
                        f.complete(new PublishResult(ClientCodec.position(reply.result(), "position"),
                                Boolean.TRUE.equals(reply.result().get("duplicate"))));
                    } else {
                        f.completeExceptionally(new PulsebaseException(reply.error().code(), reply.error().message()));
                    }
                }, o.id() != null, f::completeExceptionally, f::completeExceptionally);
        client.execute(() -> client.request(p, true));
        return f;
    }

    /**
     * Joins the channel's presence with this state, or updates it. It is tracked again after every reconnect
     * until {@link #untrack()}. The future completes when the server acknowledged (possibly after a reconnect),
     * with this connection's member key (a new key after each reconnect: one member per connection).
     */
    public CompletableFuture<String> track(Map<String, Object> state) {
        Map<String, Object> copy = state == null ? Map.of() : Collections.unmodifiableMap(new LinkedHashMap<>(state));
        CompletableFuture<String> f = new CompletableFuture<>();
        client.execute(() -> {
            if (client.isClosed()) {
                f.completeExceptionally(new PulsebaseException.ClosedException("client closed"));
                return;
            }
            trackedState = copy;
            trackWaiters.add(f);
            if (client.isOpen()) {
                sendTrack();
            } else {
                client.ensureConnecting();
            }
        });
        return f;
    }

    /** Leaves the channel's presence (a no-op when not tracked); not re-tracked after reconnects. */
    public CompletableFuture<Void> untrack() {
        CompletableFuture<Void> f = new CompletableFuture<>();
        client.execute(() -> {
            trackedState = null;
            trackRef = null;
            List<CompletableFuture<String>> waiting = new ArrayList<>(trackWaiters);
            trackWaiters.clear();
            waiting.forEach(w -> w.complete(null)); // superseded
            String ref = client.sendRequest(new PendingRequest(r -> new ClientMessage.Untrack(r, topic),
                    reply -> {
                        if (reply.ok()) {
                            f.complete(null);
                        } else {
                            f.completeExceptionally(new PulsebaseException(reply.error().code(),
                                    reply.error().message()));
                        }
                    }, false, e -> f.complete(null), f::completeExceptionally));
            if (ref == null) {
                f.complete(null); // not connected: the server holds no presence of ours
            }
        });
        return f;
    }

    /**
     * The channel's current members, key → state (immutable), as last received: from the {@code presence_state}
     * sent on each (re)subscribe and the presence frames after it. Empty unless subscribed.
     */
    public Map<String, Object> presence() {
        return members.states();
    }

    /**
     * The channel's current members with their users, key → member (immutable, in join order), received as
     * {@link #presence()}: several members (a user's tabs) may have the same {@link PresenceMember#userId()}.
     */
    public Map<String, PresenceMember> presenceMembers() {
        return members.details();
    }

    /** The newest persisted messages, newest first (at most {@code limit}, 1–1000). */
    public CompletableFuture<HistoryPage> history(int limit) {
        return history(limit, 0);
    }

    /**
     * Persisted messages with a position below {@code before} (0: the newest), newest first, at most {@code limit}.
     * Queued while disconnected, and sent again after a dropped connection (it only reads).
     */
    public CompletableFuture<HistoryPage> history(int limit, long before) {
        if (limit < 1 || limit > 1000) {
            throw new IllegalArgumentException("limit must be 1..1000");
        }
        CompletableFuture<HistoryPage> f = new CompletableFuture<>();
        String beforeText = before > 0 ? Positions.format(before) : null;
        PendingRequest p = new PendingRequest(
                ref -> new ClientMessage.History(ref, topic, limit, beforeText),
                reply -> {
                    if (reply.ok()) {
                        f.complete(historyPage(reply.result()));
                    } else {
                        f.completeExceptionally(new PulsebaseException(reply.error().code(), reply.error().message()));
                    }
                }, true, f::completeExceptionally, f::completeExceptionally);
        client.execute(() -> client.request(p, true));
        return f;
    }

    private HistoryPage historyPage(Map<String, Object> result) {
        List<ChannelEvent> messages = new ArrayList<>();
        if (result.get("messages") instanceof List<?> list) {
            for (Object o : list) {
                if (o instanceof Map<?, ?> m) {
                    @SuppressWarnings("unchecked")
                    Map<String, Object> msg = (Map<String, Object>) m;
                    messages.add(new ChannelEvent(topic, (String) msg.get("event"), msg.get("data"),
                            instant(msg.get("timestamp")), (String) msg.get("id"), ClientCodec.position(msg, "position"),
                            (String) msg.get("userId")));
                }
            }
        }
        return new HistoryPage(List.copyOf(messages), Boolean.TRUE.equals(result.get("more")));
    }

    private static Instant instant(Object ts) {
        try {
            return ts == null ? null : Instant.parse(ts.toString());
        } catch (DateTimeParseException e) {
            return null;
        }
    }

    // ============================================================================================ event thread

    /** The connection is (re)opened: subscribe again from the position, track again. */
    void restore() {
        if (subscribed) {
            sendSubscribe();
        }
        if (trackedState != null) {
            sendTrack();
        } else if (!trackWaiters.isEmpty()) {
            List<CompletableFuture<String>> waiting = new ArrayList<>(trackWaiters);
            trackWaiters.clear();
            waiting.forEach(w -> w.complete(null));
        }
    }

    private void sendSubscribe() {
        presenceParts = null;
        String since = position == NONE ? null : Positions.format(position);
        Set<String> names = eventNames;
        subscribeRef = client.sendRequest(PendingRequest.replyOnly(
                ref -> new ClientMessage.Subscribe(ref, topic, Set.of(), null, false, since, names),
                this::onSubscribeReply));
    }

    private void onSubscribeReply(ServerMessage.Reply reply) {
        if (!subscribed || !Objects.equals(reply.ref(), subscribeRef)) {
            return;
        }
        if (reply.ok()) {
            // "0" anchors too (subscribed while the log was empty): an unanchored channel would resubscribe
            // live-from-now after a drop and lose the persisted messages published meanwhile.
            long p = reply.result().containsKey("position") ? ClientCodec.position(reply.result(), "position") : NONE;
            if (p > position) {
                position = p;
                positionView = p;
            }
            List<CompletableFuture<Channel>> waiting = new ArrayList<>(subscribeWaiters);
            subscribeWaiters.clear();
            waiting.forEach(w -> w.complete(this));
        } else if (reply.error().code() == ErrorCode.POSITION_EXPIRED) {
            long lost = position;
            position = NONE;
            positionView = NONE;
            for (ResyncListener l : resyncListeners) {
                client.dispatch(() -> l.onResync(topic, lost));
            }
            sendSubscribe();
        } else {
            subscribed = false;
            subscribedView = false;
            PulsebaseException e = new PulsebaseException(reply.error().code(),
                    reply.error().message() + " (subscribe to '" + topic + "')");
            if (subscribeWaiters.isEmpty()) {
                client.reportError(e);
            }
            failWaiters(e);
        }
    }

    private void sendTrack() {
        Map<String, Object> state = trackedState;
        trackRef = client.sendRequest(PendingRequest.replyOnly(ref -> new ClientMessage.Track(ref, topic, state),
                this::onTrackReply));
    }

    private void onTrackReply(ServerMessage.Reply reply) {
        if (!Objects.equals(reply.ref(), trackRef)) {
            return;
        }
        List<CompletableFuture<String>> waiting = new ArrayList<>(trackWaiters);
        trackWaiters.clear();
        if (reply.ok()) {
            String key = reply.result().get("key") instanceof String k ? k : null;
            waiting.forEach(w -> w.complete(key));
        } else {
            trackedState = null;
            PulsebaseException e = new PulsebaseException(reply.error().code(),
                    reply.error().message() + " (track on '" + topic + "')");
            if (waiting.isEmpty()) {
                client.reportError(e);
            }
            waiting.forEach(w -> w.completeExceptionally(e));
        }
    }

    void onEvent(ServerMessage.Event e) {
        if (!subscribed) {
            return;
        }
        if (e.position() > 0) {
            if (position != NONE && e.position() <= position) {
                return; // already delivered (never sent by a correct server; kept as a guard)
            }
            position = e.position();
            positionView = position;
        }
        ChannelEvent event = new ChannelEvent(e.topic(), e.event(), e.data(),
                e.timestamp() == 0 ? null : Instant.ofEpochMilli(e.timestamp()), e.id(), e.position(), e.userId());
        CopyOnWriteArrayList<ChannelEventListener> named = byEvent.get(e.event());
        if (named != null) {
            for (ChannelEventListener l : named) {
                client.dispatch(() -> l.onEvent(event));
            }
        }
        for (ChannelEventListener l : allListeners) {
            client.dispatch(() -> l.onEvent(event));
        }
    }

    void onPresenceState(ServerMessage.PresenceState part) {
        if (!subscribed) {
            return;
        }
        if (presenceParts == null) {
            presenceParts = new ArrayList<>();
        }
        presenceParts.addAll(part.members());
        if (part.more()) {
            return;
        }
        Map<String, PresenceMember> m = new LinkedHashMap<>();
        for (ServerMessage.PresenceMember member : presenceParts) {
            m.put(member.key(), new PresenceMember(member.key(), member.userId(), member.data()));
        }
        presenceParts = null;
        Members now = membersOf(m);
        members = now;
        firePresence(new PresenceEvent(topic, PresenceEvent.Type.SYNC, null, null, now.states(), null,
                now.details()));
    }

    void onPresence(ServerMessage.Presence p) {
        if (!subscribed) {
            return;
        }
        PresenceEvent.Type type = switch (p.event() == null ? "" : p.event()) {
            case "join" -> PresenceEvent.Type.JOIN;
            case "update" -> PresenceEvent.Type.UPDATE;
            case "leave" -> PresenceEvent.Type.LEAVE;
            default -> null;
        };
        if (type == null) {
            return;
        }
        Map<String, PresenceMember> m = new LinkedHashMap<>(members.details());
        if (type == PresenceEvent.Type.LEAVE) {
            m.remove(p.key());
        } else {
            m.put(p.key(), new PresenceMember(p.key(), p.userId(), p.data()));
        }
        Members now = membersOf(m);
        members = now;
        firePresence(new PresenceEvent(topic, type, p.key(), p.data(), now.states(), p.userId(), now.details()));
    }

    /** Both views of the members (key → member, in join order). */
    private static Members membersOf(Map<String, PresenceMember> details) {
        Map<String, Object> states = new LinkedHashMap<>();
        for (PresenceMember member : details.values()) {
            states.put(member.key(), member.data()); // a state may be null: not Map.copyOf
        }
        return new Members(Collections.unmodifiableMap(states), Collections.unmodifiableMap(details));
    }

    private void firePresence(PresenceEvent event) {
        for (PresenceListener l : presenceListeners) {
            client.dispatch(() -> l.onPresence(event));
        }
    }

    void connectionLost() {
        presenceParts = null;
        subscribeRef = null;
        trackRef = null;
    }

    void clientClosed(PulsebaseException reason) {
        failWaiters(reason);
        List<CompletableFuture<String>> waiting = new ArrayList<>(trackWaiters);
        trackWaiters.clear();
        waiting.forEach(w -> w.completeExceptionally(reason));
    }

    private void failWaiters(PulsebaseException e) {
        List<CompletableFuture<Channel>> waiting = new ArrayList<>(subscribeWaiters);
        subscribeWaiters.clear();
        waiting.forEach(w -> w.completeExceptionally(e));
    }
}
