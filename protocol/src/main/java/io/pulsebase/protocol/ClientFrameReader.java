package io.pulsebase.protocol;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectReader;
import com.fasterxml.jackson.databind.node.BooleanNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.NullNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.POJONode;
import com.fasterxml.jackson.databind.node.TextNode;
import java.io.IOException;

/**
 * Reads a client frame with a streaming parser into a tree of its top-level fields, except that the
 * {@value #RAW_FIELD} field (a channel message's payload, the only part that can be large) is not parsed into
 * nodes but captured as {@link RawJson} inside a {@link POJONode}: a publish is relayed without building and
 * re-serializing its payload. Every other field becomes the node {@link ObjectMapper#readTree} would give.
 *
 * <p>Same rules as a full parse: one JSON object, no trailing tokens, the factory's nesting limit; the last of
 * repeated keys wins. Every failure is {@link ErrorCode#INVALID_JSON}. Stateless.
 */
final class ClientFrameReader {
    static final String RAW_FIELD = "data";

    private ClientFrameReader() {
    }

    /**
     * @param nested reads one value inside the frame; must not fail on the tokens that follow it (the mapper's
     *               own {@code readTree} refuses trailing tokens)
     */
    static JsonNode read(JsonFactory factory, ObjectMapper mapper, ObjectReader nested, byte[] utf8) {
        try (JsonParser p = factory.createParser(utf8)) {
            JsonToken first = p.nextToken();
            if (first == null) {
                throw new ProtocolException(ErrorCode.INVALID_JSON, "frame is empty");
            }
            if (first != JsonToken.START_OBJECT) {
                JsonNode other = nested.readTree(p);
                requireEnd(p);
                return other;
            }
            ObjectNode node = JsonNodeFactory.instance.objectNode();
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String name = p.currentName();
                p.nextToken();
                node.set(name, RAW_FIELD.equals(name) ? new POJONode(RawJson.capture(p, utf8)) : value(p, nested));
            }
            requireEnd(p);
            return node;
        } catch (IOException e) {
            throw new ProtocolException(ErrorCode.INVALID_JSON, "frame is not valid JSON");
        }
    }

    /** The value at the parser's current token; scalars are built directly (the common case: a few strings). */
    private static JsonNode value(JsonParser p, ObjectReader nested) throws IOException {
        return switch (p.currentToken()) {
            case VALUE_STRING -> TextNode.valueOf(p.getText());
            case VALUE_TRUE -> BooleanNode.TRUE;
            case VALUE_FALSE -> BooleanNode.FALSE;
            case VALUE_NULL -> NullNode.instance;
            default -> nested.readTree(p);
        };
    }

    private static void requireEnd(JsonParser p) throws IOException {
        if (p.nextToken() != null) {
            throw new ProtocolException(ErrorCode.INVALID_JSON, "frame is not valid JSON");
        }
    }
}
