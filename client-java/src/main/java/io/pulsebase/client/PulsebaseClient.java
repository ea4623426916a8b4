package io.pulsebase.client;

import io.pulsebase.protocol.ClientMessage;
import io.pulsebase.protocol.CloseCode;
import io.pulsebase.protocol.ProtocolException;
import io.pulsebase.protocol.ServerMessage;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.net.http.WebSocketHandshakeException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * A connection to a Pulsebase server over one WebSocket: table subscriptions with a live local copy, channels
 * with presence and history, automatic reconnect with exponential backoff and gapless resume.
 *
 * <pre>{@code
 * try (PulsebaseClient pb = PulsebaseClient.builder(URI.create("http://localhost:8080")).build()) {
 *     TableSubscription todos = pb.table("todos").filter("done = 0").snapshot(true)
 *             .on(Operation.INSERT, e -> System.out.println("new: " + e.data()))
 *             .subscribe();
 *     todos.ready().join();
 *     Channel lobby = pb.channel("chat/lobby").on("message", e -> System.out.println(e.data()));
 *     lobby.subscribe().join();
 *     lobby.publish("message", Map.of("text", "hi"), PublishOptions.persistent()).join();
 * }
 * }</pre>
 *
 * <p><b>Threading.</b> Every method may be called from any thread. All frames, state changes and listener calls
 * run on one event thread per client, in the order the server sent them, and the futures this API returns are
 * completed on it. Do not block that thread (for example by {@code join()}-ing one of this client's futures
 * inside a listener): compose with {@code thenAccept} instead.
 */
public final class PulsebaseClient implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(PulsebaseClient.class.getName());
    private static final AtomicInteger CLIENT_IDS = new AtomicInteger();

    private final URI realtimeUri;
    private final String apiKey;
    private final Supplier<String> tokenSupplier;
    private final Backoff backoff;
    private final int offlineCapacity;
    private final Duration connectTimeout;
    private final Duration idleTimeout;
    private final Duration pingInterval;
    private final HttpClient http;
    private final boolean ownHttp;
    private final WireCodec codec = new WireCodec();
    private final ScheduledThreadPoolExecutor loop;
    private volatile Thread loopThread;

    private final CopyOnWriteArrayList<StatusListener> statusListeners = new CopyOnWriteArrayList<>();
    private final CopyOnWriteArrayList<ErrorListener> errorListeners = new CopyOnWriteArrayList<>();
    private final ConcurrentHashMap<String, Channel> channels = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<String, TableSubscription> tables = new ConcurrentHashMap<>();
    private final CompletableFuture<PulsebaseClient> connected = new CompletableFuture<>();

    private volatile String token;
    private volatile ConnectionStatus status = ConnectionStatus.IDLE;
    private volatile boolean closed;
    private volatile int connections;

    // ---- event thread only
    private final LinkedHashMap<String, Pending> inFlight = new LinkedHashMap<>();
    private final ArrayDeque<Pending> offline = new ArrayDeque<>();
    private long nextRef;
    private int generation;
    private WebSocket ws;
    private boolean open;
    private boolean everConnected;
    private CompletableFuture<WebSocket> sendChain;
    private long lastReceivedNanos;
    private boolean receivedOnThisConnection;
    private int attempt;
    private ScheduledFuture<?> reconnectTask;
    private ScheduledFuture<?> watchdog;
    private ScheduledFuture<?> pinger;

    private PulsebaseClient(Builder b) {
        this.realtimeUri = RealtimeUris.realtimeUri(b.uri);
        this.apiKey = b.apiKey;
        this.token = b.token;
        this.tokenSupplier = b.tokenSupplier;
        this.backoff = new Backoff(b.reconnectBase, b.reconnectCap, b.jitter);
        this.offlineCapacity = b.offlineQueue;
        this.connectTimeout = b.connectTimeout;
        this.idleTimeout = b.idleTimeout;
        this.pingInterval = b.pingInterval;
        this.ownHttp = b.httpClient == null;
        this.http = ownHttp ? HttpClient.newBuilder().connectTimeout(b.connectTimeout).build() : b.httpClient;
        int id = CLIENT_IDS.incrementAndGet();
        this.loop = new ScheduledThreadPoolExecutor(1, r -> {
            Thread t = new Thread(r, "pulsebase-client-" + id);
            t.setDaemon(true);
            loopThread = t;
            return t;
        });
        loop.setExecuteExistingDelayedTasksAfterShutdownPolicy(false);
        loop.setContinueExistingPeriodicTasksAfterShutdownPolicy(false);
        loop.setRemoveOnCancelPolicy(true);
        if (b.statusListener != null) {
            statusListeners.add(b.statusListener);
        }
        if (b.errorListener != null) {
            errorListeners.add(b.errorListener);
        }
    }

    /**
     * A builder for a client of the server at {@code uri}: {@code http://host:port} (or {@code https}, {@code ws},
     * {@code wss}); without a path the realtime endpoint {@code /v1/realtime} is used.
     */
    public static Builder builder(URI uri) {
        return new Builder(uri);
    }

    // ============================================================================================ public API

    /** The connection's current status. */
    public ConnectionStatus status() {
        return status;
    }

    /** Adds a status listener (called on the event thread, for every later change). */
    public PulsebaseClient onStatusChange(StatusListener listener) {
        statusListeners.add(Objects.requireNonNull(listener));
        return this;
    }

    /** Adds an error listener; see {@link ErrorListener} for what it is told. */
    public PulsebaseClient onError(ErrorListener listener) {
        errorListeners.add(Objects.requireNonNull(listener));
        return this;
    }

    /**
     * Starts connecting (if not yet started). Subscribing, tracking or publishing also starts it. The future
     * completes the first time the client is connected, and fails if the client is closed before.
     */
    public CompletableFuture<PulsebaseClient> connect() {
        execute(this::ensureConnecting);
        return connected.copy();
    }

    /**
     * Starts describing a subscription to a table (a topic without {@code /}); finish with
     * {@link TableSubscription.Builder#subscribe()}. One client holds at most one subscription per table.
     */
    public TableSubscription.Builder table(String table) {
        if (Objects.requireNonNull(table).indexOf('/') >= 0) {
            throw new IllegalArgumentException("'" + table + "' is a channel name (it has a '/'): use channel()");
        }
        return new TableSubscription.Builder(this, table);
    }

    /**
     * The handle of a channel (a topic with {@code /}): the same object for the same topic, for the client's life.
     * Nothing is sent until you subscribe, publish, track or ask for history.
     */
    public Channel channel(String topic) {
        if (Objects.requireNonNull(topic).indexOf('/') < 0) {
            throw new IllegalArgumentException("'" + topic + "' is a table name (no '/'): use table()");
        }
        return channels.computeIfAbsent(topic, t -> new Channel(this, t));
    }

    /**
     * Replaces the token: sent now (as an {@code auth} message) when connected, and used for every later
     * connection.
     */
    public void setToken(String newToken) {
        this.token = newToken;
        execute(() -> {
            if (open && newToken != null) {
                send(new ClientMessage.Auth(null, newToken));
            }
        });
    }

    /** A round trip to the server; fails with {@link PulsebaseException.OfflineException} when not connected. */
    public CompletableFuture<Void> ping() {
        CompletableFuture<Void> f = new CompletableFuture<>();
        execute(() -> {
            if (!open) {
                f.completeExceptionally(new PulsebaseException.OfflineException("not connected"));
                return;
            }
            sendRequest(new Pending(ClientMessage.Ping::new, r -> f.complete(null), false,
                    f::completeExceptionally, f::completeExceptionally));
        });
        return f;
    }

    /** How many times a connection was opened (1 after the first connect, +1 per reconnect). */
    public int connectionCount() {
        return connections;
    }

    /**
     * Closes the connection (code 1000) and stops reconnecting, for good: status {@code DISCONNECTED}; pending
     * futures and queued publishes fail with {@link PulsebaseException.ClosedException}. Idempotent. Called from
     * a listener it returns at once and closes just after.
     */
    @Override
    public void close() {
        if (Thread.currentThread() == loopThread) {
            execute(() -> finish(shutdown(new PulsebaseException.ClosedException("client closed"), true)));
            return;
        }
        CompletableFuture<CompletableFuture<?>> done = new CompletableFuture<>();
        try {
            loop.execute(() -> done.complete(shutdown(new PulsebaseException.ClosedException("client closed"), true)));
            done.get(5, TimeUnit.SECONDS).get(1, TimeUnit.SECONDS);
        } catch (RejectedExecutionException | ExecutionException | TimeoutException e) {
            // already shut down, or the close frame could not be sent in time: abort below
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        finish(null);
    }

    private void finish(CompletableFuture<?> closing) {
        Runnable stop = () -> {
            loop.shutdown();
            if (ownHttp) {
                http.shutdownNow();
            }
        };
        if (closing == null) {
            stop.run();
        } else {
            closing.orTimeout(1, TimeUnit.SECONDS).whenComplete((x, e) -> stop.run());
        }
    }

    // ============================================================================================ internals

    /** Runs on the event thread (later, in submission order); dropped once the client is shut down. */
    void execute(Runnable task) {
        try {
            loop.execute(() -> {
                try {
                    task.run();
                } catch (RuntimeException e) {
                    LOG.log(System.Logger.Level.ERROR, "unexpected error on the Pulsebase client thread", e);
                }
            });
        } catch (RejectedExecutionException ignored) {
            // closed
        }
    }

    boolean isClosed() {
        return closed;
    }

    boolean isOpen() {
        return open;
    }

    /** Runs a user listener; an exception it throws goes to the error listeners and does not stop delivery. */
    void dispatch(Runnable listenerCall) {
        try {
            listenerCall.run();
        } catch (RuntimeException e) {
            reportError(new PulsebaseException("a listener threw " + e, e));
        }
    }

    void reportError(PulsebaseException e) {
        if (errorListeners.isEmpty()) {
            LOG.log(System.Logger.Level.WARNING, "Pulsebase client: " + e.getMessage(), e);
            return;
        }
        for (ErrorListener l : errorListeners) {
            try {
                l.onError(e);
            } catch (RuntimeException ex) {
                LOG.log(System.Logger.Level.WARNING, "an error listener threw", ex);
            }
        }
    }

    boolean registerTable(TableSubscription sub) {
        return tables.putIfAbsent(sub.topic(), sub) == null;
    }

    void unregisterTable(TableSubscription sub) {
        tables.remove(sub.topic(), sub);
    }

    /** Event thread: connect unless connecting or connected already. */
    void ensureConnecting() {
        if (!closed && status == ConnectionStatus.IDLE) {
            connectNow();
        }
    }

    /**
     * A request with a reply. Event thread. Connected: sent now. Disconnected: a {@code queueable} request waits
     * in the bounded offline queue (or fails with {@link PulsebaseException.OfflineException} when it is full);
     * a request that is not queueable is dropped — its owner re-sends it when the connection is restored.
     */
    void request(Pending p, boolean queueable) {
        if (closed) {
            p.onClosed.accept(new PulsebaseException.ClosedException("client closed"));
        } else if (open) {
            sendRequest(p);
        } else {
            ensureConnecting();
            if (!queueable) {
                return;
            }
            if (offline.size() >= offlineCapacity) {
                p.onLost.accept(new PulsebaseException.OfflineException(offlineCapacity == 0
                        ? "not connected (the offline queue is disabled)"
                        : "not connected and the offline queue is full (" + offlineCapacity + " requests)"));
            } else {
                offline.add(p);
            }
        }
    }

    /** Event thread: sends a request now when connected; answers its ref, or null when not connected. */
    String sendRequest(Pending p) {
        if (!open) {
            return null;
        }
        String ref = Long.toString(++nextRef);
        inFlight.put(ref, p);
        send(p.message.apply(ref));
        return ref;
    }

    /** Event thread: sends a message without a reply; false when not connected. */
    boolean send(ClientMessage message) {
        if (!open) {
            return false;
        }
        String text = codec.encode(message);
        chain(w -> w.sendText(text, true));
        return true;
    }

    /** Event thread: queues one write behind the previous ones (the JDK WebSocket takes one at a time). */
    private void chain(Function<WebSocket, CompletableFuture<WebSocket>> write) {
        int gen = generation;
        sendChain = sendChain.thenCompose(write);
        sendChain.whenComplete((w, err) -> {
            if (err != null) {
                execute(() -> disconnected(gen, 1006, "send failed: " + err));
            }
        });
    }

    private void setStatus(ConnectionStatus s) {
        if (status == s) {
            return;
        }
        status = s;
        for (StatusListener l : statusListeners) {
            dispatch(() -> l.onStatusChange(s));
        }
    }

    private void connectNow() {
        reconnectTask = null;
        if (closed) {
            return;
        }
        int gen = ++generation;
        setStatus(everConnected || attempt > 0 ? ConnectionStatus.RECONNECTING : ConnectionStatus.CONNECTING);
        URI uri = realtimeUri;
        if (apiKey != null) {
            uri = RealtimeUris.withQuery(uri, "apikey=" + URLEncoder.encode(apiKey, StandardCharsets.UTF_8));
        }
        WebSocket.Builder b = http.newWebSocketBuilder().connectTimeout(connectTimeout);
        String t = token;
        if (t != null) {
            b.header("Authorization", "Bearer " + t);
        }
        try {
            b.buildAsync(uri, new ConnectionListener(this, loop, gen)).whenComplete((w, err) -> {
                if (err != null) {
                    execute(() -> connectFailed(gen, err));
                }
            });
        } catch (RuntimeException e) {
            connectFailed(gen, e);
        }
    }

    private void connectFailed(int gen, Throwable err) {
        if (gen != generation || closed) {
            return;
        }
        Throwable cause = err instanceof CompletionException && err.getCause() != null ? err.getCause() : err;
        if (cause instanceof WebSocketHandshakeException h && h.getResponse() != null
                && (h.getResponse().statusCode() == 401 || h.getResponse().statusCode() == 403)) {
            adviseAfterClose(CloseCode.UNAUTHORIZED.code(), "handshake answered " + h.getResponse().statusCode());
            return;
        }
        LOG.log(System.Logger.Level.DEBUG, "Pulsebase connect failed: {0}", cause);
        scheduleReconnect();
    }

    private void scheduleReconnect() {
        if (closed || reconnectTask != null) {
            return;
        }
        setStatus(ConnectionStatus.RECONNECTING);
        Duration d = backoff.delay(attempt++, ThreadLocalRandom.current()::nextDouble);
        reconnectTask = loop.schedule(this::connectNow, d.toMillis(), TimeUnit.MILLISECONDS);
    }

    void opened(int gen, WebSocket w) {
        if (gen != generation || closed) {
            w.abort();
            return;
        }
        ws = w;
        open = true;
        everConnected = true;
        receivedOnThisConnection = false;
        connections++;
        sendChain = CompletableFuture.completedFuture(w);
        lastReceivedNanos = System.nanoTime();
        setStatus(ConnectionStatus.CONNECTED);
        // Restore every subscription from its position, re-track presence, then send what waited offline.
        for (TableSubscription t : tables.values()) {
            t.restore();
        }
        for (Channel c : channels.values()) {
            c.restore();
        }
        while (open && !offline.isEmpty()) {
            sendRequest(offline.poll());
        }
        startWatchdog(gen);
        connected.complete(this);
    }

    void frame(int gen, String text) {
        if (gen != generation || !open) {
            return;
        }
        lastReceivedNanos = System.nanoTime();
        if (!receivedOnThisConnection) {
            receivedOnThisConnection = true;
            attempt = 0; // the server talks to us: the next drop starts the backoff afresh
        }
        ServerMessage m;
        try {
            m = codec.decode(text);
        } catch (ProtocolException e) {
            reportError(new PulsebaseException(e.code(), e.getMessage()));
            return;
        }
        switch (m) {
            case ServerMessage.Reply r -> {
                Pending p = r.ref() == null ? null : inFlight.remove(r.ref());
                if (p != null) {
                    p.onReply.accept(r);
                }
            }
            case ServerMessage.Snapshot s -> {
                TableSubscription t = tables.get(s.topic());
                if (t != null) {
                    t.onSnapshot(s);
                }
            }
            case ServerMessage.DbChange c -> {
                TableSubscription t = tables.get(c.topic());
                if (t != null) {
                    t.onChange(c);
                }
            }
            case ServerMessage.Event e -> {
                Channel ch = channels.get(e.topic());
                if (ch != null) {
                    ch.onEvent(e);
                }
            }
            case ServerMessage.PresenceState ps -> {
                Channel ch = channels.get(ps.topic());
                if (ch != null) {
                    ch.onPresenceState(ps);
                }
            }
            case ServerMessage.Presence p -> {
                Channel ch = channels.get(p.topic());
                if (ch != null) {
                    ch.onPresence(p);
                }
            }
            case ServerMessage.Heartbeat h -> {
                // liveness only
            }
            case ServerMessage.ErrorMessage e -> reportError(new PulsebaseException(e.code(), e.message()));
        }
    }

    void touched(int gen) {
        if (gen == generation) {
            lastReceivedNanos = System.nanoTime();
        }
    }

    /** Event thread: the connection of generation {@code gen} ended (close frame, error, or given up on). */
    void disconnected(int gen, int code, String reason) {
        if (gen != generation || closed) {
            return;
        }
        generation++;
        WebSocket w = ws;
        ws = null;
        open = false;
        if (w != null) {
            w.abort();
        }
        stopWatchdog();
        for (TableSubscription t : tables.values()) {
            t.connectionLost();
        }
        for (Channel c : channels.values()) {
            c.connectionLost();
        }
        List<Pending> resend = new ArrayList<>();
        List<Pending> lost = new ArrayList<>();
        for (Pending p : inFlight.values()) {
            (p.resend ? resend : lost).add(p);
        }
        inFlight.clear();
        for (int i = resend.size() - 1; i >= 0; i--) {
            offline.addFirst(resend.get(i));
        }
        for (Pending p : lost) {
            p.onLost.accept(new PulsebaseException.ConnectionLostException(
                    "the connection dropped before the server answered (close " + code + " " + reason + ")"));
        }
        LOG.log(System.Logger.Level.DEBUG, "Pulsebase connection closed: {0} {1}", code, reason);
        adviseAfterClose(code, reason);
    }

    /** Follows the close code's advice: reconnect, refresh the token first, or stop. */
    private void adviseAfterClose(int code, String reason) {
        CloseCode cc = CloseCode.of(code);
        CloseCode.Advice advice = cc == null ? CloseCode.Advice.RECONNECT : cc.advice();
        switch (advice) {
            case RECONNECT -> scheduleReconnect();
            case REFRESH_TOKEN_THEN_RECONNECT -> refreshTokenThenReconnect(code, reason);
            case DO_NOT_RECONNECT -> {
                PulsebaseException e = new PulsebaseException.ClosedException(
                        "the server closed the connection (" + code + " " + reason + "); its advice is not to reconnect");
                reportError(e);
                shutdown(e, false);
            }
        }
    }

    private void refreshTokenThenReconnect(int code, String reason) {
        if (tokenSupplier == null) {
            PulsebaseException e = new PulsebaseException.ClosedException("the server closed the connection (" + code
                    + " " + reason + ") asking for a new token, and no token supplier is configured");
            reportError(e);
            shutdown(e, false);
            return;
        }
        setStatus(ConnectionStatus.RECONNECTING);
        CompletableFuture.supplyAsync(tokenSupplier).whenComplete((t, err) -> execute(() -> {
            if (closed) {
                return;
            }
            if (err != null || t == null) {
                reportError(new PulsebaseException("the token supplier failed; retrying with backoff", err));
            } else {
                token = t;
            }
            scheduleReconnect();
        }));
    }

    /** Event thread: ends the client. Answers the future of the close frame's sending. */
    private CompletableFuture<?> shutdown(PulsebaseException reason, boolean sendClose) {
        if (closed) {
            return CompletableFuture.completedFuture(null);
        }
        closed = true;
        generation++;
        if (reconnectTask != null) {
            reconnectTask.cancel(false);
            reconnectTask = null;
        }
        stopWatchdog();
        CompletableFuture<?> closing = CompletableFuture.completedFuture(null);
        WebSocket w = ws;
        if (w != null && open && sendClose) {
            closing = sendChain.thenCompose(x -> w.sendClose(WebSocket.NORMAL_CLOSURE, "normal"))
                    .whenComplete((x, e) -> w.abort());
        } else if (w != null) {
            w.abort();
        }
        ws = null;
        open = false;
        List<Pending> all = new ArrayList<>(inFlight.values());
        all.addAll(offline);
        inFlight.clear();
        offline.clear();
        for (Pending p : all) {
            p.onClosed.accept(reason);
        }
        for (TableSubscription t : tables.values()) {
            t.clientClosed(reason);
        }
        for (Channel c : channels.values()) {
            c.clientClosed(reason);
        }
        connected.completeExceptionally(reason);
        setStatus(ConnectionStatus.DISCONNECTED);
        return closing;
    }

    /**
     * Liveness, both ways. A WebSocket ping every {@code pingInterval} keeps the server's heartbeat timeout away
     * and, above all, makes a dead connection fail on write: the JDK WebSocket does not always report a TCP
     * connection that the peer closed without a close frame. And a connection that received nothing for
     * {@code idleTimeout} (pongs and heartbeats included) is dropped and replaced.
     */
    private void startWatchdog(int gen) {
        if (pingInterval.toMillis() > 0) {
            long every = pingInterval.toMillis();
            pinger = loop.scheduleAtFixedRate(() -> {
                if (gen == generation && open) {
                    chain(w -> w.sendPing(ByteBuffer.allocate(0)));
                }
            }, every, every, TimeUnit.MILLISECONDS);
        }
        if (idleTimeout.isZero() || idleTimeout.isNegative()) {
            return;
        }
        long period = Math.max(50, idleTimeout.toMillis() / 4);
        watchdog = loop.scheduleAtFixedRate(() -> {
            if (gen == generation && open && System.nanoTime() - lastReceivedNanos > idleTimeout.toNanos()) {
                disconnected(gen, 1006, "nothing received for " + idleTimeout);
            }
        }, period, period, TimeUnit.MILLISECONDS);
    }

    private void stopWatchdog() {
        if (watchdog != null) {
            watchdog.cancel(false);
            watchdog = null;
        }
        if (pinger != null) {
            pinger.cancel(false);
            pinger = null;
        }
    }

    /**
     * A request waiting for its reply, or (offline) for a connection.
     *
     * @param message  the message for a given ref (a resent request gets a new ref)
     * @param resend   resent after a reconnect when the connection dropped before the reply
     * @param onLost   the connection dropped (or was not there) and the request is not resent
     * @param onClosed the client was closed
     */
    record Pending(Function<String, ClientMessage> message, Consumer<ServerMessage.Reply> onReply, boolean resend,
                   Consumer<PulsebaseException> onLost, Consumer<PulsebaseException> onClosed) {
    }

    // ============================================================================================ builder

    /** Configures a {@link PulsebaseClient}. */
    public static final class Builder {
        private final URI uri;
        private String token;
        private Supplier<String> tokenSupplier;
        private String apiKey;
        private Duration reconnectBase = Backoff.DEFAULT.base();
        private Duration reconnectCap = Backoff.DEFAULT.cap();
        private double jitter = Backoff.DEFAULT.jitter();
        private int offlineQueue = 1000;
        private Duration connectTimeout = Duration.ofSeconds(10);
        private Duration idleTimeout = Duration.ofSeconds(45);
        private Duration pingInterval = Duration.ofSeconds(15);
        private HttpClient httpClient;
        private StatusListener statusListener;
        private ErrorListener errorListener;

        private Builder(URI uri) {
            this.uri = Objects.requireNonNull(uri);
            RealtimeUris.realtimeUri(uri); // validates
        }

        /** A JWT, sent as {@code Authorization: Bearer} on every connection. */
        public Builder token(String jwt) {
            this.token = jwt;
            return this;
        }

        /**
         * Called (off the event thread, may block) when the server closes with {@code 4003 token_expired}; the
         * token it answers is used for the reconnection. Without one, such a close ends the client.
         */
        public Builder tokenSupplier(Supplier<String> supplier) {
            this.tokenSupplier = supplier;
            return this;
        }

        /** An API key, sent as the {@code apikey} query parameter. */
        public Builder apiKey(String key) {
            this.apiKey = key;
            return this;
        }

        /** Reconnect backoff: {@code base}, doubling per failed attempt, capped at {@code cap} (default 1 s, 30 s). */
        public Builder reconnect(Duration base, Duration cap) {
            new Backoff(base, cap, jitter); // validates
            this.reconnectBase = base;
            this.reconnectCap = cap;
            return this;
        }

        /** Random spread of each backoff delay, a fraction in [0, 1) (default 0.2: ±20 %). */
        public Builder jitter(double fraction) {
            new Backoff(reconnectBase, reconnectCap, fraction); // validates
            this.jitter = fraction;
            return this;
        }

        /**
         * How many publishes and history requests may wait while disconnected (default 1000); they are sent in
         * order once the connection and its subscriptions are restored. 0 makes them fail at once with
         * {@link PulsebaseException.OfflineException}, as they do when the queue is full.
         */
        public Builder offlineQueue(int capacity) {
            if (capacity < 0) {
                throw new IllegalArgumentException("capacity must be >= 0");
            }
            this.offlineQueue = capacity;
            return this;
        }

        /** Timeout of one connection attempt (default 10 s). */
        public Builder connectTimeout(Duration timeout) {
            this.connectTimeout = Objects.requireNonNull(timeout);
            return this;
        }

        /**
         * A connection from which nothing (frame, pong, ping, heartbeat) arrived for this long is considered dead
         * and replaced (default 45 s; the client pings every {@link #pingInterval} and the server answers at once).
         * Zero disables the check.
         */
        public Builder idleTimeout(Duration timeout) {
            this.idleTimeout = Objects.requireNonNull(timeout);
            return this;
        }

        /**
         * How often the client sends a WebSocket ping (default 15 s; zero disables). Besides keeping the
         * connection alive, the write is what detects a connection dropped without a close frame.
         */
        public Builder pingInterval(Duration interval) {
            this.pingInterval = Objects.requireNonNull(interval);
            return this;
        }

        /** Uses this HTTP client (not closed by the Pulsebase client) instead of a private one. */
        public Builder httpClient(HttpClient client) {
            this.httpClient = client;
            return this;
        }

        /** A status listener registered before anything happens. */
        public Builder onStatusChange(StatusListener listener) {
            this.statusListener = listener;
            return this;
        }

        /** An error listener registered before anything happens. */
        public Builder onError(ErrorListener listener) {
            this.errorListener = listener;
            return this;
        }

        /** Builds the client; it connects on {@link #connect()} or the first subscribe, track or publish. */
        public PulsebaseClient build() {
            return new PulsebaseClient(this);
        }
    }
}
