package io.pulsebase.core.match;

import io.pulsebase.core.filter.RowFilter;
import io.pulsebase.core.filter.SqlValues;
import io.pulsebase.core.log.RowChange;
import io.pulsebase.protocol.Operation;
import io.pulsebase.protocol.ServerMessage.Change;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Matches committed row changes against live queries, incrementally: each change is compared with the
 * queries it can concern, and turned into what each of them sees (enter, update, leave).
 *
 * <h2>Sharing and indexing</h2>
 * Subscriptions with the same table, events and {@link RowFilter#canonical() canonical filter} share one
 * {@link Query}, evaluated once per change. A query whose filter has an {@link RowFilter#indexKey() equality
 * key} ({@code room_id = 7}, {@code status IN ('a', 'b')}) sits in a hash index of its table under that
 * column and value; the others (ranges, {@code OR}s, no filter) are candidates for every change of their
 * table. A change looks up its old and new row's value in each indexed column of its table, so its cost is
 * one hash lookup per indexed column plus one evaluation per candidate: the same with a thousand or a
 * million equality subscriptions. Unindexed queries cost one evaluation each per change.
 *
 * <h2>Enter, update, leave</h2>
 * For each candidate query and change: an INSERT whose new row matches is an INSERT; a DELETE whose old row
 * matched is a DELETE; an UPDATE is an UPDATE when both rows match, a DELETE (the row left the filter) when
 * only the old one does, an INSERT (the row entered) when only the new one does. The query's events then
 * keep or drop the result. An UPDATE captured without its old row is an UPDATE (with {@code old = null}) when
 * the new row matches.
 *
 * <h2>Threads</h2>
 * {@link #add} and {@link #remove} are thread-safe and may run at any time on any thread; they lock one
 * query key and one table. {@link #match} must be called by one thread at a time (the dispatcher); it reads
 * concurrent maps and volatile snapshots, and takes a table's lock only to copy that table's unindexed
 * queries after they changed. A query added while a transaction is being matched sees either all of that
 * transaction or none of it, never a part.
 *
 * @param <S> the subscriber type (compared with {@code equals}; a subscriber is in a query at most once)
 */
public final class SubscriptionMatcher<S> {
    private final ConcurrentHashMap<QueryKey, Query<S>> queries = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<String, TableIndex> tables = new ConcurrentHashMap<>();
    /** The number of transactions {@link #match} has started. */
    private final AtomicLong transactions = new AtomicLong();

    /**
     * Written when {@link #match} returns and read when it starts, so that the matching state below is handed
     * over safely when consecutive transactions are matched on different threads.
     */
    private volatile long matched;

    // State of the matching thread.
    private final List<Query<S>> touched = new ArrayList<>();
    private long changeCount;
    private long transaction;
    private RowChange change;
    private Change inserted;
    private Change updated;
    private Change deleted;

    /**
     * Registers a subscriber for a table's changes. Subscriptions with equal table, equal events and equal
     * {@code filter.canonical()} share one query.
     *
     * @param table  the table, spelled as its changes spell it ({@link RowChange#table()})
     * @param events the operations to deliver; empty (or {@code null}) means all
     * @return the query the subscriber is now in; pass it to {@link #remove}
     */
    public Query<S> add(String table, Set<Operation> events, RowFilter filter, S subscriber) {
        Objects.requireNonNull(table, "table");
        Objects.requireNonNull(filter, "filter");
        Objects.requireNonNull(subscriber, "subscriber");
        EnumSet<Operation> operations = events == null || events.isEmpty()
                ? EnumSet.allOf(Operation.class) : EnumSet.copyOf(events);
        QueryKey key = new QueryKey(table, operations, filter.canonical());
        return queries.compute(key, (k, existing) -> {
            Query<S> query = existing;
            if (query == null) {
                query = new Query<>(k, table, operations, filter);
                tables.computeIfAbsent(table, t -> new TableIndex()).add(query);
                // A read-modify-write, not a read: if it comes before match()'s increment, that increment
                // happens-after the index insertion above, so the transaction sees the query from its start.
                query.bornAfter = transactions.getAndAdd(0);
            }
            query.addSubscriber(subscriber);
            return query;
        });
    }

    /**
     * Removes a subscriber from a query; the query leaves the index when its last subscriber goes.
     * Idempotent; a query that is already gone is left alone.
     */
    public void remove(Query<S> query, S subscriber) {
        Query<S> current = queries.computeIfPresent(query.key, (k, registered) -> {
            if (registered != query) {
                return registered;
            }
            registered.removeSubscriber(subscriber);
            if (registered.isEmpty()) {
                tables.get(registered.table()).remove(registered);
                return null;
            }
            return registered;
        });
        if (current != query) {
            query.removeSubscriber(subscriber);
        }
    }

    /** The number of distinct queries. */
    public int queryCount() {
        return queries.size();
    }

    /**
     * Matches the changes of one committed transaction, in commit order. For every query that sees at least
     * one of them, calls {@code sink.matched(query, changes)} exactly once, after all changes were examined,
     * with the changes in order as that query sees them. One thread at a time.
     */
    public void match(List<RowChange> changes, MatchSink<S> sink) {
        long previous = matched; // a volatile read: this call happens-after the previous one returned
        transaction = transactions.incrementAndGet();
        assert transaction > previous;
        try {
            for (RowChange c : changes) {
                TableIndex index = tables.get(c.table());
                if (index != null) {
                    matchChange(c, index);
                }
            }
            for (Query<S> query : touched) {
                List<Change> seen = query.pending;
                query.pending = null;
                sink.matched(query, seen);
            }
        } finally {
            for (Query<S> query : touched) {
                query.pending = null;
            }
            touched.clear();
            change = null;
            inserted = updated = deleted = null;
            matched = transaction;
        }
    }

    @SuppressWarnings("unchecked")
    private void matchChange(RowChange c, TableIndex index) {
        change = c;
        changeCount++;
        inserted = updated = deleted = null;
        Map<String, Object> oldRow = c.oldRow();
        Map<String, Object> newRow = c.newRow();
        for (ColumnIndex column : index.columns()) {
            Object oldKey = oldRow == null ? null : SqlValues.indexKey(oldRow.get(column.column));
            Object newKey = newRow == null ? null : SqlValues.indexKey(newRow.get(column.column));
            if (oldKey != null) {
                visit(column.buckets.get(oldKey));
            }
            if (newKey != null && !newKey.equals(oldKey)) {
                visit(column.buckets.get(newKey));
            }
        }
        for (Object query : index.unindexedQueries()) {
            // An unindexed query is reachable only from here: no need to de-duplicate.
            consider((Query<S>) query);
        }
    }

    @SuppressWarnings("unchecked")
    private void visit(Object bucket) {
        if (bucket == null) {
            return;
        }
        if (bucket instanceof Query<?> query) {
            considerOnce((Query<S>) query);
        } else if (bucket instanceof Object[] array) {
            for (Object query : array) {
                considerOnce((Query<S>) query);
            }
        } else {
            for (Object query : QueryBucket.asSet(bucket)) {
                considerOnce((Query<S>) query);
            }
        }
    }

    /** For queries found in the index: found under both the old and the new value, or under two IN values. */
    private void considerOnce(Query<S> query) {
        if (query.seenChange != changeCount) {
            query.seenChange = changeCount;
            consider(query);
        }
    }

    private void consider(Query<S> query) {
        if (!query.visible) {
            // Decided once per transaction: a query that is not visible when a transaction first meets it
            // stays invisible for the rest of that transaction, so it never sees a part of one.
            if (query.refusedIn == transaction || query.bornAfter >= transaction) {
                query.refusedIn = transaction;
                return;
            }
            query.visible = true;
        }
        Change seen = transform(query);
        if (seen != null) {
            if (query.pending == null) {
                query.pending = new ArrayList<>(4);
                touched.add(query);
            }
            query.pending.add(seen);
        }
    }

    /** What the current change means to the query, or {@code null} when nothing. */
    private Change transform(Query<S> query) {
        RowFilter filter = query.filter();
        EnumSet<Operation> events = query.eventSet;
        Map<String, Object> oldRow = change.oldRow();
        Map<String, Object> newRow = change.newRow();
        switch (change.operation()) {
            case INSERT -> {
                return events.contains(Operation.INSERT) && newRow != null && filter.matches(newRow) ? inserted() : null;
            }
            case DELETE -> {
                return events.contains(Operation.DELETE) && oldRow != null && filter.matches(oldRow) ? deleted() : null;
            }
            default -> {
                boolean was = oldRow != null && filter.matches(oldRow);
                boolean is = newRow != null && filter.matches(newRow);
                Operation seen;
                if (was && is) {
                    seen = Operation.UPDATE;
                } else if (was) {
                    seen = Operation.DELETE;
                } else if (is) {
                    seen = oldRow == null ? Operation.UPDATE : Operation.INSERT;
                } else {
                    return null;
                }
                if (!events.contains(seen)) {
                    return null;
                }
                return switch (seen) {
                    case INSERT -> inserted();
                    case DELETE -> deleted();
                    case UPDATE -> updated();
                };
            }
        }
    }

    // The three possible results of the current change, made once and shared by every query that sees them.

    private Change inserted() {
        if (inserted == null) {
            inserted = new Change(Operation.INSERT, change.newRow(), null);
        }
        return inserted;
    }

    private Change updated() {
        if (updated == null) {
            updated = new Change(Operation.UPDATE, change.newRow(), change.oldRow());
        }
        return updated;
    }

    private Change deleted() {
        if (deleted == null) {
            deleted = new Change(Operation.DELETE, null, change.oldRow());
        }
        return deleted;
    }
}
