package io.pulsebase.transport;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.DefaultHttpContent;
import io.netty.handler.codec.http.LastHttpContent;
import io.pulsebase.core.NodeMetrics;
import io.pulsebase.core.fanout.Frame;
import io.pulsebase.protocol.CloseCode;
import io.pulsebase.protocol.ErrorCode;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A Server-Sent Events stream's outbound side: every frame becomes one event ({@link Frame#sse()}: {@code id:},
 * {@code event:}, {@code data:}) in the chunked response body. Frames offered before the response headers went
 * out wait in the queue and follow them. Closing ends the response (a comment line saying why, then the last
 * chunk) and the connection; the browser's {@code EventSource} reconnects with {@code Last-Event-ID}.
 */
public final class SseOutbound extends ChannelOutbound {
    /** Buffered bytes at which a stream starts before every subscription has answered (a long catch-up). */
    static final long EARLY_START_BYTES = 256 * 1024;

    private final Runnable startEarly;
    private final AtomicBoolean earlyStartRequested = new AtomicBoolean();
    private volatile boolean withholdIds;
    /** Frames queued while ids were withheld and not yet encoded (they lead the FIFO queue). */
    private final AtomicInteger withheld = new AtomicInteger();

    /**
     * @param startEarly run on the event loop when frames pile up before the response started; it must start
     *                   the response so the catch-up can drain
     */
    SseOutbound(ChannelHandlerContext ctx, long limit, NodeMetrics metrics, Runnable startEarly) {
        super(ctx, limit, metrics, false);
        this.startEarly = startEarly;
    }

    /**
     * Frames queued from now until {@link #releaseIds()} go out without their {@code id:} line. A stream of several
     * topics with snapshots reads them one table at a time, each at its own position, so positions are not
     * monotonic until every subscription is live; an id in that phase could make a reconnecting
     * {@code EventSource} skip another topic's older events. Without ids a reconnect snapshots again.
     */
    void withholdIds() {
        withholdIds = true;
    }

    /** Every subscription is live: positions are monotonic from here on. */
    void releaseIds() {
        withholdIds = false;
    }

    @Override
    public String transport() {
        return "sse";
    }

    /** The stream's starting position, as an {@code id:} line before any event (see {@link Frame#ssePosition}). */
    @Override
    public void startsAt(long position) {
        send(Frame.ssePosition(position));
    }

    @Override
    protected void queued(long bytes) {
        if (withholdIds) {
            withheld.incrementAndGet();
        }
        if (bytes > EARLY_START_BYTES && !started() && earlyStartRequested.compareAndSet(false, true)) {
            channel.eventLoop().execute(startEarly);
        }
    }

    @Override
    protected Object encode(Frame frame) {
        byte[] event = frame.sse();
        if (withheld.get() > 0 && withheld.getAndDecrement() > 0 && startsWithId(event)) {
            int start = indexOf(event, (byte) '\n') + 1; // past the "id: <position>" line
            return new DefaultHttpContent(Unpooled.wrappedBuffer(event, start, event.length - start));
        }
        return new DefaultHttpContent(Unpooled.wrappedBuffer(event));
    }

    /** Whether the event has an {@code id:} line (positioned frames; not the non-final parts of a transaction). */
    private static boolean startsWithId(byte[] event) {
        return event.length > 3 && event[0] == 'i' && event[1] == 'd' && event[2] == ':';
    }

    private static int indexOf(byte[] bytes, byte b) {
        for (int i = 0; i < bytes.length; i++) {
            if (bytes[i] == b) {
                return i;
            }
        }
        return -1;
    }

    @Override
    protected void writeGoodbye(CloseCode code, String reason) {
        if (!started()) {
            ctx.writeAndFlush(HttpResponses.close(HttpResponses.error(ErrorCode.UNAVAILABLE,
                            "the stream was closed before it started (" + code.reason() + "); retry")))
                    .addListener(ChannelFutureListener.CLOSE);
            return;
        }
        // One comment line: a reason never holds a line break, but make sure.
        String line = reason.replace('\n', ' ').replace('\r', ' ');
        ByteBuf comment = Unpooled.copiedBuffer(": close " + line + "\n\n", StandardCharsets.UTF_8);
        ctx.write(new DefaultHttpContent(comment));
        ctx.writeAndFlush(LastHttpContent.EMPTY_LAST_CONTENT).addListener(ChannelFutureListener.CLOSE);
    }
}
