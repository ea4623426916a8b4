package io.pulsebase.client;

import java.net.URI;
import java.net.URISyntaxException;

/** The realtime endpoint of a server address ({@code http(s)://host} → {@code ws(s)://host/v1/realtime}). */
final class RealtimeUris {
    private RealtimeUris() {
    }

    /** The WebSocket URI for a server URI: http → ws, https → wss, an empty path → {@code /v1/realtime}. */
    static URI realtimeUri(URI uri) {
        String scheme = uri.getScheme() == null ? "ws" : uri.getScheme().toLowerCase(java.util.Locale.ROOT);
        scheme = switch (scheme) {
            case "http", "ws" -> "ws";
            case "https", "wss" -> "wss";
            default -> throw new IllegalArgumentException("unsupported scheme '" + scheme + "' in " + uri);
        };
        String path = uri.getRawPath() == null || uri.getRawPath().isEmpty() || uri.getRawPath().equals("/")
                ? "/v1/realtime" : uri.getRawPath();
        try {
            return new URI(scheme + "://" + uri.getRawAuthority() + path
                    + (uri.getRawQuery() == null ? "" : "?" + uri.getRawQuery()));
        } catch (URISyntaxException e) {
            throw new IllegalArgumentException(e);
        }
    }

    /** The URI with one more query parameter. */
    static URI withQuery(URI uri, String param) {
        String s = uri.toString();
        return URI.create(s + (uri.getRawQuery() == null ? "?" : "&") + param);
    }
}
