package io.pulsebase.core;

import io.pulsebase.core.access.AccountLimits;
import io.pulsebase.core.auth.AuthConfig;
import io.pulsebase.core.channel.ChannelLimits;
import io.pulsebase.core.hooks.Hooks;
import io.pulsebase.core.log.Retention;
import io.pulsebase.core.policy.AccessPolicies;
import java.time.Duration;

/**
 * Engine settings of one node; transports have their own.
 *
 * @param maxSubscriptionsPerConnection subscriptions one connection may hold ({@code too_many_subscriptions} beyond)
 * @param maxPendingBytes               bytes of live frames a subscription may buffer while it catches up
 *                                      (snapshot or {@code since} replay); beyond it the connection is closed
 *                                      as a slow consumer and resumes from its position
 * @param maxQueuedCommands             client messages a connection may have waiting to be handled before the
 *                                      transport stops reading its socket (back-pressure, nothing refused)
 * @param catchUpBatch                  log entries read per batch while replaying {@code since}
 * @param maxChangesPerFrame            row changes one {@code db_change} frame carries at most; a larger
 *                                      transaction is sent in consecutive parts of the same position
 * @param retention                     how long the log keeps entries
 * @param pruneInterval                 how often retention is applied
 * @param channels                      limits of channels, presence and history
 * @param auth                          how callers are verified ({@link AuthConfig#disabled()} by default:
 *                                      every caller is a service caller, as before security existed)
 * @param policies                      row-level table policies and channel rules ({@link AccessPolicies#none()}
 *                                      by default: tables closed to non-service callers, default channel access)
 * @param hooks                         server-side hooks asked on connect, subscribe and publish and told of
 *                                      unsubscribe and disconnect ({@link Hooks#none()} by default)
 * @param accountLimits                 connections and publishes per second each account may use, across all its
 *                                      connections ({@link AccountLimits#NONE} by default)
 */
public record NodeConfig(
        int maxSubscriptionsPerConnection,
        long maxPendingBytes,
        int maxQueuedCommands,
        int catchUpBatch,
        int maxChangesPerFrame,
        Retention retention,
        Duration pruneInterval,
        ChannelLimits channels,
        AuthConfig auth,
        AccessPolicies policies,
        Hooks hooks,
        AccountLimits accountLimits) {

    public static NodeConfig defaults() {
        return new NodeConfig(100, 16L << 20, 256, 500, 1000, Retention.DEFAULT, Duration.ofMinutes(1),
                ChannelLimits.defaults(), AuthConfig.disabled(), AccessPolicies.none(), Hooks.none(), AccountLimits.NONE);
    }

    public NodeConfig withMaxSubscriptionsPerConnection(int n) {
        return new NodeConfig(n, maxPendingBytes, maxQueuedCommands, catchUpBatch, maxChangesPerFrame, retention,
                pruneInterval, channels, auth, policies, hooks, accountLimits);
    }

    public NodeConfig withMaxQueuedCommands(int n) {
        return new NodeConfig(maxSubscriptionsPerConnection, maxPendingBytes, n, catchUpBatch, maxChangesPerFrame,
                retention, pruneInterval, channels, auth, policies, hooks, accountLimits);
    }

    public NodeConfig withRetention(Retention r) {
        return new NodeConfig(maxSubscriptionsPerConnection, maxPendingBytes, maxQueuedCommands, catchUpBatch,
                maxChangesPerFrame, r, pruneInterval, channels, auth, policies, hooks, accountLimits);
    }

    public NodeConfig withMaxChangesPerFrame(int n) {
        return new NodeConfig(maxSubscriptionsPerConnection, maxPendingBytes, maxQueuedCommands, catchUpBatch, n,
                retention, pruneInterval, channels, auth, policies, hooks, accountLimits);
    }

    public NodeConfig withPruneInterval(Duration d) {
        return new NodeConfig(maxSubscriptionsPerConnection, maxPendingBytes, maxQueuedCommands, catchUpBatch,
                maxChangesPerFrame, retention, d, channels, auth, policies, hooks, accountLimits);
    }

    public NodeConfig withChannels(ChannelLimits c) {
        return new NodeConfig(maxSubscriptionsPerConnection, maxPendingBytes, maxQueuedCommands, catchUpBatch,
                maxChangesPerFrame, retention, pruneInterval, c, auth, policies, hooks, accountLimits);
    }

    public NodeConfig withAuth(AuthConfig a) {
        return new NodeConfig(maxSubscriptionsPerConnection, maxPendingBytes, maxQueuedCommands, catchUpBatch,
                maxChangesPerFrame, retention, pruneInterval, channels, a, policies, hooks, accountLimits);
    }

    public NodeConfig withAccountLimits(AccountLimits l) {
        return new NodeConfig(maxSubscriptionsPerConnection, maxPendingBytes, maxQueuedCommands, catchUpBatch,
                maxChangesPerFrame, retention, pruneInterval, channels, auth, policies, hooks, l);
    }

    public NodeConfig withHooks(Hooks h) {
        return new NodeConfig(maxSubscriptionsPerConnection, maxPendingBytes, maxQueuedCommands, catchUpBatch,
                maxChangesPerFrame, retention, pruneInterval, channels, auth, policies, h, accountLimits);
    }

    public NodeConfig withPolicies(AccessPolicies p) {
        return new NodeConfig(maxSubscriptionsPerConnection, maxPendingBytes, maxQueuedCommands, catchUpBatch,
                maxChangesPerFrame, retention, pruneInterval, channels, auth, p, hooks, accountLimits);
    }
}
