package io.pulsebase.core.match;

import io.pulsebase.core.filter.EqualityKey;
import io.pulsebase.core.filter.RowFilter;
import io.pulsebase.core.filter.SqlValues;
import io.pulsebase.protocol.Operation;
import io.pulsebase.protocol.ServerMessage;
import java.util.Collections;
import java.util.EnumSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * One distinct live query, shared by every subscriber that asked for the same table, events and filter (by
 * {@link RowFilter#canonical() canonical text}): it is evaluated once per change however many subscribers it
 * has. Created and dropped by {@link SubscriptionMatcher}; identity is the query object itself.
 *
 * @param <S> the subscriber type
 */
public final class Query<S> {
    private final String table;
    private final Set<Operation> events;
    private final RowFilter filter;
    private final Set<S> subscribers = ConcurrentHashMap.newKeySet();
    private final Set<S> subscribersView = Collections.unmodifiableSet(subscribers);

    final QueryKey key;
    final EnumSet<Operation> eventSet;
    /** The indexed column, or {@code null} when the query is a candidate for every change of its table. */
    final String indexColumn;
    /** The index keys (normalized with {@link SqlValues#indexKey}) under {@link #indexColumn}. */
    final Object[] indexKeys;

    /**
     * The number of the last transaction the matcher had started when this query entered the index; the
     * query sees only later transactions, and never a part of one. {@code Long.MAX_VALUE} until set.
     */
    volatile long bornAfter = Long.MAX_VALUE;

    // State of the matching thread (SubscriptionMatcher.match runs on one thread at a time).
    /** The last change this query was considered for, so that two index hits evaluate it once. */
    long seenChange;
    /** Whether the query takes part in matching; once true, true for good. */
    boolean visible;
    /** The last transaction that found the query not yet visible: it stays invisible for that whole one. */
    long refusedIn;
    /** The changes seen in the current transaction, or {@code null}. */
    List<ServerMessage.Change> pending;

    Query(QueryKey key, String table, EnumSet<Operation> events, RowFilter filter) {
        this.key = key;
        this.table = table;
        this.eventSet = events;
        this.events = Collections.unmodifiableSet(events);
        this.filter = filter;
        Optional<EqualityKey> equality = filter.indexKey();
        if (equality.isPresent() && !equality.get().values().isEmpty()) {
            this.indexColumn = equality.get().column();
            this.indexKeys = equality.get().values().stream().map(SqlValues::indexKey).distinct().toArray();
        } else {
            this.indexColumn = null;
            this.indexKeys = null;
        }
    }

    public String table() {
        return table;
    }

    /** The operations the query delivers (all three when it was created with an empty set). */
    public Set<Operation> events() {
        return events;
    }

    public RowFilter filter() {
        return filter;
    }

    /** The current subscribers: a live, read-only view, safe to iterate while subscribers come and go. */
    public Set<S> subscribers() {
        return subscribersView;
    }

    /** Whether the query has no subscribers left (it is then gone from its matcher, or about to be). */
    public boolean isEmpty() {
        return subscribers.isEmpty();
    }

    boolean addSubscriber(S subscriber) {
        return subscribers.add(subscriber);
    }

    boolean removeSubscriber(S subscriber) {
        return subscribers.remove(subscriber);
    }

    @Override
    public String toString() {
        return "Query[" + table + " " + events + " WHERE " + filter.canonical() + ", " + subscribers.size() + " subscribers]";
    }
}
