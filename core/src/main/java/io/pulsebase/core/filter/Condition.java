package io.pulsebase.core.filter;

import java.util.Map;

/** A compiled piece of a filter: its {@link Truth} value for a row. */
@FunctionalInterface
interface Condition {
    int test(Map<String, Object> row);
}
