package io.pulsebase.bench.load;

import java.sql.PreparedStatement;
import java.sql.SQLException;

/**
 * The table a scenario writes, and the rows' self-describing payload: {@code room:sent_ns:k:} padded with
 * {@code x} to the payload length, where k is the row's index inside its transaction. A subscriber can
 * therefore check each change it receives against what was written without asking anyone.
 *
 * <p>{@link #FANOUT} ({@code bench_fanout}) serves every scenario but {@code owned}; {@link #OWNED} ({@code
 * bench_owned}) has one more column, {@code owner_id = 'user-<room>'}, which a subscriber's filter or the
 * server's {@code owner_id = auth.sub} policy selects on. Two tables rather than one optional column: {@code
 * CREATE TABLE IF NOT EXISTS} leaves an existing table as it is, and the other scenarios' frames stay as they
 * were measured.
 */
final class BenchTable {
    static final BenchTable FANOUT = new BenchTable("bench_fanout", false);
    static final BenchTable OWNED = new BenchTable("bench_owned", true);
    /** Owners are {@code user-<room>}: the {@code sub} of the tokens the subscribers of that room sign in with. */
    static final String OWNER_PREFIX = "user-";

    /**
     * The policy file of {@code --policy owner}: a user reads the rows it owns (the server's {@code --policies};
     * the in-process server is given the same).
     */
    static final String OWNER_POLICY = "{\"tables\": {\"bench_owned\": {\"select\": \"owner_id = auth.sub\"}}}";

    final String name;
    /** Whether rows carry {@code owner_id}. */
    final boolean owned;

    private BenchTable(String name, boolean owned) {
        this.name = name;
        this.owned = owned;
    }

    static BenchTable of(Scenario scenario) {
        return scenario == Scenario.OWNED ? OWNED : FANOUT;
    }

    static String owner(long room) {
        return OWNER_PREFIX + room;
    }

    String create() {
        return "CREATE TABLE IF NOT EXISTS " + name + " (id INTEGER PRIMARY KEY, room INTEGER, "
                + (owned ? "owner_id TEXT, " : "") + "sent_ns INTEGER, payload TEXT)";
    }

    String deleteAll() {
        return "DELETE FROM " + name;
    }

    /** One multi-row INSERT: a single statement, so a single transaction holding {@code rows} rows. */
    String insertSql(int rows) {
        String row = owned ? "(?, ?, ?, ?)" : "(?, ?, ?)";
        StringBuilder sb = new StringBuilder("INSERT INTO " + name + "(room, " + (owned ? "owner_id, " : "")
                + "sent_ns, payload) VALUES ");
        for (int i = 0; i < rows; i++) {
            sb.append(i == 0 ? "" : ", ").append(row);
        }
        return sb.toString();
    }

    /** Binds row k of a transaction of {@link #insertSql} from parameter {@code p}; answers the next parameter. */
    int bind(PreparedStatement insert, int p, int room, long sent, int k, int payloadBytes) throws SQLException {
        insert.setInt(p++, room);
        if (owned) {
            insert.setString(p++, owner(room));
        }
        insert.setLong(p++, sent);
        insert.setString(p++, payload(room, sent, k, payloadBytes));
        return p;
    }

    /** Appends row k's parameters of {@link #insertSql} as JSON array elements (without a leading comma). */
    void appendJson(StringBuilder json, int room, long sent, int k, int payloadBytes) {
        json.append(room).append(',');
        if (owned) {
            json.append('"').append(OWNER_PREFIX).append(room).append("\",");
        }
        json.append(sent).append(",\"").append(payload(room, sent, k, payloadBytes)).append('"');
    }

    static String payload(long room, long sentNs, int k, int length) {
        StringBuilder sb = new StringBuilder(length);
        sb.append(room).append(':').append(sentNs).append(':').append(k).append(':');
        while (sb.length() < length) {
            sb.append('x');
        }
        return sb.toString();
    }

    /**
     * Whether {@code text[off, off+len)} is exactly {@link #payload(long, long, int, int)}, checked without
     * allocating (this runs once per delivered change).
     */
    static boolean payloadMatches(char[] text, int off, int len, long room, long sentNs, int k, int length) {
        if (len != length) {
            return false;
        }
        int p = off;
        int end = off + len;
        p = expectNumber(text, p, end, room);
        if (p < 0 || text[p++] != ':') {
            return false;
        }
        p = expectNumber(text, p, end, sentNs);
        if (p < 0 || text[p++] != ':') {
            return false;
        }
        p = expectNumber(text, p, end, k);
        if (p < 0 || text[p++] != ':') {
            return false;
        }
        for (; p < end; p++) {
            if (text[p] != 'x') {
                return false;
            }
        }
        return true;
    }

    /** Position after the decimal digits of {@code n} at {@code p}, or -1 when they are not there. */
    private static int expectNumber(char[] text, int p, int end, long n) {
        if (n < 0) {
            if (p >= end || text[p] != '-') {
                return -1;
            }
            p++;
            n = -n;
        }
        int digits = 1;
        for (long t = n; t >= 10; t /= 10) {
            digits++;
        }
        if (p + digits >= end) { // a ':' must follow
            return -1;
        }
        long rest = n;
        for (int i = digits - 1; i >= 0; i--) {
            if (text[p + i] != (char) ('0' + rest % 10)) {
                return -1;
            }
            rest /= 10;
        }
        return p + digits;
    }
}
