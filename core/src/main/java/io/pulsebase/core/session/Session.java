package io.pulsebase.core.session;

import io.pulsebase.core.account.AccountSpace;
import io.pulsebase.core.auth.Credentials;
import io.pulsebase.core.auth.Identity;
import io.pulsebase.core.fanout.Frame;
import io.pulsebase.core.hooks.HookEvent;
import io.pulsebase.protocol.ClientMessage;
import io.pulsebase.protocol.CloseCode;
import io.pulsebase.protocol.ErrorCode;
import io.pulsebase.protocol.JsonCodec;
import io.pulsebase.protocol.Positions;
import io.pulsebase.protocol.ProtocolException;
import io.pulsebase.protocol.ServerMessage;
import io.pulsebase.protocol.ServerMessage.Reply;
import com.fasterxml.jackson.databind.JsonNode;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One client connection as the core sees it, whatever the transport. The transport hands it raw frames
 * ({@link #receive}) or decoded subscribes ({@link #submitAll}); the session handles them one at a time, in
 * arrival order, on the node's executor (never on a network thread), and answers through its
 * {@link Outbound}.
 *
 * <p>Failure rule: every refusal is a {@link ProtocolException} turned into a named error — a {@code reply}
 * when the message had a {@code ref}, an {@code error} frame otherwise — and the connection stays usable.
 * Anything unexpected is logged here with detail and reaches the client as {@code internal}.
 *
 * <p>The caller: every session acts for one verified {@link Identity}. A session opened with
 * {@link Credentials} verifies them as its first task (verification may block on a JWKS fetch, so never on the
 * network thread), and messages that arrive meanwhile wait behind it, in order. Refused credentials get an
 * {@code error} frame with the named error and a close code; an identity that expires closes the connection
 * with {@link CloseCode#TOKEN_EXPIRED} unless an {@code auth} message replaced it first ({@link SessionCaller});
 * a message handled after the instant is refused, should the timer be late.
 */
public final class Session {
    private static final Logger log = LoggerFactory.getLogger(Session.class);
    private static final AtomicLong IDS = new AtomicLong();
    /** Makes presence keys of this process distinct from those of an earlier run of the server. */
    private static final String KEY_PREFIX = Long.toString(System.currentTimeMillis() % 1_000_000_000L, 36) + "-";

    private final long id = IDS.incrementAndGet();
    private final SessionServices services;
    private final Outbound outbound;
    private final SerialExecutor serial;
    private final SessionCommands commands;
    // Both touched only by the session's serial executor (one task at a time, with happens-before between tasks), so
    // plain collections: most connections hold one topic, and these are per-connection memory.
    private final Map<String, Subscription> subscriptions = new HashMap<>(2);
    /** Channels this connection is present in; created on the first track. */
    private Set<String> tracked;
    private final AtomicBoolean closed = new AtomicBoolean();
    private final SessionCaller caller;
    /**
     * The caller's account, set once when the caller is admitted and before its identity is (so a session with an
     * identity always has its space): every table, log, channel and presence this session touches is this one's.
     */
    private volatile AccountSpace space;
    /**
     * Back-pressure on a client that sends faster than its messages are handled: at {@code maxQueuedCommands}
     * waiting, the transport stops reading its socket (TCP pushes back on the client, nothing is refused);
     * at a quarter of that it reads again. What was already read when reading stopped (at most one socket read,
     * 64 KiB: a few thousand tiny messages) is still queued; only past {@link #REFUSE_AT} — a transport that does
     * not stop reading — is a message refused with {@code rate_limited}.
     */
    private volatile boolean readingSuspended;
    private static final int REFUSE_AT = 16_384;

    private Session(SessionServices services, Outbound outbound) {
        this.services = services;
        this.outbound = outbound;
        this.serial = new SerialExecutor(services.executor());
        this.commands = new SessionCommands(this, services);
        this.caller = new SessionCaller(this, services);
        services.metrics().sessionOpened();
    }

    /**
     * A session for a caller already admitted (an SSE stream, whose transport verified the request).
     *
     * @throws ProtocolException {@code too_many_connections} when the caller's account holds its maximum;
     *                           {@code forbidden} or {@code unavailable} when its account cannot be opened (the
     *                           transport opens it first, off the event loop, so this only finds it open)
     */
    public static Session admitted(SessionServices services, Outbound outbound, Identity caller) {
        AccountSpace space = services.spaces().space(caller.account()); // may refuse: forbidden, unavailable
        services.gatekeeper().connected(caller); // may refuse: too_many_connections, before any session exists
        Session session = new Session(services, outbound);
        session.enter(space);
        session.caller.slotTaken(caller);
        session.caller.actAs(caller); // before any task: the executor's hand-off publishes it to them
        if (!services.config().hooks().isEmpty()) {
            session.serial.execute(() -> session.caller.connected(false));
        }
        return session;
    }

    /**
     * A session whose credentials are verified as its first task (a WebSocket: what the upgrade request
     * carried); refused credentials close the connection. With security disabled they are not read, and the
     * session is admitted at once.
     */
    public static Session verifying(SessionServices services, Outbound outbound, Credentials credentials) {
        Session session = new Session(services, outbound);
        if (services.gatekeeper().enabled() || services.gatekeeper().limitsConnections()) {
            session.serial.execute(() -> session.caller.admit(credentials));
        } else {
            // Security disabled: every caller is a service caller of the default account, open since the start.
            Identity caller = services.gatekeeper().admit(credentials);
            session.enter(services.spaces().space(caller.account()));
            session.caller.actAs(caller);
            if (!services.config().hooks().isEmpty()) {
                session.serial.execute(() -> session.caller.connected(true));
            }
        }
        return session;
    }

    /** The caller this session acts for; null before its credentials were verified, or when they were refused. */
    public Identity identity() {
        return caller.identity();
    }

    /** Binds the session to its caller's account; once, before the caller's identity is set. */
    void enter(AccountSpace admittedTo) {
        space = admittedTo;
    }

    /** The caller's account; null until the caller was admitted. */
    AccountSpace space() {
        return space;
    }

    /** The caller and its expiry (session thread): {@code auth} refreshes through it. */
    SessionCaller caller() {
        return caller;
    }

    /** Runs a task on this session's serial executor, after those already queued. */
    void execute(Runnable task) {
        serial.execute(task);
    }

    public long id() {
        return id;
    }

    /** This connection's key in channel presence: one member per connection. */
    public String presenceKey() {
        return KEY_PREFIX + id;
    }

    /** Active subscriptions by topic. */
    Map<String, Subscription> subscriptions() {
        return subscriptions;
    }

    /** Channels this connection is present in (session thread only); read-only. */
    Set<String> tracked() {
        return tracked == null ? Set.of() : Collections.unmodifiableSet(tracked);
    }

    void addTracked(String topic) {
        if (tracked == null) {
            tracked = new HashSet<>(2);
        }
        tracked.add(topic);
    }

    /** Forgets a tracked channel; true when it was tracked. */
    boolean removeTracked(String topic) {
        return tracked != null && tracked.remove(topic);
    }

    void clearTracked() {
        tracked = null;
    }

    /** Whether the connection holds the topic: subscribed to it, or present in it. */
    boolean holdsTopic(String topic) {
        return subscriptions.containsKey(topic) || tracked != null && tracked.contains(topic);
    }

    /** Topics held: subscriptions plus channels tracked without a subscription (session thread only). */
    int topicCount() {
        int count = subscriptions.size();
        for (String topic : tracked()) {
            if (!subscriptions.containsKey(topic)) {
                count++;
            }
        }
        return count;
    }

    Outbound outbound() {
        return outbound;
    }

    boolean isClosed() {
        return closed.get();
    }

    /**
     * A complete text frame from the client. Decoded on the caller's thread (cheap), handled later in order.
     * Never throws: bad input is answered with a named error.
     */
    public void receive(byte[] utf8) {
        int size = utf8.length;
        JsonNode tree = null;
        ClientMessage message;
        try {
            tree = services.codec().readFrame(utf8);
            message = services.codec().decodeClient(tree);
        } catch (ProtocolException e) {
            sendError(JsonCodec.refOf(tree), e.code(), e.getMessage());
            return;
        }
        int waiting = serial.pending();
        int limit = services.config().maxQueuedCommands();
        if (waiting >= Math.max(limit, REFUSE_AT)) {
            // Reading is suspended long before this; only a client whose messages were already in flight gets here.
            sendError(message.ref(), ErrorCode.RATE_LIMITED, "too many messages waiting to be handled");
            return;
        }
        if (waiting >= limit) {
            suspendReading();
        }
        Runnable task = () -> {
            Reply reply = handle(message, size);
            if (!reply.ok()) {
                services.metrics().errorAnswered(reply.error().code());
            }
            if (message.ref() != null) {
                send(Frame.encode(services.codec(), reply));
            } else if (!reply.ok()) {
                send(Frame.encode(services.codec(),
                        new ServerMessage.ErrorMessage(reply.error().code(), reply.error().message())));
            }
            if (readingSuspended) {
                resumeReadingBelow(limit / 4);
            }
        };
        if (neverBlocks(message)) {
            serial.executeInline(task);
        } else {
            serial.execute(task);
        }
    }

    /**
     * Messages handled without waiting for I/O — a ping, an unpersisted publish when the broker delivers in
     * process — run on the receiving thread when the connection has nothing else queued: no hand-off to a session
     * thread, which is most of the cost of a small broadcast.
     */
    private boolean neverBlocks(ClientMessage message) {
        AccountSpace admitted = space;
        return message instanceof ClientMessage.Ping
                || message instanceof ClientMessage.Publish p && !p.persist() && admitted != null
                && admitted.channels().publishesInline()
                && services.config().hooks().isEmpty(); // a message hook may block
    }

    // The flag and the transport's state change together (under the lock), so a resume racing a suspend can't
    // leave reading off with nothing left to turn it on: every suspend is followed by at least one task that
    // checks (the message being queued).
    private synchronized void suspendReading() {
        if (!readingSuspended) {
            readingSuspended = true;
            outbound.suspendReading();
        }
    }

    private synchronized void resumeReadingBelow(int lowWater) {
        if (readingSuspended && serial.pending() <= lowWater) {
            readingSuspended = false;
            outbound.resumeReading();
        }
    }

    /**
     * Several subscribes handled as one unit (an SSE stream's topics): one pass over the log for their
     * {@code since} replays and one go-live, so the stream's positions never go backwards. Completes with one
     * reply per request, in order; the replies are not also sent to the client.
     *
     * <p>Subscribes that have neither {@code since} nor {@code snapshot} start from the log head read now, as if
     * they had asked {@code since} it, and the outbound is told that position first ({@link Outbound#startsAt}):
     * so a stream that resumes by position (SSE) has one from its first byte, and a reconnect before its first
     * positioned event misses nothing.
     */
    public CompletableFuture<List<Reply>> submitAll(List<ClientMessage.Subscribe> subscribes) {
        CompletableFuture<List<Reply>> result = new CompletableFuture<>();
        serial.execute(() -> {
            try {
                if (closed.get()) {
                    result.complete(subscribes.stream()
                            .map(s -> Reply.error(s.ref(), ErrorCode.UNAVAILABLE, "connection is closing")).toList());
                } else if (caller.rejection() != null) {
                    ProtocolException rejected = caller.rejection();
                    result.complete(subscribes.stream()
                            .map(s -> Reply.error(s.ref(), rejected.code(), rejected.getMessage())).toList());
                } else {
                    result.complete(commands.subscribeAll(anchorAtHead(subscribes)));
                }
            } catch (ProtocolException e) {
                result.complete(subscribes.stream().map(s -> Reply.error(s.ref(), e.code(), e.getMessage())).toList());
            } catch (Throwable e) {
                log.error("session {}: unexpected failure subscribing", id, e);
                result.complete(subscribes.stream()
                        .map(s -> Reply.error(s.ref(), ErrorCode.INTERNAL, "internal error")).toList());
            }
        });
        return result;
    }

    private List<ClientMessage.Subscribe> anchorAtHead(List<ClientMessage.Subscribe> subscribes) {
        if (subscribes.stream().noneMatch(s -> s.since() == null && !s.snapshot())) {
            return subscribes;
        }
        long head = space.log().head();
        outbound.startsAt(head);
        String since = Positions.format(head);
        return subscribes.stream().map(s -> s.since() != null || s.snapshot() ? s
                : new ClientMessage.Subscribe(s.ref(), s.topic(), s.events(), s.filter(), false, since, s.eventNames()))
                .toList();
    }

    /**
     * The transport reports that the connection is gone. Idempotent; releases every subscription and leaves
     * every channel's presence (subscribers see the {@code leave}).
     */
    public void closed() {
        if (closed.compareAndSet(false, true)) {
            serial.execute(() -> {
                caller.release();
                caller.releaseSlot();
                for (String topic : List.copyOf(subscriptions.keySet())) {
                    commands.remove(topic);
                }
                commands.leaveAll();
                Identity who = caller.identity();
                if (who != null && caller.rejection() == null) {
                    services.config().hooks().run(new HookEvent.Disconnect(Long.toString(id), who,
                            outbound.closeStatus()));
                }
            });
            services.metrics().sessionClosed();
        }
    }

    private Reply handle(ClientMessage message, int size) {
        if (closed.get()) {
            return Reply.error(message.ref(), ErrorCode.UNAVAILABLE, "connection is closing");
        }
        if (caller.identity() == null) {
            // Credentials were refused: the connection is closing, and this answer is likely not delivered.
            return Reply.error(message.ref(), ErrorCode.UNAUTHORIZED, "not authenticated");
        }
        if (caller.rejection() != null) {
            return Reply.error(message.ref(), caller.rejection().code(), caller.rejection().getMessage());
        }
        if (caller.expiredNow()) {
            return Reply.error(message.ref(), ErrorCode.UNAUTHORIZED, "token expired");
        }
        try {
            return commands.handle(message, size);
        } catch (ProtocolException e) {
            return Reply.error(message.ref(), e.code(), e.getMessage());
        } catch (Throwable e) {
            // Whatever failed, the client gets its answer: a subscribe must never be left without a reply.
            log.error("session {}: unexpected failure handling '{}'", id, message.type(), e);
            return Reply.error(message.ref(), ErrorCode.INTERNAL, "internal error");
        }
    }

    /** Sends a named error: a reply when {@code ref} is given, an {@code error} frame otherwise. */
    void sendError(String ref, ErrorCode code, String message) {
        services.metrics().errorAnswered(code);
        ServerMessage answer = ref != null ? Reply.error(ref, code, message) : new ServerMessage.ErrorMessage(code, message);
        send(Frame.encode(services.codec(), answer));
    }

    void send(Frame frame) {
        outbound.send(frame);
    }

    /** A subscription buffered more than allowed while catching up: close so the client resumes. */
    void overflowed() {
        outbound.close(CloseCode.SLOW_CONSUMER, "outbound queue overflowed; resume from your last position");
    }
}
