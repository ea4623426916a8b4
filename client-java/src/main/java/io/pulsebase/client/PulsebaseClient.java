package io.pulsebase.client;

import io.pulsebase.protocol.ClientMessage;
import java.net.URI;
import java.net.http.HttpClient;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
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
 *
 * <p>This class is the public face; the work is done by package-private parts: {@link Connection} (the WebSocket
 * over time), {@link Reconnector} (close-code advice, backoff, liveness), {@link RequestTracker} (replies by ref,
 * the offline queue), {@link TopicRegistry} (subscriptions by topic), {@link ClientListeners} and
 * {@link EventThread}.
 */
public final class PulsebaseClient implements AutoCloseable {
    private static final AtomicInteger CLIENT_IDS = new AtomicInteger();

    private final ClientSettings settings;
    private final EventThread events;
    private final ClientListeners listeners = new ClientListeners();
    private final TopicRegistry topics = new TopicRegistry();
    private final Connection connection;

    private PulsebaseClient(Builder b) {
        boolean ownHttp = b.httpClient == null;
        this.settings = new ClientSettings(RealtimeUris.realtimeUri(b.uri), b.apiKey, b.token, b.tokenSupplier,
                new Backoff(b.reconnectBase, b.reconnectCap, b.jitter), b.offlineQueue, b.connectTimeout,
                b.idleTimeout, b.pingInterval,
                ownHttp ? HttpClient.newBuilder().connectTimeout(b.connectTimeout).build() : b.httpClient, ownHttp);
        this.events = new EventThread("pulsebase-client-" + CLIENT_IDS.incrementAndGet());
        this.connection = new Connection(settings, events, listeners, topics);
        if (b.statusListener != null) {
            listeners.addStatusListener(b.statusListener);
        }
        if (b.errorListener != null) {
            listeners.addErrorListener(b.errorListener);
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
        return listeners.status();
    }

    /** Adds a status listener (called on the event thread, for every later change). */
    public PulsebaseClient onStatusChange(StatusListener listener) {
        listeners.addStatusListener(Objects.requireNonNull(listener));
        return this;
    }

    /** Adds an error listener; see {@link ErrorListener} for what it is told. */
    public PulsebaseClient onError(ErrorListener listener) {
        listeners.addErrorListener(Objects.requireNonNull(listener));
        return this;
    }

    /**
     * Starts connecting (if not yet started). Subscribing, tracking or publishing also starts it. The future
     * completes the first time the client is connected, and fails if the client is closed before.
     */
    public CompletableFuture<PulsebaseClient> connect() {
        execute(connection::ensureConnecting);
        return connection.firstConnected().thenApply(x -> this);
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
        return topics.channel(topic, t -> new Channel(this, t));
    }

    /**
     * Replaces the token: sent now (as an {@code auth} message) when connected, and used for every later
     * connection.
     */
    public void setToken(String newToken) {
        connection.useToken(newToken);
        execute(() -> {
            if (newToken != null) {
                connection.send(new ClientMessage.Auth(null, newToken));
            }
        });
    }

    /** A round trip to the server; fails with {@link PulsebaseException.OfflineException} when not connected. */
    public CompletableFuture<Void> ping() {
        CompletableFuture<Void> f = new CompletableFuture<>();
        execute(() -> {
            if (sendRequest(new PendingRequest(ClientMessage.Ping::new, r -> f.complete(null), false,
                    f::completeExceptionally, f::completeExceptionally)) == null) {
                f.completeExceptionally(new PulsebaseException.OfflineException("not connected"));
            }
        });
        return f;
    }

    /** How many times a connection was opened (1 after the first connect, +1 per reconnect). */
    public int connectionCount() {
        return connection.connectionCount();
    }

    /**
     * Closes the connection (code 1000) and stops reconnecting, for good: status {@code DISCONNECTED}; pending
     * futures and queued publishes fail with {@link PulsebaseException.ClosedException}. Idempotent. Called from
     * a listener it returns at once and closes just after.
     */
    @Override
    public void close() {
        PulsebaseException reason = new PulsebaseException.ClosedException("client closed");
        if (events.isCurrent()) {
            execute(() -> finish(connection.shutdown(reason, true)));
            return;
        }
        CompletableFuture<CompletableFuture<?>> done = new CompletableFuture<>();
        try {
            if (events.tryExecute(() -> done.complete(connection.shutdown(reason, true)))) {
                done.get(5, TimeUnit.SECONDS).get(1, TimeUnit.SECONDS);
            }
        } catch (ExecutionException | TimeoutException e) {
            // the close frame could not be sent in time: abort below
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        finish(null);
    }

    /** Stops the event thread (and the HTTP client when it is ours), once the close frame left or after 1 s. */
    private void finish(CompletableFuture<?> closing) {
        Runnable stop = () -> {
            events.shutdown();
            if (settings.ownHttp()) {
                settings.http().shutdownNow();
            }
        };
        if (closing == null) {
            stop.run();
        } else {
            closing.orTimeout(1, TimeUnit.SECONDS).whenComplete((x, e) -> stop.run());
        }
    }

    // ============================================================================================ for the SDK's objects

    /** Runs on the event thread (later, in submission order); dropped once the client is shut down. */
    void execute(Runnable task) {
        events.execute(task);
    }

    boolean isClosed() {
        return connection.isClosed();
    }

    /** Event thread. */
    boolean isOpen() {
        return connection.isOpen();
    }

    /** Event thread: connect unless connecting or connected already. */
    void ensureConnecting() {
        connection.ensureConnecting();
    }

    /** Event thread: see {@link RequestTracker#request}. */
    void request(PendingRequest p, boolean queueable) {
        connection.requests().request(p, queueable);
    }

    /** Event thread: sends a request now when connected; answers its ref, or null when not connected. */
    String sendRequest(PendingRequest p) {
        return connection.requests().send(p);
    }

    /** Event thread: runs a user listener; an exception it throws goes to the error listeners. */
    void dispatch(Runnable listenerCall) {
        listeners.dispatch(listenerCall);
    }

    /** Event thread: a problem that belongs to no future, for the error listeners. */
    void reportError(PulsebaseException e) {
        listeners.reportError(e);
    }

    boolean registerTable(TableSubscription sub) {
        return topics.registerTable(sub);
    }

    void unregisterTable(TableSubscription sub) {
        topics.unregisterTable(sub);
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
