package io.pulsebase.storage.sqlite;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.pulsebase.core.log.ChannelMessage;
import io.pulsebase.protocol.RawJson;
import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;

/**
 * How a persisted channel message is kept in {@code _pb_log}: one row with {@code op = 'MESSAGE'}, the channel in
 * {@code tbl} and {@code {"event", "data", "id", "userId"}} as JSON in {@code new} ({@code id} and {@code userId} only
 * when present). A message is written in a transaction of
 * its own, so its row has a marker of its own and it is one log entry, whose position is the row's {@code seq}.
 * The payload ({@code data}) is written and read back as raw JSON text, never as objects.
 */
final class MessageRows {
    /** The {@code op} of a message row; not an operation a trigger ever writes. */
    static final String OP = "MESSAGE";

    private static final ObjectMapper JSON = new ObjectMapper();

    private MessageRows() {
    }

    static String payload(String event, RawJson data, String id, String userId) {
        StringWriter out = new StringWriter(64 + data.length());
        try (JsonGenerator g = JSON.createGenerator(out)) {
            g.writeStartObject();
            g.writeStringField("event", event);
            g.writeFieldName("data");
            g.writeRawValue(data.toString());
            if (id != null) {
                g.writeStringField("id", id);
            }
            if (userId != null) {
                g.writeStringField("userId", userId);
            }
            g.writeEndObject();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toString();
    }

    static ChannelMessage decode(long seq, long ts, String topic, String payload) {
        byte[] utf8 = payload.getBytes(StandardCharsets.UTF_8);
        String event = null;
        RawJson data = RawJson.NULL;
        String id = null;
        String userId = null;
        try (JsonParser p = JSON.createParser(utf8)) {
            if (p.nextToken() != JsonToken.START_OBJECT) {
                throw new IOException("not an object");
            }
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String field = p.currentName();
                p.nextToken();
                switch (field) {
                    case "event" -> event = p.getValueAsString();
                    case "data" -> data = RawJson.capture(p, utf8);
                    case "id" -> id = p.getValueAsString();
                    case "userId" -> userId = p.getValueAsString();
                    default -> p.skipChildren();
                }
            }
        } catch (IOException e) {
            throw new IllegalStateException("log row " + seq + " holds a message that is not JSON", e);
        }
        return new ChannelMessage(seq, ts, topic, event == null ? "" : event, data, id, userId);
    }
}
