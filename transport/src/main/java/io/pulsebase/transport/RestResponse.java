package io.pulsebase.transport;

import io.pulsebase.protocol.ErrorCode;
import io.pulsebase.protocol.JsonCodec;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * One REST answer before it becomes a Netty response: status, content type, body and any extra headers, and for
 * a named error its code (counted when written). Every error body has the shape {@code {"error": {"code", "message"}}}.
 */
record RestResponse(int status, String contentType, byte[] body, Map<String, String> headers, ErrorCode error) {
    static final String JSON = "application/json; charset=utf-8";
    /** Plain values only (maps, lists, strings, numbers), so a shared codec is enough. */
    private static final JsonCodec CODEC = new JsonCodec();

    public RestResponse {
        headers = Map.copyOf(headers);
    }

    RestResponse(int status, String contentType, byte[] body, Map<String, String> headers) {
        this(status, contentType, body, headers, null);
    }

    /** A JSON body from plain values (Map, List, String, Number, Boolean, null). */
    public static RestResponse json(int status, Object value) {
        return new RestResponse(status, JSON, CODEC.encodeValue(value), Map.of());
    }

    /**
     * The error body for a named error, with the code's HTTP status; a {@code 401} says how to authenticate
     * ({@code WWW-Authenticate: Bearer}, as RFC 9110 asks).
     */
    public static RestResponse error(ErrorCode code, String message) {
        Map<String, Object> error = new LinkedHashMap<>();
        error.put("code", code.wireName());
        error.put("message", message);
        RestResponse response = new RestResponse(code.httpStatus(), JSON, CODEC.encodeValue(Map.of("error", error)),
                Map.of(), code);
        return code == ErrorCode.UNAUTHORIZED ? response.withHeader("www-authenticate", "Bearer realm=\"pulsebase\"")
                : response;
    }

    public static RestResponse text(int status, String contentType, String text) {
        return new RestResponse(status, contentType, text.getBytes(StandardCharsets.UTF_8), Map.of());
    }

    public RestResponse withHeader(String name, String value) {
        Map<String, String> h = new LinkedHashMap<>(headers);
        h.put(name, value);
        return new RestResponse(status, contentType, body, h, error);
    }
}
