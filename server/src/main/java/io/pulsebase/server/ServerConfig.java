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
 * @param maxAccounts     accounts served at once, the default account included ({@link SqliteAccounts}: each
 *                        has its own database file, capture thread and connections); a caller of one more is
 *                        refused with {@code forbidden}
 */
public record ServerConfig(Path dataDir, NodeConfig node, TransportConfig transport, boolean synchronousFull,
                           int maxAccounts) {
    /** Accounts served at once unless configured. */
    public static final int DEFAULT_MAX_ACCOUNTS = 100;

    public ServerConfig {
        if (maxAccounts < 1) {
            throw new IllegalArgumentException("--max-accounts must be at least 1 (the default account)");
        }
    }

    /** Defaults for a data directory: port 8080, everything else as documented. */
    public static ServerConfig defaults(Path dataDir) {
        return new ServerConfig(dataDir, NodeConfig.defaults(), TransportConfig.defaults(), false,
                DEFAULT_MAX_ACCOUNTS);
    }

    public ServerConfig withTransport(TransportConfig t) {
        return new ServerConfig(dataDir, node, t, synchronousFull, maxAccounts);
    }

    public ServerConfig withNode(NodeConfig n) {
        return new ServerConfig(dataDir, n, transport, synchronousFull, maxAccounts);
    }

    public ServerConfig withMaxAccounts(int n) {
        return new ServerConfig(dataDir, node, transport, synchronousFull, n);
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
