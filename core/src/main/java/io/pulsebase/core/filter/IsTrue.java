package io.pulsebase.core.filter;

/**
 * A value standing alone as a condition ({@code WHERE active}, {@code WHERE TRUE}): true when it is a non-zero
 * number, or text whose leading number is non-zero; unknown when NULL.
 */
public record IsTrue(Operand operand) implements FilterExpr {
}
