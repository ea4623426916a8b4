package io.pulsebase.core.filter;

/** Negation; {@code NOT unknown} is unknown. */
public record Not(FilterExpr term) implements FilterExpr {
}
