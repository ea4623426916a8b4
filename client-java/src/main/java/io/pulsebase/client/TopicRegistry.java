package io.pulsebase.client;

import io.pulsebase.protocol.ServerMessage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * The client's table subscriptions and channel handles by topic, and the routing of topic frames to them.
 *
 * <p>Contract. Registration may happen on any thread (the maps are concurrent); everything else — routing,
 * {@link #restoreAll()}, {@link #connectionLost()}, {@link #clientClosed} — runs on the event thread. Frames are
 * routed in the order they arrive; a frame for a topic nothing is registered for is dropped. Restore order:
 * tables, then channels; within each, registration order is not guaranteed (each subscription resumes from its
 * own position, so the order does not matter for correctness).
 */
final class TopicRegistry {
    private final ConcurrentHashMap<String, Channel> channels = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<String, TableSubscription> tables = new ConcurrentHashMap<>();

    /** The channel handle of {@code topic}, made by {@code create} the first time. */
    Channel channel(String topic, Function<String, Channel> create) {
        return channels.computeIfAbsent(topic, create);
    }

    /** False when the table already has an active subscription. */
    boolean registerTable(TableSubscription sub) {
        return tables.putIfAbsent(sub.topic(), sub) == null;
    }

    void unregisterTable(TableSubscription sub) {
        tables.remove(sub.topic(), sub);
    }

    /** Hands a frame that belongs to a topic (not a reply, heartbeat or error) to its subscription. */
    void route(ServerMessage m) {
        switch (m) {
            case ServerMessage.Snapshot s -> toTable(s.topic(), t -> t.onSnapshot(s));
            case ServerMessage.DbChange c -> toTable(c.topic(), t -> t.onChange(c));
            case ServerMessage.Event e -> toChannel(e.topic(), ch -> ch.onEvent(e));
            case ServerMessage.PresenceState ps -> toChannel(ps.topic(), ch -> ch.onPresenceState(ps));
            case ServerMessage.Presence p -> toChannel(p.topic(), ch -> ch.onPresence(p));
            case ServerMessage.Reply r -> throw new IllegalArgumentException("not a topic frame: " + r);
            case ServerMessage.Heartbeat h -> throw new IllegalArgumentException("not a topic frame: " + h);
            case ServerMessage.ErrorMessage e -> throw new IllegalArgumentException("not a topic frame: " + e);
        }
    }

    private void toTable(String topic, Consumer<TableSubscription> action) {
        TableSubscription t = topic == null ? null : tables.get(topic);
        if (t != null) {
            action.accept(t);
        }
    }

    private void toChannel(String topic, Consumer<Channel> action) {
        Channel ch = topic == null ? null : channels.get(topic);
        if (ch != null) {
            action.accept(ch);
        }
    }

    /** A connection opened: every subscription is sent again from its position, tracked presence again. */
    void restoreAll() {
        tables.values().forEach(TableSubscription::restore);
        channels.values().forEach(Channel::restore);
    }

    /** The connection dropped: half-received parts are discarded, outstanding subscribe refs forgotten. */
    void connectionLost() {
        tables.values().forEach(TableSubscription::connectionLost);
        channels.values().forEach(Channel::connectionLost);
    }

    /** The client is closed for good. */
    void clientClosed(PulsebaseException reason) {
        tables.values().forEach(t -> t.clientClosed(reason));
        channels.values().forEach(c -> c.clientClosed(reason));
    }
}
