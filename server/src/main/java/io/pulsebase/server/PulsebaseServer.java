package io.pulsebase.server;

import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.pulsebase.core.Node;
import io.pulsebase.core.auth.AuthConfig;
import io.pulsebase.core.policy.AccessPolicies;
import io.pulsebase.storage.sqlite.SqliteOptions;
import io.pulsebase.transport.RealtimeServer;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Assembly of one server process: the embedded SQLite engines of each account ({@link SqliteAccounts}), an
 * in-process broker per account, the node, and the Netty edge. This class only wires; behaviour lives in the
 * modules it wires.
 */
public final class PulsebaseServer implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(PulsebaseServer.class);

    private final ServerConfig config;
    private final Node node;
    private final RealtimeServer transport;
    private final AtomicBoolean closed = new AtomicBoolean();

    private PulsebaseServer(ServerConfig config, Node node, RealtimeServer transport) {
        this.config = config;
        this.node = node;
        this.transport = transport;
    }

    /** Opens the data directory, starts capture and binds the port. */
    public static PulsebaseServer start(ServerConfig config) {
        PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        new JvmMemoryMetrics().bindTo(registry);
        new JvmThreadMetrics().bindTo(registry);
        new ProcessorMetrics().bindTo(registry);

        logSecurity(config.node().auth(), config.node().policies());
        if (!config.node().hooks().isEmpty()) {
            log.info("hooks: {}", config.node().hooks()); // class names and webhook URLs, never a secret
        }
        SqliteAccounts accounts = new SqliteAccounts(config.dataDir(), config.node().auth().defaultAccount(),
                SqliteOptions.defaults().withSynchronousFull(config.synchronousFull()));
        Node node = new Node(config.node(), accounts, config.maxAccounts(), registry);
        try {
            node.start();
            RealtimeServer transport = new RealtimeServer(config.transport(), node, registry);
            transport.start();
            log.atInfo().addKeyValue("port", transport.port()).addKeyValue("data", config.dataDir().toAbsolutePath())
                    .log("Pulsebase is listening on port {}", transport.port());
            return new PulsebaseServer(config, node, transport);
        } catch (RuntimeException e) {
            node.close(); // closes every account it opened
            throw e;
        }
    }

    /** At start: what callers must prove and which access rules hold, and a warning when nothing is checked. */
    private static void logSecurity(AuthConfig auth, AccessPolicies policies) {
        if (auth.isDisabled()) {
            log.warn("security is disabled: every request is served as a trusted service caller{}. Configure a "
                    + "secret, public key, JWKS URL or API key (--auth-* options, docs/security.md) before this "
                    + "server faces a network you do not trust",
                    policies == AccessPolicies.none() ? "" : ", which no policy restricts");
        } else {
            log.info("security is on: {}; {}", auth, policies); // counts and non-secret settings only
        }
    }

    /** The bound port (useful when the config asked for port 0). */
    public int port() {
        return transport.port();
    }

    public Node node() {
        return node;
    }

    public ServerConfig config() {
        return config;
    }

    /**
     * Graceful stop: connections are told to reconnect (close code 1001), capture stops after the last
     * committed entry it read, and every account's database is checkpointed and closed. Idempotent.
     */
    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        log.info("shutting down");
        transport.close();
        node.close();
        log.info("stopped");
    }
}
