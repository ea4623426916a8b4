package io.pulsebase.transport;

import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.websocketx.CloseWebSocketFrame;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.pulsebase.core.NodeMetrics;
import io.pulsebase.core.fanout.Frame;
import io.pulsebase.protocol.CloseCode;

/**
 * A WebSocket connection's outbound side: every frame becomes a text frame over the frame's shared JSON bytes;
 * closing sends a close frame with the {@link CloseCode} (number and short reason) and then drops the TCP
 * connection once it is written.
 */
public final class WebSocketOutbound extends ChannelOutbound {

    WebSocketOutbound(ChannelHandlerContext ctx, long limit, NodeMetrics metrics) {
        super(ctx, limit, metrics, true);
    }

    @Override
    public String transport() {
        return "websocket";
    }

    @Override
    protected Object encode(Frame frame) {
        return new TextWebSocketFrame(Unpooled.wrappedBuffer(frame.json()));
    }

    @Override
    protected void writeGoodbye(CloseCode code) {
        ctx.writeAndFlush(new CloseWebSocketFrame(code.code(), code.reason()))
                .addListener(ChannelFutureListener.CLOSE);
    }
}
