package io.pulsebase.core.filter;

/** {@code column [NOT] BETWEEN low AND high}, which is {@code column >= low AND column <= high}. */
public record Between(ColumnRef column, Operand low, Operand high, boolean negated) implements FilterExpr {
}
