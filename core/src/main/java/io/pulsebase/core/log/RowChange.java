package io.pulsebase.core.log;

import io.pulsebase.protocol.Operation;
import java.util.Map;

/**
 * One captured row change: the table, the operation and the row before and after. Rows map column names
 * to normalized values (Long, Double, String, or null; BLOBs as upper-case hex strings), so that a row
 * read by a snapshot and the same row captured by a trigger are equal maps.
 *
 * @param newRow the row after the change; {@code null} for DELETE
 * @param oldRow the row before the change; {@code null} for INSERT
 */
public record RowChange(String table, Operation operation, Map<String, Object> newRow, Map<String, Object> oldRow) {
}
