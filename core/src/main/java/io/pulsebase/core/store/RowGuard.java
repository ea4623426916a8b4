package io.pulsebase.core.store;

import java.util.Map;

/**
 * A check of one row inside a write's transaction (a row-level policy bound to the caller): the write sees the
 * row as the store holds it at that moment, so no other write can slip between the check and the change.
 * Must be fast and must not touch the store.
 */
@FunctionalInterface
public interface RowGuard {
    /** Admits every row: a service caller, or no policy in force. */
    RowGuard ANY = row -> true;

    /** Whether the row (column name → normalized value) passes. */
    boolean admits(Map<String, Object> row);
}
