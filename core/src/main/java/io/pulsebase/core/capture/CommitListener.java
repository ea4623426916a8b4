package io.pulsebase.core.capture;

import io.pulsebase.core.log.LogEntry;

/**
 * Receives captured entries from a {@link ChangeSource}, in position order, on the source's single capture
 * thread. It may block: capture never drops an entry, it waits (back-pressure), and an exception thrown here
 * is logged and the same entry is not delivered again.
 */
@FunctionalInterface
public interface CommitListener {
    void onEntry(LogEntry entry);
}
