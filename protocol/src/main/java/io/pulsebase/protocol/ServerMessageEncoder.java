package io.pulsebase.protocol;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.time.Instant;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Map;

/**
 * {@link ServerMessage} records to JSON, streamed straight into a generator (no intermediate tree): this runs
 * once per matching query per transaction on the fan-out path. Positions are written as strings of digits,
 * timestamps as ISO-8601 UTC. Thread-safe; use {@link JsonCodec}.
 */
final class ServerMessageEncoder {
    private static final DateTimeFormatter ISO = DateTimeFormatter.ISO_INSTANT;

    private final ObjectMapper mapper;

    ServerMessageEncoder(ObjectMapper mapper) {
        this.mapper = mapper;
    }

    void write(JsonGenerator g, ServerMessage message) throws IOException {
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
                if (s.more()) {
                    g.writeBooleanField("more", true);
                }
            }
            case ServerMessage.DbChange c -> {
                g.writeStringField("topic", c.topic());
                g.writeStringField("position", Positions.format(c.position()));
                g.writeStringField("timestamp", timestamp(c.timestamp()));
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
                g.writeStringField("timestamp", timestamp(e.timestamp()));
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
                    if (m.userId() != null) {
                        g.writeStringField("userId", m.userId());
                    }
                    g.writeFieldName("data");
                    writeValue(g, m.data());
                    g.writeEndObject();
                }
                g.writeEndArray();
                if (p.more()) {
                    g.writeBooleanField("more", true);
                }
            }
            case ServerMessage.Presence p -> {
                g.writeStringField("topic", p.topic());
                g.writeStringField("event", p.event());
                g.writeStringField("key", p.key());
                if (p.userId() != null) {
                    g.writeStringField("userId", p.userId());
                }
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

    /** The last timestamp formatted, shared by every thread: messages of one millisecond share their text. */
    private record FormattedTimestamp(long millis, String text) {
    }

    private static volatile FormattedTimestamp lastTimestamp = new FormattedTimestamp(0, ISO.format(Instant.EPOCH));

    /** ISO-8601 UTC text of a time in epoch milliseconds; formatting is the costly part of encoding a small event. */
    static String timestamp(long millis) {
        FormattedTimestamp last = lastTimestamp;
        if (last.millis() != millis) {
            last = new FormattedTimestamp(millis, ISO.format(Instant.ofEpochMilli(millis)));
            lastTimestamp = last;
        }
        return last.text();
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
            case RawJson raw -> g.writeRawValue(raw.toString());
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
