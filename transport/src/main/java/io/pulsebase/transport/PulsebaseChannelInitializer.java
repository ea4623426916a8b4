package io.pulsebase.transport;

import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.codec.http.HttpDecoderConfig;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.cors.CorsConfig;
import io.netty.handler.codec.http.cors.CorsConfigBuilder;
import io.netty.handler.codec.http.cors.CorsHandler;
import io.netty.handler.codec.http.websocketx.WebSocketDecoderConfig;
import io.netty.handler.codec.http.websocketx.WebSocketFrameAggregator;
import io.netty.handler.codec.http.websocketx.WebSocketServerProtocolConfig;
import io.netty.handler.codec.http.websocketx.WebSocketServerProtocolHandler;
import io.netty.handler.codec.http.websocketx.extensions.compression.WebSocketServerCompressionHandler;
import io.netty.handler.timeout.IdleStateHandler;
import java.util.concurrent.TimeUnit;

/**
 * Builds the pipeline of every accepted connection; the one place the edge's handlers are put together. A
 * connection starts as HTTP/1.1 and either stays REST (keep-alive), becomes an SSE stream, or upgrades to a
 * WebSocket, in which case Netty's handshaker swaps the HTTP codec for the WebSocket frame codec and drops the
 * aggregator.
 *
 * <pre>
 *  socket
 *    │  ▲
 *    ▼  │
 *  IdleStateHandler                  nothing read for 2 × heartbeat / nothing written for 1 × heartbeat → events
 *  HttpServerCodec                   bytes ⇄ HTTP/1.1   ─┐ after the upgrade: WebSocket frame decoder/encoder
 *  RestBodyAggregator                whole requests     ─┘ (removed); a body over maxBodyBytes → 413 too_large
 *  CorsHandler                       answers preflights; access-control-allow-origin: *
 *  SseHandler                        GET /v1/realtime/sse → session + SseOutbound; the rest passes on
 *  RestRouter                        WebSocket upgrade of /v1/realtime passes on; the rest is REST
 *                                    (RestRoutes → TableEndpoints, on the blocking executor)
 *  WebSocketServerCompressionHandler permessage-deflate negotiation (when enabled)
 *  WebSocketServerProtocolHandler    the upgrade; frames over maxFrameBytes → close 1009; pings answered
 *  WebSocketFrameAggregator          continuation frames → one message of at most maxFrameBytes
 *  WebSocketFrameHandler             text → Session.receive; heartbeat; WebSocketOutbound; close → Session.closed
 * </pre>
 *
 * Idle events travel up the same way: the SSE handler takes them for streams (keep-alive comment), the router
 * for REST keep-alives (closed when idle). Once a WebSocket is open, {@link #upgraded} drops the HTTP-only handlers
 * (idle, CORS, SSE, router) from its pipeline: a WebSocket runs one heartbeat task of its own, which costs less
 * memory per idle connection than the idle handler's two timers, and nothing per write.
 */
final class PulsebaseChannelInitializer extends ChannelInitializer<SocketChannel> {
    /** Long enough for a JWT in {@code ?token=}. */
    private static final int MAX_INITIAL_LINE = 16 * 1024;
    private static final int MAX_HEADERS = 16 * 1024;
    /** Dropped once a WebSocket is open; the WebSocket runs its own heartbeat (WebSocketFrameHandler). */
    private static final String[] HTTP_ONLY = {"idle", "cors", "sse", "rest"};

    private final TransportServices services;
    private final RestRoutes routes;
    private final CorsConfig cors;
    private final WebSocketServerProtocolConfig websocket;

    PulsebaseChannelInitializer(TransportServices services) {
        this.services = services;
        this.routes = new RestRoutes(services);
        this.cors = CorsConfigBuilder.forAnyOrigin()
                .allowNullOrigin()
                .allowedRequestMethods(HttpMethod.GET, HttpMethod.POST, HttpMethod.PATCH, HttpMethod.DELETE,
                        HttpMethod.OPTIONS)
                .allowedRequestHeaders("content-type", "authorization", "last-event-id")
                .maxAge(600)
                .build();
        TransportConfig config = services.config();
        this.websocket = WebSocketServerProtocolConfig.newBuilder()
                .websocketPath(RestRouter.WEBSOCKET_PATH)
                .checkStartsWith(true) // the router only passes exactly /v1/realtime, with or without a query
                .handshakeTimeoutMillis(config.handshakeTimeout().toMillis())
                .handleCloseFrames(false) // WebSocketFrameHandler answers them, to log the client's code
                .sendCloseFrame(null) // never write a close frame on close(): REST and SSE channels pass here too
                .forceCloseTimeoutMillis(ChannelOutbound.CLOSE_TIMEOUT_MILLIS)
                .dropPongFrames(false) // WebSocketFrameHandler counts them as signs of life
                .decoderConfig(WebSocketDecoderConfig.newBuilder()
                        .maxFramePayloadLength(config.maxFrameBytes())
                        .allowExtensions(config.permessageDeflate())
                        .closeOnProtocolViolation(true)
                        // No separate pass over every inbound byte: the JSON parser rejects invalid UTF-8
                        // itself, as invalid_json, and the connection stays open.
                        .withUTF8Validator(false)
                        .build())
                .build();
    }

    @Override
    protected void initChannel(SocketChannel ch) {
        services.connections().accepted(ch);
        TransportConfig config = services.config();
        long heartbeat = config.heartbeatInterval().toMillis();
        ChannelPipeline p = ch.pipeline();
        p.addLast("idle", new IdleStateHandler(2 * heartbeat, heartbeat, 0, TimeUnit.MILLISECONDS));
        p.addLast("http", new HttpServerCodec(new HttpDecoderConfig()
                .setMaxInitialLineLength(MAX_INITIAL_LINE)
                .setMaxHeaderSize(MAX_HEADERS)));
        p.addLast("aggregator", new RestBodyAggregator(config.maxBodyBytes()));
        p.addLast("cors", new CorsHandler(cors));
        p.addLast("sse", new SseHandler(services));
        p.addLast("rest", new RestRouter(services, routes));
        if (config.permessageDeflate()) {
            // maxAllocation bounds the inflated size of a message: a small compressed frame cannot expand past it.
            p.addLast("ws-deflate", new WebSocketServerCompressionHandler(config.maxFrameBytes()));
        }
        p.addLast("ws-protocol", new WebSocketServerProtocolHandler(websocket));
        p.addLast("ws-aggregator", new WebSocketFrameAggregator(config.maxFrameBytes()));
        p.addLast("ws", new WebSocketFrameHandler(services));
    }

    /** A WebSocket is open on this pipeline: the handlers that only serve HTTP requests go. */
    static void upgraded(ChannelPipeline p) {
        for (String name : HTTP_ONLY) {
            if (p.get(name) != null) {
                p.remove(name);
            }
        }
    }
}
