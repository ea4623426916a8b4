package io.pulsebase.core.access;

import io.pulsebase.core.channel.PublishRate;
import io.pulsebase.protocol.ErrorCode;
import io.pulsebase.protocol.ProtocolException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Limits an account shares across all its connections: how many connections it may hold open, and how many
 * channel messages it may publish per second (every connection and REST call of the account together; each
 * connection also has its own per-connection rate, {@code --publish-rate}). 0 means no limit.
 *
 * <p>Thread-safe: connections of one account open, close and publish on many threads at once. A connection that
 * acquired a slot must release it exactly once.
 *
 * @param maxConnections    open WebSocket and SSE connections per account; beyond it a new connection is refused
 *                          with {@code too_many_connections}
 * @param publishesPerSecond channel messages per second per account; beyond it a publish is refused with
 *                          {@code rate_limited}
 */
public record AccountLimits(int maxConnections, int publishesPerSecond) {
    /** No per-account limit. */
    public static final AccountLimits NONE = new AccountLimits(0, 0);

    public AccountLimits {
        if (maxConnections < 0 || publishesPerSecond < 0) {
            throw new IllegalArgumentException("account limits must not be negative");
        }
    }

    /** The running counts of one server. */
    public Usage newUsage() {
        return new Usage(this);
    }

    /** Connections and publish budgets per account, as they are now. */
    public static final class Usage {
        private final AccountLimits limits;
        private final ConcurrentHashMap<String, AtomicInteger> connections = new ConcurrentHashMap<>();
        private final ConcurrentHashMap<String, PublishRate> publishes = new ConcurrentHashMap<>();

        private Usage(AccountLimits limits) {
            this.limits = limits;
        }

        /**
         * Takes one connection slot of the account.
         *
         * @throws ProtocolException {@link ErrorCode#TOO_MANY_CONNECTIONS} when the account holds its maximum
         */
        public void connect(String account) {
            if (limits.maxConnections() == 0) {
                return;
            }
            AtomicInteger open = connections.computeIfAbsent(account, a -> new AtomicInteger());
            if (open.incrementAndGet() > limits.maxConnections()) {
                open.decrementAndGet();
                throw new ProtocolException(ErrorCode.TOO_MANY_CONNECTIONS, "this account has "
                        + limits.maxConnections() + " connections open, the most it may");
            }
        }

        /** Gives back a slot taken by {@link #connect}. */
        public void disconnect(String account) {
            if (limits.maxConnections() == 0) {
                return;
            }
            AtomicInteger open = connections.get(account);
            if (open != null) {
                open.decrementAndGet(); // the counter stays: an account that connected once will likely again
            }
        }

        public boolean limitsConnections() {
            return limits.maxConnections() > 0;
        }

        /** Open connections of the account (for tests and metrics); 0 when connections are not limited. */
        public int connections(String account) {
            AtomicInteger open = connections.get(account);
            return open == null ? 0 : open.get();
        }

        /**
         * Takes one publish from the account's budget.
         *
         * @throws ProtocolException {@link ErrorCode#RATE_LIMITED} when the account published its maximum this second
         */
        public void publish(String account) {
            if (limits.publishesPerSecond() == 0) {
                return;
            }
            PublishRate rate = publishes.computeIfAbsent(account,
                    a -> new PublishRate(limits.publishesPerSecond(), System.nanoTime()));
            boolean allowed;
            synchronized (rate) { // PublishRate is single-threaded; an account's connections share it
                allowed = rate.tryAcquire(System.nanoTime());
            }
            if (!allowed) {
                throw new ProtocolException(ErrorCode.RATE_LIMITED, "more than " + limits.publishesPerSecond()
                        + " publishes per second in this account");
            }
        }
    }
}
