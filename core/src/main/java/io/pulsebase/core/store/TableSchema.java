package io.pulsebase.core.store;

import java.util.List;
import java.util.Optional;

/**
 * The shape of one user table. {@code primaryKey} is the single column row CRUD addresses by id: the
 * declared primary key, or {@code rowid} for a SQLite table without one.
 */
public record TableSchema(String name, List<Column> columns, String primaryKey) {
    public TableSchema {
        columns = List.copyOf(columns);
    }

    /** The column with that name (exact match, as the store reports names), if any. */
    public Optional<Column> column(String name) {
        for (Column c : columns) {
            if (c.name().equals(name)) {
                return Optional.of(c);
            }
        }
        return Optional.empty();
    }
}
