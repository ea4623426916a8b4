package io.pulsebase.transport;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/** Reads a Server-Sent Events response line by line on a background thread. */
final class SseStream implements AutoCloseable {
    static final String END = "\u0000end";

    /** One event block: its fields, and the comment lines before it. */
    record Event(String id, String event, String data, List<String> comments, String retry) {
    }

    final HttpResponse<Stream<String>> response;
    private final BlockingQueue<String> lines = new LinkedBlockingQueue<>();
    private final Thread reader;

    private SseStream(HttpResponse<Stream<String>> response) {
        this.response = response;
        this.reader = Thread.ofVirtual().start(() -> {
            try {
                Iterator<String> it = response.body().iterator();
                while (it.hasNext()) {
                    lines.add(it.next());
                }
            } catch (RuntimeException e) {
                // closed
            } finally {
                lines.add(END);
            }
        });
    }

    static SseStream open(HttpClient http, URI uri, Map<String, String> headers) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(uri).header("Accept", "text/event-stream");
        headers.forEach(request::header);
        return new SseStream(http.send(request.build(), HttpResponse.BodyHandlers.ofLines()));
    }

    /** The next line, or {@link #END} when the stream ended; fails after the timeout. */
    String line(Duration timeout) throws InterruptedException {
        String line = lines.poll(timeout.toMillis(), TimeUnit.MILLISECONDS);
        if (line == null) {
            throw new AssertionError("no line within " + timeout);
        }
        return line;
    }

    /** The next event block (fields until a blank line); {@code null} when the stream ended. */
    Event event(Duration timeout) throws InterruptedException {
        String id = null;
        String event = null;
        String retry = null;
        StringBuilder data = null;
        List<String> comments = new ArrayList<>();
        while (true) {
            String line = line(timeout);
            if (line.equals(END)) {
                return null;
            }
            if (line.isEmpty()) {
                if (id != null || event != null || data != null || retry != null || !comments.isEmpty()) {
                    return new Event(id, event, data == null ? null : data.toString(), comments, retry);
                }
                continue;
            }
            if (line.startsWith(":")) {
                comments.add(line);
            } else if (line.startsWith("id: ")) {
                id = line.substring(4);
            } else if (line.startsWith("event: ")) {
                event = line.substring(7);
            } else if (line.startsWith("retry: ")) {
                retry = line.substring(7);
            } else if (line.startsWith("data: ")) {
                data = data == null ? new StringBuilder(line.substring(6)) : data.append('\n').append(line.substring(6));
            }
        }
    }

    /** Skips blocks until one with an {@code event:} field. */
    Event nextNamed(Duration timeout) throws InterruptedException {
        while (true) {
            Event e = event(timeout);
            if (e == null || e.event() != null) {
                return e;
            }
        }
    }

    @Override
    public void close() {
        reader.interrupt();
        response.body().close();
    }
}
