package io.pulsebase.transport;

import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.QueryStringDecoder;
import io.pulsebase.core.auth.Credentials;
import java.util.List;

/**
 * Reads the credentials an HTTP request (REST, SSE, or a WebSocket upgrade) carries: {@code Authorization: Bearer
 * <value>}, {@code ?token=<value>} and {@code ?apikey=<key>} (query parameters exist because browsers cannot set
 * headers on a WebSocket or an {@code EventSource}). The one place the edge reads them; the node's
 * {@code Gatekeeper} verifies them. Never log them, nor a request URI, whose query may hold them.
 */
final class HttpCredentials {
    private HttpCredentials() {
    }

    static Credentials read(String uri, HttpHeaders headers) {
        // Parsed on every request; cheap next to the request itself, and one code path for all three transports.
        String bearer = null;
        String authorization = headers.get(HttpHeaderNames.AUTHORIZATION);
        if (authorization != null && authorization.regionMatches(true, 0, "Bearer ", 0, 7)) {
            bearer = authorization.substring(7).trim();
        }
        QueryStringDecoder query = new QueryStringDecoder(uri);
        return new Credentials(bearer, first(query, "token"), first(query, "apikey"));
    }

    private static String first(QueryStringDecoder query, String name) {
        List<String> values = query.parameters().get(name);
        return values == null || values.isEmpty() ? null : values.get(0);
    }
}
