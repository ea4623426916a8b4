package io.pulsebase.core.match;

import static org.assertj.core.api.Assertions.assertThat;

import io.pulsebase.core.filter.FilterCompiler;
import io.pulsebase.core.filter.RandomFilters;
import io.pulsebase.core.filter.RowFilter;
import io.pulsebase.core.log.RowChange;
import io.pulsebase.protocol.Operation;
import io.pulsebase.protocol.ServerMessage.Change;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.EnumSet;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;

/**
 * The indexed, shared matcher delivers exactly what evaluating every subscription's filter on every change
 * would deliver, one call per query per transaction, while subscriptions come and go between transactions.
 */
class SubscriptionMatcherProperties {

    private record Subscription(String table, Set<Operation> events, RowFilter filter, int id) {
    }

    @Property(tries = 200)
    void indexedMatchingEqualsEvaluatingEveryQuery(@ForAll long seed) {
        RandomFilters filters = new RandomFilters(seed);
        SplittableRandom random = filters.random();
        SubscriptionMatcher<Integer> matcher = new SubscriptionMatcher<>();
        Map<Integer, Subscription> live = new LinkedHashMap<>();
        Map<Integer, Query<Integer>> queryOf = new LinkedHashMap<>();
        List<Subscription> pool = new ArrayList<>();
        for (int id = 0; id < 40; id++) {
            String text = random.nextInt(3) == 0 ? filters.filter() : random.nextInt(6) == 0 ? "" : filters.equalityFilter();
            pool.add(new Subscription(random.nextInt(4) == 0 ? "other" : "t", events(random),
                    FilterCompiler.compile(text, RandomFilters.SCHEMA), id));
        }
        List<Map<String, Object>> rows = new ArrayList<>();
        for (long id = 0; id < 6; id++) {
            rows.add(filters.row(id));
        }

        for (int round = 0; round < 8; round++) {
            // Subscriptions come and go between transactions.
            for (int k = 0; k < 10; k++) {
                Subscription s = pool.get(random.nextInt(pool.size()));
                if (live.containsKey(s.id())) {
                    matcher.remove(queryOf.remove(s.id()), s.id());
                    live.remove(s.id());
                } else {
                    queryOf.put(s.id(), matcher.add(s.table(), s.events(), s.filter(), s.id()));
                    live.put(s.id(), s);
                }
            }
            assertThat(matcher.queryCount()).isEqualTo(distinct(queryOf.values()).size());

            List<RowChange> transaction = new ArrayList<>();
            int size = 1 + random.nextInt(4);
            for (int c = 0; c < size; c++) {
                int at = random.nextInt(rows.size());
                Map<String, Object> before = rows.get(at);
                Map<String, Object> after = filters.row(at);
                String table = random.nextInt(4) == 0 ? "other" : "t";
                transaction.add(switch (random.nextInt(3)) {
                    case 0 -> new RowChange(table, Operation.INSERT, after, null);
                    case 1 -> new RowChange(table, Operation.DELETE, null, before);
                    default -> new RowChange(table, Operation.UPDATE, after, before);
                });
                rows.set(at, after);
            }

            Map<Query<Integer>, List<Change>> actual = new IdentityHashMap<>();
            matcher.match(transaction, (query, changes) -> {
                assertThat(actual).as("one call per query").doesNotContainKey(query);
                actual.put(query, changes);
            });

            Map<Query<Integer>, List<Change>> expected = new IdentityHashMap<>();
            for (Query<Integer> query : distinct(queryOf.values())) {
                List<Change> seen = new ArrayList<>();
                for (RowChange change : transaction) {
                    Change c = bruteForce(query, change);
                    if (c != null) {
                        seen.add(c);
                    }
                }
                if (!seen.isEmpty()) {
                    expected.put(query, seen);
                }
            }
            assertThat(actual.keySet()).as("round %d, transaction %s", round, transaction)
                    .containsExactlyInAnyOrderElementsOf(expected.keySet());
            for (Query<Integer> query : expected.keySet()) {
                assertThat(actual.get(query)).as("%s, transaction %s", query, transaction).isEqualTo(expected.get(query));
            }
            for (Query<Integer> query : actual.keySet()) {
                for (Integer subscriber : query.subscribers()) {
                    Subscription s = live.get(subscriber);
                    assertThat(s.table()).isEqualTo(query.table());
                    assertThat(s.filter().canonical()).isEqualTo(query.filter().canonical());
                }
            }
        }
    }

    private static List<Query<Integer>> distinct(Collection<Query<Integer>> queries) {
        Set<Query<Integer>> seen = Collections.newSetFromMap(new IdentityHashMap<>());
        List<Query<Integer>> result = new ArrayList<>();
        for (Query<Integer> q : queries) {
            if (seen.add(q)) {
                result.add(q);
            }
        }
        return result;
    }

    private static Set<Operation> events(SplittableRandom random) {
        EnumSet<Operation> events = EnumSet.noneOf(Operation.class);
        for (Operation op : Operation.values()) {
            if (random.nextInt(3) == 0) {
                events.add(op);
            }
        }
        return events;
    }

    /** The definition, evaluated naively. */
    private static Change bruteForce(Query<Integer> query, RowChange change) {
        if (!change.table().equals(query.table())) {
            return null;
        }
        RowFilter f = query.filter();
        boolean was = change.oldRow() != null && f.matches(change.oldRow());
        boolean is = change.newRow() != null && f.matches(change.newRow());
        Change result;
        if (was && is) {
            result = new Change(Operation.UPDATE, change.newRow(), change.oldRow());
        } else if (was) {
            result = new Change(Operation.DELETE, null, change.oldRow());
        } else if (is) {
            result = new Change(Operation.INSERT, change.newRow(), null);
        } else {
            return null;
        }
        return query.events().contains(result.operation()) ? result : null;
    }
}
