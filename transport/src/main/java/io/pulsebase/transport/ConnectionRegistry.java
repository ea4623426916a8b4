package io.pulsebase.transport;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.netty.channel.Channel;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.util.concurrent.GlobalEventExecutor;
import io.pulsebase.protocol.CloseCode;
import java.util.Collection;
import java.util.Collections;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Every open connection of one server: the long-lived ones (WebSocket, SSE) with their outbound, for a graceful
 * stop and the {@code pulsebase.connections} gauge (tag {@code transport=websocket|sse}); and every TCP channel,
 * REST keep-alives included, so a stop can close what is left. Thread-safe.
 */
final class ConnectionRegistry {
    private final Set<ChannelOutbound> open = ConcurrentHashMap.newKeySet();
    private final AtomicLong websockets = new AtomicLong();
    private final AtomicLong sse = new AtomicLong();
    private final ChannelGroup channels = new DefaultChannelGroup("pulsebase", GlobalEventExecutor.INSTANCE);

    ConnectionRegistry(MeterRegistry registry) {
        Gauge.builder("pulsebase.connections", websockets, AtomicLong::get).tag("transport", "websocket")
                .description("Open client connections").register(registry);
        Gauge.builder("pulsebase.connections", sse, AtomicLong::get).tag("transport", "sse")
                .description("Open client connections").register(registry);
    }

    /** A TCP connection was accepted; it leaves the group by itself when it closes. */
    void accepted(Channel channel) {
        channels.add(channel);
    }

    void add(ChannelOutbound connection) {
        if (open.add(connection)) {
            counter(connection).incrementAndGet();
        }
    }

    void remove(ChannelOutbound connection) {
        if (open.remove(connection)) {
            counter(connection).decrementAndGet();
        }
    }

    Collection<ChannelOutbound> open() {
        return Collections.unmodifiableSet(open);
    }

    /** Asks every long-lived connection to close with {@code code}; they flush what is queued first. */
    void closeAll(CloseCode code, String detail) {
        for (ChannelOutbound connection : open) {
            connection.close(code, detail);
        }
    }

    /** Closes every remaining TCP connection at once. */
    void closeChannels() {
        channels.close().awaitUninterruptibly();
    }

    private AtomicLong counter(ChannelOutbound connection) {
        return connection instanceof WebSocketOutbound ? websockets : sse;
    }
}
