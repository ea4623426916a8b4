package io.pulsebase.core.filter;

import io.pulsebase.core.store.Column;
import io.pulsebase.core.store.TableSchema;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * Random filters from the whole grammar and random rows, over one table of every affinity. Seeded, so a
 * failing property prints everything needed to reproduce it. Shared by the filter and matcher properties.
 */
public final class RandomFilters {

    /** {@code t(id INTEGER PRIMARY KEY, i INTEGER, r REAL, s TEXT, n NUMERIC, u)}: u has no type (BLOB affinity). */
    public static final TableSchema SCHEMA = new TableSchema("t", List.of(
            new Column("id", "INTEGER", Column.Affinity.INTEGER, false, true),
            new Column("i", "INTEGER", Column.Affinity.INTEGER, false, false),
            new Column("r", "REAL", Column.Affinity.REAL, false, false),
            new Column("s", "TEXT", Column.Affinity.TEXT, false, false),
            new Column("n", "NUMERIC", Column.Affinity.NUMERIC, false, false),
            new Column("u", "", Column.Affinity.BLOB, false, false)), "id");

    public static final String CREATE_TABLE = "CREATE TABLE t(id INTEGER PRIMARY KEY, i INTEGER, r REAL, s TEXT, n NUMERIC, u)";

    private static final String[] COLUMNS = {"i", "r", "s", "n", "u", "id"};
    private static final String[] INTEGERS = {"0", "1", "-1", "2", "3", "30", "-3", "7", "9223372036854775807",
        "-9223372036854775808", "9223372036854775808", "00", "+2"};
    private static final String[] DECIMALS = {"0.5", "1.0", "2.5", "-1.5", "3.0", "0.1", "1e2", "1.5E1", ".5", "5.",
        "0.30000000000000004", "1e20", "-0.0", "2.0e-3"};
    private static final String[] STRINGS = {"a", "abc", "A", "", "3", "30", " 3 ", "3.0", "1e1", "abc'd", "ä", "Ä",
        "0.5", "-1", "+2", "b", "x y", "1abc", "😀", "\uE000", "0", "2.5"};
    private static final String[] PATTERNS = {"a%", "%a%", "A_C", "_", "%", "3%", "%.5", "ä%", "%😀%", "", "30",
        "3_", "%b", "a", "_%_", "%3.0%", "1%", "%e%"};
    private static final Object[] ROW_TEXTS = {"", "a", "A", "abc", "ABC", "b", "3", "30", " 3", "3.0", "ä", "Ä",
        "a%b", "a_c", "1abc", "0", "0.0", "😀", "\uE000", "x y", "abc'd", "2.5", "-1", "e"};
    private static final Object[] ROW_NUMBERS = {0L, 1L, -1L, 2L, 3L, 7L, 30L, -3L, Long.MAX_VALUE, Long.MIN_VALUE,
        0.5, 1.0, 2.5, -1.5, 3.0, 0.1, 1.0 / 3, 1e20, 100.0, 2.0, 0.30000000000000004, 9.223372036854775807E18};

    private final SplittableRandom random;

    public RandomFilters(long seed) {
        this.random = new SplittableRandom(seed);
    }

    // ---- rows ---------------------------------------------------------------------------------------------

    /** Values to insert (column → value); read them back from SQLite to get the stored, type-consistent row. */
    public Map<String, Object> rowToInsert(long id) {
        Map<String, Object> row = new LinkedHashMap<>();
        row.put("id", id);
        row.put("i", numberOrNull(true));
        row.put("r", numberOrNull(false));
        row.put("s", random.nextInt(8) == 0 ? null : pick(ROW_TEXTS));
        row.put("n", random.nextInt(6) == 0 ? pick(ROW_TEXTS) : numberOrNull(false));
        int kind = random.nextInt(3);
        row.put("u", kind == 0 ? null : kind == 1 ? pick(ROW_NUMBERS) : pick(ROW_TEXTS));
        return row;
    }

    private Object numberOrNull(boolean integral) {
        int k = random.nextInt(10);
        if (k == 0) {
            return null;
        }
        if (k == 1) {
            return "abc";
        }
        if (k < 5) {
            return (long) random.nextInt(-3, 8);
        }
        Object v = pick(ROW_NUMBERS);
        return integral && v instanceof Double d ? (Object) (long) (double) d : v;
    }

    // ---- filters ------------------------------------------------------------------------------------------

    public String filter() {
        return expr(random.nextInt(4));
    }

    /** A filter with a top-level equality the matcher can index, sometimes ANDed with anything. */
    public String equalityFilter() {
        String equality = switch (random.nextInt(4)) {
            case 0 -> literal() + " = " + column();
            case 1 -> column() + " " + kw("IN") + " (" + literals(1 + random.nextInt(3)) + ")";
            default -> column() + " = " + literal();
        };
        return switch (random.nextInt(4)) {
            case 0 -> equality + " " + kw("AND") + " " + expr(1);
            case 1 -> "(" + expr(1) + ") " + kw("AND") + " " + equality;
            default -> equality;
        };
    }

    /** A row as a change might carry it: any mix of Java types the matcher must cope with. */
    public Map<String, Object> row(long id) {
        Map<String, Object> row = rowToInsert(id);
        row.replaceAll((column, value) -> value instanceof Long l && random.nextInt(5) == 0 ? (Object) (double) l : value);
        return row;
    }

    public SplittableRandom random() {
        return random;
    }

    private String expr(int depth) {
        if (depth == 0) {
            return predicate();
        }
        return switch (random.nextInt(6)) {
            case 0 -> expr(depth - 1) + " " + kw("AND") + " " + expr(depth - 1);
            case 1 -> expr(depth - 1) + " " + kw("OR") + " " + expr(depth - 1);
            case 2 -> kw("NOT") + " " + expr(depth - 1);
            case 3 -> "(" + expr(depth - 1) + ")";
            case 4 -> "(" + expr(depth - 1) + " " + kw("OR") + " " + expr(depth - 1) + ") " + kw("AND") + " " + expr(depth - 1);
            default -> predicate();
        };
    }

    private String predicate() {
        String[] ops = {"=", "==", "!=", "<>", "<", "<=", ">", ">="};
        return switch (random.nextInt(12)) {
            case 0, 1, 2 -> column() + " " + pick(ops) + " " + literal();
            case 3 -> literal() + " " + pick(ops) + " " + column();
            case 4 -> column() + " " + pick(ops) + " " + column();
            case 5 -> operand() + " " + (random.nextBoolean() ? kw("NOT") + " " : "") + kw("IN") + " (" + literals(1 + random.nextInt(4)) + ")";
            case 6 -> operand() + " " + (random.nextBoolean() ? kw("NOT") + " " : "") + kw("LIKE") + " " + pattern();
            case 7 -> operand() + " " + kw("IS") + " " + (random.nextBoolean() ? kw("NOT") + " " : "") + kw("NULL");
            case 8 -> operand() + " " + (random.nextBoolean() ? kw("NOT") + " " : "") + kw("BETWEEN") + " " + operand() + " " + kw("AND") + " " + operand();
            case 9 -> column();
            case 10 -> random.nextBoolean() ? kw("TRUE") : kw("FALSE");
            default -> column() + " " + pick(ops) + " " + literal();
        };
    }

    private String operand() {
        return random.nextInt(4) == 0 ? literal() : column();
    }

    private String column() {
        String c = pick(COLUMNS);
        return switch (random.nextInt(4)) {
            case 0 -> c.toUpperCase();
            case 1 -> "\"" + c + "\"";
            default -> c;
        };
    }

    private String literals(int n) {
        List<String> values = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            values.add(literal());
        }
        return String.join(", ", values);
    }

    private String literal() {
        return switch (random.nextInt(10)) {
            case 0, 1, 2 -> pick(INTEGERS);
            case 3, 4 -> pick(DECIMALS);
            case 5, 6, 7 -> quote(pick(STRINGS));
            case 8 -> kw("NULL");
            default -> random.nextBoolean() ? kw("TRUE") : kw("FALSE");
        };
    }

    private String pattern() {
        return switch (random.nextInt(8)) {
            case 0 -> pick(INTEGERS);
            case 1 -> kw("NULL");
            default -> quote(pick(PATTERNS));
        };
    }

    private static String quote(String s) {
        return "'" + s.replace("'", "''") + "'";
    }

    private String kw(String keyword) {
        return switch (random.nextInt(4)) {
            case 0 -> keyword.toLowerCase();
            case 1 -> keyword.charAt(0) + keyword.substring(1).toLowerCase();
            default -> keyword;
        };
    }

    private <T> T pick(T[] values) {
        return values[random.nextInt(values.length)];
    }
}
