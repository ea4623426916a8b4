package io.pulsebase.core.match;

import java.util.Arrays;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Immutable-when-small sets of queries, as stored in the index: {@code null} (none), a single {@link Query},
 * an {@code Object[]} of up to {@link #ARRAY_MAX} queries (replaced, never changed, on add and remove), or a
 * concurrent set beyond that (changed in place). Most buckets hold one query, so this costs one reference
 * rather than a set per key, and readers iterate without allocating or locking.
 */
final class QueryBucket {
    static final int ARRAY_MAX = 32;

    private QueryBucket() {
    }

    /** The bucket with the query added (possibly the same object). */
    static Object with(Object bucket, Query<?> query) {
        if (bucket == null) {
            return query;
        }
        if (bucket instanceof Query<?> single) {
            return single == query ? single : new Object[] {single, query};
        }
        if (bucket instanceof Object[] array) {
            for (Object q : array) {
                if (q == query) {
                    return array;
                }
            }
            if (array.length < ARRAY_MAX) {
                Object[] grown = Arrays.copyOf(array, array.length + 1);
                grown[array.length] = query;
                return grown;
            }
            Set<Object> set = ConcurrentHashMap.newKeySet(array.length * 2);
            set.addAll(Arrays.asList(array));
            set.add(query);
            return set;
        }
        asSet(bucket).add(query);
        return bucket;
    }

    /** The bucket with the query removed (possibly the same object, or {@code null} when empty). */
    static Object without(Object bucket, Query<?> query) {
        if (bucket == null) {
            return null;
        }
        if (bucket instanceof Query<?> single) {
            return single == query ? null : single;
        }
        if (bucket instanceof Object[] array) {
            int at = -1;
            for (int i = 0; i < array.length; i++) {
                if (array[i] == query) {
                    at = i;
                    break;
                }
            }
            if (at < 0) {
                return array;
            }
            if (array.length == 2) {
                return array[1 - at];
            }
            Object[] shrunk = new Object[array.length - 1];
            System.arraycopy(array, 0, shrunk, 0, at);
            System.arraycopy(array, at + 1, shrunk, at, array.length - at - 1);
            return shrunk;
        }
        Set<Object> set = asSet(bucket);
        set.remove(query);
        return set.size() <= ARRAY_MAX / 2 ? set.toArray() : set;
    }

    @SuppressWarnings("unchecked")
    static Set<Object> asSet(Object bucket) {
        return (Set<Object>) bucket;
    }
}
