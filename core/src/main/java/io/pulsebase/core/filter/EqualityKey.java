package io.pulsebase.core.filter;

import java.util.Set;

/**
 * A column and the values a matching row must have in it. Values are normalized with
 * {@link SqlValues#indexKey(Object)} so that a row value and a literal that compare equal have equal keys.
 */
public record EqualityKey(String column, Set<Object> values) {
    public EqualityKey {
        values = Set.copyOf(values);
    }
}
