package io.pulsebase.core.filter;

/** A comparison operator, with its SQL spelling ({@code <>} is read as {@link #NE}, {@code ==} as {@link #EQ}). */
public enum CompareOp {
    EQ("="),
    NE("!="),
    LT("<"),
    LE("<="),
    GT(">"),
    GE(">=");

    private final String sql;

    CompareOp(String sql) {
        this.sql = sql;
    }

    public String sql() {
        return sql;
    }

    /** The operator that gives the same answer with the operands swapped ({@code a < b} is {@code b > a}). */
    public CompareOp swapped() {
        return switch (this) {
            case EQ, NE -> this;
            case LT -> GT;
            case LE -> GE;
            case GT -> LT;
            case GE -> LE;
        };
    }

    /** Whether the operator holds for a comparison result ({@code < 0}, {@code 0}, {@code > 0}). */
    public boolean test(int comparison) {
        return switch (this) {
            case EQ -> comparison == 0;
            case NE -> comparison != 0;
            case LT -> comparison < 0;
            case LE -> comparison <= 0;
            case GT -> comparison > 0;
            case GE -> comparison >= 0;
        };
    }
}
