package io.pulsebase.transport;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.pulsebase.core.store.Column;
import java.net.Socket;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

class RestTransportTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    private static HttpResponse<String> send(TestEdge edge, String method, String path, String body) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(edge.http(path))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        if (body != null) {
            request.header("Content-Type", "application/json");
        }
        return edge.http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    private static JsonNode json(HttpResponse<String> response) throws Exception {
        return JSON.readTree(response.body());
    }

    private static void assertError(HttpResponse<String> response, int status, String code) throws Exception {
        assertThat(response.statusCode()).isEqualTo(status);
        assertThat(response.headers().firstValue("content-type")).hasValue("application/json; charset=utf-8");
        JsonNode error = json(response).get("error");
        assertThat(error.get("code").asText()).isEqualTo(code);
        assertThat(error.get("message").asText()).isNotBlank();
    }

    @Test
    void unknownPathIsNotFound() throws Exception {
        try (TestEdge edge = TestEdge.start()) {
            assertError(send(edge, "GET", "/nope", null), 404, "not_found");
            assertError(send(edge, "GET", "/v1/tables/todos/columns", null), 404, "not_found");
        }
    }

    @Test
    void wrongMethodIsMethodNotAllowedWithAnAllowHeader() throws Exception {
        try (TestEdge edge = TestEdge.start()) {
            HttpResponse<String> response = send(edge, "DELETE", "/v1/sql", null);
            assertError(response, 405, "method_not_allowed");
            assertThat(response.headers().firstValue("allow")).hasValue("POST");
            assertThat(send(edge, "PUT", "/v1/tables/todos/rows/1", "{}").headers().firstValue("allow"))
                    .hasValue("DELETE, GET, PATCH");
        }
    }

    @Test
    void bodyThatIsNotJsonIsInvalidJson() throws Exception {
        try (TestEdge edge = TestEdge.start()) {
            assertError(send(edge, "POST", "/v1/sql", "SELECT 1"), 400, "invalid_json");
            assertError(send(edge, "POST", "/v1/tables/todos/rows", "[1,2]"), 400, "invalid_json");
            assertError(send(edge, "POST", "/v1/tables/todos/rows", ""), 400, "invalid_json");
        }
    }

    @Test
    void bodyOverTheLimitIsTooLargeAndTheConnectionStaysUsable() throws Exception {
        try (TestEdge edge = TestEdge.start(TestEdge.config().withMaxBodyBytes(1024))) {
            String big = "{\"sql\":\"" + "x".repeat(4096) + "\"}";
            assertError(send(edge, "POST", "/v1/sql", big), 413, "too_large");
            assertThat(send(edge, "GET", "/health", null).statusCode()).isEqualTo(200);
        }
    }

    @Test
    void channelEndpointsRouteToTheChannelsAndRefuseBadInputByName() throws Exception {
        try (TestEdge edge = TestEdge.start()) {
            HttpResponse<String> published = send(edge, "POST", "/v1/publish",
                    "{\"topic\":\"chat/a\",\"event\":\"m\",\"data\":{\"x\":1},\"persist\":true}");
            assertThat(published.statusCode()).isEqualTo(200);
            assertThat(published.body()).isEqualTo("{\"position\":\"1\"}");
            HttpResponse<String> history = send(edge, "GET", "/v1/history?topic=chat/a&limit=5", null);
            assertThat(history.statusCode()).isEqualTo(200);
            assertThat(history.body()).contains("\"messages\":[{\"event\":\"m\",\"data\":{\"x\":1}")
                    .contains("\"position\":\"1\"").contains("\"more\":false");
            HttpResponse<String> presence = send(edge, "GET", "/v1/presence?topic=chat/a", null);
            assertThat(presence.body()).isEqualTo("{\"topic\":\"chat/a\",\"members\":[]}");

            assertError(send(edge, "POST", "/v1/publish", "{\"topic\":\"chat/a\"}"), 400, "bad_request");
            assertError(send(edge, "POST", "/v1/publish", "{\"topic\":\"chat/\",\"event\":\"m\"}"), 400,
                    "invalid_topic");
            assertError(send(edge, "POST", "/v1/publish", "[]"), 400, "invalid_json");
            assertError(send(edge, "GET", "/v1/history", null), 400, "bad_request");
            assertError(send(edge, "GET", "/v1/history?topic=chat/a&limit=0", null), 400, "bad_request");
            assertError(send(edge, "GET", "/v1/history?topic=chat/a&before=x", null), 400, "invalid_position");
            assertError(send(edge, "GET", "/v1/presence?topic=chat", null), 400, "invalid_topic");
        }
    }

    @Test
    void healthFollowsReadiness() throws Exception {
        try (TestEdge edge = TestEdge.start()) {
            HttpResponse<String> ready = send(edge, "GET", "/health", null);
            assertThat(ready.statusCode()).isEqualTo(200);
            assertThat(ready.body()).isEqualTo("{\"status\":\"ok\"}");
            edge.changeSource.running = false;
            HttpResponse<String> down = send(edge, "GET", "/health", null);
            assertThat(down.statusCode()).isEqualTo(503);
            assertThat(down.body()).isEqualTo("{\"status\":\"unavailable\"}");
        }
    }

    @Test
    void metricsAreServedInPrometheusTextFormat() throws Exception {
        try (TestEdge edge = TestEdge.start()) {
            HttpResponse<String> response = send(edge, "GET", "/metrics", null);
            assertThat(response.statusCode()).isEqualTo(200);
            assertThat(response.headers().firstValue("content-type")).hasValueSatisfying(v -> assertThat(v).startsWith("text/plain; version=0.0.4"));
            assertThat(response.body()).contains("pulsebase_connections{transport=\"websocket\"}", "pulsebase_sessions");
        }
    }

    @Test
    void corsPreflightIsAnsweredAndResponsesAllowAnyOrigin() throws Exception {
        try (TestEdge edge = TestEdge.start()) {
            HttpResponse<String> preflight = edge.http.send(HttpRequest.newBuilder(edge.http("/v1/tables/todos/rows"))
                    .method("OPTIONS", HttpRequest.BodyPublishers.noBody())
                    .header("Origin", "https://app.example")
                    .header("Access-Control-Request-Method", "POST")
                    .header("Access-Control-Request-Headers", "content-type")
                    .build(), HttpResponse.BodyHandlers.ofString());
            assertThat(preflight.statusCode()).isEqualTo(200);
            assertThat(preflight.headers().firstValue("access-control-allow-origin")).hasValue("*");
            assertThat(preflight.headers().firstValue("access-control-allow-methods").orElse("")).contains("POST");

            HttpResponse<String> get = edge.http.send(HttpRequest.newBuilder(edge.http("/health"))
                    .header("Origin", "https://app.example").build(), HttpResponse.BodyHandlers.ofString());
            assertThat(get.headers().firstValue("access-control-allow-origin")).hasValue("*");
        }
    }

    @Test
    void sqlAnswersColumnsRowsChangesAndPosition() throws Exception {
        try (TestEdge edge = TestEdge.start()) {
            JsonNode select = json(send(edge, "POST", "/v1/sql", "{\"sql\":\"SELECT ?\",\"params\":[42]}"));
            assertThat(select.toString()).isEqualTo("{\"columns\":[\"n\"],\"rows\":[{\"n\":42}],\"changes\":0,\"position\":\"10\"}");
            JsonNode update = json(send(edge, "POST", "/v1/sql", "{\"sql\":\"UPDATE todos SET done = 1\"}"));
            assertThat(update.get("changes").asLong()).isEqualTo(3);
            assertThat(update.get("position").asText()).isEqualTo("11");
            assertError(send(edge, "POST", "/v1/sql", "{\"sql\":\"SELEC 1\"}"), 400, "sql_error");
            assertError(send(edge, "POST", "/v1/sql", "{\"params\":[]}"), 400, "bad_request");
            assertError(send(edge, "POST", "/v1/sql", "{\"sql\":\"SELECT 1\",\"params\":{}}"), 400, "bad_request");
        }
    }

    @Test
    void unexpectedFailureIsInternalForTheClientAndLoggedWithDetail() throws Exception {
        Logger logger = (Logger) LoggerFactory.getLogger(RestRouter.class);
        ListAppender<ILoggingEvent> logged = new ListAppender<>();
        logged.start();
        logger.addAppender(logged);
        logger.setAdditive(false); // keep the expected stack trace out of the build output
        try (TestEdge edge = TestEdge.start()) {
            HttpResponse<String> response = send(edge, "POST", "/v1/sql", "{\"sql\":\"boom\"}");
            assertError(response, 500, "internal");
            assertThat(response.body()).doesNotContain("driver detail");
            assertThat(logged.list).singleElement().satisfies(event -> {
                assertThat(event.getLevel()).isEqualTo(Level.ERROR);
                assertThat(event.getFormattedMessage()).isEqualTo("POST /v1/sql failed");
                assertThat(event.getThrowableProxy().getMessage()).contains("driver detail");
            });
        } finally {
            logger.detachAppender(logged);
            logger.setAdditive(true);
        }
    }

    @Test
    void rowsCanBeCreatedReadUpdatedAndDeleted() throws Exception {
        try (TestEdge edge = TestEdge.start()) {
            HttpResponse<String> created = send(edge, "POST", "/v1/tables/todos/rows", "{\"title\":\"milk\"}");
            assertThat(created.statusCode()).isEqualTo(201);
            assertThat(json(created).get("row").get("title").asText()).isEqualTo("milk");
            assertThat(json(created).get("position").asText()).isEqualTo("11");

            assertThat(json(send(edge, "GET", "/v1/tables/todos/rows/1", null)).get("row").get("title").asText())
                    .isEqualTo("milk");
            HttpResponse<String> patched = send(edge, "PATCH", "/v1/tables/todos/rows/1", "{\"done\":1}");
            assertThat(patched.statusCode()).isEqualTo(200);
            assertThat(json(patched).get("row").get("done").asLong()).isEqualTo(1);
            assertThat(json(patched).get("position").asText()).isEqualTo("12");

            HttpResponse<String> deleted = send(edge, "DELETE", "/v1/tables/todos/rows/1", null);
            assertThat(json(deleted).get("row").get("title").asText()).isEqualTo("milk");
            assertError(send(edge, "GET", "/v1/tables/todos/rows/1", null), 404, "not_found");
            assertError(send(edge, "GET", "/v1/tables/nope/rows/1", null), 404, "unknown_table");
            assertError(send(edge, "POST", "/v1/tables/todos/rows", "{\"colour\":\"red\"}"), 400, "unknown_column");
        }
    }

    @Test
    void idIsALongForIntegerKeysAndTextOtherwise() throws Exception {
        InMemoryDatabase db = new InMemoryDatabase().withTable("todos").withTable("notes", Column.Affinity.TEXT);
        try (TestEdge edge = TestEdge.start(TestEdge.config(), db)) {
            send(edge, "GET", "/v1/tables/todos/rows/7", null);
            assertThat(db.lastId).isEqualTo(7L);
            send(edge, "GET", "/v1/tables/todos/rows/abc", null);
            assertThat(db.lastId).isEqualTo("abc");
            send(edge, "GET", "/v1/tables/notes/rows/7", null);
            assertThat(db.lastId).isEqualTo("7");
            send(edge, "GET", "/v1/tables/notes/rows/a%2Fb+c%20d", null);
            assertThat(db.lastId).isEqualTo("a/b+c d");
        }
    }

    @Test
    void rowListingAppliesFilterOrderAndLimit() throws Exception {
        InMemoryDatabase db = new InMemoryDatabase().withTable("todos")
                .withRow("todos", 1L, "a").withRow("todos", 2L, "b").withRow("todos", 3L, "c");
        try (TestEdge edge = TestEdge.start(TestEdge.config(), db)) {
            JsonNode all = json(send(edge, "GET", "/v1/tables/todos/rows?order=title.desc&limit=2", null));
            assertThat(all.get("rows").findValuesAsText("title")).containsExactly("c", "b");
            assertThat(all.get("position").asText()).isEqualTo("10");
            JsonNode filtered = json(send(edge, "GET", "/v1/tables/todos/rows?filter=title%20%3D%20'b'", null));
            assertThat(filtered.get("rows").findValuesAsText("title")).containsExactly("b");

            assertError(send(edge, "GET", "/v1/tables/todos/rows?order=colour", null), 400, "unknown_column");
            assertError(send(edge, "GET", "/v1/tables/todos/rows?limit=0", null), 400, "bad_request");
            assertError(send(edge, "GET", "/v1/tables/todos/rows?limit=10001", null), 400, "bad_request");
            assertError(send(edge, "GET", "/v1/tables/todos/rows?filter=title%20%3D%3D", null), 400, "invalid_filter");
            assertError(send(edge, "GET", "/v1/tables/nope/rows", null), 404, "unknown_table");
        }
    }

    @Test
    void pipelinedRequestsOnOneConnectionAreAnsweredInOrder() throws Exception {
        String requests = "GET /health HTTP/1.1\r\nHost: x\r\n\r\n"
                + "GET /nope HTTP/1.1\r\nHost: x\r\n\r\n"
                + "POST /v1/sql HTTP/1.1\r\nHost: x\r\nContent-Length: 16\r\nConnection: close\r\n\r\n{\"sql\":\"SELECT\"}";
        try (TestEdge edge = TestEdge.start()) {
            String all = raw(edge, requests);
            assertThat(all.indexOf("HTTP/1.1 200")).isGreaterThanOrEqualTo(0).isLessThan(all.indexOf("HTTP/1.1 404"));
            assertThat(all.indexOf("HTTP/1.1 404")).isLessThan(all.lastIndexOf("HTTP/1.1 200"));
            assertThat(all).contains("{\"status\":\"ok\"}", "\"code\":\"not_found\"", "\"columns\":[\"n\"]");
        }
    }

    @Test
    void malformedPercentEncodingIsABadRequest() throws Exception {
        try (TestEdge edge = TestEdge.start()) {
            String answer = raw(edge, "GET /v1/tables/todos/rows/%zz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
            assertThat(answer).startsWith("HTTP/1.1 400").contains("\"code\":\"bad_request\"");
        }
    }

    /** Writes raw bytes on a fresh connection and reads until the server closes it. */
    private static String raw(TestEdge edge, String requests) throws Exception {
        try (Socket socket = new Socket("127.0.0.1", edge.port)) {
            socket.setSoTimeout(5000);
            socket.getOutputStream().write(requests.getBytes(StandardCharsets.US_ASCII));
            return new String(socket.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        }
    }
}
