package io.pulsebase.client;

import java.util.Map;

/**
 * A complete snapshot (all its parts) replaced the local copy: the first one of a {@code snapshot(true)}
 * subscription, and every re-snapshot after an expired position.
 */
@FunctionalInterface
public interface SnapshotListener {
    /**
     * @param rows     the new local copy (immutable), keyed by primary key
     * @param position the position the snapshot was read at
     */
    void onSnapshot(Map<Object, Map<String, Object>> rows, long position);
}
