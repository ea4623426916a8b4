package io.pulsebase.server;

import io.pulsebase.core.NodeConfig;
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
import java.util.function.UnaryOperator;
import java.util.stream.Stream;

/**
 * A real Pulsebase server for black-box tests: the production assembly on an ephemeral port with a fresh
 * SQLite folder, plus a small HTTP helper for REST calls. Closing it stops the server and deletes the folder.
 */
public final class TestServer implements AutoCloseable {
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    private final Path dataDir;
    private final boolean ownsDir;
    private PulsebaseServer server;

    private TestServer(Path dataDir, boolean ownsDir, PulsebaseServer server) {
        this.dataDir = dataDir;
        this.ownsDir = ownsDir;
        this.server = server;
    }

    /** A server with default settings. */
    public static TestServer start() {
        return start(c -> c);
    }

    /** A server whose config the caller adjusts (port and data folder are set here). */
    public static TestServer start(UnaryOperator<ServerConfig> adjust) {
        try {
            Path dir = Files.createTempDirectory("pulsebase-test-");
            return new TestServer(dir, true, PulsebaseServer.start(configFor(dir, adjust)));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static ServerConfig configFor(Path dir, UnaryOperator<ServerConfig> adjust) {
        ServerConfig base = ServerConfig.defaults(dir)
                .withTransport(TransportConfig.defaults().withHost("127.0.0.1").withPort(0));
        ServerConfig adjusted = adjust.apply(base);
        // Tests always bind an ephemeral loopback port, whatever the adjustment did.
        return adjusted.withTransport(adjusted.transport().withHost("127.0.0.1").withPort(0));
    }

    /** Stops the server (gracefully) and starts a new one on the same data folder, on a new port. */
    public void restart(UnaryOperator<ServerConfig> adjust) {
        server.close();
        server = PulsebaseServer.start(configFor(dataDir, adjust));
    }

    public int port() {
        return server.port();
    }

    public Path dataDir() {
        return dataDir;
    }

    public Path databaseFile() {
        return dataDir.resolve("pulsebase.db");
    }

    public PulsebaseServer server() {
        return server;
    }

    public URI http(String path) {
        return URI.create("http://127.0.0.1:" + port() + path);
    }

    public URI ws() {
        return URI.create("ws://127.0.0.1:" + port() + "/v1/realtime");
    }

    /** Sends a request with an optional JSON body; answers status and body. */
    public HttpResponse<String> request(String method, String path, String jsonBody) {
        HttpRequest.Builder b = HttpRequest.newBuilder(http(path)).timeout(Duration.ofSeconds(30));
        if (jsonBody == null) {
            b.method(method, HttpRequest.BodyPublishers.noBody());
        } else {
            b.header("content-type", "application/json").method(method, HttpRequest.BodyPublishers.ofString(jsonBody));
        }
        try {
            return HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** Runs SQL through {@code POST /v1/sql} and fails unless it answered 200; answers the body. */
    public String sql(String sql) {
        HttpResponse<String> r = request("POST", "/v1/sql", Json.object("sql", sql));
        if (r.statusCode() != 200) {
            throw new AssertionError("SQL failed (" + r.statusCode() + "): " + sql + " -> " + r.body());
        }
        return r.body();
    }

    /** NodeConfig defaults, for adjustments. */
    public static NodeConfig nodeDefaults() {
        return NodeConfig.defaults();
    }

    @Override
    public void close() {
        server.close();
        if (ownsDir) {
            try (Stream<Path> files = Files.walk(dataDir)) {
                files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            } catch (IOException ignored) {
                // a leftover temp folder is harmless
            }
        }
    }
}
