package io.pulsebase.core.match;

import java.util.concurrent.ConcurrentHashMap;

/** The queries of one table indexed by the value they require in one column: index key → {@link QueryBucket}. */
final class ColumnIndex {
    final String column;
    final ConcurrentHashMap<Object, Object> buckets = new ConcurrentHashMap<>();
    /** How many queries are indexed here; guarded by the owning {@link TableIndex}. */
    int queries;

    ColumnIndex(String column) {
        this.column = column;
    }

    void add(Query<?> query) {
        for (Object key : query.indexKeys) {
            buckets.compute(key, (k, bucket) -> QueryBucket.with(bucket, query));
        }
        queries++;
    }

    void remove(Query<?> query) {
        for (Object key : query.indexKeys) {
            buckets.computeIfPresent(key, (k, bucket) -> QueryBucket.without(bucket, query));
        }
        queries--;
    }
}
