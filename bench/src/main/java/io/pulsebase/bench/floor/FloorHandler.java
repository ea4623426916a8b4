package io.pulsebase.bench.floor;

import io.netty.buffer.ByteBufUtil;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import java.io.IOException;

/**
 * One WebSocket connection's messages after the upgrade: {@code subscribe} joins a topic and is answered with
 * Pulsebase's ok reply; {@code publish} is encoded once into an {@code event} frame and broadcast to the topic
 * (answered only when it carries a {@code ref}, as in Pulsebase). Anything else with a {@code ref} is refused with
 * {@code not_supported}; without one, and text that is not a JSON object, it is ignored. Runs on the connection's
 * event loop; shared by every connection.
 */
@ChannelHandler.Sharable
final class FloorHandler extends SimpleChannelInboundHandler<TextWebSocketFrame> {
    private final Topics topics;

    FloorHandler(Topics topics) {
        this.topics = topics;
    }

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, TextWebSocketFrame frame) {
        FloorFrames.Inbound m;
        try {
            m = FloorFrames.parse(ByteBufUtil.getBytes(frame.content()));
        } catch (IOException e) {
            return;
        }
        switch (m.type() == null ? "" : m.type()) {
            case "subscribe" -> {
                if (m.topic() != null) {
                    topics.subscribe(m.topic(), ctx.channel());
                    if (m.ref() != null) {
                        reply(ctx, FloorFrames.okReply(m.ref(), m.topic()));
                    }
                }
            }
            case "publish" -> {
                if (m.topic() != null && m.event() != null) {
                    topics.broadcast(m.topic(), FloorFrames.event(ctx.alloc(), m, System.currentTimeMillis()));
                    if (m.ref() != null) {
                        reply(ctx, FloorFrames.okReply(m.ref(), null));
                    }
                }
            }
            default -> {
                if (m.ref() != null) {
                    reply(ctx, FloorFrames.errorReply(m.ref(), "not_supported",
                            "the floor server answers subscribe and publish only"));
                }
            }
        }
    }

    private static void reply(ChannelHandlerContext ctx, String json) {
        ctx.writeAndFlush(new TextWebSocketFrame(json), ctx.voidPromise());
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        ctx.close(); // a reset by a terminated client, mostly: nothing to report
    }
}
