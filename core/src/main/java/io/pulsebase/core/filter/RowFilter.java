package io.pulsebase.core.filter;

import java.util.Map;
import java.util.Optional;

/**
 * A subscription filter compiled once against a table's schema, evaluated on rows many times.
 *
 * <p>Semantics are SQL's, as SQLite evaluates a {@code WHERE} clause: three-valued logic (a comparison with
 * NULL is unknown, and unknown does not match), numbers compare numerically whatever their Java type
 * ({@code 7 = 7.0}), {@code LIKE} is case-insensitive for ASCII with {@code %} and {@code _}. Immutable and
 * thread-safe.
 */
public interface RowFilter {

    /** Whether the row satisfies the filter (unknown counts as no). Rows may lack columns: they read as NULL. */
    boolean matches(Map<String, Object> row);

    /** A normalized text of the filter: two filters with equal canonical text match exactly the same rows. */
    String canonical();

    /**
     * An equality the filter requires of every matching row ({@code col = v}, or {@code col IN (v1, v2)}),
     * usable as a hash-index key; empty when the filter has none at the top level.
     */
    Optional<EqualityKey> indexKey();

    /** The filter that matches every row. */
    RowFilter ALL = new RowFilter() {
        @Override
        public boolean matches(Map<String, Object> row) {
            return true;
        }

        @Override
        public String canonical() {
            return "TRUE";
        }

        @Override
        public Optional<EqualityKey> indexKey() {
            return Optional.empty();
        }

        @Override
        public String toString() {
            return "TRUE";
        }
    };
}
