package io.pulsebase.testkit.client;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * A Server-Sent Events client for black-box tests that parses the stream as a browser's {@code EventSource} does
 * (fields {@code id}, {@code event}, {@code data}, {@code retry}; comment lines; the last event id), and can
 * {@link #reconnect()} with {@code Last-Event-ID} the way {@code EventSource} resumes. Events are kept in arrival
 * order; {@link #awaitEvent} takes the first one not yet taken that matches. Thread-safe.
 *
 * <pre>{@code
 * try (SseTestClient sse = SseTestClient.connect(URI.create(base + "/v1/realtime/sse?topic=todos&snapshot=true"))) {
 *     assertThat(sse.status()).isEqualTo(200);
 *     SseTestClient.Event snapshot = sse.awaitEvent("snapshot", Duration.ofSeconds(5));
 *     ...
 *     try (SseTestClient resumed = sse.reconnect()) { ... }   // sends Last-Event-ID: sse.lastEventId()
 * }
 * }</pre>
 */
public final class SseTestClient implements AutoCloseable {
    private static final ObjectMapper JSON = new ObjectMapper();

    /**
     * One dispatched event: {@code id} is the event's own {@code id:} field ({@code null} when it had none; see
     * {@link #lastEventId()} for the id an EventSource would carry over), {@code event} is {@code "message"} when the
     * server named none.
     */
    public record Event(String id, String event, String data) {
        /** The data as JSON. */
        public JsonNode json() {
            try {
                return JSON.readTree(data);
            } catch (JsonProcessingException e) {
                throw new AssertionError("event data is not JSON: " + data, e);
            }
        }
    }

    private final URI uri;
    private final HttpClient http;
    private final HttpResponse<Stream<String>> response;
    private final String errorBody;
    private final List<Event> all = new ArrayList<>();
    private final List<Event> pending = new ArrayList<>();
    private final List<String> comments = new ArrayList<>();
    private final Thread reader;
    private String lastEventId;
    private String retry;
    private boolean ended;

    private SseTestClient(URI uri, HttpClient http, HttpResponse<Stream<String>> response, String lastEventId) {
        this.uri = uri;
        this.http = http;
        this.response = response;
        this.lastEventId = lastEventId;
        if (response.statusCode() != 200) {
            try (Stream<String> lines = response.body()) {
                this.errorBody = lines.collect(Collectors.joining("\n"));
            }
            this.reader = null;
            this.ended = true;
        } else {
            this.errorBody = null;
            this.reader = Thread.ofVirtual().name("sse-test-client").start(this::read);
        }
    }

    /** Opens a stream. A non-200 answer does not throw: see {@link #status()} and {@link #errorBody()}. */
    public static SseTestClient connect(URI uri) {
        return connect(uri, null);
    }

    /** Opens a stream sending {@code Last-Event-ID} (when not {@code null}), as a reconnecting EventSource does. */
    public static SseTestClient connect(URI uri, String lastEventId) {
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
        HttpRequest.Builder request = HttpRequest.newBuilder(uri).header("Accept", "text/event-stream")
                .header("Cache-Control", "no-cache");
        if (lastEventId != null) {
            request.header("Last-Event-ID", lastEventId);
        }
        try {
            return new SseTestClient(uri, http, http.send(request.build(), HttpResponse.BodyHandlers.ofLines()),
                    lastEventId);
        } catch (IOException e) {
            http.close();
            throw new UncheckedIOException("cannot open " + uri, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            http.close();
            throw new IllegalStateException("interrupted while opening " + uri, e);
        }
    }

    /** Closes this stream and opens the same URI again with {@code Last-Event-ID: lastEventId()}. */
    public SseTestClient reconnect() {
        String id = lastEventId();
        close();
        return connect(uri, id);
    }

    public int status() {
        return response.statusCode();
    }

    /** A response header's first value, or {@code null}. */
    public String header(String name) {
        return response.headers().firstValue(name).orElse(null);
    }

    /** The body of a non-200 answer (the JSON error), or {@code null} for a stream. */
    public String errorBody() {
        return errorBody;
    }

    /** The first event not yet taken that matches; fails after the timeout or when the stream ended. */
    public synchronized Event awaitEvent(Predicate<Event> match, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            for (int i = 0; i < pending.size(); i++) {
                if (match.test(pending.get(i))) {
                    return pending.remove(i);
                }
            }
            long left = deadline - System.nanoTime();
            if (left <= 0 || ended) {
                throw new AssertionError("no matching event within " + timeout + (ended ? " (stream ended)" : "")
                        + "; received and not taken: " + pending);
            }
            waitNanos(left);
        }
    }

    /** The first event of that type not yet taken. */
    public Event awaitEvent(String type, Duration timeout) {
        return awaitEvent(e -> e.event().equals(type), timeout);
    }

    /** Waits until the server ends the stream; false when it is still open at the timeout. */
    public synchronized boolean awaitEnd(Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!ended) {
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                return false;
            }
            waitNanos(left);
        }
        return true;
    }

    /** Every event received so far, taken or not, in arrival order. */
    public synchronized List<Event> events() {
        return List.copyOf(all);
    }

    /** Comment lines received so far (such as {@code ": keep-alive"}). */
    public synchronized List<String> comments() {
        return List.copyOf(comments);
    }

    /** The last event id, as an EventSource would send it on reconnect ({@code null} before any). */
    public synchronized String lastEventId() {
        return lastEventId;
    }

    /** The last {@code retry:} value received, or {@code null}. */
    public synchronized String retry() {
        return retry;
    }

    public synchronized boolean ended() {
        return ended;
    }

    @Override
    public void close() {
        if (reader != null) {
            reader.interrupt();
        }
        response.body().close();
        http.close();
    }

    private void read() {
        String idBuffer = lastEventId;
        String blockId = null;
        String type = null;
        StringBuilder data = null;
        try {
            Iterator<String> lines = response.body().iterator();
            while (lines.hasNext()) {
                String line = lines.next();
                if (line.isEmpty()) {
                    dispatch(idBuffer, blockId, type, data);
                    blockId = null;
                    type = null;
                    data = null;
                    continue;
                }
                if (line.startsWith(":")) {
                    synchronized (this) {
                        comments.add(line);
                        notifyAll();
                    }
                    continue;
                }
                int colon = line.indexOf(':');
                String field = colon < 0 ? line : line.substring(0, colon);
                String value = colon < 0 ? "" : line.substring(colon + 1);
                if (value.startsWith(" ")) {
                    value = value.substring(1);
                }
                switch (field) {
                    case "id" -> {
                        idBuffer = value;
                        blockId = value;
                    }
                    case "event" -> type = value;
                    case "data" -> data = data == null ? new StringBuilder(value) : data.append('\n').append(value);
                    case "retry" -> {
                        synchronized (this) {
                            retry = value;
                        }
                    }
                    default -> {
                        // unknown fields are ignored, as EventSource does
                    }
                }
            }
        } catch (RuntimeException e) {
            // the stream was closed
        } finally {
            synchronized (this) {
                ended = true;
                notifyAll();
            }
        }
    }

    private synchronized void dispatch(String idBuffer, String id, String type, StringBuilder data) {
        lastEventId = idBuffer; // updated even by a block without data, as the EventSource spec says
        if (data == null) {
            notifyAll();
            return;
        }
        Event event = new Event(id, type == null || type.isEmpty() ? "message" : type, data.toString());
        all.add(event);
        pending.add(event);
        notifyAll();
    }

    private void waitNanos(long nanos) {
        try {
            TimeUnit.NANOSECONDS.timedWait(this, nanos);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted", e);
        }
    }
}
