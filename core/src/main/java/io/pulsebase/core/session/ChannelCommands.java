package io.pulsebase.core.session;

import io.pulsebase.core.auth.Identity;
import io.pulsebase.core.channel.ChannelNames;
import io.pulsebase.core.channel.ChannelResults;
import io.pulsebase.core.channel.ChannelService;
import io.pulsebase.core.channel.PublishRate;
import io.pulsebase.core.hooks.HookEvent;
import io.pulsebase.core.policy.ChannelAction;
import io.pulsebase.protocol.ClientMessage;
import io.pulsebase.protocol.ErrorCode;
import io.pulsebase.protocol.Positions;
import io.pulsebase.protocol.ProtocolException;
import io.pulsebase.protocol.RawJson;
import io.pulsebase.protocol.ServerMessage.Reply;
import java.util.List;
import java.util.Map;

/**
 * A session's channel commands — {@code publish}, {@code track}, {@code untrack}, {@code history} — with the
 * per-connection limits (publish rate, topics per connection) on top of {@link ChannelService}'s rules. Runs on
 * the session's serial executor, one command at a time.
 */
final class ChannelCommands {
    private final Session session;
    private final SessionServices services;
    /** Created on the first publish: most connections never publish. */
    private PublishRate publishRate;

    ChannelCommands(Session session, SessionServices services) {
        this.session = session;
        this.services = services;
    }

    Reply publish(ClientMessage.Publish p, int size) {
        require(ChannelAction.PUBLISH, p.topic());
        ChannelService channels = session.space().channels();
        long now = System.nanoTime();
        if (publishRate == null) {
            publishRate = new PublishRate(channels.limits().publishesPerSecond(), now);
        }
        if (!publishRate.tryAcquire(now)) {
            throw new ProtocolException(ErrorCode.RATE_LIMITED, "more than " + channels.limits().publishesPerSecond()
                    + " publishes per second on this connection");
        }
        services.gatekeeper().publishing(session.identity());
        if (!services.config().hooks().isEmpty()) { // built only when a hook listens: publish is a hot path
            services.config().hooks().run(new HookEvent.Message(Long.toString(session.id()), session.identity(),
                    p.topic(), p.event(), RawJson.of(services.codec().mapper(), p.data()), p.persist()));
        }
        ChannelService.Published published = channels.publish(p.topic(), p.event(), p.data(), p.persist(), p.id(),
                session.identity().subject(), size);
        return Reply.ok(p.ref(), ChannelResults.published(published));
    }

    Reply track(ClientMessage.Track t) {
        require(ChannelAction.PRESENCE, t.topic());
        ChannelNames.require(t.topic());
        if (!session.holdsTopic(t.topic())) {
            requireRoomForTopic(session, services);
        }
        // The member's user is the connection's verified subject; the client's state cannot set it.
        session.space().channels().track(t.topic(), session.presenceKey(), session.identity().subject(), t.state());
        session.addTracked(t.topic());
        return Reply.ok(t.ref(), Map.of("topic", t.topic(), "key", session.presenceKey()));
    }

    Reply untrack(ClientMessage.Untrack u) {
        if (!session.tracked().contains(u.topic())) {
            require(ChannelAction.PRESENCE, u.topic()); // leaving is always allowed
        }
        ChannelNames.require(u.topic());
        boolean left = session.removeTracked(u.topic()) && session.space().channels().untrack(u.topic(), session.presenceKey());
        return Reply.ok(u.ref(), Map.of("topic", u.topic(), "left", left));
    }

    Reply history(ClientMessage.History h) {
        require(ChannelAction.HISTORY, h.topic());
        long before = h.before() == null ? Long.MAX_VALUE : Positions.parse(h.before());
        ChannelService.HistoryPage page = session.space().channels().history(h.topic(), before, h.limit());
        return Reply.ok(h.ref(), ChannelResults.history(h.topic(), page));
    }

    private void require(ChannelAction action, String topic) {
        services.gatekeeper().requireChannel(session.identity(), action, topic);
    }

    /** The connection is gone: leave every channel it is present in. */
    /**
     * After a token refresh: leaves every channel whose presence the channel rules no longer allow the caller,
     * with an {@code error} frame naming it.
     */
    void redecidePresence(Identity caller) {
        for (String topic : List.copyOf(session.tracked())) {
            try {
                services.gatekeeper().requireChannel(caller, ChannelAction.PRESENCE, topic);
            } catch (ProtocolException e) {
                session.removeTracked(topic);
                session.space().channels().untrack(topic, session.presenceKey());
                session.sendError(null, e.code(), "presence in '" + topic + "' ended after the token refresh: "
                        + e.getMessage());
            }
        }
    }

    void leaveAll() {
        for (String topic : session.tracked()) {
            session.space().channels().untrack(topic, session.presenceKey());
        }
        session.clearTracked();
    }

    /** Refuses a new topic when the connection already holds as many as allowed. */
    static void requireRoomForTopic(Session session, SessionServices services) {
        int max = services.config().maxSubscriptionsPerConnection();
        if (session.topicCount() >= max) {
            throw new ProtocolException(ErrorCode.TOO_MANY_SUBSCRIPTIONS,
                    "a connection may hold at most " + max + " topics (subscriptions and tracked channels together)");
        }
    }
}
