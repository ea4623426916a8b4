package io.pulsebase.core.session;

import io.pulsebase.core.NodeConfig;
import io.pulsebase.core.NodeMetrics;
import io.pulsebase.core.access.Gatekeeper;
import io.pulsebase.core.account.AccountSpaces;
import io.pulsebase.protocol.JsonCodec;
import java.util.concurrent.Executor;
import java.util.concurrent.ScheduledExecutorService;

/**
 * What a session needs from its node: the accounts (a session is bound to its caller's {@link
 * io.pulsebase.core.account.AccountSpace} once admitted, and reaches engines only through it), the codec, the
 * executor that runs session work (virtual threads; never a network event loop), the gatekeeper that admits callers
 * and decides what they may do, and the timer that closes connections whose token expired (its tasks only hand work
 * to a session's executor).
 */
public record SessionServices(
        NodeConfig config,
        AccountSpaces spaces,
        JsonCodec codec,
        NodeMetrics metrics,
        Executor executor,
        Gatekeeper gatekeeper,
        ScheduledExecutorService timers) {
}
