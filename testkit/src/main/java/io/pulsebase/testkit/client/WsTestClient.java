package io.pulsebase.testkit.client;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Predicate;

/**
 * A WebSocket client for black-box tests, on the JDK's {@link WebSocket} (which, like a browser, answers pings by
 * itself). Every text message is kept in arrival order; the {@code await*} methods take the first one not yet
 * taken that matches, leaving the others for later calls. Thread-safe.
 *
 * <pre>{@code
 * try (WsTestClient ws = WsTestClient.connect(URI.create("ws://127.0.0.1:" + port + "/v1/realtime"))) {
 *     ws.send("{\"type\":\"subscribe\",\"topic\":\"todos\",\"ref\":\"1\"}");
 *     assertThat(ws.reply("1", Duration.ofSeconds(5)).get("ok").asBoolean()).isTrue();
 *     JsonNode change = ws.awaitType("db_change", Duration.ofSeconds(5));
 * }
 * }</pre>
 */
public final class WsTestClient implements AutoCloseable {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(10);

    private final HttpClient http;
    private final WebSocket socket;
    private final Listener listener;

    private WsTestClient(HttpClient http, WebSocket socket, Listener listener) {
        this.http = http;
        this.socket = socket;
        this.listener = listener;
    }

    /** Connects to a {@code ws://} URI (query parameters such as {@code token} included). */
    public static WsTestClient connect(URI uri) {
        return connect(uri, Map.of());
    }

    /** Connects with extra request headers (for example {@code Authorization}). */
    public static WsTestClient connect(URI uri, Map<String, String> headers) {
        HttpClient http = HttpClient.newBuilder().connectTimeout(CONNECT_TIMEOUT).build();
        Listener listener = new Listener();
        WebSocket.Builder builder = http.newWebSocketBuilder().connectTimeout(CONNECT_TIMEOUT);
        headers.forEach(builder::header);
        try {
            WebSocket socket = builder.buildAsync(uri, listener).get(CONNECT_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
            return new WsTestClient(http, socket, listener);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            http.close();
            throw new IllegalStateException("interrupted while connecting to " + uri, e);
        } catch (ExecutionException | TimeoutException e) {
            http.close();
            throw new IllegalStateException("cannot connect to " + uri + ": " + e.getCause(), e);
        }
    }

    /** Sends one text message and waits until it is handed to the socket. */
    public void send(String json) {
        join(socket.sendText(json, true), "send");
    }

    /** The first message not yet taken that matches; fails after the timeout. */
    public String awaitMessage(Predicate<String> match, Duration timeout) {
        return listener.take(match, timeout);
    }

    /** The first JSON message not yet taken that matches. */
    public JsonNode awaitJson(Predicate<JsonNode> match, Duration timeout) {
        return parse(listener.take(m -> match.test(parse(m)), timeout));
    }

    /** The first message of that {@code type} not yet taken. */
    public JsonNode awaitType(String type, Duration timeout) {
        return awaitJson(m -> type.equals(m.path("type").asText()), timeout);
    }

    /** The {@code reply} carrying {@code ref}. */
    public JsonNode reply(String ref, Duration timeout) {
        return awaitJson(m -> "reply".equals(m.path("type").asText()) && ref.equals(m.path("ref").asText()), timeout);
    }

    /** Every text message received so far, taken or not, in arrival order. */
    public List<String> messages() {
        return listener.all();
    }

    /** Messages received and not yet taken by an {@code await*} call. */
    public List<String> pending() {
        return listener.pending();
    }

    public boolean isOpen() {
        return !listener.closed.isDone();
    }

    /** The close code the server sent, or -1 while open (or when the connection failed without one). */
    public int closeCode() {
        return listener.closed.isDone() && !listener.closed.isCompletedExceptionally() ? listener.closed.join().code : -1;
    }

    /** The close reason the server sent, or {@code null} while open. */
    public String closeReason() {
        return listener.closed.isDone() && !listener.closed.isCompletedExceptionally() ? listener.closed.join().reason : null;
    }

    /** Waits for the server to close the connection; its close code. */
    public int awaitClose(Duration timeout) {
        try {
            return listener.closed.get(timeout.toMillis(), TimeUnit.MILLISECONDS).code;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted", e);
        } catch (ExecutionException e) {
            throw new AssertionError("connection failed without a close frame: " + e.getCause(), e.getCause());
        } catch (TimeoutException e) {
            throw new AssertionError("the server did not close the connection within " + timeout);
        }
    }

    /** Closes with 1000 (waiting briefly for the server's answer), then drops the connection. */
    @Override
    public void close() {
        try {
            if (!socket.isOutputClosed()) {
                socket.sendClose(WebSocket.NORMAL_CLOSURE, "").get(2, TimeUnit.SECONDS);
                listener.closed.get(2, TimeUnit.SECONDS);
            }
        } catch (Exception e) {
            // closing anyway
        } finally {
            socket.abort();
            http.close();
        }
    }

    private static JsonNode parse(String message) {
        try {
            return JSON.readTree(message);
        } catch (JsonProcessingException e) {
            throw new AssertionError("not JSON: " + message, e);
        }
    }

    private static <T> T join(CompletableFuture<T> future, String what) {
        try {
            return future.get(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted during " + what, e);
        } catch (ExecutionException | TimeoutException e) {
            throw new AssertionError(what + " failed: " + e, e);
        }
    }

    private record Close(int code, String reason) {
    }

    private static final class Listener implements WebSocket.Listener {
        private final List<String> all = new ArrayList<>();
        private final List<String> pending = new ArrayList<>();
        private final StringBuilder partial = new StringBuilder();
        final CompletableFuture<Close> closed = new CompletableFuture<>();

        @Override
        public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
            partial.append(data);
            if (last) {
                String message = partial.toString();
                partial.setLength(0);
                synchronized (this) {
                    all.add(message);
                    pending.add(message);
                    notifyAll();
                }
            }
            webSocket.request(1);
            return null;
        }

        @Override
        public CompletionStage<?> onClose(WebSocket webSocket, int statusCode, String reason) {
            closed.complete(new Close(statusCode, reason));
            synchronized (this) {
                notifyAll();
            }
            return null;
        }

        @Override
        public void onError(WebSocket webSocket, Throwable error) {
            closed.completeExceptionally(error);
            synchronized (this) {
                notifyAll();
            }
        }

        synchronized String take(Predicate<String> match, Duration timeout) {
            long deadline = System.nanoTime() + timeout.toNanos();
            while (true) {
                for (int i = 0; i < pending.size(); i++) {
                    if (match.test(pending.get(i))) {
                        return pending.remove(i);
                    }
                }
                long left = deadline - System.nanoTime();
                if (left <= 0 || closed.isDone()) {
                    throw new AssertionError("no matching message within " + timeout
                            + (closed.isDone() ? " (connection closed)" : "") + "; received and not taken: " + pending);
                }
                try {
                    TimeUnit.NANOSECONDS.timedWait(this, left);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new AssertionError("interrupted", e);
                }
            }
        }

        synchronized List<String> all() {
            return List.copyOf(all);
        }

        synchronized List<String> pending() {
            return List.copyOf(pending);
        }
    }
}
