package io.pulsebase.client;

import io.pulsebase.protocol.ServerMessage;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.locks.ReentrantReadWriteLock;

/**
 * The pure state of one table subscription: the local copy keyed by primary key, the position to resume from,
 * and the parts of a snapshot or transaction still being received. Frames are fed in by one thread (the client's
 * event thread); {@link #rows()} and {@link #row(Object)} may be called from any thread and always see the copy
 * between two transactions, never inside one.
 */
final class TableState {
    /** No position yet. */
    static final long NONE = -1;

    private final String topic;
    private final String primaryKey;
    private final ReentrantReadWriteLock lock = new ReentrantReadWriteLock();
    /** Guarded by {@link #lock}. */
    private final LinkedHashMap<Object, Map<String, Object>> rows = new LinkedHashMap<>();

    // event thread only
    private long position;
    private List<Map<String, Object>> snapshotParts;
    private long snapshotPosition;
    private List<ServerMessage.Change> txnParts;
    private long txnPosition;
    private long duplicatesDropped;

    TableState(String topic, String primaryKey, long initialPosition) {
        this.topic = topic;
        this.primaryKey = primaryKey;
        this.position = initialPosition;
    }

    /** The position of the last complete transaction or snapshot (or of the subscribe reply), or {@link #NONE}. */
    long position() {
        return position;
    }

    long duplicatesDropped() {
        return duplicatesDropped;
    }

    /**
     * A subscribe reply: the subscription stands at {@code replyPosition} (everything up to it was sent). Position
     * 0 is a real anchor ("before everything": a subscription made while the log was empty), not "no position":
     * without it a drop before the first change would resubscribe live-from-now and lose what was written meanwhile.
     */
    void onSubscribed(long replyPosition) {
        if (replyPosition >= 0 && replyPosition > position) {
            position = replyPosition;
        }
    }

    /** The position could not be resumed from; the next subscribe takes a snapshot. */
    void expire() {
        position = NONE;
        resetParts();
    }

    /** The connection dropped: incomplete parts are discarded (a resume from {@link #position()} resends them). */
    void resetParts() {
        snapshotParts = null;
        txnParts = null;
    }

    /** Feeds a snapshot part; answers the new copy when it was the last part, else null. */
    Map<Object, Map<String, Object>> onSnapshot(ServerMessage.Snapshot part) {
        if (snapshotParts == null || part.position() != snapshotPosition) {
            snapshotParts = new ArrayList<>();
            snapshotPosition = part.position();
        }
        snapshotParts.addAll(part.rows());
        if (part.more()) {
            return null;
        }
        List<Map<String, Object>> all = snapshotParts;
        snapshotParts = null;
        txnParts = null;
        lock.writeLock().lock();
        try {
            rows.clear();
            for (Map<String, Object> row : all) {
                Map<String, Object> r = freeze(row);
                rows.put(keyOf(r), r);
            }
        } finally {
            lock.writeLock().unlock();
        }
        position = snapshotPosition;
        return rows();
    }

    /**
     * Feeds a {@code db_change} part. Answers the whole transaction, already applied to the copy, when this was its
     * last part; null while parts are outstanding or when the frame repeats a transaction already applied.
     */
    Transaction onChange(ServerMessage.DbChange part) {
        if (txnParts != null && part.position() != txnPosition) {
            txnParts = null; // a new transaction without the end of the previous one: never sent by the server
        }
        if (txnParts == null) {
            if (position != NONE && part.position() <= position) {
                duplicatesDropped++;
                return null;
            }
            txnParts = new ArrayList<>();
            txnPosition = part.position();
        }
        txnParts.addAll(part.changes());
        if (part.more()) {
            return null;
        }
        List<ServerMessage.Change> all = txnParts;
        txnParts = null;
        Instant ts = Instant.ofEpochMilli(part.timestamp());
        Map<String, Object> meta = part.meta() == null ? Map.of() : Collections.unmodifiableMap(part.meta());
        List<ChangeEvent> events = new ArrayList<>(all.size());
        lock.writeLock().lock();
        try {
            for (ServerMessage.Change c : all) {
                Map<String, Object> data = freeze(c.data());
                Map<String, Object> old = freeze(c.old());
                switch (c.operation()) {
                    case INSERT -> rows.put(keyOf(data), data);
                    case UPDATE -> {
                        if (old != null) {
                            Object oldKey = keyOf(old);
                            Object newKey = keyOf(data);
                            if (!java.util.Objects.equals(oldKey, newKey)) {
                                rows.remove(oldKey);
                            }
                        }
                        rows.put(keyOf(data), data);
                    }
                    case DELETE -> rows.remove(keyOf(old != null ? old : data));
                }
                events.add(new ChangeEvent(topic, c.operation(), data, old, txnPosition, ts, meta));
            }
        } finally {
            lock.writeLock().unlock();
        }
        position = txnPosition;
        return new Transaction(topic, txnPosition, ts, List.copyOf(events), meta);
    }

    /** An immutable copy of the local rows, keyed by primary key, in insertion order. */
    Map<Object, Map<String, Object>> rows() {
        lock.readLock().lock();
        try {
            return Collections.unmodifiableMap(new LinkedHashMap<>(rows));
        } finally {
            lock.readLock().unlock();
        }
    }

    /** One row by primary key (an Integer key matches a Long column value), or null. */
    Map<String, Object> row(Object key) {
        lock.readLock().lock();
        try {
            return rows.get(normalize(key));
        } finally {
            lock.readLock().unlock();
        }
    }

    int size() {
        lock.readLock().lock();
        try {
            return rows.size();
        } finally {
            lock.readLock().unlock();
        }
    }

    /** The key of a row: its primary-key column; a row without that column is keyed by its whole content. */
    private Object keyOf(Map<String, Object> row) {
        if (row == null) {
            return Map.of();
        }
        Object key = row.get(primaryKey);
        return key == null && !row.containsKey(primaryKey) ? row : normalize(key);
    }

    static Object normalize(Object key) {
        if (key instanceof Integer || key instanceof Short || key instanceof Byte) {
            return ((Number) key).longValue();
        }
        return key;
    }

    private static Map<String, Object> freeze(Map<String, Object> row) {
        return row == null ? null : Collections.unmodifiableMap(row);
    }
}
