package io.pulsebase.client;

/**
 * Told about problems that belong to no returned future: an {@code error} frame from the server, a subscription
 * the server refused while it was being restored after a reconnect, a close that ends the client, an exception
 * thrown by one of your listeners. Runs on the client's event thread.
 */
@FunctionalInterface
public interface ErrorListener {
    void onError(PulsebaseException error);
}
