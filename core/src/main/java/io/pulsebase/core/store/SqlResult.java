package io.pulsebase.core.store;

import java.util.List;
import java.util.Map;

/**
 * The result of one SQL statement.
 *
 * @param columns  result column names, in order (empty for statements that return no rows)
 * @param rows     result rows (empty for statements that return no rows)
 * @param changes  rows inserted, updated or deleted by the statement
 * @param position the log position after the statement committed: the position of its own transaction when
 *                 it changed captured rows, otherwise the log head at commit. Subscribing with
 *                 {@code since} = this position never misses a later change.
 */
public record SqlResult(List<String> columns, List<Map<String, Object>> rows, long changes, long position) {
}
