package io.pulsebase.transport;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.websocketx.CloseWebSocketFrame;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.pulsebase.core.NodeMetrics;
import io.pulsebase.core.fanout.Frame;
import io.pulsebase.protocol.CloseCode;
import java.nio.charset.StandardCharsets;

/**
 * A WebSocket connection's outbound side: every frame becomes one text message over the frame's shared JSON
 * bytes; closing sends a close frame with the {@link CloseCode} (number and short reason) and then drops the TCP
 * connection once it is written.
 *
 * <p>Encode once, write many: on a connection without permessage-deflate, a frame's whole wire message
 * (header and payload, as Netty's {@code WebSocket13FrameEncoder} writes an unmasked final text frame) is built
 * once per {@link Frame}, into a heap buffer cached on the frame ({@link Frame#transportCache()}), and every such
 * connection writes a duplicate of it: no per-connection frame object or encoder pass. The buffer is wrapped
 * unreleasably, so no reference count is shared between event loops and nothing needs releasing: it is garbage
 * once the frame is unreachable. Heap, not direct: the socket write copies it into the event loop's pooled
 * direct buffer (a few hundred bytes, cheap), whereas a JDK direct buffer per frame costs an allocation with a
 * cleaner that the garbage collector must process — measured as GC time when every message goes to one subscriber. Frames over {@link #PREFRAMED_MAX_BYTES}, and every frame on a
 * connection with permessage-deflate (which must go through the compressing encoder), take the per-connection
 * {@link TextWebSocketFrame} path.
 */
public final class WebSocketOutbound extends ChannelOutbound {
    /** Larger frames take the per-connection path: a cached wire copy would double a large frame's memory. */
    static final int PREFRAMED_MAX_BYTES = 1 << 20;
    static final int MAX_CLOSE_REASON_BYTES = 123;

    private final boolean preframed;

    /**
     * @param preframed whether frames may be written pre-framed, i.e. no extension (permessage-deflate) encodes
     *                  this connection's messages
     */
    WebSocketOutbound(ChannelHandlerContext ctx, long limit, NodeMetrics metrics, boolean preframed) {
        super(ctx, limit, metrics, true);
        this.preframed = preframed;
    }

    @Override
    public String transport() {
        return "websocket";
    }

    @Override
    protected Object encode(Frame frame) {
        if (preframed && frame.size() <= PREFRAMED_MAX_BYTES) {
            return wireMessage(frame).duplicate(); // an unreleasable view with its own reader index
        }
        return new TextWebSocketFrame(Unpooled.wrappedBuffer(frame.json()));
    }

    /**
     * A pre-framed message is already a complete WebSocket frame, which the WebSocket handlers would only pass
     * along: it goes from the first handler's context straight to the socket. Everything else (a
     * {@link TextWebSocketFrame} for the encoders) takes the whole pipeline.
     */
    @Override
    protected void write(Object encoded) {
        if (encoded instanceof ByteBuf) {
            ChannelHandlerContext first = ctx.pipeline().firstContext();
            first.write(encoded, first.voidPromise());
        } else {
            super.write(encoded);
        }
    }

    /**
     * The frame as one unmasked, final WebSocket text frame (RFC 6455 §5.2), built on first use and cached on the
     * frame. Two event loops may build it at once; one copy wins, the other is garbage.
     */
    static ByteBuf wireMessage(Frame frame) {
        if (frame.transportCache() instanceof ByteBuf cached) {
            return cached;
        }
        byte[] json = frame.json();
        int n = json.length;
        int header = n < 126 ? 2 : n <= 0xFFFF ? 4 : 10;
        byte[] wire = new byte[header + n];
        wire[0] = (byte) 0x81; // FIN + opcode 1 (text)
        if (n < 126) {
            wire[1] = (byte) n;
        } else if (n <= 0xFFFF) {
            wire[1] = 126;
            wire[2] = (byte) (n >>> 8);
            wire[3] = (byte) n;
        } else {
            wire[1] = 127;
            for (int i = 0; i < 8; i++) {
                wire[2 + i] = (byte) ((long) n >>> (56 - 8 * i));
            }
        }
        System.arraycopy(json, 0, wire, header, n);
        ByteBuf message = Unpooled.unreleasableBuffer(Unpooled.wrappedBuffer(wire));
        frame.transportCache(message);
        return message;
    }

    /** Back-pressure on a client that sends faster than its session handles: TCP stops it, nothing is refused. */
    @Override
    public void suspendReading() {
        channel.config().setAutoRead(false);
    }

    @Override
    public void resumeReading() {
        // Safe from any thread: turning auto-read on schedules a read on the channel's event loop.
        channel.config().setAutoRead(true);
    }

    @Override
    protected void writeGoodbye(CloseCode code, String reason) {
        ctx.writeAndFlush(new CloseWebSocketFrame(code.code(), clip(reason)))
                .addListener(ChannelFutureListener.CLOSE);
    }

    /** A close frame's reason is at most 123 bytes of UTF-8 (RFC 6455 §5.5); cut on a character boundary. */
    static String clip(String reason) {
        byte[] utf8 = reason.getBytes(StandardCharsets.UTF_8);
        if (utf8.length <= MAX_CLOSE_REASON_BYTES) {
            return reason;
        }
        int end = MAX_CLOSE_REASON_BYTES;
        while (end > 0 && (utf8[end] & 0xC0) == 0x80) {
            end--; // utf8[end] continues a character: cut before that character
        }
        return new String(utf8, 0, end, StandardCharsets.UTF_8);
    }
}
