package io.pulsebase.client;

import io.pulsebase.protocol.ServerMessage;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;

/**
 * The requests of one client that wait for a reply: those sent on the current connection, by {@code ref}, and
 * those waiting for a connection in a bounded FIFO offline queue.
 *
 * <p>Contract. Event thread only (no locking). Refs are unique for the client's life, so a reply that arrives for
 * a request of an earlier connection is never mistaken for a later one. Ordering: queued requests are sent in the
 * order they were made, after the subscriptions of a new connection ({@link Connection} flushes the queue after
 * restoring them); a request that was in flight when the connection dropped and may be re-sent
 * ({@link PendingRequest#resend()}) goes back to the <em>front</em> of the queue, ahead of those made while
 * offline, in its original order. Failure: a dropped request that may not be re-sent fails with
 * {@link PulsebaseException.ConnectionLostException}; one that finds the queue full (or disabled, capacity 0)
 * fails at once with {@link PulsebaseException.OfflineException}; on close everything left fails with the
 * close's reason.
 */
final class RequestTracker {
    private final Connection connection;
    private final int offlineCapacity;
    private final LinkedHashMap<String, PendingRequest> inFlight = new LinkedHashMap<>();
    private final ArrayDeque<PendingRequest> offline = new ArrayDeque<>();
    private long nextRef;

    RequestTracker(Connection connection, int offlineCapacity) {
        this.connection = connection;
        this.offlineCapacity = offlineCapacity;
    }

    /**
     * A request made by the application or an SDK object. Connected: sent now. Disconnected: the client starts
     * connecting, and a {@code queueable} request waits in the offline queue (or fails when it is full); one that
     * is not queueable is dropped, its owner sends it again when the connection is restored.
     */
    void request(PendingRequest p, boolean queueable) {
        if (connection.isClosed()) {
            p.onClosed().accept(new PulsebaseException.ClosedException("client closed"));
        } else if (connection.isOpen()) {
            send(p);
        } else {
            connection.ensureConnecting();
            if (queueable) {
                enqueue(p);
            }
        }
    }

    /** Sends a request on the open connection; answers its ref, or null (nothing sent) when not connected. */
    String send(PendingRequest p) {
        if (!connection.isOpen()) {
            return null;
        }
        String ref = Long.toString(++nextRef);
        inFlight.put(ref, p);
        connection.send(p.message().apply(ref));
        return ref;
    }

    private void enqueue(PendingRequest p) {
        if (offline.size() >= offlineCapacity) {
            p.onLost().accept(new PulsebaseException.OfflineException(offlineCapacity == 0
                    ? "not connected (the offline queue is disabled)"
                    : "not connected and the offline queue is full (" + offlineCapacity + " requests)"));
        } else {
            offline.add(p);
        }
    }

    /** A reply: completes the request with its ref; a reply to nothing waiting (an old ref) is ignored. */
    void onReply(ServerMessage.Reply reply) {
        PendingRequest p = reply.ref() == null ? null : inFlight.remove(reply.ref());
        if (p != null) {
            p.onReply().accept(reply);
        }
    }

    /** A new connection is open and its subscriptions re-sent: sends what waited, in order. */
    void flushOffline() {
        while (connection.isOpen() && !offline.isEmpty()) {
            send(offline.poll());
        }
    }

    /** The connection dropped: re-sendable requests go back to the front of the queue, the others fail. */
    void connectionLost(int code, String reason) {
        List<PendingRequest> resend = new ArrayList<>();
        List<PendingRequest> lost = new ArrayList<>();
        for (PendingRequest p : inFlight.values()) {
            (p.resend() ? resend : lost).add(p);
        }
        inFlight.clear();
        for (int i = resend.size() - 1; i >= 0; i--) {
            offline.addFirst(resend.get(i));
        }
        for (PendingRequest p : lost) {
            p.onLost().accept(new PulsebaseException.ConnectionLostException(
                    "the connection dropped before the server answered (close " + code + " " + reason + ")"));
        }
    }

    /** The client is closed: every request, sent or queued, fails with {@code reason}. */
    void closeAll(PulsebaseException reason) {
        List<PendingRequest> all = new ArrayList<>(inFlight.values());
        all.addAll(offline);
        inFlight.clear();
        offline.clear();
        for (PendingRequest p : all) {
            p.onClosed().accept(reason);
        }
    }
}
