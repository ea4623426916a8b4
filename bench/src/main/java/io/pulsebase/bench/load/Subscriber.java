package io.pulsebase.bench.load;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.websocketx.BinaryWebSocketFrame;
import io.netty.handler.codec.http.websocketx.CloseWebSocketFrame;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketClientProtocolHandler.ClientHandshakeStateEvent;
import io.netty.util.ReferenceCountUtil;
import java.io.IOException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * One subscriber connection: after the WebSocket handshake it sends one {@code subscribe} (with its
 * filter, if any: {@code room = R} or {@code owner_id = 'user-R'}; on a server with security on the handshake
 * carried its token or the service key) and completes {@link #ready} on the ok reply. Then, for
 * every {@code db_change}, it takes the receive time first, checks the frame (see {@link FrameReader}) and
 * that positions strictly increase, and records {@code receive − sent_ns} per change.
 *
 * <p>All state is touched by the connection's event loop only; the counters are read by the coordinator
 * after {@link SubscriberPool#collect()}.
 */
final class Subscriber extends ChannelInboundHandlerAdapter {
    private static final String SUBSCRIBE_REF = "sub";

    final int index;
    /** The room whose rows this subscriber must receive (by its filter or the policy), or -1 for every row. */
    final long room;
    /** The subscription's filter, or null for the whole table (as far as a policy lets it see). */
    private final String filter;
    private final String topic;
    /** Counted in "distinct changes delivered": the first subscriber of each distinct filter. */
    final boolean representative;
    final CompletableFuture<Void> ready = new CompletableFuture<>();
    /** Counted down once the connection is closed (or never opened). */
    final CountDownLatch closed = new CountDownLatch(1);

    private final RunClock clock;
    private final ConcurrentHashMap<Object, LoopStats> statsByLoop;
    private final LoadOptions options;
    private final int subscribeTimeoutSeconds;
    private LoopStats stats;
    private volatile ChannelHandlerContext ctx;
    private byte[] scratch = new byte[4096];
    private ScheduledFuture<?> timeout;
    private boolean closing;

    long frames;
    long changes;
    long positionErrors;
    /** Whether the last db_change was a part with {@code "more": true}. */
    private boolean lastMore;
    long contentErrors;
    long serverErrors;
    long lastPosition;
    boolean hasPosition;
    long lastId = Long.MIN_VALUE;
    int closeCode = -1;
    String closeReason;
    boolean closedUnexpectedly;

    Subscriber(int index, long room, String filter, boolean representative, RunClock clock,
            ConcurrentHashMap<Object, LoopStats> statsByLoop, LoadOptions options, int subscribeTimeoutSeconds) {
        this.index = index;
        this.room = room;
        this.filter = filter;
        this.topic = BenchTable.of(options.scenario()).name;
        this.representative = representative;
        this.clock = clock;
        this.statsByLoop = statsByLoop;
        this.options = options;
        this.subscribeTimeoutSeconds = subscribeTimeoutSeconds;
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        this.ctx = ctx;
        stats = statsByLoop.computeIfAbsent(ctx.channel().eventLoop(),
                loop -> new LoopStats(ctx.channel().eventLoop(), options));
        timeout = ctx.executor().schedule(() -> {
            if (!ready.isDone()) {
                fail(ctx, "not subscribed within " + subscribeTimeoutSeconds + " s");
            }
        }, subscribeTimeoutSeconds, TimeUnit.SECONDS);
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) throws Exception {
        if (evt == ClientHandshakeStateEvent.HANDSHAKE_COMPLETE) {
            StringBuilder sb = new StringBuilder(128)
                    .append("{\"type\":\"subscribe\",\"ref\":\"").append(SUBSCRIBE_REF)
                    .append("\",\"topic\":\"").append(topic).append('"');
            if (filter != null) {
                sb.append(",\"filter\":\"").append(filter).append('"');
            }
            sb.append('}');
            ctx.writeAndFlush(new TextWebSocketFrame(sb.toString()));
        } else if (evt == ClientHandshakeStateEvent.HANDSHAKE_TIMEOUT) {
            fail(ctx, "WebSocket handshake timed out");
        }
        super.userEventTriggered(ctx, evt);
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        long now = System.nanoTime();
        try {
            if (msg instanceof TextWebSocketFrame text) {
                onText(ctx, text.content(), now);
            } else if (msg instanceof CloseWebSocketFrame close) {
                if (closing) {
                    ctx.close(); // the server's answer to our close: the close handshake is complete
                    return;
                }
                closeCode = close.statusCode();
                closeReason = close.reasonText();
                closedUnexpectedly = true;
                stats.problem(index, "server closed the connection: " + closeCode + " " + closeReason);
                closing = true;
                ctx.writeAndFlush(new CloseWebSocketFrame(closeCode == -1 ? 1000 : closeCode, ""))
                        .addListener(f -> ctx.close());
            } else if (msg instanceof BinaryWebSocketFrame) {
                contentErrors++;
                stats.problem(index, "a binary frame (the protocol sends text only)");
            }
        } finally {
            ReferenceCountUtil.release(msg);
        }
    }

    private void onText(ChannelHandlerContext ctx, ByteBuf buf, long now) {
        frames++;
        FrameReader r = stats.reader;
        int len = buf.readableBytes();
        try {
            if (buf.hasArray()) {
                r.read(buf.array(), buf.arrayOffset() + buf.readerIndex(), len, room);
            } else {
                if (scratch.length < len) {
                    scratch = new byte[Math.max(len, scratch.length * 2)];
                }
                buf.getBytes(buf.readerIndex(), scratch, 0, len);
                r.read(scratch, 0, len, room);
            }
        } catch (IOException | RuntimeException e) {
            contentErrors++;
            stats.problem(index, "unreadable frame: " + e.getMessage());
            return;
        }
        if (r.type == null) {
            contentErrors++;
            stats.problem(index, "frame without type");
            return;
        }
        switch (r.type) {
            case "db_change" -> onChange(r, now);
            case "reply" -> onReply(ctx, r);
            case "error" -> {
                serverErrors++;
                stats.problem(index, "error frame: " + r.errorCode + " " + r.errorMessage);
            }
            case "heartbeat" -> { }
            default -> {
                contentErrors++;
                stats.problem(index, "unexpected frame type " + r.type);
            }
        }
    }

    private void onReply(ChannelHandlerContext ctx, FrameReader r) {
        if (!SUBSCRIBE_REF.equals(r.ref)) {
            return;
        }
        if (r.ok) {
            if (timeout != null) {
                timeout.cancel(false);
            }
            ready.complete(null);
        } else {
            serverErrors++;
            fail(ctx, "subscribe refused: " + r.errorCode + " " + r.errorMessage);
        }
    }

    private void onChange(FrameReader r, long now) {
        if (!topic.equals(r.topic) || !r.hasPosition || !r.hasChanges) {
            contentErrors++;
            stats.problem(index, "db_change without topic " + topic + ", position or changes");
            return;
        }
        // A part after a "more" part carries the same position (an entry over 1000 changes is sent in parts).
        int order = hasPosition ? Long.compareUnsigned(r.position, lastPosition) : 1;
        if (order < 0 || (order == 0 && !lastMore)) {
            positionErrors++;
            stats.problem(index, "position " + Long.toUnsignedString(r.position) + " after "
                    + Long.toUnsignedString(lastPosition));
        }
        lastPosition = r.position;
        lastMore = r.more;
        hasPosition = true;
        int n = r.changes;
        changes += n;
        stats.received.addAndGet(n);
        if (r.changeProblem != null) {
            contentErrors++;
            stats.problem(index, r.changeProblem);
            return;
        }
        if (r.firstId <= lastId) {
            positionErrors++;
            stats.problem(index, "row id " + r.firstId + " arrived after id " + lastId);
        }
        lastId = r.lastId;
        stats.maxTxPerFrame = Math.max(stats.maxTxPerFrame, r.txCount);
        // one sample per change, from its own transaction's sent_ns (a --writer jdbc frame may hold several)
        for (int t = 0; t < r.txCount; t++) {
            long sent = r.txSentNs[t];
            if (clock.inWindow(sent)) {
                stats.latency.record(now - sent, n / r.txCount);
            }
        }
        if (clock.inWindow(now)) {
            stats.windowDeliveries += n;
            if (representative) {
                stats.windowDistinct += n;
            }
        }
    }

    private void fail(ChannelHandlerContext ctx, String why) {
        if (ready.completeExceptionally(new IOException(why))) {
            closing = true;
            ctx.close();
        }
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        if (!ready.isDone()) {
            fail(ctx, String.valueOf(cause));
            return;
        }
        if (!closing) {
            stats.problem(index, "connection error: " + cause);
            closedUnexpectedly = true;
        }
        closing = true;
        ctx.close();
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) throws Exception {
        closed.countDown();
        if (timeout != null) {
            timeout.cancel(false);
        }
        if (!ready.isDone()) {
            fail(ctx, "connection closed before the subscription was confirmed");
        } else if (!closing) {
            closedUnexpectedly = true;
            stats.problem(index, "connection closed by the server without a close frame");
        }
        super.channelInactive(ctx);
    }

    /** Closes this connection normally (1000) at the end of the run; callable from any thread. */
    void closeNormally() {
        ChannelHandlerContext c = ctx;
        if (c == null) {
            return;
        }
        c.executor().execute(() -> {
            if (!c.channel().isActive()) {
                return;
            }
            closing = true;
            c.writeAndFlush(new CloseWebSocketFrame(1000, "normal"));
            // the server answers with its own close frame, on which channelRead closes; cut it after 2 s if not
            c.executor().schedule(() -> {
                c.close();
            }, 2, TimeUnit.SECONDS);
        });
    }

    /** The connection could not even be opened. */
    void connectFailed(Throwable cause) {
        closed.countDown();
        ready.completeExceptionally(new IOException("connect failed: " + cause.getMessage(), cause));
    }
}
