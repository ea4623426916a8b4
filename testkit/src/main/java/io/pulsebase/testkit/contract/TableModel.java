package io.pulsebase.testkit.contract;

import io.pulsebase.core.log.RowChange;
import io.pulsebase.protocol.Operation;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What contract tables should hold, so a test can say which {@link RowChange}s a transaction must produce:
 * rows are {@code {id: Long, v: String}} maps, as every engine normalizes them.
 */
public final class TableModel {
    private final Map<String, Map<Long, String>> tables = new HashMap<>();

    /** Applies the writes of one transaction and answers the changes it must be captured as, in order. */
    public List<RowChange> apply(List<RowWrite> writes) {
        List<RowChange> changes = new ArrayList<>();
        for (RowWrite write : writes) {
            Map<Long, String> rows = tables.computeIfAbsent(write.table(), t -> new HashMap<>());
            switch (write) {
                case RowWrite.Insert insert -> {
                    if (rows.containsKey(insert.id())) {
                        throw new IllegalArgumentException("row " + insert.id() + " already exists");
                    }
                    rows.put(insert.id(), insert.value());
                    changes.add(new RowChange(insert.table(), Operation.INSERT, row(insert.id(), insert.value()), null));
                }
                case RowWrite.Update update -> {
                    String old = existing(rows, update.id());
                    rows.put(update.id(), update.value());
                    changes.add(new RowChange(update.table(), Operation.UPDATE, row(update.id(), update.value()),
                            row(update.id(), old)));
                }
                case RowWrite.Delete delete -> {
                    String old = existing(rows, delete.id());
                    rows.remove(delete.id());
                    changes.add(new RowChange(delete.table(), Operation.DELETE, null, row(delete.id(), old)));
                }
            }
        }
        return changes;
    }

    /** A row of the contract shape. */
    public static Map<String, Object> row(long id, String value) {
        Map<String, Object> row = new LinkedHashMap<>();
        row.put("id", id);
        row.put("v", value);
        return row;
    }

    private static String existing(Map<Long, String> rows, long id) {
        if (!rows.containsKey(id)) {
            throw new IllegalArgumentException("row " + id + " does not exist");
        }
        return rows.get(id);
    }
}
