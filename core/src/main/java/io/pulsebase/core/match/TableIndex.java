package io.pulsebase.core.match;

import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.Set;

/**
 * The queries of one table: per indexed column, a hash index on the value the query requires; plus the
 * queries that have no such equality and are candidates for every change. Writers (add, remove) hold this
 * object's lock; the matching thread reads volatile snapshots and concurrent maps without locking, except to
 * copy the unindexed queries after they changed.
 */
final class TableIndex {
    private static final ColumnIndex[] NO_COLUMNS = new ColumnIndex[0];

    /** Copy-on-write: replaced when a column gains its first or loses its last query. */
    private volatile ColumnIndex[] columns = NO_COLUMNS;
    /** The unindexed queries, in the order they came; guarded by this. */
    private final Set<Query<?>> unindexed = new LinkedHashSet<>();
    /** Incremented, under the lock, after every change to {@link #unindexed}. */
    private volatile long unindexedVersion;

    // The matching thread's array copy of the unindexed queries. Walking an array in arrival order (roughly
    // the order the queries lie in memory) is several times faster than walking a hash set when every change
    // visits all of them.
    private Object[] unindexedArray = new Object[0];
    private long unindexedArrayVersion;

    ColumnIndex[] columns() {
        return columns;
    }

    /**
     * The unindexed queries, for the matching thread only. Copied again (taking the lock, briefly) only after
     * a writer changed them; otherwise lock-free.
     */
    Object[] unindexedQueries() {
        if (unindexedVersion != unindexedArrayVersion) {
            synchronized (this) {
                unindexedArray = unindexed.toArray();
                unindexedArrayVersion = unindexedVersion;
            }
        }
        return unindexedArray;
    }

    synchronized void add(Query<?> query) {
        if (query.indexColumn == null) {
            unindexed.add(query);
            unindexedVersion++;
            return;
        }
        ColumnIndex column = find(query.indexColumn);
        if (column == null) {
            column = new ColumnIndex(query.indexColumn);
            ColumnIndex[] grown = Arrays.copyOf(columns, columns.length + 1);
            grown[columns.length] = column;
            column.add(query);
            columns = grown;
            return;
        }
        column.add(query);
    }

    synchronized void remove(Query<?> query) {
        if (query.indexColumn == null) {
            unindexed.remove(query);
            unindexedVersion++;
            return;
        }
        ColumnIndex column = find(query.indexColumn);
        if (column == null) {
            return;
        }
        column.remove(query);
        if (column.queries == 0) {
            ColumnIndex[] shrunk = new ColumnIndex[columns.length - 1];
            int i = 0;
            for (ColumnIndex c : columns) {
                if (c != column) {
                    shrunk[i++] = c;
                }
            }
            columns = shrunk;
        }
    }

    private ColumnIndex find(String name) {
        for (ColumnIndex c : columns) {
            if (c.column.equals(name)) {
                return c;
            }
        }
        return null;
    }
}
