package io.pulsebase.bench.floor;

import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Topic → the channels subscribed to it, and the broadcast: one encoded frame, a retained duplicate of it written
 * to every subscriber. A closed channel leaves every topic it joined. No queue, no limit and no slow-consumer
 * rule: a subscriber that does not read only grows its channel's outbound buffer. Thread-safe: any event loop may
 * subscribe and publish.
 */
final class Topics {
    private final Map<String, Set<Channel>> subscribers = new ConcurrentHashMap<>();

    /** Adds the channel to the topic's subscribers (again is a no-op); it leaves when it closes. */
    void subscribe(String topic, Channel channel) {
        Set<Channel> set = subscribers.computeIfAbsent(topic, t -> ConcurrentHashMap.newKeySet());
        if (set.add(channel)) {
            channel.closeFuture().addListener(f -> set.remove(channel));
        }
    }

    /**
     * Writes the frame to every subscriber of the topic and releases the caller's reference: each write holds
     * its own (a retained duplicate, released by the socket write), so the frame is freed after the last one.
     */
    void broadcast(String topic, ByteBuf frame) {
        try {
            Set<Channel> set = subscribers.get(topic);
            if (set == null) {
                return;
            }
            for (Channel channel : set) {
                channel.writeAndFlush(frame.retainedDuplicate(), channel.voidPromise());
            }
        } finally {
            frame.release();
        }
    }
}
