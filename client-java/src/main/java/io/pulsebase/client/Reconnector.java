package io.pulsebase.client;

import io.pulsebase.protocol.CloseCode;
import java.net.http.WebSocketHandshakeException;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Supplier;

/**
 * Keeps a client connected: what to do after a connection ended (the close code's advice: reconnect after a
 * backoff, refresh the token first, or stop), the backoff schedule, and the liveness of an open connection
 * (pings, and an idle watchdog that replaces a connection from which nothing arrived for too long).
 *
 * <p>Contract. Event thread only; its timers run there too, and each checks that the connection it was started
 * for is still the current one, so a late timer never touches a newer connection. At most one reconnect is
 * scheduled at a time. The backoff attempt counter grows with each scheduled reconnect and resets when a
 * connection receives its first frame (the server answers us), not merely when the socket opens. Failures: a
 * handshake answered 401/403 counts as close {@code 4004}; a token supplier that throws or answers null is reported
 * to the error listeners and the reconnect goes ahead with the old token; advice not to reconnect ends the
 * client through {@link Connection#shutdown}.
 */
final class Reconnector {
    private static final System.Logger LOG = System.getLogger(PulsebaseClient.class.getName());

    private final Connection connection;
    private final EventThread events;
    private final ClientListeners listeners;
    private final Backoff backoff;
    private final Supplier<String> tokenSupplier;
    private final Duration pingInterval;
    private final Duration idleTimeout;

    private int attempt;
    private ScheduledFuture<?> reconnectTask;
    private ScheduledFuture<?> watchdog;
    private ScheduledFuture<?> pinger;
    private long lastReceivedNanos;
    private boolean receivedOnThisConnection;

    Reconnector(Connection connection, EventThread events, ClientListeners listeners, ClientSettings settings) {
        this.connection = connection;
        this.events = events;
        this.listeners = listeners;
        this.backoff = settings.backoff();
        this.tokenSupplier = settings.tokenSupplier();
        this.pingInterval = settings.pingInterval();
        this.idleTimeout = settings.idleTimeout();
    }

    /** Whether a connection attempt failed since the last connection that the server answered. */
    boolean retrying() {
        return attempt > 0;
    }

    /** Connection {@code gen} opened: start its liveness checks. */
    void opened(int gen) {
        receivedOnThisConnection = false;
        lastReceivedNanos = System.nanoTime();
        startWatchdog(gen);
    }

    /** A frame arrived on the current connection: it is alive, and the next drop starts the backoff afresh. */
    void frameReceived() {
        lastReceivedNanos = System.nanoTime();
        if (!receivedOnThisConnection) {
            receivedOnThisConnection = true;
            attempt = 0;
        }
    }

    /** A ping or pong arrived on the current connection. */
    void touched() {
        lastReceivedNanos = System.nanoTime();
    }

    /** The current connection ended with this close code (1006 for a drop without one): follows its advice. */
    void afterClose(int code, String reason) {
        stopWatchdog();
        CloseCode cc = CloseCode.of(code);
        CloseCode.Advice advice = cc == null ? CloseCode.Advice.RECONNECT : cc.advice();
        switch (advice) {
            case RECONNECT -> scheduleReconnect();
            case REFRESH_TOKEN_THEN_RECONNECT -> refreshTokenThenReconnect(code, reason);
            case DO_NOT_RECONNECT -> stopFor(new PulsebaseException.ClosedException(
                    "the server closed the connection (" + code + " " + reason + "); its advice is not to reconnect"));
        }
    }

    /** A connection attempt failed before opening. */
    void connectFailed(Throwable err) {
        Throwable cause = err instanceof CompletionException && err.getCause() != null ? err.getCause() : err;
        if (cause instanceof WebSocketHandshakeException h && h.getResponse() != null
                && (h.getResponse().statusCode() == 401 || h.getResponse().statusCode() == 403)) {
            afterClose(CloseCode.UNAUTHORIZED.code(), "handshake answered " + h.getResponse().statusCode());
            return;
        }
        LOG.log(System.Logger.Level.DEBUG, "Pulsebase connect failed: {0}", cause);
        scheduleReconnect();
    }

    /** The client is closed: no reconnect, no timers. */
    void stop() {
        if (reconnectTask != null) {
            reconnectTask.cancel(false);
            reconnectTask = null;
        }
        stopWatchdog();
    }

    private void stopFor(PulsebaseException e) {
        listeners.reportError(e);
        connection.shutdown(e, false);
    }

    private void scheduleReconnect() {
        if (connection.isClosed() || reconnectTask != null) {
            return;
        }
        listeners.setStatus(ConnectionStatus.RECONNECTING);
        Duration d = backoff.delay(attempt++, ThreadLocalRandom.current()::nextDouble);
        reconnectTask = events.schedule(() -> {
            reconnectTask = null;
            connection.connectNow();
        }, d.toMillis());
    }

    private void refreshTokenThenReconnect(int code, String reason) {
        if (tokenSupplier == null) {
            stopFor(new PulsebaseException.ClosedException("the server closed the connection (" + code + " " + reason
                    + ") asking for a new token, and no token supplier is configured"));
            return;
        }
        listeners.setStatus(ConnectionStatus.RECONNECTING);
        CompletableFuture.supplyAsync(tokenSupplier).whenComplete((t, err) -> events.execute(() -> {
            if (connection.isClosed()) {
                return;
            }
            if (err != null || t == null) {
                listeners.reportError(new PulsebaseException("the token supplier failed; retrying with backoff", err));
            } else {
                connection.useToken(t);
            }
            scheduleReconnect();
        }));
    }

    /**
     * Liveness, both ways. A WebSocket ping every {@code pingInterval} keeps the server's heartbeat timeout away
     * and, above all, makes a dead connection fail on write: the JDK WebSocket does not always report a TCP
     * connection that the peer closed without a close frame. And a connection that received nothing for
     * {@code idleTimeout} (pongs and heartbeats included) is dropped and replaced.
     */
    private void startWatchdog(int gen) {
        if (pingInterval.toMillis() > 0) {
            pinger = events.every(() -> {
                if (connection.isCurrent(gen)) {
                    connection.sendPing();
                }
            }, pingInterval.toMillis());
        }
        if (idleTimeout.isZero() || idleTimeout.isNegative()) {
            return;
        }
        watchdog = events.every(() -> {
            if (connection.isCurrent(gen) && System.nanoTime() - lastReceivedNanos > idleTimeout.toNanos()) {
                connection.dropped(gen, 1006, "nothing received for " + idleTimeout);
            }
        }, Math.max(50, idleTimeout.toMillis() / 4));
    }

    private void stopWatchdog() {
        if (watchdog != null) {
            watchdog.cancel(false);
            watchdog = null;
        }
        if (pinger != null) {
            pinger.cancel(false);
            pinger = null;
        }
    }
}
