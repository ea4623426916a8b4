package io.pulsebase.testkit.client;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;

/**
 * A WebSocket client for black-box tests, speaking the wire protocol as JSON text, on the JDK's {@link WebSocket}
 * (which, like a browser, answers pings by itself). Every frame the server sends is kept, in order; tests wait for
 * the frames they expect, and the frames before a match that do not match are dropped. For what a friendly client
 * won't do (never answer pings, stop reading, send oversized or compressed frames) see {@link RawWebSocket}.
 *
 * <pre>{@code
 * try (WsTestClient ws = WsTestClient.connect(URI.create("ws://127.0.0.1:" + port + "/v1/realtime"))) {
 *     ws.subscribe("topic", "todos", "filter", "done = 0");      // fails unless the reply is ok
 *     JsonNode change = ws.awaitChange("todos");
 * }
 * }</pre>
 */
public final class WsTestClient implements AutoCloseable {
    private static final HttpClient HTTP = HttpClient.newHttpClient();
    private static final Duration DEFAULT_WAIT = Duration.ofSeconds(10);

    private final LinkedBlockingQueue<JsonNode> inbox = new LinkedBlockingQueue<>();
    private final List<String> messages = new CopyOnWriteArrayList<>();
    private final AtomicInteger refs = new AtomicInteger();
    private final CountDownLatch closed = new CountDownLatch(1);
    private volatile int closeCode = -1;
    private volatile String closeReason;
    private final WebSocket socket;

    private WsTestClient(URI uri, Map<String, String> headers) {
        WebSocket.Builder builder = HTTP.newWebSocketBuilder().connectTimeout(Duration.ofSeconds(5));
        headers.forEach(builder::header);
        this.socket = builder.buildAsync(uri, new Listener()).join();
    }

    /** Connects to a {@code ws://} URI (query parameters such as {@code token} included). */
    public static WsTestClient connect(URI uri) {
        return new WsTestClient(uri, Map.of());
    }

    /** Connects with extra handshake headers (for example {@code Authorization}). */
    public static WsTestClient connect(URI uri, Map<String, String> headers) {
        return new WsTestClient(uri, headers);
    }

    /** Sends raw text (which need not be valid JSON). */
    public void sendRaw(String text) {
        socket.sendText(text, true).join();
    }

    /** Sends one binary frame. */
    public void sendBinary(byte[] bytes) {
        socket.sendBinary(ByteBuffer.wrap(bytes), true).join();
    }

    /** The next frame of any type. */
    public JsonNode next() {
        return await(f -> true);
    }

    /** The next {@code db_change} frame on a topic (other frames before it are dropped). */
    public JsonNode awaitChange(String topic) {
        return await(f -> f.path("type").asText().equals("db_change") && f.path("topic").asText().equals(topic));
    }

    /** Sends a message built from alternating keys and values with a fresh {@code ref}; answers the ref. */
    public String send(Object... keysAndValues) {
        String ref = "r" + refs.incrementAndGet();
        Object[] withRef = new Object[keysAndValues.length + 2];
        System.arraycopy(keysAndValues, 0, withRef, 0, keysAndValues.length);
        withRef[keysAndValues.length] = "ref";
        withRef[keysAndValues.length + 1] = ref;
        sendRaw(Json.object(withRef));
        return ref;
    }

    /** Sends a message and waits for its reply. */
    public JsonNode request(Object... keysAndValues) {
        String ref = send(keysAndValues);
        return await(f -> f.path("type").asText().equals("reply") && f.path("ref").asText().equals(ref));
    }

    /** Sends a message, waits for its reply and fails unless it is ok. */
    public JsonNode requestOk(Object... keysAndValues) {
        JsonNode reply = request(keysAndValues);
        if (!reply.path("ok").asBoolean()) {
            throw new AssertionError("expected ok reply, got " + reply);
        }
        return reply;
    }

    /**
     * Sends {@code subscribe} with the given alternating keys and values (such as {@code "topic", "todos"}), waits
     * for its reply and fails unless it is ok; answers the reply.
     */
    public JsonNode subscribe(Object... fields) {
        Object[] message = new Object[fields.length + 2];
        message[0] = "type";
        message[1] = "subscribe";
        System.arraycopy(fields, 0, message, 2, fields.length);
        return requestOk(message);
    }

    /** Waits for the next frame matching the predicate; frames before it that do not match are dropped. */
    public JsonNode await(Predicate<JsonNode> match) {
        return await(match, DEFAULT_WAIT);
    }

    public JsonNode await(Predicate<JsonNode> match, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        try {
            while (true) {
                long left = deadline - System.nanoTime();
                JsonNode frame = left <= 0 ? null : inbox.poll(left, TimeUnit.NANOSECONDS);
                if (frame == null) {
                    throw new AssertionError("no matching frame within " + timeout + " (close code " + closeCode + ")");
                }
                if (match.test(frame)) {
                    return frame;
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted");
        }
    }

    /** The next frame of a type. */
    public JsonNode awaitType(String type) {
        return await(f -> f.path("type").asText().equals(type));
    }

    /** Every frame received within {@code quiet} of the previous one, until none arrives for that long. */
    public List<JsonNode> drain(Duration quiet) {
        List<JsonNode> frames = new ArrayList<>();
        try {
            JsonNode f;
            while ((f = inbox.poll(quiet.toMillis(), TimeUnit.MILLISECONDS)) != null) {
                frames.add(f);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return frames;
    }

    /** The next frame, if one arrives within the timeout. */
    public JsonNode poll(Duration timeout) {
        try {
            return inbox.poll(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return null;
        }
    }

    /** Every text message received so far, as sent, in arrival order, whether or not a wait took or dropped it. */
    public List<String> messages() {
        return List.copyOf(messages);
    }

    /** Waits until the server closed the connection; answers the close code (-1 when still open at the timeout). */
    public int awaitClose(Duration timeout) {
        try {
            closed.await(timeout.toNanos(), TimeUnit.NANOSECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return closeCode;
    }

    /** The close code the server sent (1006 when the connection failed without one), or -1 while open. */
    public int closeCode() {
        return closeCode;
    }

    public String closeReason() {
        return closeReason;
    }

    public boolean isOpen() {
        return closeCode < 0 && !socket.isInputClosed();
    }

    /** Drops the TCP connection without a close handshake. */
    public void abort() {
        socket.abort();
    }

    /** Closes with 1000 (waiting briefly until it is sent), then drops the connection. */
    @Override
    public void close() {
        if (!socket.isOutputClosed()) {
            try {
                socket.sendClose(WebSocket.NORMAL_CLOSURE, "bye").get(2, TimeUnit.SECONDS);
            } catch (Exception ignored) {
                // the server may already be gone
            }
        }
        socket.abort();
    }

    private final class Listener implements WebSocket.Listener {
        private final StringBuilder partial = new StringBuilder();

        @Override
        public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
            partial.append(data);
            if (last) {
                String text = partial.toString();
                messages.add(text);
                inbox.add(Json.read(text));
                partial.setLength(0);
            }
            webSocket.request(1);
            return null;
        }

        @Override
        public CompletionStage<?> onClose(WebSocket webSocket, int statusCode, String reason) {
            closeReason = reason;
            closeCode = statusCode;
            closed.countDown();
            return null;
        }

        @Override
        public void onError(WebSocket webSocket, Throwable error) {
            if (closeCode < 0) {
                closeCode = 1006;
                closeReason = String.valueOf(error);
            }
            closed.countDown();
        }
    }
}
