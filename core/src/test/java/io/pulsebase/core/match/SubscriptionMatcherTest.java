package io.pulsebase.core.match;

import static org.assertj.core.api.Assertions.assertThat;

import io.pulsebase.core.filter.FilterCompiler;
import io.pulsebase.core.filter.RowFilter;
import io.pulsebase.core.log.RowChange;
import io.pulsebase.core.store.Column;
import io.pulsebase.core.store.TableSchema;
import io.pulsebase.protocol.Operation;
import io.pulsebase.protocol.ServerMessage.Change;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class SubscriptionMatcherTest {
    static final TableSchema MESSAGES = new TableSchema("messages", List.of(
            new Column("id", "INTEGER", Column.Affinity.INTEGER, true, true),
            new Column("room_id", "INTEGER", Column.Affinity.INTEGER, false, false),
            new Column("status", "TEXT", Column.Affinity.TEXT, false, false),
            new Column("score", "REAL", Column.Affinity.REAL, false, false)), "id");

    private final SubscriptionMatcher<String> matcher = new SubscriptionMatcher<>();

    private static RowFilter filter(String text) {
        return FilterCompiler.compile(text, MESSAGES);
    }

    private Query<String> subscribe(String filter, String subscriber, Operation... events) {
        Set<Operation> ops = events.length == 0 ? Set.of() : EnumSet.of(events[0], events);
        return matcher.add("messages", ops, filter(filter), subscriber);
    }

    private static Map<String, Object> row(long id, long room, String status) {
        return Map.of("id", id, "room_id", room, "status", status, "score", 1.5);
    }

    private static RowChange insert(Map<String, Object> row) {
        return new RowChange("messages", Operation.INSERT, row, null);
    }

    private static RowChange update(Map<String, Object> before, Map<String, Object> after) {
        return new RowChange("messages", Operation.UPDATE, after, before);
    }

    private static RowChange delete(Map<String, Object> row) {
        return new RowChange("messages", Operation.DELETE, null, row);
    }

    /** Runs one transaction; the sink must be called at most once per query. */
    private Map<Query<String>, List<Change>> match(RowChange... changes) {
        Map<Query<String>, List<Change>> seen = new IdentityHashMap<>();
        matcher.match(List.of(changes), (query, list) -> {
            assertThat(seen).as("one call per query").doesNotContainKey(query);
            seen.put(query, list);
        });
        return seen;
    }

    @Test
    void insertMatchingTheFilterArrivesAsInsert() {
        Query<String> q = subscribe("room_id = 7", "alice");
        Map<String, Object> row = row(1, 7, "on");
        assertThat(match(insert(row))).containsExactly(Map.entry(q, List.of(new Change(Operation.INSERT, row, null))));
        assertThat(match(insert(row(2, 8, "on")))).isEmpty();
    }

    @Test
    void deleteOfAMatchingRowArrivesAsDelete() {
        Query<String> q = subscribe("room_id = 7", "alice");
        Map<String, Object> row = row(1, 7, "on");
        assertThat(match(delete(row))).containsExactly(Map.entry(q, List.of(new Change(Operation.DELETE, null, row))));
    }

    @Test
    void updateWithinTheFilterArrivesAsUpdate() {
        Query<String> q = subscribe("room_id = 7", "alice");
        Map<String, Object> before = row(1, 7, "on");
        Map<String, Object> after = row(1, 7, "off");
        assertThat(match(update(before, after))).containsExactly(Map.entry(q, List.of(new Change(Operation.UPDATE, after, before))));
    }

    @Test
    void updateOutOfTheFilterArrivesAsDelete() {
        Query<String> q = subscribe("status = 'on'", "alice");
        Map<String, Object> before = row(1, 7, "on");
        Map<String, Object> after = row(1, 7, "off");
        assertThat(match(update(before, after))).containsExactly(Map.entry(q, List.of(new Change(Operation.DELETE, null, before))));
    }

    @Test
    void updateIntoTheFilterArrivesAsInsert() {
        Query<String> q = subscribe("status = 'on'", "alice");
        Map<String, Object> before = row(1, 7, "off");
        Map<String, Object> after = row(1, 7, "on");
        assertThat(match(update(before, after))).containsExactly(Map.entry(q, List.of(new Change(Operation.INSERT, after, null))));
    }

    @Test
    void rowMovingBetweenIndexedValuesLeavesOneQueryAndEntersTheOther() {
        Query<String> room7 = subscribe("room_id = 7", "alice");
        Query<String> room8 = subscribe("room_id = 8", "bob");
        Map<String, Object> before = row(1, 7, "on");
        Map<String, Object> after = row(1, 8, "on");
        Map<Query<String>, List<Change>> seen = match(update(before, after));
        assertThat(seen.get(room7)).containsExactly(new Change(Operation.DELETE, null, before));
        assertThat(seen.get(room8)).containsExactly(new Change(Operation.INSERT, after, null));
    }

    @Test
    void unindexedQueriesSeeEveryChangeOfTheirTable() {
        Query<String> everything = subscribe("", "alice");
        Query<String> range = subscribe("room_id > 5", "bob");
        Map<String, Object> row = row(1, 7, "on");
        Map<Query<String>, List<Change>> seen = match(insert(row));
        assertThat(seen).containsOnlyKeys(everything, range);
        assertThat(match(insert(row(2, 3, "on")))).containsOnlyKeys(everything);
    }

    @Test
    void eventsKeepOnlyTheResultingOperations() {
        Query<String> leaves = subscribe("status = 'on'", "alice", Operation.DELETE);
        Query<String> updates = subscribe("status = 'on'", "bob", Operation.UPDATE);
        Map<String, Object> on = row(1, 7, "on");
        Map<String, Object> off = row(1, 7, "off");
        assertThat(match(insert(on))).isEmpty();
        assertThat(match(update(on, off))).containsOnlyKeys(leaves);
        assertThat(match(update(on, on))).containsOnlyKeys(updates);
        assertThat(match(update(off, on))).isEmpty();
        assertThat(match(delete(on))).containsOnlyKeys(leaves);
    }

    @Test
    void changesOfOtherTablesNeverReachAQuery() {
        subscribe("", "alice");
        RowChange other = new RowChange("rooms", Operation.INSERT, Map.of("id", 1L), null);
        assertThat(match(other)).isEmpty();
    }

    @Test
    void aQueryGetsAllItsChangesOfATransactionInOneCallInCommitOrder() {
        Query<String> q = subscribe("room_id = 7", "alice");
        Map<String, Object> a = row(1, 7, "on");
        Map<String, Object> b = row(2, 7, "on");
        Map<String, Object> b2 = row(2, 8, "on");
        Map<Query<String>, List<Change>> seen = match(insert(a), insert(row(3, 9, "x")), insert(b), update(b, b2), delete(a));
        assertThat(seen.get(q)).containsExactly(
                new Change(Operation.INSERT, a, null),
                new Change(Operation.INSERT, b, null),
                new Change(Operation.DELETE, null, b),
                new Change(Operation.DELETE, null, a));
    }

    @Test
    void identicalSubscriptionsShareOneQuery() {
        Query<String> a = subscribe("room_id=7 and status='on'", "alice");
        Query<String> b = subscribe("(status = 'on') AND (7 = ROOM_ID)", "bob");
        Query<String> c = matcher.add("messages", EnumSet.allOf(Operation.class), filter("room_id = 7 AND status = 'on'"), "carol");
        assertThat(b).isSameAs(a);
        assertThat(c).as("no events means all events").isSameAs(a);
        assertThat(a.subscribers()).containsExactlyInAnyOrder("alice", "bob", "carol");
        assertThat(matcher.queryCount()).isEqualTo(1);

        subscribe("room_id = 7 AND status = 'on'", "dave", Operation.INSERT);
        subscribe("room_id = 8 AND status = 'on'", "erin");
        matcher.add("rooms", Set.of(), RowFilter.ALL, "frank");
        assertThat(matcher.queryCount()).isEqualTo(4);

        Map<Query<String>, List<Change>> seen = match(insert(row(1, 7, "on")));
        assertThat(seen).hasSize(2).containsKey(a);
    }

    @Test
    void aQueryLeavesWithItsLastSubscriber() {
        Query<String> q = subscribe("room_id = 7", "alice");
        subscribe("room_id = 7", "bob");
        matcher.remove(q, "alice");
        assertThat(matcher.queryCount()).isEqualTo(1);
        assertThat(q.subscribers()).containsExactly("bob");
        assertThat(match(insert(row(1, 7, "on")))).containsOnlyKeys(q);

        matcher.remove(q, "bob");
        assertThat(q.isEmpty()).isTrue();
        assertThat(matcher.queryCount()).isZero();
        assertThat(match(insert(row(1, 7, "on")))).isEmpty();

        matcher.remove(q, "bob");
        assertThat(matcher.queryCount()).as("idempotent").isZero();
    }

    @Test
    void removingFromAStaleQueryLeavesItsSuccessorAlone() {
        Query<String> old = subscribe("room_id = 7", "alice");
        matcher.remove(old, "alice");
        Query<String> current = subscribe("room_id = 7", "alice");
        assertThat(current).isNotSameAs(old);
        matcher.remove(old, "alice");
        assertThat(current.subscribers()).containsExactly("alice");
        assertThat(match(insert(row(1, 7, "on")))).containsOnlyKeys(current);
    }

    @Test
    void inListQueriesAreFoundUnderEachValueAndSeeAChangeOnce() {
        Query<String> q = subscribe("room_id IN (7, 8)", "alice");
        Map<String, Object> before = row(1, 7, "on");
        Map<String, Object> after = row(1, 8, "on");
        assertThat(match(update(before, after)).get(q)).containsExactly(new Change(Operation.UPDATE, after, before));
        assertThat(match(insert(row(2, 8, "on")))).containsOnlyKeys(q);
        assertThat(match(insert(row(2, 9, "on")))).isEmpty();
    }

    @Test
    void indexLookupsFollowSqlEqualityAcrossNumberTypes() {
        Query<String> q = subscribe("room_id = '7'", "alice");
        Map<String, Object> row = Map.of("id", 1L, "room_id", 7.0, "status", "on");
        assertThat(match(insert(row))).containsOnlyKeys(q);
        assertThat(match(insert(Map.of("id", 1L, "room_id", 7, "status", "on")))).containsOnlyKeys(q);
    }

    @Test
    void manyQueriesOnOneValueShareABucket() {
        List<Query<String>> queries = new ArrayList<>();
        for (int i = 0; i < 100; i++) {
            queries.add(subscribe("room_id = 7 AND id > " + i, "s" + i));
        }
        assertThat(match(insert(row(50, 7, "on")))).hasSize(50);
        for (int i = 0; i < 90; i++) {
            matcher.remove(queries.get(i), "s" + i);
        }
        assertThat(match(insert(row(95, 7, "on")))).containsOnlyKeys(queries.subList(90, 95));
    }

    @Test
    void updateWithoutAnOldRowIsAnUpdateWhenTheNewRowMatches() {
        Query<String> q = subscribe("room_id = 7", "alice");
        Map<String, Object> after = row(1, 7, "on");
        assertThat(match(new RowChange("messages", Operation.UPDATE, after, null)).get(q))
                .containsExactly(new Change(Operation.UPDATE, after, null));
    }
}
