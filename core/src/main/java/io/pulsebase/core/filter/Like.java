package io.pulsebase.core.filter;

/**
 * {@code value [NOT] LIKE pattern}: both sides read as text; {@code %} matches any run of characters,
 * {@code _} exactly one; ASCII letters match either case, other characters only themselves; no escape
 * character. Unknown when either side is NULL. The pattern is a literal (a string, or NULL).
 */
public record Like(Operand value, Literal pattern, boolean negated) implements FilterExpr {
}
