package io.pulsebase.protocol;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;

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

    private final ObjectMapper mapper;
    private final JsonFactory factory;
    private final ServerMessageEncoder encoder;

    public JsonCodec() {
        JsonFactory f = JsonFactory.builder()
                .streamReadConstraints(StreamReadConstraints.builder().maxNestingDepth(MAX_NESTING).build())
                .build();
        this.mapper = JsonMapper.builder(f)
                .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
                .enable(DeserializationFeature.USE_LONG_FOR_INTS)
                .build();
        this.factory = mapper.getFactory();
        this.encoder = new ServerMessageEncoder(mapper);
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
        return decodeClient(readTree(text));
    }

    /** Parses text into a JSON tree, mapping every failure to {@link ErrorCode#INVALID_JSON}. */
    public JsonNode readTree(String text) {
        try {
            JsonNode node = mapper.readTree(text);
            if (node == null || node.isMissingNode()) {
                throw new ProtocolException(ErrorCode.INVALID_JSON, "frame is empty");
            }
            return node;
        } catch (JsonProcessingException e) {
            throw new ProtocolException(ErrorCode.INVALID_JSON, "frame is not valid JSON");
        }
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
        return ClientMessageDecoder.decode(node);
    }

    /** The {@code ref} of a frame that may otherwise be invalid, so an error can still be correlated. */
    public static String refOf(JsonNode node) {
        return ClientMessageDecoder.refOf(node);
    }

    /** Converts a JSON tree to plain Java values: Map, List, String, Long, Double, Boolean or null. */
    public static Object toValue(JsonNode v) {
        return ClientMessageDecoder.toValue(v);
    }

    // ---------------------------------------------------------------------------------------------- encode

    /** Encodes a server message as UTF-8 JSON. */
    public byte[] encode(ServerMessage message) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(256);
        try (JsonGenerator g = factory.createGenerator(out)) {
            encoder.write(g, message);
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
}
