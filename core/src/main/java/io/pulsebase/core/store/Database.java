package io.pulsebase.core.store;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Predicate;

/**
 * The store behind the REST and SQL endpoints and behind snapshots. Every write it makes is captured by the
 * store's {@link io.pulsebase.core.capture.ChangeSource} like any other write, and after each commit it
 * pokes that source so capture starts at once.
 *
 * <p>Rows are maps of column name to normalized value (Long, Double, String, null; BLOBs as upper-case
 * hex strings) — the same representation the change source captures, so a snapshot row and a captured row
 * are equal maps.
 *
 * <p>Threading: thread-safe; calls block on I/O, so callers keep them off network event loops. Writes are
 * serialized by the store. Failures are {@link io.pulsebase.protocol.ProtocolException}s with a client-safe
 * message: {@code sql_error}, {@code constraint_violation}, {@code unknown_table}, {@code unknown_column},
 * {@code not_found}, {@code bad_request}; anything else is unexpected and surfaces as {@code internal}.
 * Internal tables (prefixed {@code _pb_}) and system tables are invisible to every method but
 * {@link #execute}.
 */
public interface Database extends AutoCloseable {

    /** Runs one SQL statement (DDL or DML) with positional parameters, in its own transaction. */
    SqlResult execute(String sql, List<Object> params);

    /** The user tables, by name. */
    List<String> tables();

    /** The schema of a user table, if it exists. */
    Optional<TableSchema> table(String name);

    /**
     * Rows matching {@code filter}, in {@code order} (primary key when empty), at most {@code limit}; read in
     * one read transaction together with the log position it saw.
     */
    TableSnapshot snapshot(String table, Predicate<Map<String, Object>> filter, List<RowOrder> order, int limit);

    /** Receives a snapshot page by page ({@link #snapshotPages}). */
    @FunctionalInterface
    interface SnapshotPages {
        /**
         * One page of rows in primary-key order, all read at {@code position}; {@code last} on the final page (which
         * is empty only when the whole snapshot is). The list is the sink's to keep.
         */
        void page(List<Map<String, Object>> rows, long position, boolean last);
    }

    /**
     * Rows matching {@code filter}, in primary-key order, read in one read transaction together with the log
     * position it saw — like {@link #snapshot} — but handed to {@code pages} in pages of at most {@code pageRows}
     * rows as they are read, so a caller that turns each page into something smaller (an encoded frame) never holds
     * every row at once. {@code pages} runs on the calling thread, inside the read: it must not block for long
     * (the read holds one of the store's readers) and must not use this store.
     *
     * <p>The default reads the whole snapshot first and pages it; stores with cursors stream.
     *
     * @return the snapshot's position
     */
    default long snapshotPages(String table, Predicate<Map<String, Object>> filter, int pageRows,
                               SnapshotPages pages) {
        TableSnapshot snapshot = snapshot(table, filter, List.of(), 0);
        List<Map<String, Object>> rows = snapshot.rows();
        int from = 0;
        do {
            int to = Math.min(from + pageRows, rows.size());
            pages.page(List.copyOf(rows.subList(from, to)), snapshot.position(), to == rows.size());
            from = to;
        } while (from < rows.size());
        return snapshot.position();
    }

    /** Inserts one row; answers the row as stored (with defaults and generated keys). */
    default WriteResult insert(String table, Map<String, Object> values) {
        return insert(table, values, RowGuard.ANY);
    }

    /**
     * Inserts one row, in the same transaction checking the row as stored against {@code allowed} (a row-level
     * policy): a row it refuses is rolled back and answered {@code forbidden}.
     */
    WriteResult insert(String table, Map<String, Object> values, RowGuard allowed);

    /** The row with that primary key, if any. */
    Optional<Map<String, Object>> get(String table, Object id);

    /** Updates the given columns of one row; {@code not_found} when no row has that key. */
    default WriteResult update(String table, Object id, Map<String, Object> values) {
        return update(table, id, values, RowGuard.ANY, RowGuard.ANY);
    }

    /**
     * Updates one row under a row-level policy, in one transaction: a row {@code visible} refuses before the update
     * is {@code not_found} (as if it did not exist); an updated row {@code allowed} refuses is rolled back and
     * answered {@code forbidden}.
     */
    WriteResult update(String table, Object id, Map<String, Object> values, RowGuard visible, RowGuard allowed);

    /** Deletes one row; {@code not_found} when no row has that key. */
    default WriteResult delete(String table, Object id) {
        return delete(table, id, RowGuard.ANY);
    }

    /** Deletes one row under a row-level policy: a row {@code visible} refuses is {@code not_found}. */
    WriteResult delete(String table, Object id, RowGuard visible);

    @Override
    void close();
}
