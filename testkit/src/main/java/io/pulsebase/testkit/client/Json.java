package io.pulsebase.testkit.client;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.LinkedHashMap;
import java.util.Map;

/** Tiny JSON helpers for tests: build request bodies and protocol messages, read answers and frames. */
public final class Json {
    public static final ObjectMapper MAPPER = new ObjectMapper();

    private Json() {
    }

    /** An object from alternating keys and values. */
    public static String object(Object... keysAndValues) {
        Map<String, Object> map = new LinkedHashMap<>();
        for (int i = 0; i < keysAndValues.length; i += 2) {
            map.put((String) keysAndValues[i], keysAndValues[i + 1]);
        }
        return write(map);
    }

    public static String write(Object value) {
        try {
            return MAPPER.writeValueAsString(value);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException(e);
        }
    }

    public static JsonNode read(String json) {
        try {
            return MAPPER.readTree(json);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("not JSON: " + json, e);
        }
    }

    /** The position in {@code node.field}: it must be a JSON string of decimal digits (protocol rule). */
    public static long position(JsonNode node, String field) {
        JsonNode value = node.path(field);
        if (!value.isTextual() || !value.asText().matches("[0-9]+")) {
            throw new AssertionError("'" + field + "' is not a position string: " + node);
        }
        return Long.parseLong(value.asText());
    }

    /** The {@code position} of a frame or REST answer. */
    public static long position(JsonNode node) {
        return position(node, "position");
    }
}
