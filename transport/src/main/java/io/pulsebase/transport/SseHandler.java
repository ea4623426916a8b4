package io.pulsebase.transport;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.DefaultHttpContent;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.QueryStringDecoder;
import io.netty.handler.timeout.IdleState;
import io.netty.handler.timeout.IdleStateEvent;
import io.netty.util.ReferenceCountUtil;
import io.pulsebase.core.access.Gatekeeper;
import io.pulsebase.core.auth.Credentials;
import io.pulsebase.core.auth.Identity;
import io.pulsebase.core.fanout.Frame;
import io.pulsebase.core.session.Session;
import io.pulsebase.protocol.ClientMessage;
import io.pulsebase.protocol.ErrorCode;
import io.pulsebase.protocol.ProtocolException;
import io.pulsebase.protocol.ServerMessage;
import io.pulsebase.protocol.ServerMessage.Reply;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.RejectedExecutionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code GET /v1/realtime/sse}: a receive-only session whose subscriptions come from the query (see
 * {@link SseQuery}). Every other request passes on to the {@link RestRouter}.
 *
 * <p>The request's credentials are verified first, on the blocking executor (a JWKS fetch may block); a refusal
 * is a plain HTTP error ({@code 401 unauthorized}, {@code 403 forbidden}, {@code 503 unavailable}) before the
 * stream starts. A stream whose token expires is ended then (its session closes it); an {@code EventSource}
 * that reconnects with the same token is refused, so the client must open a new one with a new token.
 *
 * <p>The subscriptions are submitted to the session together ({@link Session#submitAll}); when all have answered
 * and any refused, the client
 * gets a plain HTTP error (status and {@code {"error": ...}} body) and the session closes. Otherwise the response
 * starts ({@code 200}, {@code text/event-stream}, chunked, {@code retry: 1000}) and every frame the session sends,
 * including those queued meanwhile, follows as one event. A long catch-up starts the response before every
 * subscription answered (so the queue can drain); a refusal after that arrives as an {@code error} event. Quiet
 * streams get a {@code : keep-alive} comment every heartbeat interval.
 */
final class SseHandler extends ChannelInboundHandlerAdapter {
    static final String PATH = "/v1/realtime/sse";
    private static final Logger log = LoggerFactory.getLogger(SseHandler.class);
    private static final byte[] RETRY = "retry: 1000\n\n".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] KEEP_ALIVE = ": keep-alive\n\n".getBytes(StandardCharsets.US_ASCII);

    private final TransportServices services;
    private SseOutbound outbound;
    private Session session;
    /** True while the request's credentials are being verified (off the event loop). */
    private boolean admitting;
    private boolean keepAlive;

    SseHandler(TransportServices services) {
        this.services = services;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (session != null || admitting) {
            // A streaming connection takes no further requests.
            ReferenceCountUtil.release(msg);
            return;
        }
        if (msg instanceof FullHttpRequest request && request.decoderResult().isSuccess()
                && request.method().equals(HttpMethod.GET)
                && new QueryStringDecoder(request.uri()).rawPath().equals(PATH)) {
            try {
                open(ctx, request);
            } finally {
                request.release();
            }
            return;
        }
        ctx.fireChannelRead(msg);
    }

    private void open(ChannelHandlerContext ctx, FullHttpRequest request) {
        keepAlive = HttpUtil.isKeepAlive(request);
        List<ClientMessage.Subscribe> subscribes;
        try {
            subscribes = SseQuery.subscriptions(new QueryStringDecoder(request.uri()), request.headers());
        } catch (ProtocolException e) {
            respond(ctx, RestResponse.error(e.code(), e.getMessage()));
            return;
        }
        Credentials credentials = HttpCredentials.read(request.uri(), request.headers());
        Gatekeeper gatekeeper = services.node().gatekeeper();
        if (!gatekeeper.enabled()) {
            stream(ctx, subscribes, gatekeeper.admit(credentials)); // admits everyone without reading anything
            return;
        }
        admitting = true;
        try {
            services.blocking().execute(() -> {
                RestResponse refusal = null;
                Identity caller = null;
                try {
                    caller = gatekeeper.admit(credentials);
                    services.node().space(caller); // opens the account here, off the event loop, on its first use
                } catch (ProtocolException e) {
                    refusal = RestResponse.error(e.code(), e.getMessage());
                } catch (RuntimeException e) {
                    log.error("sse: unexpected failure verifying credentials", e);
                    refusal = RestResponse.error(ErrorCode.INTERNAL, "internal error");
                }
                RestResponse refused = refusal;
                Identity admitted = caller;
                ctx.executor().execute(() -> admitted(ctx, subscribes, admitted, refused));
            });
        } catch (RejectedExecutionException e) {
            admitting = false;
            respond(ctx, RestResponse.error(ErrorCode.UNAVAILABLE, "the server is shutting down"));
        }
    }

    /** Event loop: the credentials were verified ({@code refusal} null) or refused, before the stream started. */
    private void admitted(ChannelHandlerContext ctx, List<ClientMessage.Subscribe> subscribes, Identity caller,
                          RestResponse refusal) {
        admitting = false;
        if (!ctx.channel().isActive()) {
            return;
        }
        if (refusal != null) {
            respond(ctx, refusal);
        } else {
            stream(ctx, subscribes, caller);
        }
    }

    /** Event loop: opens the session for an admitted caller and submits its subscriptions. */
    private void stream(ChannelHandlerContext ctx, List<ClientMessage.Subscribe> subscribes, Identity caller) {
        SseOutbound opened = new SseOutbound(ctx, services.config().outboundQueueBytes(), services.node().metrics(),
                () -> startStream(ctx));
        // Several topics catch up together (one replay in position order, one go-live), so positions on the
        // stream only grow — except for snapshots, which are read one table at a time, each at its own
        // position. A reconnect during such a catch-up has no Last-Event-ID and snapshots again.
        if (subscribes.size() > 1 && subscribes.get(0).snapshot()) {
            opened.withholdIds();
        }
        try {
            session = services.node().connect(opened, caller);
        } catch (ProtocolException e) { // the account holds as many connections as it may, or is not served
            respond(ctx, RestResponse.error(e.code(), e.getMessage()));
            return;
        }
        outbound = opened;
        services.connections().add(outbound);
        Session current = session;
        // Anchored: a stream without since or snapshot starts at the log head and says so (an id: line) before
        // anything else, so an EventSource cut before its first positioned event still resumes without a gap.
        current.submitAll(subscribes)
                .whenComplete((replies, failure) -> ctx.executor().execute(() -> subscribed(ctx, current, replies)));
    }

    /** Event loop: every subscription answered. */
    private void subscribed(ChannelHandlerContext ctx, Session current, List<Reply> replies) {
        if (session != current || outbound.closeCode() != null || !ctx.channel().isActive()) {
            return;
        }
        List<Reply> refused = replies.stream().filter(r -> !r.ok()).toList();
        if (!outbound.started() && !refused.isEmpty()) {
            Reply first = refused.get(0);
            endSession();
            respond(ctx, RestResponse.error(first.error().code(), first.error().message()));
            return;
        }
        for (Reply r : refused) {
            outbound.send(Frame.encode(services.node().codec(),
                    new ServerMessage.ErrorMessage(r.error().code(), r.error().message())));
        }
        outbound.releaseIds();
        startStream(ctx);
        log.info("sse open session={} remote={} subscriptions={}", session.id(), ctx.channel().remoteAddress(),
                replies.size() - refused.size());
    }

    /** Event loop: sends the response head; queued frames follow. Idempotent. */
    private void startStream(ChannelHandlerContext ctx) {
        if (outbound == null || outbound.started() || outbound.closeCode() != null || !ctx.channel().isActive()) {
            return;
        }
        HttpResponse response = new DefaultHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK);
        response.headers()
                .set(HttpHeaderNames.CONTENT_TYPE, "text/event-stream")
                .set(HttpHeaderNames.CACHE_CONTROL, HttpHeaderValues.NO_CACHE)
                .set("x-accel-buffering", "no"); // tell reverse proxies (nginx) not to buffer the stream
        HttpUtil.setTransferEncodingChunked(response, true);
        ctx.write(response);
        ctx.write(new DefaultHttpContent(Unpooled.wrappedBuffer(RETRY)));
        outbound.start();
        ctx.flush();
    }

    private void endSession() {
        outbound.terminated();
        services.connections().remove(outbound);
        session.closed();
        session = null;
        outbound = null;
    }

    private void respond(ChannelHandlerContext ctx, RestResponse answer) {
        if (answer.error() != null) {
            services.node().metrics().errorAnswered(answer.error());
        }
        FullHttpResponse response = HttpResponses.of(answer);
        if (keepAlive) {
            HttpUtil.setKeepAlive(response, true);
            ctx.writeAndFlush(response);
        } else {
            ctx.writeAndFlush(HttpResponses.close(response)).addListener(ChannelFutureListener.CLOSE);
        }
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
        if (evt instanceof IdleStateEvent idle && session != null) {
            // An SSE client never sends anything, so only the writer side matters.
            if (idle.state() == IdleState.WRITER_IDLE && outbound.started() && outbound.idle()) {
                ByteBuf comment = Unpooled.wrappedBuffer(KEEP_ALIVE);
                ctx.writeAndFlush(new DefaultHttpContent(comment), ctx.voidPromise());
            }
            return;
        }
        ctx.fireUserEventTriggered(evt);
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) {
        if (outbound != null) {
            outbound.resume();
        }
        ctx.fireChannelWritabilityChanged();
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        if (session != null) {
            long id = session.id();
            int status = outbound.closeStatus();
            endSession();
            log.info("sse closed session={} remote={} by={} code={}", id, ctx.channel().remoteAddress(),
                    status == 0 ? "client" : "server", status == 0 ? "-" : status);
        }
        ctx.fireChannelInactive();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        if (session == null) {
            ctx.fireExceptionCaught(cause);
            return;
        }
        if (cause instanceof IOException) {
            log.debug("sse connection failed remote={} cause={}", ctx.channel().remoteAddress(), cause.toString());
        } else {
            log.warn("sse unexpected failure remote={}", ctx.channel().remoteAddress(), cause);
        }
        ctx.close();
    }
}
