package io.pulsebase.core.store;

/** One ORDER BY term of a row query; the column is checked against the table before use. */
public record RowOrder(String column, boolean descending) {
}
