package io.pulsebase.client;

import io.pulsebase.protocol.ClientMessage;
import io.pulsebase.protocol.ProtocolException;
import io.pulsebase.protocol.ServerMessage;
import io.pulsebase.protocol.client.ClientCodec;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.WebSocket;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CompletableFuture;
import java.util.function.Function;

/**
 * The client's WebSocket over time: one connection after another, each with a generation number. Opens it,
 * restores the subscriptions and flushes the offline queue when it opens, decodes and routes what it receives,
 * writes one frame at a time, and hands a connection that ended to the {@link Reconnector}.
 *
 * <p>Contract. Event thread only, except {@link #isClosed}, {@link #connectionCount} and {@link #useToken}.
 * Everything the JDK WebSocket reports for a connection arrives tagged with its generation and is ignored unless
 * it is the current one, so a late callback of an old connection never touches a newer one. Frames are handled
 * in the order received; messages are written in the order sent. Failure: a write that fails, or a close, error or
 * idle timeout reported for the current connection, ends it ({@link #dropped}: parts discarded, requests
 * re-queued or failed, then the {@link Reconnector} decides); a frame that cannot be decoded is reported to the
 * error listeners and skipped, the connection stays. Once {@link #shutdown} ran the connection never opens again.
 */
final class Connection {
    private static final System.Logger LOG = System.getLogger(PulsebaseClient.class.getName());

    private final ClientSettings settings;
    private final EventThread events;
    private final ClientListeners listeners;
    private final TopicRegistry topics;
    private final RequestTracker requests;
    private final Reconnector reconnector;
    private final ClientCodec codec = new ClientCodec();
    private final CompletableFuture<Void> firstConnected = new CompletableFuture<>();

    private volatile String token;
    private volatile boolean closed;
    private volatile int connections;

    // event thread only
    private int generation;
    private WebSocket ws;
    private boolean open;
    private boolean everConnected;
    private CompletableFuture<WebSocket> sendChain;

    Connection(ClientSettings settings, EventThread events, ClientListeners listeners, TopicRegistry topics) {
        this.settings = settings;
        this.events = events;
        this.listeners = listeners;
        this.topics = topics;
        this.token = settings.token();
        this.requests = new RequestTracker(this, settings.offlineQueue());
        this.reconnector = new Reconnector(this, events, listeners, settings);
    }

    RequestTracker requests() {
        return requests;
    }

    boolean isClosed() {
        return closed;
    }

    boolean isOpen() {
        return open;
    }

    /** Whether generation {@code gen} is the open connection. */
    boolean isCurrent(int gen) {
        return gen == generation && open;
    }

    int connectionCount() {
        return connections;
    }

    /** Completes the first time a connection opens; fails when the client closes before. */
    CompletableFuture<Void> firstConnected() {
        return firstConnected;
    }

    /** Any thread: the token for every later connection (not sent to the open one). */
    void useToken(String newToken) {
        this.token = newToken;
    }

    /** Connects unless connecting or connected already (or closed). */
    void ensureConnecting() {
        if (!closed && listeners.status() == ConnectionStatus.IDLE) {
            connectNow();
        }
    }

    /** Starts a connection attempt, a new generation. */
    void connectNow() {
        if (closed) {
            return;
        }
        int gen = ++generation;
        listeners.setStatus(everConnected || reconnector.retrying()
                ? ConnectionStatus.RECONNECTING : ConnectionStatus.CONNECTING);
        URI uri = settings.realtimeUri();
        if (settings.apiKey() != null) {
            uri = RealtimeUris.withQuery(uri, "apikey=" + URLEncoder.encode(settings.apiKey(), StandardCharsets.UTF_8));
        }
        WebSocket.Builder b = settings.http().newWebSocketBuilder().connectTimeout(settings.connectTimeout());
        String t = token;
        if (t != null) {
            b.header("Authorization", "Bearer " + t);
        }
        try {
            b.buildAsync(uri, new ConnectionListener(this, events, gen)).whenComplete((w, err) -> {
                if (err != null) {
                    events.execute(() -> connectFailed(gen, err));
                }
            });
        } catch (RuntimeException e) {
            connectFailed(gen, e);
        }
    }

    private void connectFailed(int gen, Throwable err) {
        if (gen == generation && !closed) {
            reconnector.connectFailed(err);
        }
    }

    /** Connection {@code gen} opened: restore every subscription from its position, then send what waited. */
    void opened(int gen, WebSocket w) {
        if (gen != generation || closed) {
            w.abort();
            return;
        }
        ws = w;
        open = true;
        everConnected = true;
        connections++;
        sendChain = CompletableFuture.completedFuture(w);
        listeners.setStatus(ConnectionStatus.CONNECTED);
        topics.restoreAll();
        requests.flushOffline();
        reconnector.opened(gen);
        firstConnected.complete(null);
    }

    /** A text frame of connection {@code gen}. */
    void frame(int gen, String text) {
        if (gen != generation || !open) {
            return;
        }
        reconnector.frameReceived();
        ServerMessage m;
        try {
            m = codec.decode(text);
        } catch (ProtocolException e) {
            listeners.reportError(new PulsebaseException(e.code(), e.getMessage()));
            return;
        }
        switch (m) {
            case ServerMessage.Reply r -> requests.onReply(r);
            case ServerMessage.Heartbeat h -> {
                // liveness only
            }
            case ServerMessage.ErrorMessage e -> listeners.reportError(new PulsebaseException(e.code(), e.message()));
            default -> topics.route(m);
        }
    }

    /** A ping or pong of connection {@code gen}. */
    void touched(int gen) {
        if (gen == generation) {
            reconnector.touched();
        }
    }

    /** Connection {@code gen} ended (close frame, error, or given up on). */
    void dropped(int gen, int code, String reason) {
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
        topics.connectionLost();
        requests.connectionLost(code, reason);
        LOG.log(System.Logger.Level.DEBUG, "Pulsebase connection closed: {0} {1}", code, reason);
        reconnector.afterClose(code, reason);
    }

    /** Sends a message without a reply; false when not connected. */
    boolean send(ClientMessage message) {
        if (!open) {
            return false;
        }
        String text = codec.encode(message);
        chain(w -> w.sendText(text, true));
        return true;
    }

    void sendPing() {
        if (open) {
            chain(w -> w.sendPing(ByteBuffer.allocate(0)));
        }
    }

    /** Queues one write behind the previous ones (the JDK WebSocket takes one at a time). */
    private void chain(Function<WebSocket, CompletableFuture<WebSocket>> write) {
        int gen = generation;
        sendChain = sendChain.thenCompose(write);
        sendChain.whenComplete((w, err) -> {
            if (err != null) {
                events.execute(() -> dropped(gen, 1006, "send failed: " + err));
            }
        });
    }

    /**
     * Ends the client for good: no reconnect, every pending request and subscription fails with {@code reason},
     * status {@code DISCONNECTED}. Answers the future of the close frame's sending ({@code sendClose}, code 1000).
     */
    CompletableFuture<?> shutdown(PulsebaseException reason, boolean sendClose) {
        if (closed) {
            return CompletableFuture.completedFuture(null);
        }
        closed = true;
        generation++;
        reconnector.stop();
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
        requests.closeAll(reason);
        topics.clientClosed(reason);
        firstConnected.completeExceptionally(reason);
        listeners.setStatus(ConnectionStatus.DISCONNECTED);
        return closing;
    }
}
