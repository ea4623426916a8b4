package io.pulsebase.storage.sqlite;

import io.pulsebase.core.log.RowChange;
import io.pulsebase.protocol.Operation;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;

/**
 * One row of {@code _pb_log}: one captured row change, with the sequence number that orders the log and the
 * transaction marker that groups rows into commits.
 */
record LogRow(long seq, long tx, long ts, RowChange change) {

    /** Columns in the order {@link #read} expects. */
    static final String COLUMNS = "seq, tx, ts, tbl, op, new, old";

    static LogRow read(ResultSet rs) throws SQLException {
        Operation operation = Operation.parse(rs.getString(5));
        if (operation == null) {
            throw new IllegalStateException("log row " + rs.getLong(1) + " has unknown operation " + rs.getString(5));
        }
        RowChange change = new RowChange(rs.getString(4), operation,
                RowValues.decode(rs.getString(6)), RowValues.decode(rs.getString(7)));
        return new LogRow(rs.getLong(1), rs.getLong(2), rs.getLong(3), change);
    }

    /** The newest position: the highest sequence number ever given out (AUTOINCREMENT never reuses one); 0 if none. */
    static long head(Connection connection, SqliteConnections connections) throws SQLException {
        PreparedStatement ps = connections.prepared(connection,
                "SELECT seq FROM sqlite_sequence WHERE name = '_pb_log'");
        try (ResultSet rs = ps.executeQuery()) {
            return rs.next() ? rs.getLong(1) : 0;
        }
    }

    /** The oldest position a reader may resume from: the last pruned position, 0 before any pruning. */
    static long horizon(Connection connection, SqliteConnections connections) throws SQLException {
        PreparedStatement ps = connections.prepared(connection,
                "SELECT value FROM _pb_meta WHERE key = 'pruned_through'");
        try (ResultSet rs = ps.executeQuery()) {
            return rs.next() ? rs.getLong(1) : 0;
        }
    }
}
