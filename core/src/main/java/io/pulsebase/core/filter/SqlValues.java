package io.pulsebase.core.filter;

import io.pulsebase.core.store.Column;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.HexFormat;

/**
 * Row values as SQLite sees them. A normalized value is a {@code Long}, a {@code Double} (never NaN: SQLite
 * stores NaN as NULL), a {@code String} (BLOBs arrive as upper-case hex and are treated as text), or
 * {@code null}. Comparison follows SQLite: NULL is unknown, numbers compare exactly across Long and Double,
 * numbers sort before text, text compares by code point (the order of its UTF-8 bytes).
 */
public final class SqlValues {

    /** The smallest double that is too large for a long: 2^63. */
    private static final double TWO_TO_63 = 9.223372036854775808E18;

    private SqlValues() {
    }

    /**
     * A key for hash-indexing a value: two values that are SQL-equal (with no affinity conversion between
     * them) have equal keys. Integral doubles within the range of a long become that long ({@code 7.0} and
     * {@code 7} share the key {@code 7L}); Integer, Short, Byte and Boolean become Long; text stays text.
     * Returns {@code null} for NULL, which equals nothing.
     */
    public static Object indexKey(Object value) {
        Object v = normalize(value);
        if (v instanceof Double d) {
            double x = d;
            if (x == Math.rint(x) && x >= -TWO_TO_63 && x < TWO_TO_63) {
                return (long) x;
            }
        }
        return v;
    }

    /**
     * The value as a Long, Double, String or null. Other Java types are accepted defensively: integral types
     * and Boolean (1/0) become Long, Float becomes Double, BigInteger/BigDecimal become Long when exact and
     * Double otherwise, {@code byte[]} becomes upper-case hex, anything else its {@code toString()}.
     */
    public static Object normalize(Object value) {
        if (value == null || value instanceof Long || value instanceof String) {
            return value;
        }
        if (value instanceof Double d) {
            return d.isNaN() ? null : d;
        }
        return normalizeOther(value);
    }

    private static Object normalizeOther(Object value) {
        if (value instanceof Integer || value instanceof Short || value instanceof Byte) {
            return ((Number) value).longValue();
        }
        if (value instanceof Boolean b) {
            return b ? 1L : 0L;
        }
        if (value instanceof Float f) {
            return f.isNaN() ? null : (double) f;
        }
        if (value instanceof BigInteger i) {
            return i.bitLength() < 64 ? (Object) i.longValue() : (Object) i.doubleValue();
        }
        if (value instanceof BigDecimal d) {
            try {
                return d.longValueExact();
            } catch (ArithmeticException notALong) {
                return d.doubleValue();
            }
        }
        if (value instanceof Number n) {
            double d = n.doubleValue();
            return Double.isNaN(d) ? null : d;
        }
        if (value instanceof byte[] bytes) {
            return HexFormat.of().withUpperCase().formatHex(bytes);
        }
        return value.toString();
    }

    /** SQLite's order of two normalized, non-null values. */
    static int compare(Object a, Object b) {
        if (a instanceof Long x) {
            if (b instanceof Long y) {
                return Long.compare(x, y);
            }
            if (b instanceof Double y) {
                return compareLongDouble(x, y);
            }
            return -1;
        }
        if (a instanceof Double x) {
            if (b instanceof Double y) {
                double p = x;
                double q = y;
                return p < q ? -1 : p > q ? 1 : 0;
            }
            if (b instanceof Long y) {
                return -compareLongDouble(y, x);
            }
            return -1;
        }
        if (b instanceof String t) {
            return compareText((String) a, t);
        }
        return 1;
    }

    /** Whether two normalized, non-null values are SQL-equal: {@code compare(a, b) == 0}, faster. */
    static boolean equal(Object a, Object b) {
        if (a instanceof String s) {
            return s.equals(b);
        }
        if (a instanceof Long x && b instanceof Long y) {
            return x.longValue() == y.longValue();
        }
        return !(b instanceof String) && compare(a, b) == 0;
    }

    /** Exact comparison, as SQLite's {@code sqlite3IntFloatCompare}: no rounding of the long to a double. */
    private static int compareLongDouble(long l, double d) {
        if (d < -TWO_TO_63) {
            return 1;
        }
        if (d >= TWO_TO_63) {
            return -1;
        }
        long t = (long) d;
        if (l != t) {
            return l < t ? -1 : 1;
        }
        double fraction = d - (double) t;
        return fraction > 0 ? -1 : fraction < 0 ? 1 : 0;
    }

    /**
     * Binary collation: the order of the UTF-8 bytes, which is code point order. Java strings are UTF-16,
     * whose code unit order differs for supplementary characters, hence the fix-up of surrogates.
     */
    static int compareText(String a, String b) {
        int n = Math.min(a.length(), b.length());
        for (int i = 0; i < n; i++) {
            char c = a.charAt(i);
            char d = b.charAt(i);
            if (c != d) {
                if (c >= 0xD800 && d >= 0xD800) {
                    return fixUp(c) - fixUp(d);
                }
                return c - d;
            }
        }
        return a.length() - b.length();
    }

    /** Moves surrogates above U+E000..U+FFFF, so that UTF-16 code units sort in code point order. */
    private static int fixUp(char c) {
        return c >= 0xE000 ? c - 0x800 : c + 0x2000;
    }

    /** The text SQLite gives a normalized non-null value ({@code CAST(v AS TEXT)}). */
    static String toText(Object v) {
        if (v instanceof String s) {
            return s;
        }
        if (v instanceof Long l) {
            return l.toString();
        }
        return RealText.of((Double) v);
    }

    /**
     * Applies a comparison affinity to a normalized value, as SQLite does to the operands of a comparison:
     * numeric affinity turns text that is a well-formed number into that number; TEXT affinity turns numbers
     * into their text; BLOB affinity (no conversion) and NULL leave the value alone.
     */
    static Object applyAffinity(Object v, Column.Affinity affinity) {
        if (v == null || affinity == null) {
            return v;
        }
        return switch (affinity) {
            case INTEGER, REAL, NUMERIC -> v instanceof String s ? toNumber(s) : v;
            case TEXT -> v instanceof String ? v : toText(v);
            case BLOB -> v;
        };
    }

    /**
     * The number a text is, when the whole text (ignoring surrounding white space) is a decimal integer or real
     * literal ({@code ' 30 '}, {@code '-3.5e2'}, {@code '5.'}, {@code '.5'}; not hex, not {@code 'inf'}); else
     * the text itself. Integer forms that fit a long become Long; the rest Double.
     */
    static Object toNumber(String s) {
        int start = 0;
        int end = s.length();
        while (start < end && isSpace(s.charAt(start))) {
            start++;
        }
        while (end > start && isSpace(s.charAt(end - 1))) {
            end--;
        }
        int p = start;
        if (p < end && (s.charAt(p) == '+' || s.charAt(p) == '-')) {
            p++;
        }
        int digits = 0;
        while (p < end && isDigit(s.charAt(p))) {
            p++;
            digits++;
        }
        boolean integral = true;
        if (p < end && s.charAt(p) == '.') {
            integral = false;
            p++;
            while (p < end && isDigit(s.charAt(p))) {
                p++;
                digits++;
            }
        }
        if (digits == 0) {
            return s;
        }
        if (p < end && (s.charAt(p) == 'e' || s.charAt(p) == 'E')) {
            int q = p + 1;
            if (q < end && (s.charAt(q) == '+' || s.charAt(q) == '-')) {
                q++;
            }
            int exponentStart = q;
            while (q < end && isDigit(s.charAt(q))) {
                q++;
            }
            if (q == exponentStart) {
                return s;
            }
            integral = false;
            p = q;
        }
        if (p != end) {
            return s;
        }
        String number = s.substring(start, end);
        if (integral) {
            try {
                return Long.parseLong(number);
            } catch (NumberFormatException tooLarge) {
                return Double.parseDouble(number);
            }
        }
        return Double.parseDouble(number);
    }

    /**
     * The truth of a value standing alone as a condition, as SQLite decides it: numbers are true when non-zero,
     * text when its leading number ({@code '12abc'} → 12, {@code 'abc'} → 0) is non-zero, NULL is unknown.
     */
    static int truth(Object v) {
        if (v == null) {
            return Truth.UNKNOWN;
        }
        if (v instanceof Long l) {
            return Truth.of(l != 0);
        }
        if (v instanceof Double d) {
            return Truth.of(d != 0.0);
        }
        return Truth.of(leadingNumber((String) v) != 0.0);
    }

    /** The value of the longest prefix of the text (after white space) that reads as a number; 0 if none. */
    static double leadingNumber(String s) {
        int n = s.length();
        int start = 0;
        while (start < n && isSpace(s.charAt(start))) {
            start++;
        }
        int p = start;
        if (p < n && (s.charAt(p) == '+' || s.charAt(p) == '-')) {
            p++;
        }
        int digits = 0;
        while (p < n && isDigit(s.charAt(p))) {
            p++;
            digits++;
        }
        if (p < n && s.charAt(p) == '.') {
            int q = p + 1;
            while (q < n && isDigit(s.charAt(q))) {
                q++;
                digits++;
            }
            p = q;
        }
        if (digits == 0) {
            return 0.0;
        }
        if (p < n && (s.charAt(p) == 'e' || s.charAt(p) == 'E')) {
            int q = p + 1;
            if (q < n && (s.charAt(q) == '+' || s.charAt(q) == '-')) {
                q++;
            }
            int exponentStart = q;
            while (q < n && isDigit(s.charAt(q))) {
                q++;
            }
            if (q > exponentStart) {
                p = q;
            }
        }
        return Double.parseDouble(s.substring(start, p));
    }

    /** SQLite's white space for number parsing: space, tab, newline, vertical tab, form feed, carriage return. */
    static boolean isSpace(char c) {
        return c == ' ' || (c >= '\t' && c <= '\r');
    }

    static boolean isDigit(char c) {
        return c >= '0' && c <= '9';
    }
}
