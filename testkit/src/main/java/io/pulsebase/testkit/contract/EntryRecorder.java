package io.pulsebase.testkit.contract;

import io.pulsebase.core.capture.CommitListener;
import io.pulsebase.core.log.LogEntry;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/** A {@link CommitListener} that records what it receives and notices concurrent calls. */
public class EntryRecorder implements CommitListener {
    private final List<LogEntry> entries = new ArrayList<>();
    private final AtomicInteger inFlight = new AtomicInteger();
    private final AtomicBoolean overlapped = new AtomicBoolean();

    @Override
    public void onEntry(LogEntry entry) {
        if (inFlight.incrementAndGet() > 1) {
            overlapped.set(true);
        }
        try {
            synchronized (entries) {
                entries.add(entry);
            }
            received(entry);
        } finally {
            inFlight.decrementAndGet();
        }
    }

    /** Called after recording each entry, on the source's thread; override to block or to throw. */
    protected void received(LogEntry entry) {
    }

    public List<LogEntry> entries() {
        synchronized (entries) {
            return List.copyOf(entries);
        }
    }

    public List<Long> positions() {
        return entries().stream().map(LogEntry::position).toList();
    }

    public int size() {
        synchronized (entries) {
            return entries.size();
        }
    }

    /** Whether two calls ever overlapped. */
    public boolean overlapped() {
        return overlapped.get();
    }
}
