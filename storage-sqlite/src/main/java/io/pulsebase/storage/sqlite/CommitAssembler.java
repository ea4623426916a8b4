package io.pulsebase.storage.sqlite;

import io.pulsebase.core.log.Commit;
import io.pulsebase.core.log.RowChange;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Groups consecutive log rows with the same transaction marker into one {@link Commit}, whose position is the
 * sequence number of its last row and whose timestamp is that row's time. Capture and log reads group the
 * same way.
 */
final class CommitAssembler {
    private final List<RowChange> changes = new ArrayList<>();
    private long tx;
    private long lastSeq;
    private long lastTs;

    /** Adds the next row; when it starts a new transaction, answers the finished previous one (else null). */
    Commit add(LogRow row) {
        Commit finished = null;
        if (!changes.isEmpty() && row.tx() != tx) {
            finished = finish();
        }
        tx = row.tx();
        lastSeq = row.seq();
        lastTs = row.ts();
        changes.add(row.change());
        return finished;
    }

    /** Whether a started transaction is held. */
    boolean pending() {
        return !changes.isEmpty();
    }

    /** The transaction marker of the held transaction. */
    long pendingTx() {
        return tx;
    }

    /** The held transaction as a commit, or null when none is held; the assembler is empty afterwards. */
    Commit finish() {
        if (changes.isEmpty()) {
            return null;
        }
        Commit commit = new Commit(lastSeq, lastTs, changes, Map.of());
        changes.clear();
        return commit;
    }
}
