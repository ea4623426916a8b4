package io.pulsebase.core.store;

import java.util.Map;

/**
 * The outcome of a row write through the CRUD API.
 *
 * @param row      the row as stored after the write (for DELETE: the row as it was)
 * @param position the log position of the write's transaction
 */
public record WriteResult(Map<String, Object> row, long position) {
}
