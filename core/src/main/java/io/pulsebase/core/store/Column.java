package io.pulsebase.core.store;

/**
 * One column of a table.
 *
 * @param declaredType the type as declared in the schema (may be empty)
 * @param affinity     how the store compares and converts values in this column
 * @param primaryKey   whether the column is (part of) the primary key
 */
public record Column(String name, String declaredType, Affinity affinity, boolean notNull, boolean primaryKey) {

    /** SQL type affinity, as SQLite defines it; PostgreSQL types map onto it. */
    public enum Affinity {
        INTEGER,
        REAL,
        NUMERIC,
        TEXT,
        BLOB
    }
}
