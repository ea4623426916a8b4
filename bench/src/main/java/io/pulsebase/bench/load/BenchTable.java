package io.pulsebase.bench.load;

/**
 * The table every scenario writes, and the rows' self-describing payload: {@code room:sent_ns:k:} padded
 * with {@code x} to the payload length, where k is the row's index inside its transaction. A subscriber can
 * therefore check each change it receives against what was written without asking anyone.
 */
final class BenchTable {
    static final String NAME = "bench_fanout";
    static final String CREATE = "CREATE TABLE IF NOT EXISTS " + NAME
            + " (id INTEGER PRIMARY KEY, room INTEGER, sent_ns INTEGER, payload TEXT)";
    static final String DELETE_ALL = "DELETE FROM " + NAME;

    private BenchTable() {
    }

    /** One multi-row INSERT: a single statement, so a single transaction holding {@code rows} rows. */
    static String insertSql(int rows) {
        StringBuilder sb = new StringBuilder("INSERT INTO " + NAME + "(room, sent_ns, payload) VALUES ");
        for (int i = 0; i < rows; i++) {
            sb.append(i == 0 ? "(?, ?, ?)" : ", (?, ?, ?)");
        }
        return sb.toString();
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
