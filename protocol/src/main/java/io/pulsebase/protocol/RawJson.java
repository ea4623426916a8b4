package io.pulsebase.protocol;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.JsonSerializable;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializerProvider;
import com.fasterxml.jackson.databind.jsontype.TypeSerializer;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * One JSON value kept as its UTF-8 text: the payload of a channel message, relayed from publisher to log to
 * subscribers without being turned into objects and back. The text is valid JSON and valid UTF-8 and holds no line
 * break (an SSE {@code data:} line carries it as is); other insignificant spaces the publisher sent are kept, and
 * numbers keep every digit they were sent with.
 *
 * <p>Immutable and thread-safe. Jackson writes it as a raw value wherever it is serialized.
 */
public final class RawJson implements JsonSerializable {
    /** JSON {@code null}. */
    public static final RawJson NULL = new RawJson("null".getBytes(StandardCharsets.US_ASCII));

    private final byte[] utf8;
    private volatile String text;

    private RawJson(byte[] utf8) {
        this.utf8 = utf8;
    }

    /** The compact JSON text of a parsed tree ({@code null} or a missing node is JSON {@code null}). */
    public static RawJson of(JsonNode node) {
        if (node == null || node.isMissingNode() || node.isNull()) {
            return NULL;
        }
        return new RawJson(node.toString().getBytes(StandardCharsets.UTF_8));
    }

    /** The compact JSON text of a plain value (Map, List, String, Number, Boolean, {@code null}, a tree). */
    public static RawJson of(ObjectMapper mapper, Object value) {
        if (value instanceof RawJson raw) {
            return raw;
        }
        if (value == null) {
            return NULL;
        }
        try {
            return new RawJson(mapper.writeValueAsBytes(value));
        } catch (IOException e) {
            throw new IllegalArgumentException("not a JSON value: " + value.getClass().getName(), e);
        }
    }

    /**
     * Takes the value the parser is at (its current token is the value's first) straight out of {@code source},
     * the bytes the parser reads (it must have been created on exactly these bytes), and leaves the parser on the
     * value's last token. The parser has checked the JSON on the way; this adds what a skipping parser does not
     * check (strict UTF-8) and removes line breaks.
     *
     * @throws ProtocolException {@code invalid_json} for bytes that are not UTF-8
     * @throws IOException       when the parser finds malformed JSON
     */
    public static RawJson capture(JsonParser parser, byte[] source) throws IOException {
        JsonToken token = parser.currentToken();
        if (token == JsonToken.VALUE_NULL) {
            return NULL;
        }
        int start = (int) parser.currentTokenLocation().getByteOffset();
        if (token == JsonToken.START_OBJECT || token == JsonToken.START_ARRAY) {
            parser.skipChildren();
        } else if (token == JsonToken.VALUE_STRING) {
            parser.finishToken();
        }
        int end = (int) parser.currentLocation().getByteOffset();
        if (start < 0 || end > source.length || end <= start) {
            throw new IllegalArgumentException("the parser does not read the given bytes");
        }
        boolean ascii = true;
        int lineBreaks = 0;
        for (int i = start; i < end; i++) {
            byte b = source[i];
            if (b < 0) {
                ascii = false;
            } else if (b == '\n' || b == '\r') {
                lineBreaks++;
            }
        }
        if (!ascii) {
            requireUtf8(source, start, end);
        }
        if (lineBreaks == 0) {
            return new RawJson(Arrays.copyOfRange(source, start, end));
        }
        // Valid JSON holds a raw CR or LF only as whitespace (a string cannot contain one, and no byte of a
        // multi-byte UTF-8 character is one), so dropping them changes nothing else.
        byte[] compact = new byte[end - start - lineBreaks];
        int n = 0;
        for (int i = start; i < end; i++) {
            if (source[i] != '\n' && source[i] != '\r') {
                compact[n++] = source[i];
            }
        }
        return new RawJson(compact);
    }

    private static void requireUtf8(byte[] source, int start, int end) {
        try {
            StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(source, start, end - start));
        } catch (CharacterCodingException e) {
            throw new ProtocolException(ErrorCode.INVALID_JSON, "frame is not valid UTF-8");
        }
    }

    /** The UTF-8 text. Shared: never modify it. */
    public byte[] utf8() {
        return utf8;
    }

    /** Length of the text in bytes. */
    public int length() {
        return utf8.length;
    }

    @Override
    public void serialize(JsonGenerator g, SerializerProvider serializers) throws IOException {
        g.writeRawValue(toString());
    }

    @Override
    public void serializeWithType(JsonGenerator g, SerializerProvider serializers, TypeSerializer typeSer)
            throws IOException {
        serialize(g, serializers);
    }

    /** The JSON text. */
    @Override
    public String toString() {
        String t = text;
        if (t == null) {
            t = new String(utf8, StandardCharsets.UTF_8);
            text = t;
        }
        return t;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof RawJson other && Arrays.equals(utf8, other.utf8);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(utf8);
    }
}
