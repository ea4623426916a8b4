package io.pulsebase.core.policy;

import io.pulsebase.core.auth.Identity;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The {@code auth.<claim>} references of a policy expression, and their binding to one caller's values.
 *
 * <p>A policy is the filter language plus references to the caller: {@code auth.sub}, {@code auth.role},
 * {@code auth.account}, and {@code auth.<claim>} for any claim of the caller's token, with dots for nested
 * objects ({@code auth.app_metadata.plan}). Binding replaces each reference with a literal of the filter
 * language, so a bound policy is an ordinary filter: compiled, indexed and evaluated exactly like one (an
 * {@code owner_id = auth.sub} policy becomes the equality {@code owner_id = 'user-7'}, which the matcher indexes).
 *
 * <p>Values become: a string a quoted literal (quotes doubled, so a claim can never change the expression's
 * structure), a number its digits, a boolean {@code TRUE}/{@code FALSE}, and anything absent, null, or an object
 * {@code NULL} (which matches nothing). After {@code IN} a reference becomes a parenthesized list: a list claim's
 * scalar elements, a scalar on its own, or {@code (NULL)} when there is nothing to list — so {@code NOT IN} an
 * empty or absent list denies rather than allows. A list anywhere else is {@code NULL}.
 *
 * <p>References are recognized outside single-quoted strings and double-quoted identifiers only. Stateless.
 */
final class AuthReferences {
    static final String PREFIX = "auth.";

    private AuthReferences() {
    }

    /** One reference: where it is in the text and the claim path it names. */
    record Reference(int start, int end, List<String> path, boolean afterIn) {
    }

    /**
     * The references in a policy text.
     *
     * @throws IllegalArgumentException for {@code auth.} not followed by a claim name
     */
    static List<Reference> find(String text) {
        List<Reference> found = new ArrayList<>();
        int n = text.length();
        int i = 0;
        while (i < n) {
            char c = text.charAt(i);
            if (c == '\'' || c == '"') {
                i = skipQuoted(text, i, c);
            } else if (isIdentifierStart(c)) {
                int start = i;
                while (i < n && (isIdentifierPart(text.charAt(i)) || text.charAt(i) == '.')) {
                    i++;
                }
                String word = text.substring(start, i);
                if (word.regionMatches(true, 0, PREFIX, 0, PREFIX.length())) {
                    String[] parts = word.substring(PREFIX.length()).split("\\.", -1);
                    for (String part : parts) {
                        if (part.isEmpty() || !isIdentifierStart(part.charAt(0))) {
                            throw new IllegalArgumentException("'" + word + "' at position " + (start + 1)
                                    + " is not a claim reference (auth.<claim>[.<field>...])");
                        }
                    }
                    found.add(new Reference(start, i, List.of(parts), previousWordIsIn(text, start)));
                }
            } else {
                i++;
            }
        }
        return found;
    }

    /** The text with every reference replaced by the caller's value. */
    static String bind(String text, List<Reference> references, Identity caller) {
        StringBuilder out = new StringBuilder(text.length() + 32);
        int at = 0;
        for (Reference r : references) {
            out.append(text, at, r.start());
            Object value = lookup(caller, r.path());
            if (r.afterIn()) {
                appendList(out, value);
            } else {
                appendScalar(out, value instanceof List<?> ? null : value);
            }
            at = r.end();
        }
        return out.append(text, at, text.length()).toString();
    }

    /** The text with every reference replaced by {@code NULL} (or {@code (NULL)} after IN): to check its syntax. */
    static String neutral(String text, List<Reference> references) {
        StringBuilder out = new StringBuilder(text.length());
        int at = 0;
        for (Reference r : references) {
            out.append(text, at, r.start()).append(r.afterIn() ? "(NULL)" : "NULL");
            at = r.end();
        }
        return out.append(text, at, text.length()).toString();
    }

    /** The caller's value of a claim path ({@code sub}, {@code role}, {@code account} or a token claim), or null. */
    static Object lookup(Identity caller, List<String> path) {
        Object value = switch (path.get(0)) {
            case "sub" -> caller.subject();
            case "role" -> caller.role().name().toLowerCase(Locale.ROOT);
            case "account" -> caller.account();
            default -> caller.claims().get(path.get(0));
        };
        for (int k = 1; k < path.size(); k++) {
            value = value instanceof Map<?, ?> map ? map.get(path.get(k)) : null;
        }
        return value;
    }

    private static void appendList(StringBuilder out, Object value) {
        List<?> items = value instanceof List<?> list ? list : value == null ? List.of() : List.of(value);
        out.append('(');
        int written = 0;
        for (Object item : items) {
            if (item instanceof List<?> || item instanceof Map<?, ?>) {
                continue;
            }
            if (written++ > 0) {
                out.append(", ");
            }
            appendScalar(out, item);
        }
        if (written == 0) {
            out.append("NULL");
        }
        out.append(')');
    }

    private static void appendScalar(StringBuilder out, Object value) {
        switch (value) {
            case String s -> out.append('\'').append(s.replace("'", "''")).append('\'');
            case Boolean b -> out.append(b ? "TRUE" : "FALSE");
            case Long l -> out.append(l);
            case Integer i -> out.append(i);
            case Double d when !d.isNaN() && !d.isInfinite() -> out.append(d);
            case null, default -> out.append("NULL");
        }
    }

    private static boolean previousWordIsIn(String text, int start) {
        int j = start - 1;
        while (j >= 0 && Character.isWhitespace(text.charAt(j))) {
            j--;
        }
        return j >= 1 && (text.charAt(j) == 'n' || text.charAt(j) == 'N')
                && (text.charAt(j - 1) == 'i' || text.charAt(j - 1) == 'I')
                && (j < 2 || !isIdentifierPart(text.charAt(j - 2)));
    }

    /** The index just past a quoted string or identifier opened at {@code open} (doubled quotes escape), or the end. */
    static int skipQuoted(String text, int open, char quote) {
        int i = open + 1;
        while (i < text.length()) {
            if (text.charAt(i) == quote) {
                if (i + 1 < text.length() && text.charAt(i + 1) == quote) {
                    i += 2;
                    continue;
                }
                return i + 1;
            }
            i++;
        }
        return i;
    }

    private static boolean isIdentifierStart(char c) {
        return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c == '_';
    }

    private static boolean isIdentifierPart(char c) {
        return isIdentifierStart(c) || c >= '0' && c <= '9';
    }
}
