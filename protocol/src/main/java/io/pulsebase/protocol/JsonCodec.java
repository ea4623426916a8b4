package io.pulsebase.protocol;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.JsonNodeType;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * JSON encoding and decoding of the wire records. Thread-safe; one shared instance is enough.
 *
 * <p>Decoding never throws anything but {@link ProtocolException}: a frame that is not JSON answers
 * {@link ErrorCode#INVALID_JSON}, an unknown {@code type} {@link ErrorCode#UNKNOWN_TYPE}, and a missing or
 * mistyped field {@link ErrorCode#BAD_REQUEST} naming the field.
 */
public final class JsonCodec {
    /** Deep nesting is refused rather than recursed into: a hostile frame must not exhaust the stack. */
    private static final int MAX_NESTING = 64;
    private static final DateTimeFormatter ISO = DateTimeFormatter.ISO_INSTANT;

    private final ObjectMapper mapper;
    private final JsonFactory factory;

    public JsonCodec() {
        JsonFactory f = JsonFactory.builder()
                .streamReadConstraints(StreamReadConstraints.builder().maxNestingDepth(MAX_NESTING).build())
                .build();
        this.mapper = JsonMapper.builder(f)
                .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
                .enable(DeserializationFeature.USE_LONG_FOR_INTS)
                .build();
        this.factory = mapper.getFactory();
    }

    /** The shared Jackson mapper (for REST bodies and plain JSON values). */
    public ObjectMapper mapper() {
        return mapper;
    }

    // ---------------------------------------------------------------------------------------------- decode

    /** Decodes one client frame. */
    public ClientMessage decodeClient(byte[] utf8) {
        return decodeClient(readTree(utf8));
    }

    /** Decodes one client frame. */
    public ClientMessage decodeClient(String text) {
        JsonNode node;
        try {
            node = mapper.readTree(text);
        } catch (JsonProcessingException e) {
            throw new ProtocolException(ErrorCode.INVALID_JSON, "frame is not valid JSON");
        }
        return decodeClient(node);
    }

    /** Parses bytes into a JSON tree, mapping every failure to {@link ErrorCode#INVALID_JSON}. */
    public JsonNode readTree(byte[] utf8) {
        try {
            JsonNode node = mapper.readTree(utf8);
            if (node == null || node.isMissingNode()) {
                throw new ProtocolException(ErrorCode.INVALID_JSON, "frame is empty");
            }
            return node;
        } catch (IOException e) {
            throw new ProtocolException(ErrorCode.INVALID_JSON, "frame is not valid JSON");
        }
    }

    /** Decodes a parsed client frame. */
    public ClientMessage decodeClient(JsonNode node) {
        if (node == null || !node.isObject()) {
            throw new ProtocolException(ErrorCode.INVALID_JSON, "frame must be a JSON object");
        }
        String ref = optionalString(node, "ref");
        String type = optionalString(node, "type");
        if (type == null) {
            throw new ProtocolException(ErrorCode.BAD_REQUEST, "missing field 'type'");
        }
        return switch (type) {
            case "subscribe" -> new ClientMessage.Subscribe(ref, requiredString(node, "topic"), events(node),
                    optionalString(node, "filter"), optionalBoolean(node, "snapshot"), optionalPosition(node, "since"));
            case "unsubscribe" -> new ClientMessage.Unsubscribe(ref, requiredString(node, "topic"));
            case "publish" -> new ClientMessage.Publish(ref, requiredString(node, "topic"), requiredString(node, "event"),
                    toValue(node.get("data")), optionalBoolean(node, "persist"), optionalString(node, "id"));
            case "track" -> new ClientMessage.Track(ref, requiredString(node, "topic"), optionalObject(node, "state"));
            case "untrack" -> new ClientMessage.Untrack(ref, requiredString(node, "topic"));
            case "history" -> new ClientMessage.History(ref, requiredString(node, "topic"),
                    optionalInt(node, "limit"), optionalPosition(node, "before"));
            case "call" -> new ClientMessage.Call(ref, requiredString(node, "reducer"), optionalArray(node, "args"));
            case "auth" -> new ClientMessage.Auth(ref, requiredString(node, "token"));
            case "ping" -> new ClientMessage.Ping(ref);
            default -> throw new ProtocolException(ErrorCode.UNKNOWN_TYPE, "unknown message type '" + clip(type) + "'");
        };
    }

    /** The {@code ref} of a frame that may otherwise be invalid, so an error can still be correlated. */
    public static String refOf(JsonNode node) {
        if (node != null && node.isObject()) {
            JsonNode ref = node.get("ref");
            if (ref != null && ref.isTextual()) {
                return ref.asText();
            }
        }
        return null;
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

    private static int optionalInt(JsonNode node, String field) {
        JsonNode v = node.get(field);
        if (v == null || v.isNull()) {
            return 0;
        }
        if (!v.isIntegralNumber() || !v.canConvertToInt() || v.asInt() < 0) {
            throw new ProtocolException(ErrorCode.BAD_REQUEST, "field '" + field + "' must be a non-negative integer");
        }
        return v.asInt();
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
    public static Object toValue(JsonNode v) {
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

    // ---------------------------------------------------------------------------------------------- encode

    /** Encodes a server message as UTF-8 JSON. */
    public byte[] encode(ServerMessage message) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(256);
        try (JsonGenerator g = factory.createGenerator(out)) {
            write(g, message);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }

    /** Encodes any plain JSON value (Map, List, String, Number, Boolean, null). */
    public byte[] encodeValue(Object value) {
        try {
            return mapper.writeValueAsBytes(value);
        } catch (JsonProcessingException e) {
            throw new UncheckedIOException(e);
        }
    }

    private void write(JsonGenerator g, ServerMessage message) throws IOException {
        g.writeStartObject();
        g.writeStringField("type", message.type());
        switch (message) {
            case ServerMessage.Reply r -> {
                if (r.ref() != null) {
                    g.writeStringField("ref", r.ref());
                }
                g.writeBooleanField("ok", r.ok());
                for (Map.Entry<String, Object> e : r.result().entrySet()) {
                    g.writeFieldName(e.getKey());
                    writeValue(g, e.getValue());
                }
                if (r.error() != null) {
                    g.writeObjectFieldStart("error");
                    g.writeStringField("code", r.error().code().wireName());
                    g.writeStringField("message", r.error().message());
                    g.writeEndObject();
                }
            }
            case ServerMessage.Snapshot s -> {
                g.writeStringField("topic", s.topic());
                g.writeStringField("position", Positions.format(s.position()));
                g.writeFieldName("rows");
                writeValue(g, s.rows());
            }
            case ServerMessage.DbChange c -> {
                g.writeStringField("topic", c.topic());
                g.writeStringField("position", Positions.format(c.position()));
                g.writeStringField("timestamp", ISO.format(Instant.ofEpochMilli(c.timestamp())));
                g.writeArrayFieldStart("changes");
                for (ServerMessage.Change ch : c.changes()) {
                    g.writeStartObject();
                    g.writeStringField("operation", ch.operation().name());
                    g.writeFieldName("data");
                    writeValue(g, ch.data());
                    if (ch.old() != null) {
                        g.writeFieldName("old");
                        writeValue(g, ch.old());
                    }
                    g.writeEndObject();
                }
                g.writeEndArray();
                if (c.meta() != null && !c.meta().isEmpty()) {
                    g.writeFieldName("meta");
                    writeValue(g, c.meta());
                }
                if (c.more()) {
                    g.writeBooleanField("more", true);
                }
            }
            case ServerMessage.Event e -> {
                g.writeStringField("topic", e.topic());
                g.writeStringField("event", e.event());
                g.writeFieldName("data");
                writeValue(g, e.data());
                g.writeStringField("timestamp", ISO.format(Instant.ofEpochMilli(e.timestamp())));
                if (e.userId() != null) {
                    g.writeStringField("userId", e.userId());
                }
                if (e.id() != null) {
                    g.writeStringField("id", e.id());
                }
                if (e.position() > 0) {
                    g.writeStringField("position", Positions.format(e.position()));
                }
            }
            case ServerMessage.PresenceState p -> {
                g.writeStringField("topic", p.topic());
                g.writeArrayFieldStart("members");
                for (ServerMessage.PresenceMember m : p.members()) {
                    g.writeStartObject();
                    g.writeStringField("key", m.key());
                    g.writeFieldName("data");
                    writeValue(g, m.data());
                    g.writeEndObject();
                }
                g.writeEndArray();
            }
            case ServerMessage.Presence p -> {
                g.writeStringField("topic", p.topic());
                g.writeStringField("event", p.event());
                g.writeStringField("key", p.key());
                g.writeFieldName("data");
                writeValue(g, p.data());
            }
            case ServerMessage.Heartbeat h -> {
                // type only
            }
            case ServerMessage.ErrorMessage e -> {
                g.writeStringField("code", e.code().wireName());
                g.writeStringField("message", e.message());
            }
        }
        g.writeEndObject();
    }

    /** Writes a plain value; positions inside results must already be strings. */
    private void writeValue(JsonGenerator g, Object value) throws IOException {
        switch (value) {
            case null -> g.writeNull();
            case String s -> g.writeString(s);
            case Long l -> g.writeNumber(l);
            case Integer i -> g.writeNumber(i);
            case Double d -> {
                if (d.isNaN() || d.isInfinite()) {
                    g.writeNull();
                } else {
                    g.writeNumber(d);
                }
            }
            case Boolean b -> g.writeBoolean(b);
            case Map<?, ?> m -> {
                g.writeStartObject();
                for (Map.Entry<?, ?> e : m.entrySet()) {
                    g.writeFieldName(String.valueOf(e.getKey()));
                    writeValue(g, e.getValue());
                }
                g.writeEndObject();
            }
            case List<?> l -> {
                g.writeStartArray();
                for (Object o : l) {
                    writeValue(g, o);
                }
                g.writeEndArray();
            }
            default -> mapper.writeValue(g, value);
        }
    }
}
