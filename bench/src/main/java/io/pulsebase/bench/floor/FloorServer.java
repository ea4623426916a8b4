package io.pulsebase.bench.floor;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.IoHandlerFactory;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.ServerChannel;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.websocketx.WebSocketServerProtocolConfig;
import io.netty.handler.codec.http.websocketx.WebSocketServerProtocolHandler;
import io.netty.util.concurrent.DefaultThreadFactory;

/**
 * The floor of the channel fan-out comparison (docs/benchmarks.md, issue 3): a bare Netty 4.2 WebSocket broadcast
 * server that speaks just the peer bench's {@code pulsebase} adapter's messages (subscribe → ok reply, publish →
 * {@code event} frame to every subscriber of the topic), so that Pulsebase's CPU per delivery can be compared
 * with what the JVM and Netty cost by themselves, in the same harness and the same run. It is the server
 * described in the peer bench's BASELINE.md ("The floor: a bare Netty broadcast on the same machine"): each
 * publish is encoded once into a buffer holding the whole WebSocket frame and a retained duplicate of it is
 * written to each subscriber ({@link Topics}, {@link FloorFrames}).
 *
 * <p>Deliberately left out, because the floor measures the broadcast alone: storage and history ({@code persist}
 * is ignored, no positions), authentication and rate limits, the {@code events} filter and table subscriptions,
 * presence ({@code presence_state} is not sent before the reply), idempotency ids, validation of {@code data}
 * (its bytes are passed through as sent), outbound queue limits and slow-consumer closes, heartbeats and idle
 * timeouts, permessage-deflate, {@code unsubscribe}, metrics and graceful shutdown. Not a server to use for
 * anything else.
 *
 * <p>Run by {@code bench/peer-matrix.sh} as the {@code floor} peer:
 * {@code java -cp bench/target/pulsebase-bench.jar io.pulsebase.bench.floor.FloorServer --port 8090}. Options:
 * {@code --port} (8080), {@code --host} (127.0.0.1), {@code --io-threads} (one event loop per core, as Pulsebase).
 */
public final class FloorServer {
    /** Pulsebase's default inbound frame limit. */
    private static final int MAX_FRAME_BYTES = 128 * 1024;

    private FloorServer() {
    }

    public static void main(String[] args) throws InterruptedException {
        String host = "127.0.0.1";
        int port = 8080;
        int ioThreads = Runtime.getRuntime().availableProcessors();
        for (int i = 0; i < args.length; i++) {
            String value = i + 1 < args.length ? args[i + 1] : null;
            switch (args[i]) {
                case "--host" -> host = value;
                case "--port" -> port = Integer.parseInt(value);
                case "--io-threads" -> ioThreads = Integer.parseInt(value);
                default -> {
                    System.err.println("usage: FloorServer [--port 8080] [--host 127.0.0.1] [--io-threads N]");
                    System.exit(2);
                }
            }
            i++;
        }
        boolean epoll = Epoll.isAvailable();
        IoHandlerFactory io = epoll ? EpollIoHandler.newFactory() : NioIoHandler.newFactory();
        Class<? extends ServerChannel> channelType =
                epoll ? EpollServerSocketChannel.class : NioServerSocketChannel.class;
        EventLoopGroup boss = new MultiThreadIoEventLoopGroup(1, new DefaultThreadFactory("floor-accept"), io);
        EventLoopGroup workers = new MultiThreadIoEventLoopGroup(ioThreads, new DefaultThreadFactory("floor-io"), io);
        Topics topics = new Topics();
        FloorHandler handler = new FloorHandler(topics);
        WebSocketServerProtocolConfig websocket = WebSocketServerProtocolConfig.newBuilder()
                .websocketPath("/v1/realtime")
                .checkStartsWith(true) // /v1/realtime?token=… too
                .maxFramePayloadLength(MAX_FRAME_BYTES)
                .build();
        try {
            Channel server = new ServerBootstrap()
                    .group(boss, workers)
                    .channel(channelType)
                    .option(ChannelOption.SO_BACKLOG, 1024)
                    .option(ChannelOption.SO_REUSEADDR, true)
                    .childOption(ChannelOption.TCP_NODELAY, true)
                    .childHandler(new ChannelInitializer<SocketChannel>() {
                        @Override
                        protected void initChannel(SocketChannel ch) {
                            ch.pipeline()
                                    .addLast(new HttpServerCodec())
                                    .addLast(new HttpObjectAggregator(MAX_FRAME_BYTES))
                                    .addLast(new WebSocketServerProtocolHandler(websocket))
                                    .addLast(handler);
                        }
                    })
                    .bind(host, port).sync().channel();
            System.out.printf("floor server listening on %s:%d (%s, %d event loops)%n", host, port,
                    epoll ? "epoll" : "nio", ioThreads);
            server.closeFuture().sync();
        } finally {
            boss.shutdownGracefully();
            workers.shutdownGracefully();
        }
    }
}
