package io.pulsebase.core.filter;

import io.pulsebase.core.store.Column;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Compiles a normalized tree into {@link Condition}s: column names resolved, literals already converted by
 * the parser, LIKE patterns compiled, IN lists hashed. Nothing is parsed or allocated per row except what
 * SQLite itself would convert (a number read as text by LIKE, text read as a number when two columns of
 * different affinity are compared).
 *
 * <p>Row values are taken as stored, that is with their own column's affinity already applied (SQLite
 * converts on write). Only a column compared with a column of another affinity class is converted at
 * evaluation time, exactly as SQLite does; this is also what keeps the equality index of the matcher exact.
 */
final class Conditions {
    private Conditions() {
    }

    static Condition compile(FilterExpr expr) {
        return switch (expr) {
            case And and -> and(compileAll(and.terms()));
            case Or or -> or(compileAll(or.terms()));
            case Not not -> negate(compile(not.term()));
            case Compare c -> compare(c.left(), c.op(), c.right());
            case In in -> in(in);
            case Like like -> like(like);
            case IsNull isNull -> isNull(isNull);
            case IsTrue isTrue -> {
                Operand operand = isTrue.operand();
                if (operand instanceof ColumnRef column) {
                    String name = column.name();
                    yield row -> SqlValues.truth(SqlValues.normalize(row.get(name)));
                }
                int constant = SqlValues.truth(((Literal) operand).value());
                yield row -> constant;
            }
            case Between b -> {
                Condition range = and(new Condition[] {
                    compare(b.column(), CompareOp.GE, b.low()), compare(b.column(), CompareOp.LE, b.high())});
                yield b.negated() ? negate(range) : range;
            }
        };
    }

    private static Condition[] compileAll(List<FilterExpr> terms) {
        Condition[] conditions = new Condition[terms.size()];
        for (int i = 0; i < conditions.length; i++) {
            conditions[i] = compile(terms.get(i));
        }
        return conditions;
    }

    private static Condition and(Condition[] terms) {
        if (terms.length == 2) {
            Condition a = terms[0];
            Condition b = terms[1];
            return row -> {
                int x = a.test(row);
                return x == Truth.FALSE ? Truth.FALSE : Math.min(x, b.test(row));
            };
        }
        return row -> {
            int result = Truth.TRUE;
            for (Condition term : terms) {
                int t = term.test(row);
                if (t == Truth.FALSE) {
                    return Truth.FALSE;
                }
                result = Math.min(result, t);
            }
            return result;
        };
    }

    private static Condition or(Condition[] terms) {
        return row -> {
            int result = Truth.FALSE;
            for (Condition term : terms) {
                int t = term.test(row);
                if (t == Truth.TRUE) {
                    return Truth.TRUE;
                }
                result = Math.max(result, t);
            }
            return result;
        };
    }

    private static Condition negate(Condition c) {
        return row -> Truth.not(c.test(row));
    }

    private static Condition compare(Operand left, CompareOp op, Operand right) {
        if (left instanceof ColumnRef column && right instanceof Literal literal) {
            // The common case: the literal was converted by the column's affinity when parsed.
            Object value = literal.value();
            if (value == null) {
                return row -> Truth.UNKNOWN;
            }
            String name = column.name();
            if (op == CompareOp.EQ) {
                return row -> {
                    Object v = SqlValues.normalize(row.get(name));
                    return v == null ? Truth.UNKNOWN : Truth.of(SqlValues.equal(v, value));
                };
            }
            return row -> {
                Object v = SqlValues.normalize(row.get(name));
                return v == null ? Truth.UNKNOWN : Truth.of(op.test(SqlValues.compare(v, value)));
            };
        }
        Column.Affinity affinity = comparisonAffinity(left, right);
        Reader a = reader(left, affinity);
        Reader b = reader(right, affinity);
        return row -> {
            Object x = a.read(row);
            if (x == null) {
                return Truth.UNKNOWN;
            }
            Object y = b.read(row);
            return y == null ? Truth.UNKNOWN : Truth.of(op.test(SqlValues.compare(x, y)));
        };
    }

    /**
     * SQLite's affinity for comparing two operands ({@code sqlite3CompareAffinity}): two columns compare
     * numerically if either is numeric, else without conversion; a column and a literal by the column's
     * affinity (already applied to the literal); two literals without conversion.
     */
    private static Column.Affinity comparisonAffinity(Operand left, Operand right) {
        if (left instanceof ColumnRef a && right instanceof ColumnRef b) {
            return isNumeric(a.affinity()) || isNumeric(b.affinity()) ? Column.Affinity.NUMERIC : Column.Affinity.BLOB;
        }
        return Column.Affinity.BLOB;
    }

    private static boolean isNumeric(Column.Affinity affinity) {
        return affinity == Column.Affinity.INTEGER || affinity == Column.Affinity.REAL
                || affinity == Column.Affinity.NUMERIC;
    }

    @FunctionalInterface
    private interface Reader {
        Object read(Map<String, Object> row);
    }

    /** Reads an operand, converting a column's value when the comparison's affinity is not the column's own. */
    private static Reader reader(Operand operand, Column.Affinity affinity) {
        if (operand instanceof Literal literal) {
            Object value = literal.value();
            return row -> value;
        }
        ColumnRef column = (ColumnRef) operand;
        String name = column.name();
        boolean convert = affinity == Column.Affinity.NUMERIC && !isNumeric(column.affinity());
        if (convert) {
            return row -> SqlValues.applyAffinity(SqlValues.normalize(row.get(name)), Column.Affinity.NUMERIC);
        }
        return row -> SqlValues.normalize(row.get(name));
    }

    private static Condition in(In in) {
        Set<Object> keys = new HashSet<>();
        boolean hasNull = false;
        for (Literal value : in.values()) {
            if (value.isNull()) {
                hasNull = true;
            } else {
                keys.add(SqlValues.indexKey(value.value()));
            }
        }
        // Index keys are equal exactly when normalized values are SQL-equal (no conversion is left to do).
        int miss = hasNull ? Truth.UNKNOWN : Truth.FALSE;
        Reader reader = reader(in.operand(), Column.Affinity.BLOB);
        Condition member = row -> {
            Object v = reader.read(row);
            if (v == null) {
                return Truth.UNKNOWN;
            }
            return keys.contains(SqlValues.indexKey(v)) ? Truth.TRUE : miss;
        };
        return in.negated() ? negate(member) : member;
    }

    private static Condition like(Like like) {
        Object pattern = like.pattern().value();
        if (pattern == null) {
            return row -> Truth.UNKNOWN;
        }
        LikePattern compiled = new LikePattern((String) pattern);
        Reader reader = reader(like.value(), Column.Affinity.BLOB);
        Condition match = row -> {
            Object v = reader.read(row);
            return v == null ? Truth.UNKNOWN : Truth.of(compiled.matches(SqlValues.toText(v)));
        };
        return like.negated() ? negate(match) : match;
    }

    private static Condition isNull(IsNull isNull) {
        Reader reader = reader(isNull.operand(), Column.Affinity.BLOB);
        boolean negated = isNull.negated();
        return row -> Truth.of((reader.read(row) == null) != negated);
    }
}
