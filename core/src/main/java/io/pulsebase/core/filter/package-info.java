/**
 * The subscription filter language: a SQL {@code WHERE} subset compiled once ({@link
 * io.pulsebase.core.filter.FilterCompiler}) into a {@link io.pulsebase.core.filter.RowFilter} that agrees
 * with SQLite on every row, exposes a canonical text (to share identical subscriptions) and an equality key
 * (to index them). {@link io.pulsebase.core.filter.SqlValues} holds SQLite's value rules: comparison across
 * types, affinity conversion, and the index key of a value.
 */
package io.pulsebase.core.filter;
