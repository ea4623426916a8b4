package io.pulsebase.transport;

import io.netty.buffer.ByteBufUtil;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.TooLongFrameException;
import io.netty.handler.codec.compression.DecompressionException;
import io.netty.handler.codec.http.websocketx.BinaryWebSocketFrame;
import io.netty.handler.codec.http.websocketx.CloseWebSocketFrame;
import io.netty.handler.codec.http.websocketx.CorruptedWebSocketFrameException;
import io.netty.handler.codec.http.websocketx.PingWebSocketFrame;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketServerProtocolHandler;
import io.netty.handler.codec.http.websocketx.extensions.WebSocketExtensionEncoder;
import io.netty.util.ReferenceCountUtil;
import io.pulsebase.core.fanout.Frame;
import io.pulsebase.core.session.Session;
import io.pulsebase.protocol.CloseCode;
import io.pulsebase.protocol.ErrorCode;
import io.pulsebase.protocol.ServerMessage;
import java.io.IOException;
import java.nio.channels.ClosedChannelException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The last handler of a WebSocket connection: opens a {@link Session} when the upgrade completes (with the
 * upgrade request's credentials, which the session verifies before anything else; refused ones close the
 * connection with 4003, 4004 or 4008 after an {@code error} frame naming the error), hands it every
 * complete text message (continuation frames already joined), answers binary messages with a
 * {@code bad_request} error, runs the heartbeat, and reports the connection's end to the session.
 *
 * <p>Heartbeat: one task per connection on its event loop, rescheduled for the next deadline. Nothing written for
 * one interval → the {@code heartbeat} message and a ping, which browsers answer by themselves; nothing read from
 * the client for two intervals (pongs included) → close with {@link CloseCode#HEARTBEAT_TIMEOUT}.
 */
final class WebSocketFrameHandler extends ChannelInboundHandlerAdapter implements Runnable {
    private static final Logger log = LoggerFactory.getLogger(WebSocketFrameHandler.class);
    private static final long MIN_DELAY_NANOS = TimeUnit.MILLISECONDS.toNanos(1);

    private final TransportServices services;
    private WebSocketOutbound outbound;
    private Session session;
    // Event loop only: the heartbeat's state.
    private ChannelHandlerContext ctx;
    private long intervalNanos;
    private long lastReadNanos;
    private long lastBeatNanos;
    private Future<?> heartbeat;

    WebSocketFrameHandler(TransportServices services) {
        this.services = services;
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) throws Exception {
        if (evt instanceof WebSocketServerProtocolHandler.HandshakeComplete handshake) {
            opened(ctx, handshake);
        } else if (evt == WebSocketServerProtocolHandler.ServerHandshakeStateEvent.HANDSHAKE_TIMEOUT) {
            log.debug("websocket upgrade timed out remote={}", ctx.channel().remoteAddress());
        } else {
            ctx.fireUserEventTriggered(evt);
        }
    }

    private void opened(ChannelHandlerContext ctx, WebSocketServerProtocolHandler.HandshakeComplete handshake) {
        PulsebaseChannelInitializer.upgraded(ctx.pipeline());
        // With permessage-deflate negotiated, its encoder is in the pipeline by now (added when the 101 was written)
        // and every message must pass through it; without, messages are written pre-framed.
        boolean deflate = ctx.pipeline().get(WebSocketExtensionEncoder.class) != null;
        outbound = new WebSocketOutbound(ctx, services.config().outboundQueueBytes(), services.node().metrics(), !deflate);
        // The session verifies the credentials as its first task, off this event loop; messages wait behind it.
        session = services.node().connect(outbound,
                HttpCredentials.read(handshake.requestUri(), handshake.requestHeaders()));
        services.connections().add(outbound);
        log.info("websocket open session={} remote={} deflate={}", session.id(), ctx.channel().remoteAddress(), deflate);
        this.ctx = ctx;
        intervalNanos = services.config().heartbeatInterval().toNanos();
        lastReadNanos = System.nanoTime();
        lastBeatNanos = lastReadNanos;
        heartbeat = ctx.executor().schedule(this, intervalNanos, TimeUnit.NANOSECONDS);
    }

    /**
     * The heartbeat, on the event loop: acts on whichever deadline passed, then schedules itself for the next one.
     * Stops once the connection is closing or gone.
     */
    @Override
    public void run() {
        if (!ctx.channel().isActive() || outbound.closeCode() != null) {
            return;
        }
        long now = System.nanoTime();
        if (now - lastReadNanos >= 2 * intervalNanos) {
            outbound.close(CloseCode.HEARTBEAT_TIMEOUT, "nothing received for two heartbeat intervals");
            return;
        }
        long lastWrite = Math.max(outbound.lastWriteNanos(), lastBeatNanos);
        if (now - lastWrite >= intervalNanos) {
            if (outbound.idle()) {
                outbound.send(services.heartbeat());
            }
            ctx.writeAndFlush(new PingWebSocketFrame(), ctx.voidPromise());
            lastBeatNanos = now;
            lastWrite = now;
        }
        long next = Math.min(lastWrite + intervalNanos, lastReadNanos + 2 * intervalNanos) - now;
        heartbeat = ctx.executor().schedule(this, Math.max(next, MIN_DELAY_NANOS), TimeUnit.NANOSECONDS);
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        try {
            if (session == null) {
                return;
            }
            lastReadNanos = System.nanoTime();
            switch (msg) {
                case TextWebSocketFrame text -> session.receive(ByteBufUtil.getBytes(text.content()));
                case BinaryWebSocketFrame ignored -> outbound.send(Frame.encode(services.node().codec(),
                        new ServerMessage.ErrorMessage(ErrorCode.BAD_REQUEST, "binary frames are not supported")));
                case CloseWebSocketFrame close -> peerClosed(ctx, close);
                default -> {
                    // Pings are answered by Netty; pongs only prove life, noted above.
                }
            }
        } finally {
            ReferenceCountUtil.release(msg);
        }
    }

    private void peerClosed(ChannelHandlerContext ctx, CloseWebSocketFrame close) {
        if (outbound.closeCode() != null) {
            // The client answers our close frame: the handshake is complete.
            ctx.close();
            return;
        }
        int status = close.statusCode();
        outbound.closedOutside(status < 0 ? 1005 : status, true); // 1005: no status given
        CloseWebSocketFrame echo = status < 0 ? new CloseWebSocketFrame() : new CloseWebSocketFrame(status, "");
        ctx.writeAndFlush(echo).addListener(ChannelFutureListener.CLOSE);
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
        if (heartbeat != null) {
            heartbeat.cancel(false); // releases this connection's objects now, not at the next deadline
        }
        if (outbound != null) {
            outbound.terminated();
            services.connections().remove(outbound);
            session.closed();
            log.info("websocket closed session={} remote={} by={} code={}", session.id(), ctx.channel().remoteAddress(),
                    outbound.closedByClient() ? "client" : "server",
                    outbound.closeStatus() == 0 ? 1006 : outbound.closeStatus()); // 1006: dropped without a close frame
        }
        ctx.fireChannelInactive();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        if (outbound == null) {
            log.debug("websocket failed before the upgrade completed remote={}", ctx.channel().remoteAddress(), cause);
            ctx.close();
            return;
        }
        boolean tooLarge = cause instanceof TooLongFrameException
                || cause instanceof DecompressionException d && d.getMessage() != null && d.getMessage().contains("maximum")
                || cause instanceof CorruptedWebSocketFrameException c && c.closeStatus().code() == CloseCode.MESSAGE_TOO_BIG.code();
        if (tooLarge) {
            services.node().metrics().errorAnswered(ErrorCode.TOO_LARGE); // the frame-size limit, closed with 1009
        }
        switch (cause) {
            case TooLongFrameException e ->
                    outbound.close(CloseCode.MESSAGE_TOO_BIG, "message over " + services.config().maxFrameBytes() + " bytes");
            case DecompressionException e when e.getMessage() != null && e.getMessage().contains("maximum") ->
                    outbound.close(CloseCode.MESSAGE_TOO_BIG, "decompressed message over the frame limit");
            case DecompressionException e -> outbound.close(CloseCode.PROTOCOL_ERROR, "corrupt compressed frame");
            case CorruptedWebSocketFrameException e -> {
                // Netty's frame decoder already sent the close frame (1009 for an over-long frame, else 1002).
                outbound.closedOutside(e.closeStatus().code(), false);
                log.info("websocket protocol violation remote={} code={} detail={}", ctx.channel().remoteAddress(),
                        e.closeStatus().code(), e.getMessage());
            }
            case ClosedChannelException e -> {
                // A write raced the close; nothing to do.
            }
            case IOException e -> {
                log.debug("websocket connection failed remote={} cause={}", ctx.channel().remoteAddress(), e.toString());
                ctx.close();
            }
            default -> {
                log.warn("websocket unexpected failure remote={}", ctx.channel().remoteAddress(), cause);
                outbound.close(CloseCode.INTERNAL_ERROR, "internal error");
            }
        }
    }
}
