package io.pulsebase.transport;

import io.netty.buffer.ByteBufUtil;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.QueryStringDecoder;
import io.pulsebase.core.auth.Credentials;
import io.pulsebase.protocol.ErrorCode;
import io.pulsebase.protocol.ProtocolException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * A REST request copied out of Netty's buffers, so it can be handled on another thread after the request was
 * released.
 *
 * @param path        the raw path (no query string), for logs and messages
 * @param segments    the path's segments, each percent-decoded ({@code %2F} stays inside its segment)
 * @param params      the query parameters
 * @param credentials what the request carries, not yet verified
 */
record RestRequest(HttpMethod method, String path, List<String> segments, Map<String, List<String>> params,
                   byte[] body, boolean keepAlive, Credentials credentials) {

    /** Copies a request; {@code bad_request} when its path or query is not valid percent-encoding. */
    static RestRequest of(FullHttpRequest request) {
        QueryStringDecoder query = new QueryStringDecoder(request.uri());
        String path = query.rawPath();
        List<String> segments = new ArrayList<>();
        Map<String, List<String>> params;
        try {
            for (String segment : path.split("/", -1)) {
                // Path segments keep '+' literally; decodeComponent would read it as a space.
                segments.add(QueryStringDecoder.decodeComponent(segment.replace("+", "%2B")));
            }
            params = query.parameters();
        } catch (IllegalArgumentException e) {
            throw new ProtocolException(ErrorCode.BAD_REQUEST, "malformed percent-encoding in the request URI");
        }
        if (!segments.isEmpty() && segments.get(0).isEmpty()) {
            segments.remove(0);
        }
        if (!segments.isEmpty() && segments.get(segments.size() - 1).isEmpty()) {
            segments.remove(segments.size() - 1);
        }
        return new RestRequest(request.method(), path, List.copyOf(segments), params,
                ByteBufUtil.getBytes(request.content()), HttpUtil.isKeepAlive(request),
                HttpCredentials.read(request.uri(), request.headers()));
    }

    /** The segment at {@code index}. */
    String segment(int index) {
        return segments.get(index);
    }

    /** The first value of a query parameter, or {@code null}. */
    String param(String name) {
        List<String> values = params.get(name);
        return values == null || values.isEmpty() ? null : values.get(0);
    }
}
