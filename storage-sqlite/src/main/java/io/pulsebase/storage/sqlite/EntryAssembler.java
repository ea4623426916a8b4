package io.pulsebase.storage.sqlite;

import io.pulsebase.core.log.Commit;
import io.pulsebase.core.log.LogEntry;
import io.pulsebase.core.log.RowChange;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * Turns consecutive log rows into entries: rows of row changes with the same transaction marker become one
 * {@link Commit}, whose position is the sequence number of its last row and whose timestamp is that row's time;
 * a message row is an entry of its own; a floor row ({@link LogSchema}) is no entry and ends the held one.
 * Capture and log reads group the same way.
 */
final class EntryAssembler {
    private final List<RowChange> changes = new ArrayList<>();
    private long tx;
    private long lastSeq;
    private long lastTs;

    /** Whether this row starts an entry (rather than continuing the held transaction). */
    boolean startsEntry(LogRow row) {
        return row.isMessage() || changes.isEmpty() || row.tx() != tx;
    }

    /** Adds the next row, handing {@code out} every entry this row completes (the held transaction, a message). */
    void add(LogRow row, Consumer<LogEntry> out) {
        if (row.isFloor()) {
            finish(out);
            return;
        }
        if (!changes.isEmpty() && (row.isMessage() || row.tx() != tx)) {
            finish(out);
        }
        if (row.isMessage()) {
            out.accept(row.message());
            return;
        }
        tx = row.tx();
        lastSeq = row.seq();
        lastTs = row.ts();
        changes.add(row.change());
    }

    /** Whether a started transaction is held. */
    boolean pending() {
        return !changes.isEmpty();
    }

    /** Hands on the held transaction, if any; the assembler is empty afterwards. */
    void finish(Consumer<LogEntry> out) {
        if (!changes.isEmpty()) {
            Commit commit = new Commit(lastSeq, lastTs, changes, Map.of());
            changes.clear();
            out.accept(commit);
        }
    }
}
