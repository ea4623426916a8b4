package io.pulsebase.bench.load;

import java.util.Locale;

/** What one run measures; each has its own defaults (see {@link LoadOptions}). */
enum Scenario {
    /** Every connection subscribes to the whole table: each transaction reaches every connection. */
    FANOUT,
    /** Connection i subscribes with {@code room = i % rooms}: each transaction reaches connections/rooms. */
    FILTERED,
    /**
     * Like {@code filtered}, on {@code bench_owned}: rows carry {@code owner_id = 'user-<room>'} and connection i
     * is user {@code user-<i % rooms>}, selecting its rows with a filter or (with {@code --policy owner}) with
     * the server's row-level policy.
     */
    OWNED,
    /** A few connections, the writer commits as fast as it can: captured-and-delivered changes per second. */
    THROUGHPUT,
    /** No server: the same transactions committed by plain JDBC into a fresh SQLite file. */
    SQLITE_BASELINE;

    static Scenario parse(String s) {
        try {
            return valueOf(s.trim().toUpperCase(Locale.ROOT).replace('-', '_'));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("--scenario must be fanout, filtered, owned, throughput or sqlite-baseline, not '"
                    + s + "'");
        }
    }

    String wireName() {
        return name().toLowerCase(Locale.ROOT).replace('_', '-');
    }
}
