package io.pulsebase.transport;

import io.pulsebase.core.log.ChannelMessage;
import io.pulsebase.core.log.EventLog;
import io.pulsebase.core.log.LogEntry;
import io.pulsebase.core.log.PositionExpiredException;
import io.pulsebase.core.log.Retention;
import io.pulsebase.protocol.RawJson;
import java.util.ArrayList;
import java.util.List;

/** An in-memory {@link EventLog} that tests append to; never prunes. */
final class ListEventLog implements EventLog {
    private final List<LogEntry> entries = new ArrayList<>();

    synchronized void append(LogEntry entry) {
        entries.add(entry);
    }

    @Override
    public synchronized long head() {
        return entries.isEmpty() ? 0 : entries.get(entries.size() - 1).position();
    }

    @Override
    public long horizon() {
        return 0;
    }

    @Override
    public synchronized List<LogEntry> readAfter(long after, int max) {
        if (after > head()) {
            throw new PositionExpiredException("position " + after + " is ahead of the log");
        }
        return entries.stream().filter(e -> e.position() > after).limit(max).toList();
    }

    @Override
    public synchronized ChannelMessage append(String topic, String event, RawJson data, String id, String userId) {
        ChannelMessage message = new ChannelMessage(head() + 1, System.currentTimeMillis(), topic, event, data, id,
                userId);
        entries.add(message);
        return message;
    }

    @Override
    public synchronized List<ChannelMessage> history(String topic, long before, int max) {
        return entries.reversed().stream()
                .filter(e -> e instanceof ChannelMessage m && m.topic().equals(topic) && m.position() < before)
                .map(ChannelMessage.class::cast).limit(max).toList();
    }

    @Override
    public synchronized List<ChannelMessage> messagesWithIdSince(long fromMillis, int max) {
        return entries.stream()
                .filter(e -> e instanceof ChannelMessage m && m.id() != null && m.timestamp() >= fromMillis)
                .map(ChannelMessage.class::cast).limit(max).toList();
    }

    @Override
    public long prune(Retention retention) {
        return 0;
    }
}
