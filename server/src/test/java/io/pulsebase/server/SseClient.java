package io.pulsebase.server;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Iterator;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * A Server-Sent Events client for black-box tests: one GET, the body read line by line on a background thread
 * and parsed into events ({@code id:}, {@code event:}, {@code data:}, {@code retry:} blocks and comment lines).
 */
public final class SseClient implements AutoCloseable {
    private static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5)).build();
    private static final Duration DEFAULT_WAIT = Duration.ofSeconds(10);

    /** One parsed event; {@code comment} is set (and nothing else) for a comment line. */
    public record Event(String id, String event, String data, String retry, String comment) {
        public JsonNode json() {
            return Json.read(data);
        }

        public boolean isComment() {
            return comment != null;
        }
    }

    private static final Event END = new Event(null, null, null, null, null);

    private final HttpResponse<Stream<String>> response;
    private final LinkedBlockingQueue<Event> events = new LinkedBlockingQueue<>();
    private volatile boolean ended;

    private SseClient(HttpResponse<Stream<String>> response) {
        this.response = response;
        if (response.statusCode() == 200) {
            Thread.ofPlatform().daemon().name("sse-test-reader").start(this::read);
        }
    }

    /** Opens a stream; {@code lastEventId} may be null. Returns once the response head arrived. */
    public static SseClient open(URI uri, String lastEventId) {
        HttpRequest.Builder b = HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(20))
                .header("accept", "text/event-stream").GET();
        if (lastEventId != null) {
            b.header("Last-Event-ID", lastEventId);
        }
        try {
            return new SseClient(HTTP.send(b.build(), HttpResponse.BodyHandlers.ofLines()));
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

    public String contentType() {
        return response.headers().firstValue("content-type").orElse("");
    }

    /** The whole body of a non-streaming (error) answer. */
    public String body() {
        if (status() == 200) {
            throw new IllegalStateException("a stream has no single body");
        }
        try (Stream<String> lines = response.body()) {
            return lines.collect(Collectors.joining("\n"));
        }
    }

    private void read() {
        String id = null;
        String event = null;
        String retry = null;
        StringBuilder data = null;
        try (Stream<String> lines = response.body()) {
            Iterator<String> it = lines.iterator();
            while (it.hasNext()) {
                String line = it.next();
                if (line.isEmpty()) {
                    if (data != null || event != null || retry != null || id != null) {
                        events.add(new Event(id, event, data == null ? null : data.toString(), retry, null));
                    }
                    id = null;
                    event = null;
                    retry = null;
                    data = null;
                } else if (line.startsWith(":")) {
                    events.add(new Event(null, null, null, null, line.substring(1).trim()));
                } else {
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
        } catch (RuntimeException e) {
            // the connection was closed (by us or the server): the stream ended
        } finally {
            ended = true;
            events.add(END);
        }
    }

    /** The next event or comment matching the predicate; others before it are dropped. */
    public Event await(Predicate<Event> match) {
        return await(match, DEFAULT_WAIT);
    }

    public Event await(Predicate<Event> match, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        try {
            while (true) {
                long left = deadline - System.nanoTime();
                Event e = left <= 0 ? null : events.poll(left, TimeUnit.NANOSECONDS);
                if (e == null) {
                    throw new AssertionError("no matching SSE event within " + timeout);
                }
                if (e == END) {
                    events.add(END);
                    throw new AssertionError("the stream ended before a matching event arrived");
                }
                if (match.test(e)) {
                    return e;
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted");
        }
    }

    /** The next event that is not a comment (and not the {@code retry:} block). */
    public Event nextEvent() {
        return await(e -> !e.isComment() && e.event() != null);
    }

    /** The next event of a type. */
    public Event awaitEvent(String type) {
        return await(e -> type.equals(e.event()));
    }

    /** Waits until the server ended the stream; answers whether it did within the timeout. */
    public boolean awaitEnd(Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!ended && System.nanoTime() < deadline) {
            try {
                Thread.sleep(10);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        return ended;
    }

    /** Drops everything received so far; answers how many items there were. */
    public int clear() {
        int n = 0;
        Event e;
        while ((e = events.poll()) != null) {
            if (e == END) {
                events.add(END);
                break;
            }
            n++;
        }
        return n;
    }

    @Override
    public void close() {
        if (!ended) {
            response.body().close();
        }
    }
}
