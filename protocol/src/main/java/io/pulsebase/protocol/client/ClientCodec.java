package io.pulsebase.protocol.client;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.pulsebase.protocol.ClientMessage;
import io.pulsebase.protocol.ErrorCode;
import io.pulsebase.protocol.JsonCodec;
import io.pulsebase.protocol.Operation;
import io.pulsebase.protocol.Positions;
import io.pulsebase.protocol.ProtocolException;
import io.pulsebase.protocol.ServerMessage;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The client side of the wire, for SDKs written in Java: {@link ClientMessage} records to JSON text, server frames
 * to {@link ServerMessage} records. {@link JsonCodec} is the server's direction (it decodes client messages and
 * encodes server ones); this is its mirror image, and the two round-trip: what this encodes, {@link JsonCodec}
 * decodes to an equal record, and what {@link JsonCodec} encodes, this decodes to an equal record.
 *
 * <p>Decoding is lenient where the server is strict: an unknown field is ignored, an absent position is 0, an
 * absent boolean false, an unparseable timestamp 0. It fails only with {@link ProtocolException}: text that is not
 * a JSON object ({@link ErrorCode#INVALID_JSON}), no {@code type} or a change without a known operation
 * ({@link ErrorCode#BAD_REQUEST}), an unknown {@code type} ({@link ErrorCode#UNKNOWN_TYPE}), a malformed position
 * ({@link ErrorCode#INVALID_POSITION}).
 *
 * <p>Stateless and thread-safe; one instance may be shared.
 */
public final class ClientCodec {
    private static final Set<String> REPLY_FIELDS = Set.of("type", "ref", "ok", "error");

    private final JsonCodec json = new JsonCodec();
    private final ObjectMapper mapper = json.mapper();

    public ClientCodec() {
    }

    /** Encodes one client message as JSON text. */
    public String encode(ClientMessage message) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("type", message.type());
        if (message.ref() != null) {
            m.put("ref", message.ref());
        }
        switch (message) {
            case ClientMessage.Subscribe s -> {
                m.put("topic", s.topic());
                boolean channel = s.topic().indexOf('/') >= 0;
                if (channel && !s.eventNames().isEmpty()) {
                    m.put("events", List.copyOf(s.eventNames()));
                } else if (!channel && !s.events().isEmpty()) {
                    m.put("events", s.events().stream().map(Enum::name).sorted().toList());
                }
                if (s.filter() != null) {
                    m.put("filter", s.filter());
                }
                if (s.snapshot()) {
                    m.put("snapshot", true);
                }
                if (s.since() != null) {
                    m.put("since", s.since());
                }
            }
            case ClientMessage.Unsubscribe u -> m.put("topic", u.topic());
            case ClientMessage.Publish p -> {
                m.put("topic", p.topic());
                m.put("event", p.event());
                m.put("data", p.data());
                if (p.persist()) {
                    m.put("persist", true);
                }
                if (p.id() != null) {
                    m.put("id", p.id());
                }
            }
            case ClientMessage.Track t -> {
                m.put("topic", t.topic());
                m.put("state", t.state() == null ? Map.of() : t.state());
            }
            case ClientMessage.Untrack u -> m.put("topic", u.topic());
            case ClientMessage.History h -> {
                m.put("topic", h.topic());
                if (h.limit() > 0) {
                    m.put("limit", h.limit());
                }
                if (h.before() != null) {
                    m.put("before", h.before());
                }
            }
            case ClientMessage.Call c -> {
                m.put("reducer", c.reducer());
                m.put("args", c.args() == null ? List.of() : c.args());
            }
            case ClientMessage.Auth a -> m.put("token", a.token());
            case ClientMessage.Ping p -> {
                // type and ref only
            }
        }
        try {
            return mapper.writeValueAsString(m);
        } catch (JsonProcessingException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Decodes one server frame.
     *
     * @throws ProtocolException when the text is not JSON or not a frame this client understands
     */
    public ServerMessage decode(String text) {
        JsonNode node = json.readTree(text);
        if (!node.isObject()) {
            throw new ProtocolException(ErrorCode.INVALID_JSON, "server frame is not a JSON object");
        }
        String type = text(node, "type");
        if (type == null) {
            throw new ProtocolException(ErrorCode.BAD_REQUEST, "server frame without 'type'");
        }
        return switch (type) {
            case "reply" -> reply(node);
            case "snapshot" -> new ServerMessage.Snapshot(text(node, "topic"), rows(node.get("rows")),
                    position(node, "position"), bool(node, "more"));
            case "db_change" -> new ServerMessage.DbChange(text(node, "topic"), position(node, "position"),
                    changes(node.get("changes")), timestamp(node), object(node.get("meta")), bool(node, "more"));
            case "event" -> new ServerMessage.Event(text(node, "topic"), text(node, "event"),
                    JsonCodec.toValue(node.get("data")), timestamp(node), text(node, "userId"), text(node, "id"),
                    position(node, "position"));
            case "presence_state" -> {
                List<ServerMessage.PresenceMember> members = new ArrayList<>();
                JsonNode array = node.get("members");
                if (array != null && array.isArray()) {
                    for (JsonNode member : array) {
                        members.add(new ServerMessage.PresenceMember(text(member, "key"),
                                text(member, "userId"), JsonCodec.toValue(member.get("data"))));
                    }
                }
                yield new ServerMessage.PresenceState(text(node, "topic"), members, bool(node, "more"));
            }
            case "presence" -> new ServerMessage.Presence(text(node, "topic"), text(node, "event"), text(node, "key"),
                    text(node, "userId"), JsonCodec.toValue(node.get("data")));
            case "heartbeat" -> new ServerMessage.Heartbeat();
            case "error" -> new ServerMessage.ErrorMessage(ErrorCode.fromWireName(text(node, "code")),
                    text(node, "message"));
            default -> throw new ProtocolException(ErrorCode.UNKNOWN_TYPE, "unknown server frame type '" + type + "'");
        };
    }

    private static ServerMessage.Reply reply(JsonNode node) {
        Map<String, Object> result = new LinkedHashMap<>();
        for (Map.Entry<String, JsonNode> e : node.properties()) {
            if (!REPLY_FIELDS.contains(e.getKey())) {
                result.put(e.getKey(), JsonCodec.toValue(e.getValue()));
            }
        }
        ServerMessage.ErrorBody error = null;
        JsonNode err = node.get("error");
        if (err != null && err.isObject()) {
            error = new ServerMessage.ErrorBody(ErrorCode.fromWireName(text(err, "code")), text(err, "message"));
        }
        return new ServerMessage.Reply(text(node, "ref"), bool(node, "ok"), result, error);
    }

    private static List<ServerMessage.Change> changes(JsonNode array) {
        List<ServerMessage.Change> changes = new ArrayList<>();
        if (array != null && array.isArray()) {
            for (JsonNode c : array) {
                Operation op = Operation.parse(text(c, "operation"));
                if (op == null) {
                    throw new ProtocolException(ErrorCode.BAD_REQUEST, "change without a known 'operation'");
                }
                changes.add(new ServerMessage.Change(op, object(c.get("data")), object(c.get("old"))));
            }
        }
        return changes;
    }

    private static List<Map<String, Object>> rows(JsonNode array) {
        List<Map<String, Object>> rows = new ArrayList<>();
        if (array != null && array.isArray()) {
            for (JsonNode row : array) {
                rows.add(object(row));
            }
        }
        return rows;
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> object(JsonNode node) {
        if (node == null || !node.isObject()) {
            return null;
        }
        return (Map<String, Object>) JsonCodec.toValue(node);
    }

    private static String text(JsonNode node, String field) {
        JsonNode v = node.get(field);
        return v == null || v.isNull() ? null : v.asText();
    }

    private static boolean bool(JsonNode node, String field) {
        JsonNode v = node.get(field);
        return v != null && v.asBoolean(false);
    }

    /** A position field (string of digits, or a number); 0 when absent. */
    private static long position(JsonNode node, String field) {
        JsonNode v = node.get(field);
        if (v == null || v.isNull()) {
            return 0;
        }
        return v.isNumber() ? v.asLong() : Positions.parse(v.asText());
    }

    /**
     * A position inside a decoded reply's result or a history message (string of digits, or a number); 0 when
     * absent.
     *
     * @throws ProtocolException {@link ErrorCode#INVALID_POSITION} when it is not a position
     */
    public static long position(Map<String, Object> result, String field) {
        Object v = result.get(field);
        if (v instanceof Number n) {
            return n.longValue();
        }
        return v == null ? 0 : Positions.parse(v.toString());
    }

    private static long timestamp(JsonNode node) {
        String ts = text(node, "timestamp");
        if (ts == null) {
            return 0;
        }
        try {
            return Instant.parse(ts).toEpochMilli();
        } catch (DateTimeParseException e) {
            return 0;
        }
    }
}
