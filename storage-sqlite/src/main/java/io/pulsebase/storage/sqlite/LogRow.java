package io.pulsebase.storage.sqlite;

import io.pulsebase.core.log.ChannelMessage;
import io.pulsebase.core.log.RowChange;
import io.pulsebase.protocol.Operation;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;

/**
 * One row of {@code _pb_log}, with the sequence number that orders the log and the transaction marker that groups
 * rows into entries: either one captured row change ({@code change}) or one persisted channel message
 * ({@code message}, see {@link MessageRows}); the other is {@code null}. Both are {@code null} for a floor row
 * ({@link LogSchema#FLOOR_OP}), which only holds a position.
 */
record LogRow(long seq, long tx, long ts, RowChange change, ChannelMessage message) {

    /** Columns in the order {@link #read} expects. */
    static final String COLUMNS = "seq, tx, ts, tbl, op, new, old";

    static LogRow read(ResultSet rs) throws SQLException {
        long seq = rs.getLong(1);
        long ts = rs.getLong(3);
        String op = rs.getString(5);
        if (LogSchema.FLOOR_OP.equals(op)) {
            return new LogRow(seq, rs.getLong(2), ts, null, null);
        }
        if (MessageRows.OP.equals(op)) {
            return new LogRow(seq, rs.getLong(2), ts, null, MessageRows.decode(seq, ts, rs.getString(4), rs.getString(6)));
        }
        Operation operation = Operation.parse(op);
        if (operation == null) {
            throw new IllegalStateException("log row " + seq + " has unknown operation " + op);
        }
        RowChange change = new RowChange(rs.getString(4), operation,
                RowValues.decode(rs.getString(6)), RowValues.decode(rs.getString(7)));
        return new LogRow(seq, rs.getLong(2), ts, change, null);
    }

    boolean isMessage() {
        return message != null;
    }

    /** Whether this is a floor row ({@link LogSchema}): it holds a position, not an entry, and is skipped. */
    boolean isFloor() {
        return change == null && message == null;
    }

    /** The head query: one descent of the rowid B-tree; NULL (read as 0) for an empty log. */
    static final String HEAD = "SELECT max(seq) FROM _pb_log";

    /**
     * The newest position: the highest sequence number ever given out, 0 if none. That is the log's highest
     * {@code seq} because the newest row is never deleted ({@link LogSchema}'s invariant).
     */
    static long head(Connection connection, SqliteConnections connections) throws SQLException {
        PreparedStatement ps = connections.prepared(connection, HEAD);
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
