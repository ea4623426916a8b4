package io.pulsebase.client;

import static org.assertj.core.api.Assertions.assertThat;

import io.pulsebase.protocol.Operation;
import io.pulsebase.protocol.ServerMessage;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class TableStateTest {
    private static Map<String, Object> row(long id, String title) {
        Map<String, Object> r = new LinkedHashMap<>();
        r.put("id", id);
        r.put("title", title);
        return r;
    }

    private static ServerMessage.Change insert(long id, String title) {
        return new ServerMessage.Change(Operation.INSERT, row(id, title), null);
    }

    private static ServerMessage.DbChange txn(long position, boolean more, ServerMessage.Change... changes) {
        return new ServerMessage.DbChange("t", position, List.of(changes), 0, Map.of(), more);
    }

    @Test
    void snapshotPartsReplaceTheCopyOnlyAtTheLastPart() {
        TableState s = new TableState("t", "id", TableState.NONE);
        s.onChange(txn(3, false, insert(99, "stale")));
        assertThat(s.onSnapshot(new ServerMessage.Snapshot("t", List.of(row(1, "a")), 10, true))).isNull();
        assertThat(s.rows()).containsOnlyKeys(99L);
        Map<Object, Map<String, Object>> rows =
                s.onSnapshot(new ServerMessage.Snapshot("t", List.of(row(2, "b")), 10, false));
        assertThat(rows).containsOnlyKeys(1L, 2L);
        assertThat(s.position()).isEqualTo(10);
    }

    @Test
    void transactionPartsAreAppliedTogetherAtTheLastPart() {
        TableState s = new TableState("t", "id", 10);
        assertThat(s.onChange(txn(11, true, insert(1, "a"), insert(2, "b")))).isNull();
        assertThat(s.rows()).isEmpty();
        assertThat(s.position()).isEqualTo(10);
        Transaction t = s.onChange(txn(11, false, insert(3, "c")));
        assertThat(t.changes()).extracting(ChangeEvent::position).containsOnly(11L);
        assertThat(t.changes()).hasSize(3);
        assertThat(s.rows()).containsOnlyKeys(1L, 2L, 3L);
        assertThat(s.position()).isEqualTo(11);
    }

    @Test
    void aDroppedConnectionDiscardsAnIncompleteTransaction() {
        TableState s = new TableState("t", "id", 10);
        s.onChange(txn(11, true, insert(1, "a")));
        s.resetParts();
        // The resume from 10 replays the whole transaction.
        s.onChange(txn(11, true, insert(1, "a")));
        Transaction t = s.onChange(txn(11, false, insert(2, "b")));
        assertThat(t.changes()).hasSize(2);
        assertThat(s.rows()).containsOnlyKeys(1L, 2L);
    }

    @Test
    void updatesMoveKeysAndDeletesUseTheOldRow() {
        TableState s = new TableState("t", "id", TableState.NONE);
        s.onChange(txn(1, false, insert(1, "a"), insert(2, "b")));
        s.onChange(txn(2, false, new ServerMessage.Change(Operation.UPDATE, row(5, "a2"), row(1, "a")),
                new ServerMessage.Change(Operation.DELETE, null, row(2, "b"))));
        assertThat(s.rows()).containsOnlyKeys(5L);
        assertThat(s.row(5)).containsEntry("title", "a2");
    }

    @Test
    void repeatedTransactionsAreDroppedAndCounted() {
        TableState s = new TableState("t", "id", TableState.NONE);
        List<Transaction> seen = new ArrayList<>();
        for (long p : new long[] {1, 2, 2, 1, 3}) {
            Transaction t = s.onChange(txn(p, false, insert(p, "r" + p)));
            if (t != null) {
                seen.add(t);
            }
        }
        assertThat(seen).extracting(Transaction::position).containsExactly(1L, 2L, 3L);
        assertThat(s.duplicatesDropped()).isEqualTo(2);
    }

    @Test
    void replyPositionMovesTheResumePointForwardOnly() {
        TableState s = new TableState("t", "id", TableState.NONE);
        s.onSubscribed(50);
        assertThat(s.position()).isEqualTo(50);
        s.onSubscribed(40);
        assertThat(s.position()).isEqualTo(50);
        s.expire();
        assertThat(s.position()).isEqualTo(TableState.NONE);
    }

    @Test
    void aReplyAtPositionZeroAnchorsASubscriptionMadeOnAnEmptyLog() {
        TableState s = new TableState("t", "id", TableState.NONE);
        s.onSubscribed(0);
        assertThat(s.position()).as("0 is 'before everything', a position to resume from").isZero();
        s.onChange(txn(1, false, insert(1, "first")));
        assertThat(s.position()).isEqualTo(1);
    }

    @Test
    void customPrimaryKeyAndRowsWithoutIt() {
        TableState s = new TableState("t", "code", TableState.NONE);
        Map<String, Object> r = new LinkedHashMap<>();
        r.put("code", "X1");
        r.put("n", 1L);
        s.onChange(txn(1, false, new ServerMessage.Change(Operation.INSERT, r, null)));
        assertThat(s.row("X1")).containsEntry("n", 1L);
        TableState noKey = new TableState("t", "missing", TableState.NONE);
        noKey.onChange(txn(1, false, insert(1, "a"), insert(2, "b")));
        noKey.onChange(txn(2, false, new ServerMessage.Change(Operation.DELETE, null, row(1, "a"))));
        assertThat(noKey.rows()).hasSize(1);
    }
}
