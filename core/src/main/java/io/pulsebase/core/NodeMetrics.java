package io.pulsebase.core;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.pulsebase.protocol.ErrorCode;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;

/** The engine's meters, registered once per node. Thread-safe. */
public final class NodeMetrics {
    private final ConcurrentHashMap<ErrorCode, Counter> errors = new ConcurrentHashMap<>();
    private final MeterRegistry registry;
    private final AtomicLong sessions = new AtomicLong();
    private final AtomicLong subscriptions = new AtomicLong();
    private final AtomicLong captureLagMillis = new AtomicLong();
    private final Counter entriesCaptured;
    private final Counter framesDelivered;
    private final Counter changesDelivered;
    private final Counter slowConsumers;
    private final Counter messagesPublished;
    private final Counter messagesPersisted;
    private final Counter messagesDuplicate;
    private final Counter channelFramesDelivered;
    private final Counter presenceChanges;
    private final Counter tokenExpiries;

    public NodeMetrics(MeterRegistry registry) {
        this.registry = registry;
        Gauge.builder("pulsebase.sessions", sessions, AtomicLong::get)
                .description("Open client sessions (WebSocket and SSE)").register(registry);
        Gauge.builder("pulsebase.subscriptions", subscriptions, AtomicLong::get)
                .description("Active subscriptions").register(registry);
        Gauge.builder("pulsebase.capture.lag", captureLagMillis, v -> v.get() / 1000.0)
                .description("Seconds between the commit of the last captured transaction and its dispatch")
                .baseUnit("seconds").register(registry);
        entriesCaptured = Counter.builder("pulsebase.log.entries.captured")
                .description("Log entries (committed transactions) captured and dispatched").register(registry);
        framesDelivered = Counter.builder("pulsebase.frames.delivered")
                .description("Positioned frames queued to connections").register(registry);
        changesDelivered = Counter.builder("pulsebase.changes.delivered")
                .description("Row changes queued to connections (a frame holds one or more)").register(registry);
        slowConsumers = Counter.builder("pulsebase.slow.consumer.disconnects")
                .description("Connections closed because their outbound queue overflowed").register(registry);
        messagesPublished = Counter.builder("pulsebase.channel.messages.published")
                .description("Channel messages accepted (persisted or not)").register(registry);
        messagesPersisted = Counter.builder("pulsebase.channel.messages.persisted")
                .description("Channel messages written to the log").register(registry);
        messagesDuplicate = Counter.builder("pulsebase.channel.messages.duplicate")
                .description("Publishes not delivered again because their id was seen within the window")
                .register(registry);
        channelFramesDelivered = Counter.builder("pulsebase.channel.frames.delivered")
                .description("Channel event and presence frames queued to connections").register(registry);
        presenceChanges = Counter.builder("pulsebase.presence.changes")
                .description("Presence joins, updates and leaves").register(registry);
        tokenExpiries = Counter.builder("pulsebase.token.expiry.closes")
                .description("Connections closed because their token expired").register(registry);
    }

    public MeterRegistry registry() {
        return registry;
    }

    /**
     * Registers a gauge an account's space computes on demand (log head, capture position), tagged
     * {@code account}: positions are per account, so a sum or a maximum across accounts would mean nothing.
     */
    public void accountGauge(String name, String description, String account, Supplier<Number> value) {
        Gauge.builder(name, value).description(description).tag("account", account).register(registry);
    }

    public void sessionOpened() {
        sessions.incrementAndGet();
    }

    public void sessionClosed() {
        sessions.decrementAndGet();
    }

    public void subscriptionAdded() {
        subscriptions.incrementAndGet();
    }

    public void subscriptionRemoved() {
        subscriptions.decrementAndGet();
    }

    public void captured(long commitTimestampMillis) {
        entriesCaptured.increment();
        captureLagMillis.set(Math.max(0, System.currentTimeMillis() - commitTimestampMillis));
    }

    public void delivered(int frames, int changes) {
        framesDelivered.increment(frames);
        changesDelivered.increment(changes);
    }

    /** Counts a connection closed because its queue overflowed. */
    public void slowConsumer() {
        slowConsumers.increment();
    }

    /** Counts an accepted channel message. */
    public void published(boolean persisted) {
        messagesPublished.increment();
        if (persisted) {
            messagesPersisted.increment();
        }
    }

    /** Counts a publish whose id was a duplicate. */
    public void duplicatePublish() {
        messagesDuplicate.increment();
    }

    /** Counts channel frames (events, presence) queued to connections. */
    public void channelDelivered(int frames) {
        channelFramesDelivered.increment(frames);
    }

    public void presenceChanged() {
        presenceChanges.increment();
    }

    /**
     * Counts a named error answered to a client — a {@code reply} with {@code ok: false}, an {@code error} frame, a
     * REST error, a WebSocket closed for an oversized frame ({@code too_large}) — by code. Refusals by every
     * per-connection limit show here ({@code too_many_subscriptions}, {@code rate_limited}, {@code too_large},
     * {@code too_many_members}, ...). Counters are created on a code's first use and kept.
     */
    public void errorAnswered(ErrorCode code) {
        errors.computeIfAbsent(code, c -> Counter.builder("pulsebase.errors")
                .description("Named errors answered to clients, by code")
                .tag("code", c.wireName())
                .register(registry)).increment();
    }

    /** Counts credentials refused at admission or on an {@code auth} refresh, by error code. */
    public void authRefused(ErrorCode code) {
        Counter.builder("pulsebase.auth.refusals")
                .description("Credentials refused at admission or refresh")
                .tag("code", code.wireName())
                .register(registry) // looked up, not created again: refusals are few next to other traffic
                .increment();
    }

    /** Counts a connection closed because its token expired (4003, or the end of an SSE stream). */
    /** A connection or publish refused by an account limit ({@code connections} or {@code publishes}). */
    public void accountLimitRefused(String limit) {
        Counter.builder("pulsebase.account.limit.refusals")
                .description("Connections and publishes refused by a per-account limit")
                .tag("limit", limit)
                .register(registry)
                .increment();
    }

    public void tokenExpired() {
        tokenExpiries.increment();
    }
}
