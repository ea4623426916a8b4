package io.pulsebase.core;

import io.micrometer.core.instrument.MeterRegistry;
import io.pulsebase.core.access.Gatekeeper;
import io.pulsebase.core.auth.Credentials;
import io.pulsebase.core.auth.Identity;
import io.pulsebase.core.broker.Broker;
import io.pulsebase.core.broker.BrokerMessage;
import io.pulsebase.core.capture.ChangeSource;
import io.pulsebase.core.channel.ChannelIndex;
import io.pulsebase.core.channel.ChannelService;
import io.pulsebase.core.fanout.Dispatcher;
import io.pulsebase.core.log.EventLog;
import io.pulsebase.core.match.SubscriptionMatcher;
import io.pulsebase.core.presence.MemoryPresenceStore;
import io.pulsebase.core.presence.PresenceStore;
import io.pulsebase.core.session.Outbound;
import io.pulsebase.core.session.Session;
import io.pulsebase.core.session.SessionServices;
import io.pulsebase.core.session.Subscription;
import io.pulsebase.core.store.Database;
import io.pulsebase.core.store.TableSchema;
import io.pulsebase.protocol.ErrorCode;
import io.pulsebase.protocol.JsonCodec;
import io.pulsebase.protocol.ProtocolException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One Pulsebase node: the engines it was given, wired into the change path
 * (change source → log → broker → matcher → fan-out → sessions) and the command path
 * (transport → session → database / log / matcher). Knows nothing about sockets or SQL drivers.
 *
 * <p>Lifecycle: construct, {@link #start()}, {@link #connect} sessions, {@link #close()}. Thread-safe.
 */
public final class Node implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(Node.class);

    /** The pluggable engines a node runs on. The node closes them when it closes. */
    public record Engines(Database database, EventLog log, ChangeSource changeSource, Broker broker,
                          PresenceStore presence) {
        /** Engines with the in-process presence store. */
        public Engines(Database database, EventLog log, ChangeSource changeSource, Broker broker) {
            this(database, log, changeSource, broker, new MemoryPresenceStore());
        }
    }

    private final NodeConfig config;
    private final Engines engines;
    private final NodeMetrics metrics;
    private final JsonCodec codec = new JsonCodec();
    private final SubscriptionMatcher<Subscription> matcher = new SubscriptionMatcher<>();
    private final ChannelIndex channelIndex = new ChannelIndex();
    private final ChannelService channels;
    private final Dispatcher dispatcher;
    // One name for all: numbering virtual threads costs a string per task, and a session runs one per burst.
    private final ExecutorService sessionExecutor = Executors.newThreadPerTaskExecutor(
            Thread.ofVirtual().name("pulsebase-session").factory());
    private final ScheduledExecutorService maintenance = Executors.newSingleThreadScheduledExecutor(
            Thread.ofPlatform().name("pulsebase-maintenance").daemon().factory());
    /** Token expiries of open sessions; its tasks only hand work to a session. */
    private final ScheduledThreadPoolExecutor timers = new ScheduledThreadPoolExecutor(1,
            Thread.ofPlatform().name("pulsebase-expiry").daemon().factory());
    private final Gatekeeper gatekeeper;
    private final SessionServices services;
    private AutoCloseable brokerSubscription;

    public Node(NodeConfig config, Engines engines, MeterRegistry registry) {
        this.config = config;
        this.engines = engines;
        this.metrics = new NodeMetrics(registry);
        this.dispatcher = new Dispatcher(matcher, channelIndex, codec, metrics, config.maxChangesPerFrame());
        this.channels = new ChannelService(config.channels(), engines.log(), engines.broker(), engines.presence(),
                channelIndex, codec, metrics);
        this.gatekeeper = new Gatekeeper(config.auth(), config.policies(), config.accountLimits(), metrics);
        timers.setRemoveOnCancelPolicy(true); // a refreshed token's old timer leaves the queue at once
        this.services = new SessionServices(config, engines.database(), engines.log(), matcher, channels, codec,
                metrics, sessionExecutor, gatekeeper, timers);
        metrics.gauge("pulsebase.log.head", "Position of the newest log entry", engines.log()::head);
        metrics.gauge("pulsebase.capture.position", "Position of the last entry fanned out",
                dispatcher::dispatchedPosition);
        metrics.gauge("pulsebase.channels", "Channels with at least one subscriber", channelIndex::channelCount);
    }

    /** Starts capture from the log's current head and applies retention periodically. */
    public void start() {
        brokerSubscription = engines.broker().subscribe(dispatcher);
        long head = engines.log().head();
        channels.reloadRecentIds();
        engines.changeSource().start(head, entry -> engines.broker().publish(new BrokerMessage.Logged(entry)));
        long every = config.pruneInterval().toMillis();
        maintenance.scheduleWithFixedDelay(this::prune, every, every, TimeUnit.MILLISECONDS);
        log.info("node started at log position {}", head);
    }

    /** Applies retention now (also run periodically). */
    public long prune() {
        try {
            return engines.log().prune(config.retention());
        } catch (RuntimeException e) {
            log.warn("log pruning failed; will retry", e);
            return 0;
        }
    }

    /**
     * Opens a session for a new client connection whose credentials the session verifies first (a WebSocket);
     * refused credentials close the connection with the matching close code.
     */
    public Session connect(Outbound outbound, Credentials credentials) {
        return Session.verifying(services, outbound, credentials);
    }

    /** Opens a session for a caller the transport already admitted ({@link Gatekeeper#admit}; an SSE stream). */
    public Session connect(Outbound outbound, Identity caller) {
        return Session.admitted(services, outbound, caller);
    }

    /** Admission and access (table policies, channel rules); every transport asks it. */
    public Gatekeeper gatekeeper() {
        return gatekeeper;
    }

    /** Ready to serve: capture is running. */
    public boolean ready() {
        return engines.changeSource().running();
    }

    public Database database() {
        return engines.database();
    }

    public EventLog log() {
        return engines.log();
    }

    public JsonCodec codec() {
        return codec;
    }

    /** Channels: publish, presence and history, for REST (sessions reach them through their commands). */
    public ChannelService channels() {
        return channels;
    }

    public NodeMetrics metrics() {
        return metrics;
    }

    public NodeConfig config() {
        return config;
    }

    /** Number of distinct live queries (identical subscriptions count once). */
    public int queryCount() {
        return matcher.queryCount();
    }

    /** The schema of a user table; {@code unknown_table} when there is none. */
    public TableSchema schema(String table) {
        return engines.database().table(table)
                .orElseThrow(() -> new ProtocolException(ErrorCode.UNKNOWN_TABLE, "unknown table '" + table + "'"));
    }

    /** Stops capture and maintenance and closes the engines. Sessions must be closed by the transports first. */
    @Override
    public void close() {
        maintenance.shutdownNow();
        timers.shutdownNow();
        engines.changeSource().close();
        try {
            if (brokerSubscription != null) {
                brokerSubscription.close();
            }
        } catch (Exception e) {
            log.warn("closing broker subscription failed", e);
        }
        engines.broker().close();
        engines.presence().close();
        sessionExecutor.shutdown();
        try {
            sessionExecutor.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        engines.database().close();
        log.info("node stopped");
    }
}
