package io.pulsebase.transport;

import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.TooLongFrameException;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.QueryStringDecoder;
import io.netty.handler.timeout.IdleState;
import io.netty.handler.timeout.IdleStateEvent;
import io.pulsebase.protocol.ErrorCode;
import io.pulsebase.protocol.ProtocolException;
import java.util.ArrayDeque;
import java.util.Map;
import java.util.concurrent.RejectedExecutionException;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Routes HTTP requests: a WebSocket upgrade of {@code /v1/realtime} passes on to the WebSocket handlers, anything
 * else is a REST call answered here ({@link RestRoutes}). Endpoints block on the database, so they run on the
 * blocking executor and the response is written back on the channel. One request per connection is handled at a
 * time (reads pause meanwhile), so pipelined requests are answered in order. An idle keep-alive connection is
 * closed after two heartbeat intervals.
 *
 * <p>Errors: {@link ProtocolException} → its code's status and message; anything else → {@code 500 internal},
 * logged here with detail and never shown to the client.
 */
final class RestRouter extends ChannelInboundHandlerAdapter {
    static final String WEBSOCKET_PATH = "/v1/realtime";
    private static final Logger log = LoggerFactory.getLogger(RestRouter.class);

    private final TransportServices services;
    private final RestRoutes routes;
    private final ArrayDeque<FullHttpRequest> waiting = new ArrayDeque<>();
    private boolean websocket;
    private boolean busy;

    RestRouter(TransportServices services, RestRoutes routes) {
        this.services = services;
        this.routes = routes;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (websocket || !(msg instanceof FullHttpRequest request)) {
            ctx.fireChannelRead(msg);
            return;
        }
        if (!request.decoderResult().isSuccess()) {
            Throwable cause = request.decoderResult().cause();
            request.release();
            ErrorCode code = cause instanceof TooLongFrameException ? ErrorCode.TOO_LARGE : ErrorCode.BAD_REQUEST;
            services.node().metrics().errorAnswered(code);
            ctx.writeAndFlush(HttpResponses.close(HttpResponses.error(code,
                    code == ErrorCode.TOO_LARGE ? "request line or headers too long" : "malformed HTTP request")))
                    .addListener(ChannelFutureListener.CLOSE);
            return;
        }
        if (isWebSocketUpgrade(request)) {
            websocket = true;
            ctx.fireChannelRead(request);
            return;
        }
        if (busy) {
            waiting.add(request);
            ctx.channel().config().setAutoRead(false);
            return;
        }
        handle(ctx, request);
    }

    private static boolean isWebSocketUpgrade(FullHttpRequest request) {
        return request.method().equals(HttpMethod.GET)
                && request.headers().containsValue(HttpHeaderNames.UPGRADE, HttpHeaderValues.WEBSOCKET, true)
                && new QueryStringDecoder(request.uri()).rawPath().equals(WEBSOCKET_PATH);
    }

    private void handle(ChannelHandlerContext ctx, FullHttpRequest netty) {
        busy = true;
        RestRequest request;
        try {
            request = RestRequest.of(netty);
        } catch (ProtocolException e) {
            write(ctx, HttpUtil.isKeepAlive(netty), RestResponse.error(e.code(), e.getMessage()));
            return;
        } finally {
            netty.release();
        }
        Map<HttpMethod, RestRoutes.Endpoint> methods = routes.resolve(request.segments());
        RestRoutes.Endpoint endpoint = methods.get(request.method());
        if (endpoint == null) {
            write(ctx, request, refusal(request, methods));
            return;
        }
        try {
            services.blocking().execute(() -> {
                RestResponse answer = run(endpoint, request);
                ctx.executor().execute(() -> write(ctx, request, answer));
            });
        } catch (RejectedExecutionException e) {
            write(ctx, request, RestResponse.error(ErrorCode.UNAVAILABLE, "the server is shutting down"));
        }
    }

    /** No endpoint for the method: 404, 405, or the answer to a plain (non-CORS) {@code OPTIONS}. */
    private static RestResponse refusal(RestRequest request, Map<HttpMethod, RestRoutes.Endpoint> methods) {
        if (methods.isEmpty()) {
            return RestResponse.error(ErrorCode.NOT_FOUND, "no such endpoint: " + clip(request.path()));
        }
        String allow = methods.keySet().stream().map(HttpMethod::name).sorted().collect(Collectors.joining(", "));
        if (request.method().equals(HttpMethod.OPTIONS)) {
            return new RestResponse(204, RestResponse.JSON, new byte[0], Map.of("allow", allow + ", OPTIONS"));
        }
        return RestResponse.error(ErrorCode.METHOD_NOT_ALLOWED,
                request.method().name() + " is not allowed on " + clip(request.path()) + " (allowed: " + allow + ")")
                .withHeader("allow", allow);
    }

    private static RestResponse run(RestRoutes.Endpoint endpoint, RestRequest request) {
        try {
            return endpoint.handle(request);
        } catch (ProtocolException e) {
            return RestResponse.error(e.code(), e.getMessage());
        } catch (Throwable e) {
            // Whatever went wrong, the client gets an answer: a request must never hang (a LinkageError or an
            // assertion in a handler would otherwise leave the connection waiting forever).
            log.error("{} {} failed", request.method(), request.path(), e);
            return RestResponse.error(ErrorCode.INTERNAL, "internal error");
        }
    }

    private void write(ChannelHandlerContext ctx, RestRequest request, RestResponse answer) {
        write(ctx, request.keepAlive(), answer);
    }

    /** Event loop: writes one answer, then handles the next waiting request or resumes reading. */
    private void write(ChannelHandlerContext ctx, boolean keepAlive, RestResponse answer) {
        if (answer.error() != null) {
            services.node().metrics().errorAnswered(answer.error());
        }
        if (!ctx.channel().isActive()) {
            return;
        }
        FullHttpResponse response = HttpResponses.of(answer);
        ChannelFuture written;
        if (keepAlive) {
            response.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.KEEP_ALIVE);
            written = ctx.writeAndFlush(response);
        } else {
            written = ctx.writeAndFlush(HttpResponses.close(response));
            written.addListener(ChannelFutureListener.CLOSE);
            return;
        }
        busy = false;
        FullHttpRequest next = waiting.poll();
        if (next != null) {
            handle(ctx, next);
        } else {
            ctx.channel().config().setAutoRead(true);
        }
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
        if (!websocket && evt instanceof IdleStateEvent idle) {
            if (idle.state() == IdleState.READER_IDLE && !busy) {
                ctx.close();
            }
            return;
        }
        ctx.fireUserEventTriggered(evt);
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        FullHttpRequest request;
        while ((request = waiting.poll()) != null) {
            request.release();
        }
        ctx.fireChannelInactive();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        if (websocket) {
            ctx.fireExceptionCaught(cause);
            return;
        }
        if (cause instanceof java.io.IOException) {
            log.debug("http connection failed remote={} cause={}", ctx.channel().remoteAddress(), cause.toString());
        } else {
            log.warn("http unexpected failure remote={}", ctx.channel().remoteAddress(), cause);
        }
        ctx.close();
    }

    private static String clip(String s) {
        return s.length() <= 128 ? s : s.substring(0, 128) + "…";
    }
}
