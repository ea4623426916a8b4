package io.pulsebase.storage.sqlite;

import io.pulsebase.core.log.ChannelMessage;
import io.pulsebase.core.log.EventLog;
import io.pulsebase.core.log.LogEntry;
import io.pulsebase.core.log.PositionExpiredException;
import io.pulsebase.core.log.Retention;
import io.pulsebase.protocol.RawJson;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * The log as the table {@code _pb_log}: one row per captured row change or persisted channel message
 * ({@link MessageRows}), {@code seq} (the rowid: increasing in commit order since SQLite has one writer at a
 * time, and never reused, even after pruning, because pruning never deletes the newest row: see
 * {@link LogSchema} for the invariant) and the transaction marker {@code tx}. An entry is a run of consecutive
 * rows with the same marker; its position is the {@code seq} of its last row. The head is the highest
 * {@code seq}, which is the highest ever given out; the horizon is the last pruned position, kept in
 * {@code _pb_meta} as {@code pruned_through}.
 *
 * <p>Every read runs in one read transaction, so it sees only committed transactions, whole.
 *
 * <p>Retention counts entries exactly: the markers never decrease along the log, so a run is a transaction
 * (or, for other programs' writes between two polls of capture, a few merged ones; see
 * {@link SqliteChangeSource}). Pruning deletes a prefix of the log in one write transaction; the scan that
 * chooses where it ends runs on a reader first and costs time in proportion to the rows it passes.
 */
public final class SqliteEventLog implements EventLog {
    private final SqliteConnections connections;
    private final SqliteDatabase database;

    SqliteEventLog(SqliteConnections connections, SqliteDatabase database) {
        this.connections = connections;
        this.database = database;
    }

    @Override
    public long head() {
        try {
            return connections.read(c -> LogRow.head(c, connections));
        } catch (SQLException e) {
            throw SqliteErrors.unexpected(e, "reading the log head");
        }
    }

    @Override
    public long horizon() {
        try {
            return connections.read(c -> LogRow.horizon(c, connections));
        } catch (SQLException e) {
            throw SqliteErrors.unexpected(e, "reading the log horizon");
        }
    }

    @Override
    public List<LogEntry> readAfter(long after, int max) {
        if (max < 1) {
            throw new IllegalArgumentException("max must be at least 1");
        }
        try {
            return connections.read(c -> {
                long horizon = LogRow.horizon(c, connections);
                long head = LogRow.head(c, connections);
                if (after < horizon) {
                    throw new PositionExpiredException("position " + after + " is older than the log's retention"
                            + " (oldest resumable position is " + horizon + "); re-snapshot");
                }
                if (after > head) {
                    throw new PositionExpiredException(
                            "position " + after + " is ahead of this server's log (head " + head + ")");
                }
                return read(c, after, max);
            });
        } catch (SQLException e) {
            throw SqliteErrors.unexpected(e, "reading the log");
        }
    }

    private List<LogEntry> read(Connection c, long after, int max) throws SQLException {
        List<LogEntry> entries = new ArrayList<>();
        EntryAssembler assembler = new EntryAssembler();
        PreparedStatement ps = connections.prepared(c,
                "SELECT " + LogRow.COLUMNS + " FROM _pb_log WHERE seq > ? ORDER BY seq");
        ps.setLong(1, after);
        try (ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
                LogRow row = LogRow.read(rs);
                if (row.isFloor()) {
                    continue;
                }
                if (assembler.startsEntry(row) && entries.size() + (assembler.pending() ? 1 : 0) >= max) {
                    break; // the next entry would be one too many
                }
                assembler.add(row, entries::add);
            }
        }
        assembler.finish(entries::add);
        return entries;
    }

    @Override
    public ChannelMessage append(String topic, String event, RawJson data, String id, String userId) {
        String payload = MessageRows.payload(event, data, id, userId);
        SqliteDatabase.Committed<Long> committed = database.transaction(c -> {
            // The time is taken inside the write (which holds the writer), so commit times grow with positions,
            // as messagesWithIdSince relies on; the work may run again after a failed group commit.
            long ts = System.currentTimeMillis();
            PreparedStatement ps = connections.prepared(c,
                    "INSERT INTO _pb_log(tx, tbl, op, new, old, ts) VALUES ((SELECT tx FROM _pb_txctx), ?, '"
                            + MessageRows.OP + "', ?, NULL, ?)");
            ps.setString(1, topic);
            ps.setString(2, payload);
            ps.setLong(3, ts);
            ps.executeUpdate();
            return ts;
        });
        return new ChannelMessage(committed.position(), committed.value(), topic, event, data, id, userId);
    }

    @Override
    public List<ChannelMessage> history(String topic, long before, int max) {
        try {
            return connections.read(c -> {
                PreparedStatement ps = connections.prepared(c, "SELECT seq, ts, new FROM _pb_log"
                        + " WHERE op = '" + MessageRows.OP + "' AND tbl = ? AND seq < ? ORDER BY seq DESC LIMIT ?");
                ps.setString(1, topic);
                ps.setLong(2, before);
                ps.setInt(3, max);
                List<ChannelMessage> messages = new ArrayList<>();
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        messages.add(MessageRows.decode(rs.getLong(1), rs.getLong(2), topic, rs.getString(3)));
                    }
                }
                return messages;
            });
        } catch (SQLException e) {
            throw SqliteErrors.unexpected(e, "reading channel history");
        }
    }

    @Override
    public List<ChannelMessage> messagesWithIdSince(long fromMillis, int max) {
        try {
            return connections.read(c -> {
                // Commit times grow with seq (one writer at a time): walk back from the head and stop at the first
                // row older than the window, so only the window's rows are read, with no index on ts.
                PreparedStatement ps = connections.prepared(c, "SELECT seq, ts, tbl, op, new FROM _pb_log ORDER BY seq DESC");
                List<ChannelMessage> messages = new ArrayList<>();
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next() && rs.getLong(2) >= fromMillis && messages.size() < max) {
                        if (MessageRows.OP.equals(rs.getString(4))) {
                            ChannelMessage m = MessageRows.decode(rs.getLong(1), rs.getLong(2), rs.getString(3),
                                    rs.getString(5));
                            if (m.id() != null) {
                                messages.add(m);
                            }
                        }
                    }
                }
                Collections.reverse(messages);
                return messages;
            });
        } catch (SQLException e) {
            throw SqliteErrors.unexpected(e, "reading recent message ids");
        }
    }

    @Override
    public long prune(Retention retention) {
        try {
            long bound = connections.read(c -> pruneBound(c, retention, System.currentTimeMillis()));
            if (bound == 0) {
                return 0;
            }
            return connections.write(c -> {
                if (bound <= LogRow.horizon(c, connections)) {
                    return 0L;
                }
                if (bound >= LogRow.head(c, connections)) {
                    // Never reached (pruneBound keeps the newest entry, and rows are only added since); checked
                    // here because deleting the newest row would let SQLite give its position out again.
                    throw new IllegalStateException("pruning through " + bound + " would delete the newest row");
                }
                long removed;
                try (PreparedStatement count = c.prepareStatement(
                        "SELECT count(DISTINCT tx) FROM _pb_log WHERE seq <= ?")) {
                    count.setLong(1, bound);
                    try (ResultSet rs = count.executeQuery()) {
                        rs.next();
                        removed = rs.getLong(1);
                    }
                }
                try (PreparedStatement delete = c.prepareStatement("DELETE FROM _pb_log WHERE seq <= ?");
                        PreparedStatement meta = c.prepareStatement(
                                "UPDATE _pb_meta SET value = ? WHERE key = 'pruned_through'")) {
                    delete.setLong(1, bound);
                    delete.executeUpdate();
                    meta.setLong(1, bound);
                    meta.executeUpdate();
                }
                return removed;
            });
        } catch (SQLException e) {
            throw SqliteErrors.unexpected(e, "pruning the log");
        }
    }

    /**
     * The position of the newest entry to prune (0 for none): the later of the age bound and the count
     * bound, never the newest entry.
     */
    private static long pruneBound(Connection c, Retention retention, long now) throws SQLException {
        long newestSeq;
        long newestTx;
        long oldestSeq;
        try (PreparedStatement ps = c.prepareStatement(
                "SELECT seq, tx, (SELECT min(seq) FROM _pb_log) FROM _pb_log ORDER BY seq DESC LIMIT 1");
                ResultSet rs = ps.executeQuery()) {
            if (!rs.next()) {
                return 0;
            }
            newestSeq = rs.getLong(1);
            newestTx = rs.getLong(2);
            oldestSeq = rs.getLong(3);
        }
        long ageBound;
        try (PreparedStatement ps = c.prepareStatement(
                "SELECT seq, tx FROM _pb_log WHERE ts >= ? ORDER BY seq LIMIT 1")) {
            ps.setLong(1, now - retention.maxAge().toMillis());
            try (ResultSet rs = ps.executeQuery()) {
                ageBound = rs.next()
                        ? endOfEntryBefore(c, rs.getLong(1), rs.getLong(2))
                        : endOfEntryBefore(c, newestSeq, newestTx);
            }
        }
        long countBound = 0;
        // Each entry has at least one row: with no more rows than maxEntries there is nothing to count.
        if (newestSeq - oldestSeq + 1 > retention.maxEntries()) {
            try (PreparedStatement ps = c.prepareStatement("SELECT seq, tx FROM _pb_log ORDER BY seq DESC");
                    ResultSet rs = ps.executeQuery()) {
                long entries = 0;
                long tx = Long.MIN_VALUE;
                while (rs.next()) {
                    if (entries == 0 || rs.getLong(2) != tx) {
                        tx = rs.getLong(2);
                        if (++entries > retention.maxEntries()) {
                            countBound = rs.getLong(1);
                            break;
                        }
                    }
                }
            }
        }
        return Math.max(ageBound, countBound);
    }

    /** The position of the entry before the one holding row {@code seq} (marker {@code tx}); 0 if none. */
    private static long endOfEntryBefore(Connection c, long seq, long tx) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(
                "SELECT seq FROM _pb_log WHERE seq < ? AND tx <> ? ORDER BY seq DESC LIMIT 1")) {
            ps.setLong(1, seq);
            ps.setLong(2, tx);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? rs.getLong(1) : 0;
            }
        }
    }
}
