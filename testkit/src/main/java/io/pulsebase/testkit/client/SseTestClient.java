package io.pulsebase.testkit.client;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpHeaders;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * A Server-Sent Events client for black-box tests: one GET, the body read line by line on a background thread.
 * Tests read either the raw lines ({@link #line}) or blocks parsed from them as {@code EventSource} does
 * ({@code id:}, {@code event:}, {@code data:}, {@code retry:} fields and comment lines up to a blank line). Every
 * line is read once: a wait drops the blocks before the one it answers.
 *
 * <pre>{@code
 * try (SseTestClient sse = SseTestClient.connect(URI.create(base + "/v1/realtime/sse?topic=todos&snapshot=true"))) {
 *     assertThat(sse.status()).isEqualTo(200);
 *     SseTestClient.Event snapshot = sse.nextEvent();            // the first block with an event: field
 *     ...
 * }
 * try (SseTestClient resumed = SseTestClient.resume(uri, snapshot.id())) { ... }   // sends Last-Event-ID
 * }</pre>
 */
public final class SseTestClient implements AutoCloseable {
    private static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5)).build();
    private static final Duration DEFAULT_WAIT = Duration.ofSeconds(10);

    /** What {@link #line} answers once the stream has ended. */
    public static final String END = "\u0000end";

    /**
     * One block: its fields ({@code null} when absent) and its comment lines as received (such as
     * {@code ": keep-alive"}).
     */
    public record Event(String id, String event, String data, String retry, List<String> comments) {
        public JsonNode json() {
            return Json.read(data);
        }

        /** A block of comment lines only. */
        public boolean isComment() {
            return !comments.isEmpty() && id == null && event == null && data == null && retry == null;
        }

        /** The text of the first comment line, without the colon and surrounding blanks; {@code null} when none. */
        public String comment() {
            return comments.isEmpty() ? null : comments.get(0).substring(1).trim();
        }
    }

    private final HttpResponse<Stream<String>> response;
    private final LinkedBlockingQueue<String> lines = new LinkedBlockingQueue<>();
    private final CountDownLatch end = new CountDownLatch(1);
    private volatile boolean ended;

    private SseTestClient(HttpResponse<Stream<String>> response) {
        this.response = response;
        if (response.statusCode() == 200) {
            Thread.ofPlatform().daemon().name("sse-test-reader").start(this::read);
        }
    }

    /** Opens a stream; returns once the response head arrived. A non-200 answer does not throw: see {@link #body()}. */
    public static SseTestClient connect(URI uri) {
        return connect(uri, Map.of());
    }

    /** Opens a stream sending {@code Last-Event-ID} (when not {@code null}), as a reconnecting EventSource does. */
    public static SseTestClient resume(URI uri, String lastEventId) {
        return connect(uri, lastEventId == null ? Map.of() : Map.of("Last-Event-ID", lastEventId));
    }

    /** Opens a stream with extra request headers (such as {@code Origin} or {@code Last-Event-ID}). */
    public static SseTestClient connect(URI uri, Map<String, String> headers) {
        HttpRequest.Builder b = HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(20))
                .header("accept", "text/event-stream").GET();
        headers.forEach(b::header);
        try {
            return new SseTestClient(HTTP.send(b.build(), HttpResponse.BodyHandlers.ofLines()));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    public int status() {
        return response.statusCode();
    }

    public HttpHeaders headers() {
        return response.headers();
    }

    /** The {@code content-type} header, or {@code ""}. */
    public String contentType() {
        return response.headers().firstValue("content-type").orElse("");
    }

    /** The whole body of a non-streaming (error) answer. */
    public String body() {
        if (status() == 200) {
            throw new IllegalStateException("a stream has no single body");
        }
        try (Stream<String> body = response.body()) {
            return body.collect(Collectors.joining("\n"));
        }
    }

    private void read() {
        try (Stream<String> body = response.body()) {
            Iterator<String> it = body.iterator();
            while (it.hasNext()) {
                lines.add(it.next());
            }
        } catch (RuntimeException e) {
            // the connection was closed (by us or the server): the stream ended
        } finally {
            ended = true;
            end.countDown();
            lines.add(END);
        }
    }

    /** The next raw line, or {@link #END} when the stream ended; fails after the timeout. */
    public String line(Duration timeout) {
        return lineBefore(System.nanoTime() + timeout.toNanos(), timeout);
    }

    private String lineBefore(long deadline, Duration timeout) {
        try {
            long left = deadline - System.nanoTime();
            String line = left <= 0 ? null : lines.poll(left, TimeUnit.NANOSECONDS);
            if (line == null) {
                throw new AssertionError("no SSE line within " + timeout);
            }
            if (line.equals(END)) {
                lines.add(END); // every later read sees the end too
            }
            return line;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted");
        }
    }

    /**
     * The next block (fields and comment lines until a blank line; blank lines alone are skipped), or {@code null}
     * when the stream ended; fails after the timeout.
     */
    public Event nextBlock(Duration timeout) {
        return blockBefore(System.nanoTime() + timeout.toNanos(), timeout);
    }

    private Event blockBefore(long deadline, Duration timeout) {
        String id = null;
        String event = null;
        String retry = null;
        StringBuilder data = null;
        List<String> comments = new ArrayList<>();
        while (true) {
            String line = lineBefore(deadline, timeout);
            if (line.equals(END)) {
                return null;
            }
            if (line.isEmpty()) {
                if (id != null || event != null || data != null || retry != null || !comments.isEmpty()) {
                    return new Event(id, event, data == null ? null : data.toString(), retry, List.copyOf(comments));
                }
                continue;
            }
            if (line.startsWith(":")) {
                comments.add(line);
                continue;
            }
            int colon = line.indexOf(':');
            String field = colon < 0 ? line : line.substring(0, colon);
            String value = colon < 0 ? "" : line.substring(colon + 1);
            if (value.startsWith(" ")) {
                value = value.substring(1);
            }
            switch (field) {
                case "id" -> id = value;
                case "event" -> event = value;
                case "retry" -> retry = value;
                case "data" -> data = data == null ? new StringBuilder(value) : data.append('\n').append(value);
                default -> {
                    // unknown fields are ignored, as EventSource does
                }
            }
        }
    }

    /** The next block matching the predicate; blocks before it are dropped. */
    public Event await(Predicate<Event> match) {
        return await(match, DEFAULT_WAIT);
    }

    public Event await(Predicate<Event> match, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            Event e = blockBefore(deadline, timeout);
            if (e == null) {
                throw new AssertionError("the stream ended before a matching event arrived");
            }
            if (match.test(e)) {
                return e;
            }
        }
    }

    /** The next block with an {@code event:} field (comments and the {@code retry:} block are dropped). */
    public Event nextEvent() {
        return nextEvent(DEFAULT_WAIT);
    }

    public Event nextEvent(Duration timeout) {
        return await(e -> !e.isComment() && e.event() != null, timeout);
    }

    /** Waits until the server ended the stream; answers whether it did within the timeout. */
    public boolean awaitEnd(Duration timeout) {
        try {
            return end.await(timeout.toNanos(), TimeUnit.NANOSECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return ended;
        }
    }

    @Override
    public void close() {
        if (!ended) {
            response.body().close();
        }
    }
}
