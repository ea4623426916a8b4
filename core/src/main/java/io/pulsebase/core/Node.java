package io.pulsebase.core;

import io.micrometer.core.instrument.MeterRegistry;
import io.pulsebase.core.access.Gatekeeper;
import io.pulsebase.core.account.AccountEngines;
import io.pulsebase.core.account.AccountSpace;
import io.pulsebase.core.account.AccountSpaces;
import io.pulsebase.core.auth.Credentials;
import io.pulsebase.core.auth.Identity;
import io.pulsebase.core.broker.Broker;
import io.pulsebase.core.capture.ChangeSource;
import io.pulsebase.core.log.EventLog;
import io.pulsebase.core.presence.MemoryPresenceStore;
import io.pulsebase.core.presence.PresenceStore;
import io.pulsebase.core.session.Outbound;
import io.pulsebase.core.session.Session;
import io.pulsebase.core.session.SessionServices;
import io.pulsebase.core.store.Database;
import io.pulsebase.protocol.JsonCodec;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One Pulsebase node: the accounts it serves, each an {@link AccountSpace} with engines of its own and its own
 * change path (change source → log → broker → matcher → fan-out → sessions), and the command path (transport →
 * gatekeeper → session → the caller's account). What the accounts share is only what carries no data: the
 * gatekeeper, the executors, the codec and the metrics. Knows nothing about sockets or SQL drivers.
 *
 * <p>Every caller is routed to its own account's space before anything it names is looked at
 * ({@link #space(Identity)}), which is what keeps accounts from seeing each other.
 *
 * <p>Lifecycle: construct, {@link #start()}, {@link #connect} sessions, {@link #close()}. Thread-safe.
 */
public final class Node implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(Node.class);

    /** The pluggable engines of one account. The node closes them when it closes. */
    public record Engines(Database database, EventLog log, ChangeSource changeSource, Broker broker,
                          PresenceStore presence) {
        /** Engines with the in-process presence store. */
        public Engines(Database database, EventLog log, ChangeSource changeSource, Broker broker) {
            this(database, log, changeSource, broker, new MemoryPresenceStore());
        }
    }

    private final NodeConfig config;
    private final NodeMetrics metrics;
    private final JsonCodec codec = new JsonCodec();
    private final AccountSpaces spaces;
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

    /**
     * A node serving every account a verified caller names, each on the engines {@code engines} opens for it, at
     * most {@code maxAccounts} at once.
     */
    public Node(NodeConfig config, AccountEngines engines, int maxAccounts, MeterRegistry registry) {
        this.config = config;
        this.metrics = new NodeMetrics(registry);
        this.spaces = new AccountSpaces(engines, maxAccounts, config, codec, metrics);
        this.gatekeeper = new Gatekeeper(config.auth(), config.policies(), config.accountLimits(), metrics);
        timers.setRemoveOnCancelPolicy(true); // a refreshed token's old timer leaves the queue at once
        this.services = new SessionServices(config, spaces, codec, metrics, sessionExecutor, gatekeeper, timers);
    }

    /** A node serving only the default account, on {@code engines}; callers of other accounts are refused. */
    public Node(NodeConfig config, Engines engines, MeterRegistry registry) {
        this(config, account -> engines, 1, registry);
    }

    /** Opens the default account (starting its capture) and applies retention periodically. */
    public void start() {
        spaces.space(config.auth().defaultAccount());
        long every = config.pruneInterval().toMillis();
        maintenance.scheduleWithFixedDelay(this::prune, every, every, TimeUnit.MILLISECONDS);
        log.info("node started");
    }

    /** Applies retention to every open account now (also run periodically); answers the entries pruned. */
    public long prune() {
        long pruned = 0;
        for (AccountSpace space : spaces.open()) {
            try {
                pruned += space.log().prune(config.retention());
            } catch (RuntimeException e) {
                log.warn("account {}: log pruning failed; will retry", space.account(), e);
            }
        }
        return pruned;
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

    /**
     * The caller's account: its tables, log, channels and presence, and nothing of any other account's. Opens the
     * account on its first use, which may block on file I/O (never call it on a network event loop).
     *
     * @throws io.pulsebase.protocol.ProtocolException {@code forbidden} (no more accounts served) or
     *                                                 {@code unavailable}
     */
    public AccountSpace space(Identity caller) {
        return spaces.space(caller.account());
    }

    /** Admission and access (table policies, channel rules); every transport asks it. */
    public Gatekeeper gatekeeper() {
        return gatekeeper;
    }

    /** Ready to serve: capture is running in every open account. */
    public boolean ready() {
        return spaces.capturing();
    }

    public JsonCodec codec() {
        return codec;
    }

    public NodeMetrics metrics() {
        return metrics;
    }

    public NodeConfig config() {
        return config;
    }

    /** Number of distinct live queries over all accounts (identical subscriptions of one account count once). */
    public int queryCount() {
        return (int) spaces.sum(space -> space.matcher().queryCount());
    }

    /** Stops capture and maintenance and closes every account. Sessions must be closed by the transports first. */
    @Override
    public void close() {
        maintenance.shutdownNow();
        timers.shutdownNow();
        spaces.stopCapture();
        sessionExecutor.shutdown();
        try {
            sessionExecutor.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        spaces.close();
        log.info("node stopped");
    }
}
