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
 * ({@code message}, see {@link MessageRows}); the other is {@code null}.
 */
record LogRow(long seq, long tx, long ts, RowChange change, ChannelMessage message) {

    /** Columns in the order {@link #read} expects. */
    static final String COLUMNS = "seq, tx, ts, tbl, op, new, old";

    static LogRow read(ResultSet rs) throws SQLException {
        long seq = rs.getLong(1);
        long ts = rs.getLong(3);
        String op = rs.getString(5);
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
