package io.pulsebase.core.filter;

import io.pulsebase.core.store.Column;

/** A column of the table, spelled as the schema spells it, with the column's affinity. */
public record ColumnRef(String name, Column.Affinity affinity) implements Operand {
}
