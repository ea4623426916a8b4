package io.pulsebase.server;

import io.pulsebase.core.NodeConfig;
import io.pulsebase.core.access.AccountLimits;
import io.pulsebase.core.channel.ChannelLimits;
import io.pulsebase.core.log.Retention;
import io.pulsebase.transport.TransportConfig;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code pulsebase start}: runs a server until Ctrl-C (SIGINT) or SIGTERM, then shuts down gracefully.
 * Every option has a {@code PULSEBASE_*} environment variable; an explicit option wins.
 */
@Command(name = "start", mixinStandardHelpOptions = true,
        description = "Start a Pulsebase server on an embedded SQLite database.")
final class StartCommand implements Callable<Integer> {

    @Spec
    CommandLine.Model.CommandSpec spec;

    @Mixin
    AuthOptions auth = new AuthOptions();

    @Mixin
    HookOptions hooks = new HookOptions();

    @Option(names = "--port", defaultValue = "${env:PULSEBASE_PORT:-8080}",
            description = "HTTP/WebSocket port (env PULSEBASE_PORT, default ${DEFAULT-VALUE}).")
    int port;

    @Option(names = "--host", defaultValue = "${env:PULSEBASE_HOST:-0.0.0.0}",
            description = "Address to bind (env PULSEBASE_HOST, default ${DEFAULT-VALUE}).")
    String host;

    @Option(names = "--data", defaultValue = "${env:PULSEBASE_DATA:-data}",
            description = "Data directory holding pulsebase.db (env PULSEBASE_DATA, default ${DEFAULT-VALUE}).")
    Path data;

    @Option(names = "--heartbeat-seconds", defaultValue = "${env:PULSEBASE_HEARTBEAT_SECONDS:-30}",
            description = "Heartbeat interval; a connection silent for two intervals is closed (default ${DEFAULT-VALUE}).")
    int heartbeatSeconds;

    @Option(names = "--max-subscriptions", defaultValue = "${env:PULSEBASE_MAX_SUBSCRIPTIONS:-100}",
            description = "Subscriptions per connection (default ${DEFAULT-VALUE}).")
    int maxSubscriptions;

    @Option(names = "--max-frame-bytes", defaultValue = "${env:PULSEBASE_MAX_FRAME_BYTES:-131072}",
            description = "Largest inbound WebSocket message; larger closes with 1009 (default ${DEFAULT-VALUE}).")
    int maxFrameBytes;

    @Option(names = "--max-message-bytes", defaultValue = "${env:PULSEBASE_MAX_MESSAGE_BYTES:-65536}",
            description = "Largest channel publish, as sent; larger is refused with too_large (default ${DEFAULT-VALUE}).")
    int maxMessageBytes;

    @Option(names = "--publish-rate", defaultValue = "${env:PULSEBASE_PUBLISH_RATE:-1000}",
            description = "Publishes per second one connection may make; beyond: rate_limited (default ${DEFAULT-VALUE}).")
    int publishRate;

    @Option(names = "--max-connections-per-account", defaultValue = "${env:PULSEBASE_MAX_CONNECTIONS_PER_ACCOUNT:-0}",
            description = "Open WebSocket and SSE connections one account may hold; 0 = no limit "
                    + "(env PULSEBASE_MAX_CONNECTIONS_PER_ACCOUNT, default ${DEFAULT-VALUE}).")
    int maxConnectionsPerAccount;

    @Option(names = "--account-publish-rate", defaultValue = "${env:PULSEBASE_ACCOUNT_PUBLISH_RATE:-0}",
            description = "Channel messages per second one account may publish over all its connections and REST; "
                    + "0 = no limit (env PULSEBASE_ACCOUNT_PUBLISH_RATE, default ${DEFAULT-VALUE}).")
    int accountPublishRate;

    @Option(names = "--max-accounts", defaultValue = "${env:PULSEBASE_MAX_ACCOUNTS:-"
            + ServerConfig.DEFAULT_MAX_ACCOUNTS + "}",
            description = "Accounts (tenants) served at once, the default one included; each has its own database "
                    + "under DATA/accounts/. A caller of one more is refused with forbidden "
                    + "(env PULSEBASE_MAX_ACCOUNTS, default ${DEFAULT-VALUE}).")
    int maxAccounts;

    @Option(names = "--max-presence-members", defaultValue = "${env:PULSEBASE_MAX_PRESENCE_MEMBERS:-10000}",
            description = "Presence members per channel; beyond: too_many_members (default ${DEFAULT-VALUE}).")
    int maxPresenceMembers;

    @Option(names = "--io-threads", defaultValue = "${env:PULSEBASE_IO_THREADS:-0}",
            description = "Network event-loop threads; 0 = one per core (default ${DEFAULT-VALUE}).")
    int ioThreads;

    @Option(names = "--outbound-queue-bytes", defaultValue = "${env:PULSEBASE_OUTBOUND_QUEUE_BYTES:-4194304}",
            description = "Per-connection outbound queue bound; beyond it the client is closed with 4001 and resumes "
                    + "(default ${DEFAULT-VALUE}).")
    long outboundQueueBytes;

    @Option(names = "--retention-age", defaultValue = "${env:PULSEBASE_RETENTION_AGE:-P7D}",
            description = "How long the log keeps entries, ISO-8601 duration (default ${DEFAULT-VALUE}).")
    Duration retentionAge;

    @Option(names = "--retention-entries", defaultValue = "${env:PULSEBASE_RETENTION_ENTRIES:-1000000}",
            description = "How many log entries are kept at most (default ${DEFAULT-VALUE}).")
    long retentionEntries;

    @Option(names = "--sync-full", defaultValue = "${env:PULSEBASE_SYNC_FULL:-false}",
            description = "SQLite synchronous=FULL: survive power loss, not just a process crash (default ${DEFAULT-VALUE}).")
    boolean syncFull;

    @Option(names = "--policies", paramLabel = "FILE", defaultValue = "${env:PULSEBASE_POLICIES}",
            description = "JSON file of row-level table policies and channel rules, checked at start "
                    + "(env PULSEBASE_POLICIES; default: tables for service callers only, channels for any admitted "
                    + "caller).")
    Path policies;

    @Override
    public Integer call() throws InterruptedException {
        TransportConfig transport = TransportConfig.defaults()
                .withHost(host)
                .withPort(port)
                .withHeartbeatInterval(Duration.ofSeconds(heartbeatSeconds))
                .withMaxFrameBytes(maxFrameBytes)
                .withOutboundQueueBytes(outboundQueueBytes)
                .withIoThreads(ioThreads);
        NodeConfig node = NodeConfig.defaults()
                .withMaxSubscriptionsPerConnection(maxSubscriptions)
                .withRetention(new Retention(retentionAge, retentionEntries))
                .withChannels(ChannelLimits.defaults()
                        .withMaxMessageBytes(maxMessageBytes)
                        .withPublishesPerSecond(publishRate)
                        .withMaxPresenceMembers(maxPresenceMembers));
        try {
            node = node.withAuth(auth.toConfig(System.getenv())).withPolicies(PolicyFile.load(policies))
                    .withHooks(hooks.toHooks(System.getenv()))
                    .withAccountLimits(new AccountLimits(maxConnectionsPerAccount, accountPublishRate));
        } catch (IllegalArgumentException e) {
            throw new CommandLine.ParameterException(spec.commandLine(), e.getMessage());
        }
        ServerConfig config;
        try {
            config = new ServerConfig(data, node, transport, syncFull, maxAccounts);
        } catch (IllegalArgumentException e) {
            throw new CommandLine.ParameterException(spec.commandLine(), e.getMessage());
        }

        PulsebaseServer server = PulsebaseServer.start(config);
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            server.close();
            stopped.countDown();
        }, "pulsebase-shutdown"));
        stopped.await();
        return 0;
    }
}
