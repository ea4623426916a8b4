package io.pulsebase.core.filter;

/** {@code operand IS [NOT] NULL}; never unknown. */
public record IsNull(Operand operand, boolean negated) implements FilterExpr {
}
