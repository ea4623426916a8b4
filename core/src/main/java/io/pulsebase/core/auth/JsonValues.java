package io.pulsebase.core.auth;

import java.util.ArrayList;
import java.util.Collections;
import java.util.Date;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Copies a token's claims into plain, immutable JSON values, so that what policies see does not depend on the
 * JWT library's types: {@code String}, {@code Long} (any integral number), {@code Double} (any other number),
 * {@code Boolean}, {@code null}, and unmodifiable {@code List} / {@code Map} of those (maps keep the token's
 * order; {@code null} values are kept, so {@code Map.copyOf} is not used). Nesting is bounded so a hostile token
 * cannot make later evaluation recurse deeply.
 */
final class JsonValues {
    static final int MAX_DEPTH = 32;

    private JsonValues() {}

    /** The claims, copied; {@code null} when they nest deeper than {@link #MAX_DEPTH} or hold a non-JSON value. */
    static Map<String, Object> copyClaims(Map<String, Object> claims) {
        try {
            return copyMap(claims, 0);
        } catch (IllegalArgumentException e) {
            return null;
        }
    }

    private static Map<String, Object> copyMap(Map<?, ?> map, int depth) {
        Map<String, Object> copy = new LinkedHashMap<>();
        for (Map.Entry<?, ?> e : map.entrySet()) {
            copy.put(String.valueOf(e.getKey()), copy(e.getValue(), depth + 1));
        }
        return Collections.unmodifiableMap(copy);
    }

    private static Object copy(Object value, int depth) {
        if (depth > MAX_DEPTH) {
            throw new IllegalArgumentException("too deep");
        }
        return switch (value) {
            case null -> null;
            case String s -> s;
            case Boolean b -> b;
            case Long l -> l;
            case Integer i -> i.longValue();
            case Short s -> s.longValue();
            case Byte b -> b.longValue();
            case Number n -> n.doubleValue(); // Gson gives Long or Double; any other kind becomes a Double
            case Date d -> d.getTime() / 1000; // Nimbus keeps exp/nbf/iat as Dates; on the wire they are seconds
            case Map<?, ?> m -> copyMap(m, depth);
            case List<?> list -> {
                List<Object> copy = new ArrayList<>(list.size());
                for (Object o : list) {
                    copy.add(copy(o, depth + 1));
                }
                yield Collections.unmodifiableList(copy);
            }
            default -> throw new IllegalArgumentException("not a JSON value");
        };
    }
}
