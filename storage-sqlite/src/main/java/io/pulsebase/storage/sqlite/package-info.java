/**
 * The embedded engines on SQLite: {@link io.pulsebase.storage.sqlite.SqliteStorage} opens one database file and
 * hands out the {@link io.pulsebase.storage.sqlite.SqliteDatabase} (store), the
 * {@link io.pulsebase.storage.sqlite.SqliteChangeSource} (trigger-based capture) and the
 * {@link io.pulsebase.storage.sqlite.SqliteEventLog} (the ordered log, the table {@code _pb_log}).
 *
 * <pre>
 * write (REST, /v1/sql, another program)
 *   └─ AFTER triggers → _pb_log rows (seq, tx marker, table, op, new/old JSON) in the same transaction
 *        └─ SqliteChangeSource: rows after the last delivered seq, grouped by marker → Commit(position = last seq)
 *             └─ CommitListener (the node: broker, matcher, fan-out)
 * resume / catch-up: SqliteEventLog.readAfter(position) groups the same rows the same way
 * </pre>
 */
package io.pulsebase.storage.sqlite;
