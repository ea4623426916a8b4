package io.pulsebase.bench.load;

import io.netty.bootstrap.Bootstrap;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.EmptyHttpHeaders;
import io.netty.handler.codec.http.HttpClientCodec;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.websocketx.WebSocketClientProtocolConfig;
import io.netty.handler.codec.http.websocketx.WebSocketClientProtocolHandler;
import io.netty.handler.codec.http.websocketx.WebSocketFrameAggregator;
import io.netty.handler.codec.http.websocketx.WebSocketVersion;
import io.netty.util.concurrent.EventExecutor;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;

/**
 * N subscriber WebSocket connections on a few Netty event loops (one thread each, shared by thousands of
 * connections — the JDK {@code HttpClient} WebSocket would need far more memory and threads at 10,000).
 * Connections are opened with at most {@code concurrency} handshakes in flight, round-robin over the
 * {@code --src-ips} source addresses so that 10,000+ connections do not exhaust one address's ephemeral
 * ports.
 */
final class SubscriberPool implements AutoCloseable {
    private static final int MAX_FRAME = 16 << 20;
    private static final int PER_CONNECTION_TIMEOUT_S = 30;

    private final LoadOptions options;
    private final RunClock clock;
    private final URI wsUri;
    private final InetSocketAddress remote;
    private final EventLoopGroup group;
    private final String transport;
    private final Bootstrap bootstrap;
    private final ConcurrentHashMap<Object, LoopStats> statsByLoop = new ConcurrentHashMap<>();
    private final List<Subscriber> all = new ArrayList<>();
    private final List<Subscriber> subscribed = new ArrayList<>();

    /** How connecting went: subscribed, failed (with the most frequent reasons) and how long it took. */
    record ConnectResult(int subscribed, int failed, Map<String, Integer> reasons, double seconds) {
    }

    SubscriberPool(LoadOptions options, URI base, RunClock clock) {
        this.options = options;
        this.clock = clock;
        String host = base.getHost();
        this.wsUri = URI.create("ws://" + host + ":" + base.getPort() + "/v1/realtime");
        String bare = host.startsWith("[") ? host.substring(1, host.length() - 1) : host;
        this.remote = new InetSocketAddress(bare, base.getPort());
        // the native epoll transport where the build has it (Linux x86-64), as the server does: fewer copies
        // and syscalls per read, so the generator's own cost per delivered frame stays small
        boolean epoll = Epoll.isAvailable();
        this.transport = epoll ? "epoll" : "nio";
        this.group = new MultiThreadIoEventLoopGroup(options.loops(),
                epoll ? EpollIoHandler.newFactory() : NioIoHandler.newFactory());
        this.bootstrap = new Bootstrap()
                .group(group)
                .channel(epoll ? EpollSocketChannel.class : NioSocketChannel.class)
                .option(ChannelOption.TCP_NODELAY, true)
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, 10_000);
    }

    private ChannelInitializer<SocketChannel> initializer(Subscriber s, String authorization) {
        HttpHeaders headers = authorization == null ? EmptyHttpHeaders.INSTANCE
                : new DefaultHttpHeaders().add(HttpHeaderNames.AUTHORIZATION, authorization);
        WebSocketClientProtocolConfig config = WebSocketClientProtocolConfig.newBuilder()
                .webSocketUri(wsUri)
                .customHeaders(headers)
                .version(WebSocketVersion.V13)
                .allowExtensions(false)                // no permessage-deflate: measure the plain path
                .maxFramePayloadLength(MAX_FRAME)
                .handleCloseFrames(false)              // Subscriber records the close code first
                .sendCloseFrame(null)                  // Subscriber sends its own 1000
                .handshakeTimeoutMillis(PER_CONNECTION_TIMEOUT_S * 1000L)
                .withUTF8Validator(false)              // Jackson validates while parsing anyway
                .generateOriginHeader(false)
                .build();
        return new ChannelInitializer<>() {
            @Override
            protected void initChannel(SocketChannel ch) {
                ch.pipeline().addLast(
                        new HttpClientCodec(),
                        new HttpObjectAggregator(64 * 1024),
                        new WebSocketClientProtocolHandler(config),
                        new WebSocketFrameAggregator(MAX_FRAME),
                        s);
            }
        };
    }

    /**
     * Opens and subscribes every connection, at most {@code concurrency} at a time, and waits until each
     * one is subscribed or has failed, or until {@code deadlineNs}.
     */
    ConnectResult connectAll(long deadlineNs, Consumer<String> progress) throws InterruptedException {
        long start = System.nanoTime();
        int n = options.connections();
        boolean perRoom = options.scenario() == Scenario.FILTERED || options.scenario() == Scenario.OWNED;
        boolean userTokens = options.policy() == LoadOptions.PolicyMode.OWNER;
        BenchCredentials credentials = options.credentials();
        // valid past the hard deadline: the server closes a connection whose token expires (4003)
        Instant expiry = Instant.now().plusSeconds(options.hardDeadlineSeconds() + 600L);
        List<InetAddress> sources = options.srcIps();
        Semaphore permits = new Semaphore(options.concurrency());
        int timeoutS = (int) Math.max(1, Math.min(PER_CONNECTION_TIMEOUT_S,
                TimeUnit.NANOSECONDS.toSeconds(deadlineNs - start)));
        for (int i = 0; i < n; i++) {
            long left = deadlineNs - System.nanoTime();
            if (left <= 0 || !permits.tryAcquire(left, TimeUnit.NANOSECONDS)) {
                break;
            }
            long room = perRoom ? i % options.rooms() : -1;
            boolean representative = perRoom ? i < options.rooms() : i == 0;
            Subscriber s = new Subscriber(i, room, filter(room), representative, clock, statsByLoop, options,
                    timeoutS);
            String authorization = credentials == null ? null
                    : userTokens ? credentials.userAuthorization(BenchTable.owner(room), expiry)
                    : credentials.serviceAuthorization();
            all.add(s);
            s.ready.whenComplete((v, e) -> permits.release());
            Bootstrap b = bootstrap.clone().handler(initializer(s, authorization));
            ChannelFuture f = sources.isEmpty()
                    ? b.connect(remote)
                    : b.connect(remote, new InetSocketAddress(sources.get(i % sources.size()), 0));
            f.addListener(cf -> {
                if (!cf.isSuccess()) {
                    s.connectFailed(cf.cause());
                }
            });
            if ((i + 1) % 1000 == 0) {
                progress.accept("  " + (i + 1) + " connections started");
            }
        }
        Map<String, Integer> reasons = new TreeMap<>();
        int failed = n - all.size();
        if (failed > 0) {
            reasons.put("not started before the connect timeout", failed);
        }
        for (Subscriber s : all) {
            long left = Math.max(0, deadlineNs - System.nanoTime());
            try {
                s.ready.get(left, TimeUnit.NANOSECONDS);
                subscribed.add(s);
            } catch (ExecutionException e) {
                failed++;
                reasons.merge(reason(e.getCause()), 1, Integer::sum);
            } catch (TimeoutException e) {
                failed++;
                reasons.merge("not subscribed before the connect timeout", 1, Integer::sum);
                s.closeNormally();
            }
        }
        return new ConnectResult(subscribed.size(), failed, reasons, (System.nanoTime() - start) / 1e9);
    }

    /**
     * The subscription's filter for room {@code room}: {@code room = R} ({@code filtered}), {@code owner_id =
     * 'user-R'} ({@code owned} without a policy), or none (the whole table; {@code owned} with {@code --policy
     * owner}, where the server's policy {@code owner_id = auth.sub} selects the same rows).
     */
    private String filter(long room) {
        return switch (options.scenario()) {
            case FILTERED -> "room = " + room;
            case OWNED -> options.policy() == LoadOptions.PolicyMode.OWNER ? null
                    : "owner_id = '" + BenchTable.owner(room) + "'";
            default -> null;
        };
    }

    private static String reason(Throwable t) {
        String m = t == null ? "unknown" : String.valueOf(t.getMessage());
        // group "connect failed: ... 127.0.0.2:41234" style messages by dropping numbers after ':'
        return m.replaceAll("[0-9]+\\.[0-9]+\\.[0-9]+\\.[0-9]+:[0-9]+", "<addr>");
    }

    /** {@code epoll} or {@code nio}: the client's Netty transport. */
    String transport() {
        return transport;
    }

    /** Subscribers whose subscription was confirmed, in connection order. */
    List<Subscriber> subscribed() {
        return Collections.unmodifiableList(subscribed);
    }

    /** Changes received so far on every connection (for the drain). */
    long received() {
        long sum = 0;
        for (LoopStats s : statsByLoop.values()) {
            sum += s.received.get();
        }
        return sum;
    }

    /**
     * Runs an empty task on every event loop and waits for it, so that everything the subscribers recorded
     * before is visible to the caller; then returns the per-loop statistics.
     */
    List<LoopStats> collect() throws InterruptedException {
        for (EventExecutor e : group) {
            try {
                e.submit(() -> { }).get(5, TimeUnit.SECONDS);
            } catch (ExecutionException | TimeoutException ex) {
                throw new IllegalStateException("an event loop did not answer", ex);
            }
        }
        return new ArrayList<>(statsByLoop.values());
    }

    @Override
    public void close() {
        for (Subscriber s : all) {
            s.closeNormally();
        }
        try {
            long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(3);
            for (Subscriber s : all) {
                s.closed.await(Math.max(0, end - System.nanoTime()), TimeUnit.NANOSECONDS);
            }
            group.shutdownGracefully(200, 3_000, TimeUnit.MILLISECONDS).await(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
