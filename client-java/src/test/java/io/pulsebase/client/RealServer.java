package io.pulsebase.client;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.pulsebase.server.PulsebaseServer;
import io.pulsebase.server.ServerConfig;
import io.pulsebase.transport.TransportConfig;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;

/**
 * A real Pulsebase server in this JVM (the production assembly on an ephemeral loopback port, a fresh data
 * folder), with a few REST helpers. A test-scoped copy of the server module's harness idea: the SDK never depends
 * on the server outside tests.
 */
final class RealServer implements AutoCloseable {
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    static final ObjectMapper JSON = new ObjectMapper();

    private final Path dataDir;
    private final UnaryOperator<ServerConfig> adjust;
    private final AtomicInteger names = new AtomicInteger();
    private volatile PulsebaseServer server;

    private RealServer(UnaryOperator<ServerConfig> adjust) {
        this.adjust = adjust;
        try {
            dataDir = Files.createTempDirectory("pulsebase-client-it-");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        server = PulsebaseServer.start(config());
    }

    static RealServer start() {
        return new RealServer(c -> c);
    }

    static RealServer start(UnaryOperator<ServerConfig> adjust) {
        return new RealServer(adjust);
    }

    private ServerConfig config() {
        ServerConfig c = adjust.apply(ServerConfig.defaults(dataDir)
                .withTransport(TransportConfig.defaults().withHost("127.0.0.1").withPort(0)));
        return c.withTransport(c.transport().withHost("127.0.0.1").withPort(0));
    }

    /** Stops the server gracefully (clients get 1001) and starts a new one on the same data, on a new port. */
    void restart() {
        server.close();
        server = PulsebaseServer.start(config());
    }

    PulsebaseServer server() {
        return server;
    }

    int port() {
        return server.port();
    }

    URI base() {
        return URI.create("http://127.0.0.1:" + port());
    }

    String uniqueName(String prefix) {
        return prefix + names.incrementAndGet();
    }

    JsonNode request(String method, String path, String body, int expectedStatus) {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port() + path))
                .timeout(Duration.ofSeconds(30));
        if (body == null) {
            b.method(method, HttpRequest.BodyPublishers.noBody());
        } else {
            b.header("content-type", "application/json").method(method, HttpRequest.BodyPublishers.ofString(body));
        }
        try {
            HttpResponse<String> r = HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
            if (r.statusCode() != expectedStatus) {
                throw new AssertionError(method + " " + path + " " + body + " -> " + r.statusCode() + " " + r.body());
            }
            return JSON.readTree(r.body());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** Runs one SQL statement; answers the response (with {@code position} for writes). */
    JsonNode sql(String sql) {
        try {
            return request("POST", "/v1/sql", JSON.writeValueAsString(java.util.Map.of("sql", sql)), 200);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    String newTable(String columns) {
        String name = uniqueName("t");
        sql("CREATE TABLE " + name + " (" + columns + ")");
        return name;
    }

    @Override
    public void close() {
        server.close();
        try (Stream<Path> files = Files.walk(dataDir)) {
            files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException ignored) {
            // a leftover temp folder is harmless
        }
    }
}
