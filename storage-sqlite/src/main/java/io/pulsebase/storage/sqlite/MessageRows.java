package io.pulsebase.storage.sqlite;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.pulsebase.core.log.ChannelMessage;
import io.pulsebase.protocol.JsonCodec;
import java.io.IOException;
import java.io.UncheckedIOException;

/**
 * How a persisted channel message is kept in {@code _pb_log}: one row with {@code op = 'MESSAGE'}, the channel in
 * {@code tbl} and {@code {"event", "data", "id"}} as JSON in {@code new}. A message is written in a transaction of
 * its own, so its row has a marker of its own and it is one log entry, whose position is the row's {@code seq}.
 */
final class MessageRows {
    /** The {@code op} of a message row; not an operation a trigger ever writes. */
    static final String OP = "MESSAGE";

    private static final ObjectMapper JSON = new ObjectMapper();

    private MessageRows() {
    }

    static String payload(String event, Object data, String id) {
        ObjectNode node = JSON.createObjectNode();
        node.put("event", event);
        node.set("data", JSON.valueToTree(data));
        if (id != null) {
            node.put("id", id);
        }
        try {
            return JSON.writeValueAsString(node);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static ChannelMessage decode(long seq, long ts, String topic, String payload) {
        JsonNode node;
        try {
            node = JSON.readTree(payload);
        } catch (IOException e) {
            throw new IllegalStateException("log row " + seq + " holds a message that is not JSON", e);
        }
        JsonNode id = node.get("id");
        return new ChannelMessage(seq, ts, topic, node.path("event").asText(), JsonCodec.toValue(node.get("data")),
                id == null || id.isNull() ? null : id.asText());
    }
}
