package io.pulsebase.core.store;

import java.util.List;
import java.util.Map;

/**
 * Rows of a table read in one read transaction, together with the log position that transaction saw: the
 * rows equal the table after exactly the entries up to {@code position}.
 */
public record TableSnapshot(String table, List<Map<String, Object>> rows, long position) {
}
