package io.pulsebase.core.account;

import io.pulsebase.core.NodeConfig;
import io.pulsebase.core.NodeMetrics;
import io.pulsebase.core.Node;
import io.pulsebase.protocol.ErrorCode;
import io.pulsebase.protocol.JsonCodec;
import io.pulsebase.protocol.ProtocolException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.ToLongFunction;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The accounts a node serves, each in its own {@link AccountSpace}, opened on first use: an account exists as soon
 * as a verified caller (a signed token's account claim, a configured API key) names it. The default account is
 * opened when the node starts, so capture runs before the first connection.
 *
 * <p>At most {@code maxAccounts} are open at once (each holds a database, a capture thread and a connection pool);
 * a caller of one more account is refused with {@code forbidden}. Spaces stay open until the node closes.
 *
 * <p>Thread-safe. {@link #space} is lock-free once an account is open; opening takes a lock (and may block on
 * file I/O), so never call it for a new account on a network event loop.
 */
public final class AccountSpaces implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(AccountSpaces.class);

    private final AccountEngines engines;
    private final int maxAccounts;
    private final NodeConfig config;
    private final JsonCodec codec;
    private final NodeMetrics metrics;
    private final ConcurrentHashMap<String, AccountSpace> open = new ConcurrentHashMap<>();
    private boolean closed;

    /**
     * @param maxAccounts accounts open at once, at least 1 (the default account)
     */
    public AccountSpaces(AccountEngines engines, int maxAccounts, NodeConfig config, JsonCodec codec,
                         NodeMetrics metrics) {
        if (maxAccounts < 1) {
            throw new IllegalArgumentException("maxAccounts must be at least 1");
        }
        this.engines = engines;
        this.maxAccounts = maxAccounts;
        this.config = config;
        this.codec = codec;
        this.metrics = metrics;
    }

    /**
     * The space of {@code account}, opened (and its capture started) if this is its first use.
     *
     * @throws ProtocolException {@code forbidden} when {@code maxAccounts} are open already, {@code unavailable}
     *                           when the node is closing or the account's engines could not be opened (a later
     *                           call tries again)
     */
    public AccountSpace space(String account) {
        AccountSpace space = open.get(account);
        return space != null ? space : openSpace(account);
    }

    private synchronized AccountSpace openSpace(String account) {
        AccountSpace space = open.get(account);
        if (space != null) {
            return space;
        }
        if (closed) {
            throw new ProtocolException(ErrorCode.UNAVAILABLE, "the server is shutting down");
        }
        if (open.size() >= maxAccounts) {
            log.warn("refused a caller of a new account: {} accounts are open, the most this server serves "
                    + "(--max-accounts)", maxAccounts);
            throw new ProtocolException(ErrorCode.FORBIDDEN, "this server serves no more accounts");
        }
        Node.Engines opened;
        try {
            opened = engines.open(account);
        } catch (RuntimeException e) {
            log.error("account {}: its storage could not be opened", account, e);
            throw new ProtocolException(ErrorCode.UNAVAILABLE, "the account's storage is unavailable; try again later");
        }
        space = new AccountSpace(account, opened, config, codec, metrics);
        try {
            space.start();
        } catch (RuntimeException e) {
            space.close();
            log.error("account {}: capture could not start", account, e);
            throw new ProtocolException(ErrorCode.UNAVAILABLE, "the account's storage is unavailable; try again later");
        }
        open.put(account, space);
        return space;
    }

    /** The spaces open now (a snapshot). */
    public Collection<AccountSpace> open() {
        return List.copyOf(open.values());
    }

    /** Every open space captures (what {@code /health} reports). */
    public boolean capturing() {
        for (AccountSpace space : open.values()) {
            if (!space.capturing()) {
                return false;
            }
        }
        return !open.isEmpty();
    }

    /** The sum of {@code measure} over the open spaces. */
    public long sum(ToLongFunction<AccountSpace> measure) {
        long sum = 0;
        for (AccountSpace space : open.values()) {
            sum += measure.applyAsLong(space);
        }
        return sum;
    }

    /** Stops capture in every space; no space opens after this. */
    public synchronized void stopCapture() {
        closed = true;
        for (AccountSpace space : open.values()) {
            space.stopCapture();
        }
    }

    /** Closes every space (stopping capture first if still running). Idempotent. */
    @Override
    public synchronized void close() {
        closed = true;
        List<AccountSpace> spaces = new ArrayList<>(open.values());
        open.clear();
        for (AccountSpace space : spaces) {
            try {
                space.close();
            } catch (RuntimeException e) {
                log.warn("account {}: closing failed", space.account(), e);
            }
        }
    }
}
