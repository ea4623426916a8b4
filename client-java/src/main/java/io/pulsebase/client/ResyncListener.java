package io.pulsebase.client;

/**
 * The server could not resume a subscription from its last position ({@code position_expired}: the position
 * is older than the log's retention, or ahead of the log after the server's data was replaced). Events between
 * that position and now are lost to this subscription. Called before the client recovers: a table subscription
 * takes a fresh snapshot (then its {@link SnapshotListener}s run), a channel subscription continues live from now
 * (use {@link Channel#history} to fill the gap if needed).
 */
@FunctionalInterface
public interface ResyncListener {
    void onResync(String topic, long expiredPosition);
}
