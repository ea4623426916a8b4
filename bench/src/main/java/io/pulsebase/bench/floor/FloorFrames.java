package io.pulsebase.bench.floor;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.io.JsonStringEncoder;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.format.DateTimeFormatter;

/**
 * The floor server's wire format: reads the client messages the peer bench's {@code pulsebase} adapter sends and
 * writes the frames it expects, with the fields Pulsebase sends (docs/protocol.md; the event frame in the order of
 * Pulsebase's {@code EventEncoder}):
 *
 * <pre>
 *  in   {"type":"subscribe","ref":"s","topic":"bench/t0"}
 *  out  {"type":"reply","ref":"s","ok":true,"topic":"bench/t0","position":"0"}
 *  in   {"type":"publish","topic":"bench/t0","event":"m","data":&lt;any JSON&gt;}
 *  out  (only with a ref) {"type":"reply","ref":…,"ok":true}
 *  out  {"type":"event","topic":"bench/t0","event":"m","data":&lt;the same bytes&gt;,"timestamp":"2026-…Z"}
 * </pre>
 *
 * An event goes out as one complete, unmasked, final WebSocket text frame (RFC 6455 §5.2: header and payload in
 * one buffer), so it is encoded once per publish and every subscriber writes a duplicate of it. The {@code data}
 * value's bytes are copied from the publish as they are: no parse into values, no validation beyond what finding
 * the value's end takes, no re-encoding. Stateless and thread-safe.
 */
final class FloorFrames {
    private static final JsonFactory JSON = new JsonFactory();
    private static final JsonStringEncoder QUOTE = JsonStringEncoder.getInstance();
    private static final DateTimeFormatter ISO = DateTimeFormatter.ISO_INSTANT;
    private static final byte[] HEAD = ascii("{\"type\":\"event\",\"topic\":\"");
    private static final byte[] EVENT = ascii("\",\"event\":\"");
    private static final byte[] DATA = ascii("\",\"data\":");
    private static final byte[] TIMESTAMP = ascii(",\"timestamp\":\"");
    private static final byte[] TAIL = ascii("\"}");
    private static final byte[] NULL = ascii("null");
    private static final byte OPCODE_TEXT_FINAL = (byte) 0x81;

    /** The last timestamp formatted: messages of one millisecond share their text, as in Pulsebase. */
    private record Timestamp(long millis, byte[] text) {
    }

    private static volatile Timestamp lastTimestamp = new Timestamp(-1, new byte[0]);

    private FloorFrames() {
    }

    /**
     * A client message's top-level fields; {@code data} is the span {@code [dataStart, dataEnd)} of the message's
     * bytes holding the {@code data} value (both -1 when absent). Absent strings are {@code null}.
     */
    record Inbound(String type, String ref, String topic, String event, byte[] bytes, int dataStart, int dataEnd) {
    }

    /**
     * Reads the fields the floor needs from one client message, skipping every other field.
     *
     * @throws IOException when the text is not one JSON object
     */
    static Inbound parse(byte[] json) throws IOException {
        String type = null;
        String ref = null;
        String topic = null;
        String event = null;
        int dataStart = -1;
        int dataEnd = -1;
        try (JsonParser p = JSON.createParser(json)) {
            if (p.nextToken() != JsonToken.START_OBJECT) {
                throw new IOException("not a JSON object");
            }
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String name = p.currentName();
                JsonToken value = p.nextToken();
                switch (name) {
                    case "type" -> type = text(p, value);
                    case "ref" -> ref = text(p, value);
                    case "topic" -> topic = text(p, value);
                    case "event" -> event = text(p, value);
                    case "data" -> {
                        dataStart = (int) p.currentTokenLocation().getByteOffset();
                        finish(p, value);
                        dataEnd = (int) p.currentLocation().getByteOffset();
                    }
                    default -> finish(p, value);
                }
            }
            if (p.currentToken() != JsonToken.END_OBJECT) {
                throw new IOException("not a JSON object");
            }
        }
        return new Inbound(type, ref, topic, event, json, dataStart, dataEnd);
    }

    /**
     * The {@code event} frame of one publish as a complete WebSocket text frame, in a buffer from {@code alloc}
     * that the caller owns.
     */
    static ByteBuf event(ByteBufAllocator alloc, Inbound publish, long nowMillis) {
        byte[] topic = QUOTE.quoteAsUTF8(publish.topic());
        byte[] event = QUOTE.quoteAsUTF8(publish.event());
        byte[] timestamp = timestamp(nowMillis);
        int dataLength = publish.dataStart() < 0 ? NULL.length : publish.dataEnd() - publish.dataStart();
        int payload = HEAD.length + topic.length + EVENT.length + event.length + DATA.length + dataLength
                + TIMESTAMP.length + timestamp.length + TAIL.length;
        ByteBuf out = alloc.buffer(headerLength(payload) + payload);
        writeHeader(out, payload);
        out.writeBytes(HEAD).writeBytes(topic).writeBytes(EVENT).writeBytes(event).writeBytes(DATA);
        if (publish.dataStart() < 0) {
            out.writeBytes(NULL);
        } else {
            out.writeBytes(publish.bytes(), publish.dataStart(), dataLength);
        }
        out.writeBytes(TIMESTAMP).writeBytes(timestamp).writeBytes(TAIL);
        return out;
    }

    /** {@code {"type":"reply","ref":…,"ok":true}}, plus the subscription's topic and position for a subscribe. */
    static String okReply(String ref, String subscribedTopic) {
        StringBuilder s = new StringBuilder("{\"type\":\"reply\",\"ref\":\"").append(QUOTE.quoteAsString(ref))
                .append("\",\"ok\":true");
        if (subscribedTopic != null) {
            // No log here: a channel subscription continues from position 0.
            s.append(",\"topic\":\"").append(QUOTE.quoteAsString(subscribedTopic)).append("\",\"position\":\"0\"");
        }
        return s.append('}').toString();
    }

    /** A refusal of a message with a {@code ref}, in Pulsebase's shape. */
    static String errorReply(String ref, String code, String message) {
        return "{\"type\":\"reply\",\"ref\":\"" + new String(QUOTE.quoteAsString(ref)) + "\",\"ok\":false,"
                + "\"error\":{\"code\":\"" + code + "\",\"message\":\"" + new String(QUOTE.quoteAsString(message))
                + "\"}}";
    }

    private static String text(JsonParser p, JsonToken value) throws IOException {
        if (value == JsonToken.VALUE_STRING) {
            return p.getText();
        }
        finish(p, value);
        return null;
    }

    /** Consumes the current value whole, so the parser's location is just past it. */
    private static void finish(JsonParser p, JsonToken value) throws IOException {
        if (value == JsonToken.START_OBJECT || value == JsonToken.START_ARRAY) {
            p.skipChildren();
        } else {
            p.finishToken(); // a string is read lazily: read it to its closing quote
        }
    }

    private static byte[] timestamp(long millis) {
        Timestamp last = lastTimestamp;
        if (last.millis() != millis) {
            last = new Timestamp(millis, ascii(ISO.format(Instant.ofEpochMilli(millis))));
            lastTimestamp = last;
        }
        return last.text();
    }

    private static int headerLength(int payload) {
        return payload < 126 ? 2 : payload <= 0xFFFF ? 4 : 10;
    }

    /** FIN + text opcode, no mask (a server never masks), then the 7-bit, 16-bit or 64-bit payload length. */
    private static void writeHeader(ByteBuf out, int payload) {
        out.writeByte(OPCODE_TEXT_FINAL);
        if (payload < 126) {
            out.writeByte(payload);
        } else if (payload <= 0xFFFF) {
            out.writeByte(126).writeShort(payload);
        } else {
            out.writeByte(127).writeLong(payload);
        }
    }

    private static byte[] ascii(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }
}
