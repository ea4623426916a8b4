package io.pulsebase.client;

import java.util.concurrent.CopyOnWriteArrayList;

/**
 * The client's status, and the calls into application code: status and error listeners, and
 * {@link #dispatch} for every other listener.
 *
 * <p>Contract. Listeners may be added from any thread; they are called on the event thread only, in the order
 * they were added. A listener that throws never stops delivery: the exception goes to the error listeners (an
 * error listener that throws is logged). With no error listener, errors are logged through
 * {@link System.Logger} (level WARNING).
 */
final class ClientListeners {
    private static final System.Logger LOG = System.getLogger(PulsebaseClient.class.getName());

    private final CopyOnWriteArrayList<StatusListener> statusListeners = new CopyOnWriteArrayList<>();
    private final CopyOnWriteArrayList<ErrorListener> errorListeners = new CopyOnWriteArrayList<>();
    private volatile ConnectionStatus status = ConnectionStatus.IDLE;

    void addStatusListener(StatusListener l) {
        statusListeners.add(l);
    }

    void addErrorListener(ErrorListener l) {
        errorListeners.add(l);
    }

    ConnectionStatus status() {
        return status;
    }

    /** Event thread: moves to {@code s} and tells the status listeners (nothing when it is the status already). */
    void setStatus(ConnectionStatus s) {
        if (status == s) {
            return;
        }
        status = s;
        for (StatusListener l : statusListeners) {
            dispatch(() -> l.onStatusChange(s));
        }
    }

    /** Event thread: runs one listener call; what it throws is reported, not propagated. */
    void dispatch(Runnable listenerCall) {
        try {
            listenerCall.run();
        } catch (RuntimeException e) {
            reportError(new PulsebaseException("a listener threw " + e, e));
        }
    }

    /** Event thread: a problem that belongs to no future. */
    void reportError(PulsebaseException e) {
        if (errorListeners.isEmpty()) {
            LOG.log(System.Logger.Level.WARNING, "Pulsebase client: " + e.getMessage(), e);
            return;
        }
        for (ErrorListener l : errorListeners) {
            try {
                l.onError(e);
            } catch (RuntimeException ex) {
                LOG.log(System.Logger.Level.WARNING, "an error listener threw", ex);
            }
        }
    }
}
