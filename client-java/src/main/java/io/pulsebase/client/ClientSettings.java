package io.pulsebase.client;

import java.net.URI;
import java.net.http.HttpClient;
import java.time.Duration;
import java.util.function.Supplier;

/**
 * What a {@link PulsebaseClient.Builder} configured, validated, for the client's internals.
 *
 * @param realtimeUri the WebSocket URI (without the {@code apikey} parameter)
 * @param http        the HTTP client that opens WebSockets; {@code ownHttp} when the client made it (and closes it)
 */
record ClientSettings(URI realtimeUri, String apiKey, String token, Supplier<String> tokenSupplier, Backoff backoff,
                      int offlineQueue, Duration connectTimeout, Duration idleTimeout, Duration pingInterval,
                      HttpClient http, boolean ownHttp) {
}
