package io.pulsebase.transport;

import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelOutboundBuffer;
import io.netty.util.concurrent.ScheduledFuture;
import io.pulsebase.core.NodeMetrics;
import io.pulsebase.core.fanout.Frame;
import io.pulsebase.core.session.Outbound;
import io.pulsebase.protocol.CloseCode;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.net.SocketAddress;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The bounded outbound queue of one long-lived connection (WebSocket or SSE), shared by both transports;
 * subclasses only say how a {@link Frame} is wrapped for the wire and how the connection ends.
 *
 * <p>Design: {@link #send} appends to a lock-free multi-producer queue and, only when no drain is pending,
 * schedules <em>one</em> drain task on the channel's event loop. The drain writes queued frames while the
 * channel is writable (Netty's write-buffer water marks) and flushes once per pass, so a burst of frames
 * costs one event-loop task and one flush, not one of each per frame. When the channel turns unwritable the
 * drain parks and {@link #resume} continues it from {@code channelWritabilityChanged}; frames then wait in
 * this queue, where they are counted against {@code outboundQueueBytes}. Netty's own outbound buffer holds at
 * most about one high-water mark more. Frames are never copied: the same encoded bytes are wrapped for every
 * connection.
 *
 * <p>Overflow rule: a frame that would take the queue over the bound while the queue is not empty is refused
 * ({@code send} returns {@code false}), counted as a slow consumer, and the connection is closed with
 * {@link CloseCode#SLOW_CONSUMER}; what was queued is dropped, since the client resumes from its last
 * position. A single frame larger than the bound is accepted into an empty queue.
 */
public abstract sealed class ChannelOutbound implements Outbound, Runnable permits WebSocketOutbound, SseOutbound {
    private static final Logger log = LoggerFactory.getLogger(ChannelOutbound.class);
    /** How long a closing connection may take to flush its goodbye before it is cut. */
    static final long CLOSE_TIMEOUT_MILLIS = 3000;

    protected final ChannelHandlerContext ctx;
    protected final Channel channel;
    private final long limit;
    private final NodeMetrics metrics;
    private final Queue<Frame> queue = new ConcurrentLinkedQueue<>();
    // Atomic fields through VarHandles rather than Atomic* objects: this class exists once per connection, and
    // idle connections are counted in kilobytes.
    private static final VarHandle QUEUED_BYTES;
    private static final VarHandle DRAIN_PENDING;

    static {
        try {
            MethodHandles.Lookup lookup = MethodHandles.lookup();
            QUEUED_BYTES = lookup.findVarHandle(ChannelOutbound.class, "queuedBytes", long.class);
            DRAIN_PENDING = lookup.findVarHandle(ChannelOutbound.class, "drainPending", boolean.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private volatile long queuedBytes;
    /** True while a drain task is scheduled or the drain is parked (unwritable, or the stream not started). */
    private volatile boolean drainPending;
    private volatile CloseCode closing;
    /** What the client is told on close, when not the code's short reason. */
    private volatile String closeReason;
    private volatile boolean started;
    private volatile boolean terminated;
    private volatile int closeStatus;
    private volatile boolean closedByClient;
    // Event loop only.
    private boolean goodbyeWritten;
    private long lastWriteNanos = System.nanoTime();
    private ScheduledFuture<?> forceClose;

    ChannelOutbound(ChannelHandlerContext ctx, long limit, NodeMetrics metrics, boolean started) {
        this.ctx = ctx;
        this.channel = ctx.channel();
        this.limit = limit;
        this.metrics = metrics;
        this.started = started;
    }

    /** {@code websocket} or {@code sse}: the tag of the {@code pulsebase.connections} gauge. */
    @Override
    public abstract String transport();

    /** The client's address, for logs. */
    @Override
    public SocketAddress remoteAddress() {
        return channel.remoteAddress();
    }

    @Override
    public final boolean send(Frame frame) {
        if (terminated || closing != null) {
            return false;
        }
        int size = frame.size();
        long after = (long) QUEUED_BYTES.getAndAdd(this, (long) size) + size;
        if (after > limit && after != size) {
            QUEUED_BYTES.getAndAdd(this, (long) -size);
            requestClose(CloseCode.SLOW_CONSUMER, "outbound queue over " + limit + " bytes", null);
            return false;
        }
        queue.offer(frame);
        queued(after);
        if (DRAIN_PENDING.compareAndSet(this, false, true)) {
            channel.eventLoop().execute(this); // run() is the drain
        }
        return true;
    }

    @Override
    public final long capacityBytes() {
        return limit;
    }

    @Override
    public final long queuedBytes() {
        long pending = queuedBytes;
        ChannelOutboundBuffer buffer = channel.unsafe().outboundBuffer();
        return buffer == null ? pending : pending + buffer.totalPendingWriteBytes();
    }

    /**
     * Event loop: the drain task (this object, so scheduling it allocates nothing). Writes what is queued while the
     * channel is writable.
     */
    @Override
    public final void run() {
        drain();
    }

    /** Event loop: when frames were last written (for heartbeats on quiet connections). */
    final long lastWriteNanos() {
        return lastWriteNanos;
    }

    /** Whether nothing waits in this queue (Netty may still be flushing). */
    final boolean idle() {
        return queue.isEmpty();
    }

    @Override
    public final void close(CloseCode code, String detail) {
        requestClose(code, detail, null);
    }

    @Override
    public final void close(CloseCode code, String detail, String reason) {
        requestClose(code, detail, reason);
    }

    /** True when this call started the close (later ones do nothing). */
    private boolean requestClose(CloseCode code, String detail, String reason) {
        // A lock rather than a compare-and-set: the reason must be in place before the code is visible (a drain on
        // the event loop may write the goodbye as soon as it is), and closing happens once per connection.
        synchronized (this) {
            if (closing != null) {
                return false;
            }
            closeReason = reason;
            closing = code;
        }
        if (code == CloseCode.SLOW_CONSUMER) {
            // Counted here, where the close wins, whoever asked for it (this queue, or a subscription's
            // catch-up buffer through the session): one disconnect, one count.
            metrics.slowConsumer();
        }
        if (code == CloseCode.SLOW_CONSUMER || code == CloseCode.HEARTBEAT_TIMEOUT) {
            log.info("{} closing remote={} code={} reason={} detail={}", transport(), remoteAddress(), code.code(),
                    code.reason(), detail);
        } else {
            log.debug("{} closing remote={} code={} reason={} detail={}", transport(), remoteAddress(), code.code(),
                    code.reason(), detail);
        }
        if (channel.eventLoop().inEventLoop()) {
            beginClose(code);
        } else {
            channel.eventLoop().execute(() -> beginClose(code));
        }
        return true;
    }

    /** The close code this side asked for, or {@code null} while open or when the client closed first. */
    final CloseCode closeCode() {
        return closing;
    }

    /** The close status for logs and hooks: the one sent, or the one the client sent when it closed first. */
    @Override
    public final int closeStatus() {
        return closeStatus != 0 ? closeStatus : closing != null ? closing.code() : 0;
    }

    final boolean closedByClient() {
        return closedByClient;
    }

    /**
     * Event loop: the connection is ending outside this queue (the client's close frame, or a close frame Netty's
     * decoder sent on a protocol violation); nothing more is accepted or written.
     */
    final void closedOutside(int status, boolean byClient) {
        closeStatus = status;
        closedByClient = byClient;
        terminated = true;
        discard();
    }

    /** Event loop: the connection's first bytes are out (SSE headers); queued frames may follow. */
    final void start() {
        started = true;
        drain();
    }

    final boolean started() {
        return started;
    }

    /** Event loop: the channel became writable again, continue a parked drain. */
    final void resume() {
        if (channel.isWritable()) {
            drain();
        }
    }

    /** Event loop: the channel is gone; nothing more is written or accepted. Idempotent. */
    final void terminated() {
        terminated = true;
        discard();
        if (forceClose != null) {
            forceClose.cancel(false);
        }
    }

    /** Called on the sender's thread after a frame was queued, with the queue's size in bytes. */
    protected void queued(long bytes) {
    }

    /** Wraps one frame for the wire; the bytes are shared, never copied. */
    protected abstract Object encode(Frame frame);

    /** Event loop: writes one encoded frame (not flushed) through the pipeline from this handler. */
    protected void write(Object encoded) {
        ctx.write(encoded, ctx.voidPromise());
    }

    /**
     * Event loop: writes the transport's goodbye (close frame, end of stream) and closes the channel after it.
     *
     * @param reason what the client is told: the code's short reason unless the close gave another
     */
    protected abstract void writeGoodbye(CloseCode code, String reason);

    private void beginClose(CloseCode code) {
        if (!channel.isActive()) {
            terminated();
            return;
        }
        // A slow consumer is behind anyway and resumes from its position: drop its backlog rather than wait.
        if (code == CloseCode.SLOW_CONSUMER || code == CloseCode.HEARTBEAT_TIMEOUT) {
            discard();
        }
        forceClose = channel.eventLoop().schedule(() -> {
            channel.close();
        }, CLOSE_TIMEOUT_MILLIS, TimeUnit.MILLISECONDS);
        drain();
    }

    private void discard() {
        queue.clear();
        queuedBytes = 0;
    }

    private void drain() {
        for (;;) {
            if (terminated || goodbyeWritten) {
                discard();
                return;
            }
            boolean wrote = false;
            if (started) {
                Frame frame;
                while (channel.isWritable() && (frame = queue.poll()) != null) {
                    QUEUED_BYTES.getAndAdd(this, (long) -frame.size());
                    write(encode(frame));
                    wrote = true;
                }
            }
            if (wrote) {
                ctx.flush();
                lastWriteNanos = System.nanoTime();
            }
            if (closing != null && (queue.isEmpty() || !started)) {
                // The goodbye may exceed the water mark: it is small and the channel closes after it anyway.
                goodbye();
                return;
            }
            if (!started || !channel.isWritable()) {
                // Parked: start() or resume() continues; drainPending stays set so producers don't schedule.
                drainPending = true;
                return;
            }
            drainPending = false;
            if (queue.isEmpty() || !DRAIN_PENDING.compareAndSet(this, false, true)) {
                return;
            }
        }
    }

    private void goodbye() {
        if (!goodbyeWritten) {
            goodbyeWritten = true;
            String reason = closeReason;
            writeGoodbye(closing, reason != null ? reason : closing.reason());
        }
    }
}
