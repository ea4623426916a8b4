package io.pulsebase.core.log;

import java.util.List;
import java.util.Map;

/**
 * All row changes of one committed transaction, in the order they were made. The whole transaction shares
 * one position: a transaction is one unit on the wire.
 *
 * @param meta optional metadata (for example the reducer and caller that made the change), never {@code null}
 */
public record Commit(long position, long timestamp, List<RowChange> changes, Map<String, Object> meta)
        implements LogEntry {
    public Commit {
        changes = List.copyOf(changes);
        meta = meta == null ? Map.of() : Map.copyOf(meta);
    }
}
