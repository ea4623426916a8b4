package io.pulsebase.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.pulsebase.testkit.client.Json;
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
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * A real Pulsebase server for black-box tests: the production assembly on an ephemeral port with a fresh
 * SQLite folder, plus small helpers for REST calls and tables. Closing it stops the server and deletes the folder.
 *
 * <p>One server for all the tests of a class:
 * <pre>{@code
 * @RegisterExtension
 * static final TestServer server = TestServer.perClass();   // started before the class's @BeforeAll methods
 * }</pre>
 */
public final class TestServer implements AutoCloseable, BeforeAllCallback, AfterAllCallback {
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    private final UnaryOperator<ServerConfig> adjust;
    private final AtomicInteger names = new AtomicInteger();
    /** Sent with every helper call ({@link #sql}, {@link #rest}, …): a service key on a server with security on. */
    private Map<String, String> helperHeaders = Map.of();
    private Path dataDir;
    private PulsebaseServer server;

    private TestServer(UnaryOperator<ServerConfig> adjust) {
        this.adjust = adjust;
    }

    /** A server with default settings. */
    public static TestServer start() {
        return start(c -> c);
    }

    /** A server whose config the caller adjusts (port and data folder are set here). */
    public static TestServer start(UnaryOperator<ServerConfig> adjust) {
        TestServer server = new TestServer(adjust);
        server.open();
        return server;
    }

    /** A server with default settings for a class's tests, as a {@code static @RegisterExtension} field. */
    public static TestServer perClass() {
        return perClass(c -> c);
    }

    /** A server for a class's tests whose config the caller adjusts, as a {@code static @RegisterExtension} field. */
    public static TestServer perClass(UnaryOperator<ServerConfig> adjust) {
        return new TestServer(adjust);
    }

    @Override
    public void beforeAll(ExtensionContext context) {
        open();
    }

    @Override
    public void afterAll(ExtensionContext context) {
        close();
    }

    private void open() {
        try {
            dataDir = Files.createTempDirectory("pulsebase-test-");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        server = PulsebaseServer.start(configFor(dataDir, adjust));
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

    /**
     * Makes the helpers ({@link #request(String, String, String)}, {@link #sql}, {@link #rest}, {@link #insert},
     * {@link #newTable}) send {@code Authorization: Bearer <key>}: for a server with security on. Answers this.
     */
    public TestServer helpersAuthorizedWith(String serviceKey) {
        helperHeaders = Map.of("Authorization", "Bearer " + serviceKey);
        return this;
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

    /** The SSE endpoint with a query such as {@code topic=todos&snapshot=true}. */
    public URI sse(String query) {
        return http("/v1/realtime/sse?" + query);
    }

    /** Sends a request with an optional JSON body; answers status and body. */
    public HttpResponse<String> request(String method, String path, String jsonBody) {
        return request(method, path, jsonBody, helperHeaders);
    }

    /** Sends a request with an optional JSON body and these headers (and no others); answers status and body. */
    public HttpResponse<String> request(String method, String path, String jsonBody, Map<String, String> headers) {
        HttpRequest.Builder b = HttpRequest.newBuilder(http(path)).timeout(Duration.ofSeconds(30));
        headers.forEach(b::header);
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

    /** Runs a write through {@code POST /v1/sql} (which must answer 200); answers its position. */
    public long write(String sql) {
        return Json.position(Json.read(sql(sql)));
    }

    /** A REST call that must answer {@code expectedStatus}; answers the body as JSON. */
    public JsonNode rest(int expectedStatus, String method, String path, String body) {
        HttpResponse<String> r = request(method, path, body);
        assertThat(r.statusCode()).as("%s %s %s -> %s", method, path, body, r.body()).isEqualTo(expectedStatus);
        return Json.read(r.body());
    }

    /** Inserts a row given as alternating column names and values through REST (201); answers row and position. */
    public JsonNode insert(String table, Object... columnsAndValues) {
        return rest(201, "POST", "/v1/tables/" + table + "/rows", Json.object(columnsAndValues));
    }

    /** A name not used before on this server: {@code prefix} and a number. */
    public String uniqueName(String prefix) {
        return prefix + names.incrementAndGet();
    }

    /** Creates a table with a fresh name and the given column definitions; answers its name. */
    public String newTable(String columns) {
        String name = uniqueName("t");
        sql("CREATE TABLE " + name + " (" + columns + ")");
        return name;
    }

    @Override
    public void close() {
        if (server != null) {
            server.close();
        }
        if (dataDir == null) {
            return;
        }
        try (Stream<Path> files = Files.walk(dataDir)) {
            files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException ignored) {
            // a leftover temp folder is harmless
        }
    }
}
