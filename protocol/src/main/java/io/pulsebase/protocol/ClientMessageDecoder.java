package io.pulsebase.protocol;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeType;
import com.fasterxml.jackson.databind.node.POJONode;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Client frames from JSON trees to {@link ClientMessage} records. Every failure is a {@link ProtocolException}
 * naming the field: a missing or mistyped field is {@code bad_request}, an unknown {@code type}
 * {@code unknown_type}, a malformed position {@code invalid_position}. Stateless; use {@link JsonCodec}.
 */
final class ClientMessageDecoder {
    private ClientMessageDecoder() {
    }

    /** Decodes a parsed client frame. */
    static ClientMessage decode(JsonNode node) {
        if (node == null || !node.isObject()) {
            throw new ProtocolException(ErrorCode.INVALID_JSON, "frame must be a JSON object");
        }
        String ref = optionalString(node, "ref");
        String type = optionalString(node, "type");
        if (type == null) {
            throw new ProtocolException(ErrorCode.BAD_REQUEST, "missing field 'type'");
        }
        return switch (type) {
            case "subscribe" -> subscribe(ref, node);
            case "unsubscribe" -> new ClientMessage.Unsubscribe(ref, requiredString(node, "topic"));
            case "publish" -> new ClientMessage.Publish(ref, requiredString(node, "topic"),
                    boundedString(node, "event", MAX_EVENT_NAME, true), payload(node.get("data")),
                    optionalBoolean(node, "persist"), boundedString(node, "id", MAX_MESSAGE_ID, false));
            case "track" -> new ClientMessage.Track(ref, requiredString(node, "topic"), optionalObject(node, "state"));
            case "untrack" -> new ClientMessage.Untrack(ref, requiredString(node, "topic"));
            case "history" -> new ClientMessage.History(ref, requiredString(node, "topic"),
                    historyLimit(node), optionalPosition(node, "before"));
            case "call" -> new ClientMessage.Call(ref, requiredString(node, "reducer"), optionalArray(node, "args"));
            case "auth" -> new ClientMessage.Auth(ref, requiredString(node, "token"));
            case "ping" -> new ClientMessage.Ping(ref);
            default -> throw new ProtocolException(ErrorCode.UNKNOWN_TYPE, "unknown message type '" + clip(type) + "'");
        };
    }

    /** The {@code ref} of a frame that may otherwise be invalid, so an error can still be correlated. */
    static String refOf(JsonNode node) {
        if (node != null && node.isObject()) {
            JsonNode ref = node.get("ref");
            if (ref != null && ref.isTextual()) {
                return ref.asText();
            }
        }
        return null;
    }

    /**
     * A publish's {@code data} as {@link RawJson}: captured raw by {@link ClientFrameReader}, or the compact text of
     * a tree parsed some other way; absent is JSON {@code null}.
     */
    private static RawJson payload(JsonNode data) {
        if (data instanceof POJONode pojo && pojo.getPojo() instanceof RawJson raw) {
            return raw;
        }
        return RawJson.of(data);
    }

    /** Longest channel event name. */
    static final int MAX_EVENT_NAME = 100;
    /** Longest publish idempotency id. */
    static final int MAX_MESSAGE_ID = 200;

    /** A topic with '/' is a channel: its {@code events} are event names, a table's are operations. */
    private static ClientMessage.Subscribe subscribe(String ref, JsonNode node) {
        String topic = requiredString(node, "topic");
        boolean channel = topic.indexOf('/') >= 0;
        return new ClientMessage.Subscribe(ref, topic, channel ? Set.of() : events(node),
                optionalString(node, "filter"), optionalBoolean(node, "snapshot"), optionalPosition(node, "since"),
                channel ? eventNames(node.get("events")) : Set.of());
    }

    /**
     * Channel event names to receive: absent, empty or containing {@code *} means all. Public for the SSE
     * query, which passes the same list.
     */
    static Set<String> eventNames(JsonNode events) {
        if (events == null || events.isNull()) {
            return Set.of();
        }
        if (!events.isArray()) {
            throw new ProtocolException(ErrorCode.BAD_REQUEST, "'events' must be an array of event names");
        }
        Set<String> names = new java.util.HashSet<>();
        for (JsonNode e : events) {
            if (!e.isTextual() || e.asText().isEmpty() || e.asText().length() > MAX_EVENT_NAME) {
                throw new ProtocolException(ErrorCode.BAD_REQUEST,
                        "'events' must be an array of event names (1-" + MAX_EVENT_NAME + " characters)");
            }
            if (e.asText().equals("*")) {
                return Set.of();
            }
            names.add(e.asText());
        }
        return names;
    }

    /** A string of 1..max characters; {@code null} when optional and absent. */
    private static String boundedString(JsonNode node, String field, int max, boolean required) {
        String value = required ? requiredString(node, field) : optionalString(node, field);
        if (value != null && (value.isEmpty() || value.length() > max)) {
            throw new ProtocolException(ErrorCode.BAD_REQUEST,
                    "field '" + field + "' must be 1-" + max + " characters long");
        }
        return value;
    }

    /** {@code limit} of a history request: absent means the server default (0 here); sent, it must be ≥ 1. */
    private static int historyLimit(JsonNode node) {
        JsonNode v = node.get("limit");
        if (v == null || v.isNull()) {
            return 0;
        }
        if (!v.isIntegralNumber() || !v.canConvertToInt() || v.asInt() < 1) {
            throw new ProtocolException(ErrorCode.BAD_REQUEST, "field 'limit' must be a positive integer");
        }
        return v.asInt();
    }

    private static Set<Operation> events(JsonNode node) {
        JsonNode events = node.get("events");
        if (events == null || events.isNull()) {
            return Set.of();
        }
        if (!events.isArray()) {
            throw new ProtocolException(ErrorCode.BAD_REQUEST, "'events' must be an array of INSERT, UPDATE, DELETE or *");
        }
        EnumSet<Operation> ops = EnumSet.noneOf(Operation.class);
        for (JsonNode e : events) {
            if (!e.isTextual()) {
                throw new ProtocolException(ErrorCode.BAD_REQUEST, "'events' must be an array of strings");
            }
            if (e.asText().equals("*")) {
                return Set.of();
            }
            Operation op = Operation.parse(e.asText());
            if (op == null) {
                throw new ProtocolException(ErrorCode.BAD_REQUEST,
                        "unknown event '" + clip(e.asText()) + "' in 'events' (INSERT, UPDATE, DELETE or *)");
            }
            ops.add(op);
        }
        return ops.size() == Operation.values().length ? Set.of() : ops;
    }

    private static String requiredString(JsonNode node, String field) {
        JsonNode v = node.get(field);
        if (v == null || v.isNull()) {
            throw new ProtocolException(ErrorCode.BAD_REQUEST, "missing field '" + field + "'");
        }
        if (!v.isTextual()) {
            throw new ProtocolException(ErrorCode.BAD_REQUEST, "field '" + field + "' must be a string");
        }
        if (v.asText().isEmpty()) {
            throw new ProtocolException(ErrorCode.BAD_REQUEST, "field '" + field + "' must not be empty");
        }
        return v.asText();
    }

    private static String optionalString(JsonNode node, String field) {
        JsonNode v = node.get(field);
        if (v == null || v.isNull()) {
            return null;
        }
        if (!v.isTextual()) {
            throw new ProtocolException(ErrorCode.BAD_REQUEST, "field '" + field + "' must be a string");
        }
        return v.asText();
    }

    /** Positions are strings of digits; a JSON number is accepted too when it is a non-negative integer. */
    private static String optionalPosition(JsonNode node, String field) {
        JsonNode v = node.get(field);
        if (v == null || v.isNull()) {
            return null;
        }
        if (v.isIntegralNumber() && v.canConvertToLong() && v.asLong() >= 0) {
            return Long.toString(v.asLong());
        }
        if (!v.isTextual()) {
            throw new ProtocolException(ErrorCode.INVALID_POSITION, "field '" + field + "' must be a position (a string of digits)");
        }
        Positions.parse(v.asText());
        return v.asText();
    }

    private static boolean optionalBoolean(JsonNode node, String field) {
        JsonNode v = node.get(field);
        if (v == null || v.isNull()) {
            return false;
        }
        if (!v.isBoolean()) {
            throw new ProtocolException(ErrorCode.BAD_REQUEST, "field '" + field + "' must be a boolean");
        }
        return v.asBoolean();
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> optionalObject(JsonNode node, String field) {
        JsonNode v = node.get(field);
        if (v == null || v.isNull()) {
            return Map.of();
        }
        if (!v.isObject()) {
            throw new ProtocolException(ErrorCode.BAD_REQUEST, "field '" + field + "' must be an object");
        }
        return (Map<String, Object>) toValue(v);
    }

    @SuppressWarnings("unchecked")
    private static List<Object> optionalArray(JsonNode node, String field) {
        JsonNode v = node.get(field);
        if (v == null || v.isNull()) {
            return List.of();
        }
        if (!v.isArray()) {
            throw new ProtocolException(ErrorCode.BAD_REQUEST, "field '" + field + "' must be an array");
        }
        return (List<Object>) toValue(v);
    }

    /** Converts a JSON tree to plain Java values: Map, List, String, Long, Double, Boolean or null. */
    static Object toValue(JsonNode v) {
        if (v == null || v.isNull() || v.isMissingNode()) {
            return null;
        }
        JsonNodeType t = v.getNodeType();
        return switch (t) {
            case STRING -> v.asText();
            case BOOLEAN -> v.asBoolean();
            case NUMBER -> v.isIntegralNumber() && v.canConvertToLong() ? (Object) v.asLong() : (Object) v.asDouble();
            case ARRAY -> {
                List<Object> list = new ArrayList<>(v.size());
                for (JsonNode e : v) {
                    list.add(toValue(e));
                }
                yield list;
            }
            case OBJECT -> {
                Map<String, Object> map = new LinkedHashMap<>();
                Iterator<Map.Entry<String, JsonNode>> it = v.fields();
                while (it.hasNext()) {
                    Map.Entry<String, JsonNode> e = it.next();
                    map.put(e.getKey(), toValue(e.getValue()));
                }
                yield map;
            }
            default -> v.asText();
        };
    }

    private static String clip(String s) {
        return s.length() <= 64 ? s : s.substring(0, 64) + "…";
    }
}
