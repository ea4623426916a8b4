package io.pulsebase.transport;

import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.IoHandlerFactory;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.ServerSocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.util.concurrent.DefaultThreadFactory;
import io.pulsebase.core.Node;
import io.pulsebase.core.fanout.Frame;
import io.pulsebase.protocol.CloseCode;
import io.pulsebase.protocol.ServerMessage;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.Collection;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The network edge of one node: WebSocket ({@code /v1/realtime}), Server-Sent Events ({@code /v1/realtime/sse})
 * and REST on one port, built by {@link PulsebaseChannelInitializer}. Uses native epoll when available, else NIO.
 *
 * <p>Lifecycle: {@link #start()} binds and returns the port; {@link #stop()} stops gracefully: no new
 * connections, every WebSocket closed with {@link CloseCode#GOING_AWAY} (1001, clients reconnect and resume) and
 * every SSE stream ended after what is queued was flushed, a short wait for that, then the rest is closed and the
 * event loops end. The node itself is not closed; close it after the server.
 */
public final class RealtimeServer implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(RealtimeServer.class);
    /** Netty's outbound buffer per connection; beyond it frames wait in the connection's own bounded queue. */
    private static final WriteBufferWaterMark WATER_MARK = new WriteBufferWaterMark(32 * 1024, 64 * 1024);

    private final TransportConfig config;
    private final Node node;
    private final ConnectionRegistry connections;
    private final TransportServices services;
    private final ExecutorService blocking;
    private EventLoopGroup boss;
    private EventLoopGroup workers;
    private Channel serverChannel;
    private int port = -1;
    private boolean stopped;

    /**
     * @param prometheus the registry {@code GET /metrics} scrapes, or {@code null} to answer it {@code 404}
     */
    public RealtimeServer(TransportConfig config, Node node, PrometheusMeterRegistry prometheus) {
        this.config = config;
        this.node = node;
        this.connections = new ConnectionRegistry(node.metrics().registry());
        this.blocking = Executors.newThreadPerTaskExecutor(Thread.ofVirtual().name("pulsebase-rest-", 0).factory());
        Frame heartbeat = Frame.encode(node.codec(), new ServerMessage.Heartbeat());
        this.services = new TransportServices(config, node, connections, blocking, prometheus, heartbeat);
    }

    /**
     * Binds the configured host and port and starts serving.
     *
     * @return the bound port (the chosen one when the configured port is 0)
     * @throws IllegalStateException when the server was started before or the address cannot be bound
     */
    public synchronized int start() {
        if (serverChannel != null || stopped) {
            throw new IllegalStateException("a server starts once");
        }
        boolean epoll = Epoll.isAvailable();
        IoHandlerFactory io = epoll ? EpollIoHandler.newFactory() : NioIoHandler.newFactory();
        Class<? extends ServerSocketChannel> channelType =
                epoll ? EpollServerSocketChannel.class : NioServerSocketChannel.class;
        boss = new MultiThreadIoEventLoopGroup(1, new DefaultThreadFactory("pulsebase-accept"), io);
        // One event loop per core by default, not Netty's two: a broadcast hands each subscriber's write to its
        // loop, and every extra loop is one more wake-up per message (measured: docs/benchmarks.md, issue 3).
        int loops = config.ioThreads() > 0 ? config.ioThreads() : Runtime.getRuntime().availableProcessors();
        workers = new MultiThreadIoEventLoopGroup(loops, new DefaultThreadFactory("pulsebase-io"), io);
        ServerBootstrap bootstrap = new ServerBootstrap()
                .group(boss, workers)
                .channel(channelType)
                .option(ChannelOption.SO_BACKLOG, 1024)
                .option(ChannelOption.SO_REUSEADDR, true)
                .childOption(ChannelOption.TCP_NODELAY, true)
                .childOption(ChannelOption.SO_KEEPALIVE, true)
                .childOption(ChannelOption.WRITE_BUFFER_WATER_MARK, WATER_MARK)
                .childHandler(new PulsebaseChannelInitializer(services));
        try {
            serverChannel = bootstrap.bind(config.host(), config.port()).syncUninterruptibly().channel();
        } catch (RuntimeException e) {
            shutdownGroups(Duration.ZERO);
            blocking.shutdownNow();
            throw new IllegalStateException("cannot listen on " + config.host() + ":" + config.port() + ": " + e, e);
        }
        port = ((InetSocketAddress) serverChannel.localAddress()).getPort();
        log.info("listening on {}:{} ({}, permessage-deflate {})", config.host(), port, epoll ? "epoll" : "nio",
                config.permessageDeflate() ? "on" : "off");
        return port;
    }

    /** The bound port, or -1 before {@link #start()}. */
    public synchronized int port() {
        return port;
    }

    /** The open WebSocket and SSE connections (a live, read-only view). */
    public Collection<ChannelOutbound> connections() {
        return connections.open();
    }

    /** Stops gracefully, waiting at most {@link TransportConfig#shutdownGrace()}. */
    public void stop() {
        stop(config.shutdownGrace());
    }

    /**
     * Stops gracefully: stop accepting, close WebSockets with 1001 and end SSE streams (each after flushing what
     * it has queued), wait up to {@code grace} for them, close what remains, end the event loops. Idempotent.
     */
    public synchronized void stop(Duration grace) {
        if (stopped) {
            return;
        }
        stopped = true;
        long deadline = System.nanoTime() + grace.toNanos();
        if (serverChannel != null) {
            serverChannel.close().syncUninterruptibly();
            int open = connections.open().size();
            connections.closeAll(CloseCode.GOING_AWAY, "server shutting down");
            while (!connections.open().isEmpty() && System.nanoTime() < deadline) {
                sleep(10);
            }
            log.info("stopping: {} long-lived connection(s) closed, {} cut", open - connections.open().size(),
                    connections.open().size());
        }
        // REST calls in flight may finish and answer before the remaining connections are closed.
        blocking.shutdown();
        try {
            blocking.awaitTermination(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        blocking.shutdownNow();
        connections.closeChannels();
        shutdownGroups(Duration.ofNanos(Math.max(0, deadline - System.nanoTime())));
        log.info("stopped");
    }

    @Override
    public void close() {
        stop();
    }

    private void shutdownGroups(Duration timeout) {
        long millis = Math.max(100, timeout.toMillis());
        if (boss != null) {
            boss.shutdownGracefully(0, millis, TimeUnit.MILLISECONDS);
        }
        if (workers != null) {
            workers.shutdownGracefully(0, millis, TimeUnit.MILLISECONDS);
        }
        if (boss != null) {
            boss.terminationFuture().awaitUninterruptibly(millis + 1000);
        }
        if (workers != null) {
            workers.terminationFuture().awaitUninterruptibly(millis + 1000);
        }
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
