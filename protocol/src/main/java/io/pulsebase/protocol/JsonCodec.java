package io.pulsebase.protocol;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectReader;
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
    private final ObjectReader nestedReader;

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
        this.nestedReader = mapper.readerFor(JsonNode.class).without(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);
    }

    /** The shared Jackson mapper (for REST bodies and plain JSON values). */
    public ObjectMapper mapper() {
        return mapper;
    }

    // ---------------------------------------------------------------------------------------------- decode

    /** Decodes one client frame. */
    public ClientMessage decodeClient(byte[] utf8) {
        return decodeClient(readFrame(utf8));
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

    /**
     * Parses a client frame (or a REST body of the same shape) into a tree of its fields, mapping every failure to
     * {@link ErrorCode#INVALID_JSON}. Its {@code data} field is not parsed into nodes: it is kept as {@link RawJson}
     * (see {@link ClientFrameReader}), which {@link #decodeClient(JsonNode)} hands on as the message's payload.
     */
    public JsonNode readFrame(byte[] utf8) {
        return ClientFrameReader.read(factory, mapper, nestedReader, utf8);
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
        if (message instanceof ServerMessage.Event event) {
            byte[] fast = EventEncoder.encode(event);
            if (fast != null) {
                return fast;
            }
        }
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
