package io.pulsebase.core.filter;

/** A value in a filter: a column of the row, or a literal. */
public sealed interface Operand permits ColumnRef, Literal {
}
