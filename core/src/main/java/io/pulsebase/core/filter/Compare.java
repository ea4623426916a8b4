package io.pulsebase.core.filter;

/**
 * {@code left op right}. A column is on the left whenever one side is a column; unknown when either side is
 * NULL.
 */
public record Compare(Operand left, CompareOp op, Operand right) implements FilterExpr {
}
