package io.pulsebase.server;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.ThrowableProxyUtil;
import ch.qos.logback.core.read.ListAppender;
import io.pulsebase.testkit.client.Json;
import io.pulsebase.testkit.client.SseTestClient;
import io.pulsebase.testkit.client.WsTestClient;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/**
 * No secret, key or token reaches the server's log, at any level, whatever the request: a server started and
 * stopped with secrets and keys configured, and every transport used with good and bad credentials in headers and
 * query strings, while every logger (Netty's included) logs at DEBUG into a list.
 */
class AuthSecretsInLogsIT {

    @Test
    void noSecretKeyOrTokenIsEverLogged() {
        LoggerContext context = (LoggerContext) LoggerFactory.getILoggerFactory();
        Logger root = context.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
        // Ours and Netty's at DEBUG into the list only (not the console); everything else as configured.
        List<Logger> debug = List.of(context.getLogger("io.pulsebase"), context.getLogger("io.netty"));
        List<Level> levels = debug.stream().map(Logger::getLevel).toList();
        ListAppender<ILoggingEvent> events = new ListAppender<>();
        events.setContext(context);
        events.start();
        root.addAppender(events);
        for (Logger logger : debug) {
            logger.setLevel(Level.DEBUG);
            logger.setAdditive(false);
            logger.addAppender(events);
        }
        List<String> tokens = new ArrayList<>();
        try (TestServer server = TestServer.start(c -> c.withAuth(Jwts.config()))) {
            server.helpersAuthorizedWith(Jwts.SERVICE_KEY);
            String good = Jwts.user("u1");
            String bad = Jwts.badlySigned("u1");
            String expired = Jwts.expired("u1");
            String none = Jwts.unsigned("u1");
            tokens.addAll(List.of(good, bad, expired, none));
            for (String token : tokens) {
                server.request("GET", "/v1/presence?topic=chat/l&token=" + token, null, Map.of());
                server.request("POST", "/v1/sql", Json.object("sql", "SELECT 1"), Map.of("Authorization", "Bearer " + token));
                try (WsTestClient ws = WsTestClient.connect(URI.create(server.ws() + "?token=" + token))) {
                    ws.awaitClose(Duration.ofMillis(300));
                }
                try (SseTestClient sse = SseTestClient.connect(server.sse("topic=chat/l&token=" + token))) {
                    sse.status();
                }
            }
            try (WsTestClient ws = WsTestClient.connect(URI.create(server.ws() + "?token=" + good))) {
                for (String token : tokens) {
                    ws.request("type", "auth", "token", token);
                }
                ws.request("type", "auth", "token", Jwts.SERVICE_KEY);
            }
            server.request("GET", "/v1/presence?topic=chat/l&apikey=" + Jwts.ANON_KEY, null, Map.of());
            server.sql("SELECT 1");
            server.request("GET", "/metrics", null, Map.of("Authorization", "Bearer " + Jwts.ANON_KEY + "x"));
        } finally {
            root.detachAppender(events);
            for (int i = 0; i < debug.size(); i++) {
                debug.get(i).detachAppender(events);
                debug.get(i).setAdditive(true);
                debug.get(i).setLevel(levels.get(i));
            }
        }
        List<String> secrets = new ArrayList<>(List.of(Jwts.SECRET, Jwts.ANON_KEY, Jwts.SERVICE_KEY));
        for (String token : tokens) {
            secrets.add(token);
            String signature = token.substring(token.lastIndexOf('.') + 1);
            if (!signature.isEmpty()) { // alg none has none
                secrets.add(signature);
            }
        }
        assertThat(events.list).as("something was logged").hasSizeGreaterThan(20)
                .anyMatch(e -> e.getFormattedMessage().contains("credentials refused"));
        for (ILoggingEvent e : events.list) {
            String text = e.getFormattedMessage() + " " + e.getKeyValuePairs()
                    + (e.getThrowableProxy() == null ? "" : ThrowableProxyUtil.asString(e.getThrowableProxy()));
            for (String secret : secrets) {
                assertThat(text).as("a %s line of %s", e.getLevel(), e.getLoggerName()).doesNotContain(secret);
            }
        }
    }
}
