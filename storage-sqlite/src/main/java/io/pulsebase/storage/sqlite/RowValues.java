package io.pulsebase.storage.sqlite;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.pulsebase.protocol.ErrorCode;
import io.pulsebase.protocol.ProtocolException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The one row representation shared by snapshots, CRUD results and captured changes: column name to Long
 * (INTEGER), Double (REAL), String (TEXT), upper-case hex String (BLOB) or null, in column order. A row read
 * with JDBC and the same row serialized by a capture trigger with {@code json_object} decode to equal maps:
 * JSON numbers with a fraction or exponent are REALs ({@code json_object} writes REAL 1.0 as {@code 1.0}),
 * the others INTEGERs.
 */
final class RowValues {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HexFormat HEX = HexFormat.of().withUpperCase();

    private RowValues() {
    }

    /** A JDBC value as a row value. */
    static Object normalize(Object value) {
        return switch (value) {
            case null -> null;
            case Long l -> l;
            case Integer i -> i.longValue();
            case Short s -> s.longValue();
            case Byte b -> b.longValue();
            // -0.0 and 0.0 are one value in SQLite's JSON; keep them one value here.
            case Double d -> d == 0.0 ? 0.0 : d;
            case Float f -> f == 0.0f ? 0.0 : f.doubleValue();
            case String s -> s;
            case byte[] bytes -> HEX.formatHex(bytes);
            default -> value.toString();
        };
    }

    /** The current row of {@code rs}, its columns named {@code names} in order. */
    static Map<String, Object> read(ResultSet rs, List<String> names) throws SQLException {
        Map<String, Object> row = new LinkedHashMap<>(names.size() * 2);
        for (int i = 0; i < names.size(); i++) {
            row.put(names.get(i), normalize(rs.getObject(i + 1)));
        }
        return row;
    }

    /** A row serialized by a capture trigger; {@code null} stays {@code null}. */
    static Map<String, Object> decode(String json) {
        if (json == null) {
            return null;
        }
        try (JsonParser parser = JSON.createParser(json)) {
            if (parser.nextToken() != JsonToken.START_OBJECT) {
                throw new IllegalStateException("a captured row is not a JSON object: " + abbreviate(json));
            }
            Map<String, Object> row = new LinkedHashMap<>();
            while (parser.nextToken() == JsonToken.FIELD_NAME) {
                String name = parser.currentName();
                JsonToken token = parser.nextToken();
                row.put(name, switch (token) {
                    case VALUE_NUMBER_INT -> integer(parser);
                    case VALUE_NUMBER_FLOAT -> normalize(parser.getDoubleValue());
                    case VALUE_STRING -> parser.getText();
                    case VALUE_TRUE -> 1L;
                    case VALUE_FALSE -> 0L;
                    case VALUE_NULL -> null;
                    // Only values carrying SQLite's JSON subtype nest; a column read back holds their text.
                    default -> JSON.writeValueAsString(parser.readValueAsTree());
                });
            }
            return row;
        } catch (IOException e) {
            throw new UncheckedIOException("a captured row is not valid JSON: " + abbreviate(json), e);
        }
    }

    /** A JSON integer; one beyond 64 bits cannot come from SQLite, which would hold it as a REAL. */
    private static Object integer(JsonParser parser) throws IOException {
        if (parser.getNumberType() == JsonParser.NumberType.BIG_INTEGER) {
            return parser.getDoubleValue();
        }
        return parser.getLongValue();
    }

    /** Binds a JSON-like value as parameter {@code index}; objects and arrays are refused. */
    static void bind(PreparedStatement statement, int index, Object value, String what) throws SQLException {
        switch (value) {
            case null -> statement.setNull(index, Types.NULL);
            case Long l -> statement.setLong(index, l);
            case Integer i -> statement.setLong(index, i);
            case Short s -> statement.setLong(index, s);
            case Byte b -> statement.setLong(index, b);
            case Double d -> statement.setDouble(index, d);
            case Float f -> statement.setDouble(index, f);
            case BigInteger big -> {
                if (big.bitLength() < 64) {
                    statement.setLong(index, big.longValue());
                } else {
                    statement.setDouble(index, big.doubleValue());
                }
            }
            case BigDecimal decimal -> statement.setDouble(index, decimal.doubleValue());
            case Boolean b -> statement.setLong(index, b ? 1 : 0);
            case String s -> statement.setString(index, s);
            case byte[] bytes -> statement.setBytes(index, bytes);
            case Map<?, ?> ignored -> throw new ProtocolException(ErrorCode.BAD_REQUEST,
                    what + ": objects are not SQL values (store JSON as a string)");
            case List<?> ignored -> throw new ProtocolException(ErrorCode.BAD_REQUEST,
                    what + ": arrays are not SQL values (store JSON as a string)");
            default -> throw new ProtocolException(ErrorCode.BAD_REQUEST,
                    what + ": unsupported value type " + value.getClass().getSimpleName());
        }
    }

    private static String abbreviate(String text) {
        return text.length() <= 200 ? text : text.substring(0, 200) + "...";
    }
}
