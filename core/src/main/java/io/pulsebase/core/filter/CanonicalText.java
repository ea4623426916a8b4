package io.pulsebase.core.filter;

import java.util.ArrayList;
import java.util.List;

/**
 * Renders a normalized tree as SQL: keywords upper case, columns double-quoted in the schema's spelling,
 * literals as converted, single spaces, the terms of each AND / OR sorted. Equal texts therefore mean equal
 * filters, and the text is a WHERE clause SQLite evaluates exactly as the compiled filter does.
 */
final class CanonicalText {
    private CanonicalText() {
    }

    static String of(FilterExpr expr) {
        return render(expr);
    }

    private static String render(FilterExpr expr) {
        return switch (expr) {
            case And and -> join(and.terms(), " AND ", true);
            case Or or -> join(or.terms(), " OR ", false);
            case Not not -> "NOT (" + render(not.term()) + ")";
            case Compare c -> operand(c.left()) + " " + c.op().sql() + " " + operand(c.right());
            case In in -> {
                StringBuilder sb = new StringBuilder(operand(in.operand())).append(in.negated() ? " NOT IN (" : " IN (");
                for (int i = 0; i < in.values().size(); i++) {
                    sb.append(i == 0 ? "" : ", ").append(operand(in.values().get(i)));
                }
                yield sb.append(')').toString();
            }
            case Like like -> operand(like.value()) + (like.negated() ? " NOT LIKE " : " LIKE ") + operand(like.pattern());
            case IsNull isNull -> operand(isNull.operand()) + (isNull.negated() ? " IS NOT NULL" : " IS NULL");
            case Between b -> operand(b.column()) + (b.negated() ? " NOT BETWEEN " : " BETWEEN ")
                    + operand(b.low()) + " AND " + operand(b.high());
            case IsTrue t -> operand(t.operand());
        };
    }

    private static String join(List<FilterExpr> terms, String separator, boolean parenthesizeOr) {
        List<String> parts = new ArrayList<>(terms.size());
        for (FilterExpr term : terms) {
            String text = render(term);
            parts.add(parenthesizeOr && term instanceof Or ? "(" + text + ")" : text);
        }
        parts.sort(null);
        return String.join(separator, parts);
    }

    static String operand(Operand operand) {
        return switch (operand) {
            case ColumnRef c -> "\"" + c.name().replace("\"", "\"\"") + "\"";
            case Literal l -> literal(l.value());
        };
    }

    private static String literal(Object value) {
        if (value == null) {
            return "NULL";
        }
        if (value instanceof String s) {
            return "'" + s.replace("'", "''") + "'";
        }
        if (value instanceof Double d && d.isInfinite()) {
            return d > 0 ? "1e999" : "-1e999";
        }
        // Long, or a Double: Double.toString is the shortest text that reads back as the same double.
        return value.toString();
    }
}
