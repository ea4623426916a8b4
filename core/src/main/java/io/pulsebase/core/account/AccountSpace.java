package io.pulsebase.core.account;

import io.pulsebase.core.Node;
import io.pulsebase.core.NodeConfig;
import io.pulsebase.core.NodeMetrics;
import io.pulsebase.core.broker.BrokerMessage;
import io.pulsebase.core.channel.ChannelIndex;
import io.pulsebase.core.channel.ChannelService;
import io.pulsebase.core.fanout.Dispatcher;
import io.pulsebase.core.log.EventLog;
import io.pulsebase.core.match.SubscriptionMatcher;
import io.pulsebase.core.session.Subscription;
import io.pulsebase.core.store.Database;
import io.pulsebase.protocol.JsonCodec;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One account's share of a node: its engines wired into the change path (change source → log → broker → matcher →
 * fan-out → its sessions), the live matcher of its table subscriptions, and its channels and presence. Two spaces
 * share no state: a session is bound to its caller's space when it is admitted and only ever reaches that one, so
 * tables, filters, positions, channels, history and presence of other accounts are not merely refused but out of
 * reach.
 *
 * <p>Lifecycle: {@link #start} once (capture from the log's head), {@link #close} once. Thread-safe: the matcher,
 * channel index and engines are; the rest is immutable after construction.
 */
public final class AccountSpace implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(AccountSpace.class);

    private final String account;
    private final Node.Engines engines;
    private final SubscriptionMatcher<Subscription> matcher = new SubscriptionMatcher<>();
    private final ChannelIndex channelIndex = new ChannelIndex();
    private final ChannelService channels;
    private final Dispatcher dispatcher;
    private final NodeMetrics metrics;
    private AutoCloseable brokerSubscription;
    private final AtomicBoolean stopped = new AtomicBoolean();

    AccountSpace(String account, Node.Engines engines, NodeConfig config, JsonCodec codec, NodeMetrics metrics) {
        this.account = account;
        this.engines = engines;
        this.dispatcher = new Dispatcher(matcher, channelIndex, codec, metrics, config.maxChangesPerFrame());
        this.channels = new ChannelService(config.channels(), engines.log(), engines.broker(), engines.presence(),
                channelIndex, codec, metrics);
        this.metrics = metrics;
    }

    /** Starts capture from the log's current head; once it runs, the account's gauges are registered. */
    void start() {
        brokerSubscription = engines.broker().subscribe(dispatcher);
        long head = engines.log().head();
        channels.reloadRecentIds();
        engines.changeSource().start(head, entry -> engines.broker().publish(new BrokerMessage.Logged(entry)));
        metrics.accountGauge("pulsebase.log.head", "Position of the newest log entry", account, engines.log()::head);
        metrics.accountGauge("pulsebase.capture.position", "Position of the last entry fanned out", account,
                dispatcher::dispatchedPosition);
        metrics.accountGauge("pulsebase.channels", "Channels with at least one subscriber", account,
                channelIndex::channelCount);
        log.info("account {}: started at log position {}", account, head);
    }

    public String account() {
        return account;
    }

    /** The account's tables and rows. */
    public Database database() {
        return engines.database();
    }

    /** The account's ordered log: its positions, its replays, its channel history. */
    public EventLog log() {
        return engines.log();
    }

    /** The live matcher of the account's table subscriptions. */
    public SubscriptionMatcher<Subscription> matcher() {
        return matcher;
    }

    /** The account's channels: publish, presence and history. */
    public ChannelService channels() {
        return channels;
    }

    /** Capture is running. */
    boolean capturing() {
        return engines.changeSource().running();
    }

    /**
     * Stops the change path: capture (after the entry being delivered, if any), the broker and presence. Sessions
     * may still finish their work against the database until {@link #close}.
     */
    void stopCapture() {
        if (!stopped.compareAndSet(false, true)) {
            return;
        }
        engines.changeSource().close();
        try {
            if (brokerSubscription != null) {
                brokerSubscription.close();
            }
        } catch (Exception e) {
            log.warn("account {}: closing the broker subscription failed", account, e);
        }
        engines.broker().close();
        engines.presence().close();
    }

    /** Stops capture if still running and closes the engines. Sessions must be closed first. */
    @Override
    public void close() {
        stopCapture();
        engines.database().close();
    }

    @Override
    public String toString() {
        return "AccountSpace[" + account + "]";
    }
}
