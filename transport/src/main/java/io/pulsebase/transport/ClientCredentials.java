package io.pulsebase.transport;

import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.QueryStringDecoder;
import java.util.List;

/**
 * The credentials a request carries: {@code Authorization: Bearer <jwt>}, {@code ?token=<jwt>} or
 * {@code ?apikey=<key>} (query parameters exist because browsers cannot set headers on a WebSocket or an
 * {@code EventSource}). The one place the edge reads them. They are not verified yet: security lands
 * separately and will take them from here. Never log them, nor a query string that may hold them.
 */
record ClientCredentials(String bearer, String token, String apikey) {
    static final ClientCredentials NONE = new ClientCredentials(null, null, null);

    static ClientCredentials read(String uri, HttpHeaders headers) {
        // Parsed on every request; cheap next to the request itself, and one code path for all three transports.
        String bearer = null;
        String authorization = headers.get(HttpHeaderNames.AUTHORIZATION);
        if (authorization != null && authorization.regionMatches(true, 0, "Bearer ", 0, 7)) {
            bearer = authorization.substring(7).trim();
        }
        QueryStringDecoder query = new QueryStringDecoder(uri);
        return new ClientCredentials(bearer, first(query, "token"), first(query, "apikey"));
    }

    private static String first(QueryStringDecoder query, String name) {
        List<String> values = query.parameters().get(name);
        return values == null || values.isEmpty() ? null : values.get(0);
    }

    @Override
    public String toString() {
        return "ClientCredentials[bearer=" + (bearer != null) + ", token=" + (token != null) + ", apikey="
                + (apikey != null) + "]";
    }
}
