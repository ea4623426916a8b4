package io.pulsebase.client;

/** Where a {@link PulsebaseClient}'s connection stands. */
public enum ConnectionStatus {
    /** Built, never asked to connect. */
    IDLE,
    /** The first connection attempt is under way. */
    CONNECTING,
    /** The socket is open; subscriptions are (being) restored. */
    CONNECTED,
    /** The connection dropped; the client waits (backoff) or is trying again. */
    RECONNECTING,
    /** Closed for good: {@link PulsebaseClient#close()} or a close code that says not to reconnect. */
    DISCONNECTED
}
