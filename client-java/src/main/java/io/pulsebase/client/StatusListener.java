package io.pulsebase.client;

/** Told about every change of the connection status, in order, on the client's event thread. */
@FunctionalInterface
public interface StatusListener {
    void onStatusChange(ConnectionStatus status);
}
