package io.pulsebase.server;

import io.pulsebase.core.NodeConfig;
import io.pulsebase.core.access.AccountLimits;
import io.pulsebase.core.auth.AuthConfig;
import io.pulsebase.core.hooks.Hooks;
import io.pulsebase.core.log.Retention;
import io.pulsebase.core.policy.AccessPolicies;
import io.pulsebase.transport.TransportConfig;
import java.nio.file.Path;

/**
 * Everything one server process is configured with: where the data lives, the engine settings and the
 * network edge's settings. Built by the CLI from options and {@code PULSEBASE_*} environment variables
 * (see docs/configuration.md), or directly by tests and embedders.
 *
 * @param synchronousFull SQLite {@code synchronous=FULL} (survives power loss) instead of {@code NORMAL}
 *                        (survives a process crash, faster)
 */
public record ServerConfig(Path dataDir, NodeConfig node, TransportConfig transport, boolean synchronousFull) {

    /** Defaults for a data directory: port 8080, everything else as documented. */
    public static ServerConfig defaults(Path dataDir) {
        return new ServerConfig(dataDir, NodeConfig.defaults(), TransportConfig.defaults(), false);
    }

    public ServerConfig withTransport(TransportConfig t) {
        return new ServerConfig(dataDir, node, t, synchronousFull);
    }

    public ServerConfig withNode(NodeConfig n) {
        return new ServerConfig(dataDir, n, transport, synchronousFull);
    }

    public ServerConfig withRetention(Retention r) {
        return withNode(node.withRetention(r));
    }

    /** Table policies and channel rules; {@link AccessPolicies#none()} unless set. */
    public ServerConfig withAccountLimits(AccountLimits limits) {
        return withNode(node.withAccountLimits(limits));
    }

    public ServerConfig withHooks(Hooks hooks) {
        return withNode(node.withHooks(hooks));
    }

    public ServerConfig withPolicies(AccessPolicies policies) {
        return withNode(node.withPolicies(policies));
    }

    /** How callers are verified; {@link AuthConfig#disabled()} unless set. */
    public ServerConfig withAuth(AuthConfig auth) {
        return withNode(node.withAuth(auth));
    }
}
