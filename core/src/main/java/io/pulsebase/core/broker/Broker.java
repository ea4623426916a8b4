package io.pulsebase.core.broker;

/**
 * Moves messages to every node's dispatcher: in-process on one node ({@link MemoryBroker}), through Redis
 * in a cluster.
 *
 * <p>Contract (every implementation must pass {@code BrokerContract}):
 * <ol>
 *   <li>Every message published after a listener subscribed reaches that listener, once.</li>
 *   <li>Messages from one publisher reach each listener in the order they were published.</li>
 *   <li>A listener is never called concurrently with itself.</li>
 *   <li>{@link #publish} may block briefly (back-pressure) but never drops; a listener that throws is logged
 *       and keeps receiving later messages.</li>
 *   <li>Closing the returned handle stops delivery to that listener.</li>
 * </ol>
 */
public interface Broker extends AutoCloseable {

    /** Publishes a message to every subscribed listener (on every node). */
    void publish(BrokerMessage message);

    /**
     * Whether {@link #publish} runs the listeners in process without waiting for I/O (it may still wait briefly
     * for another publisher's delivery to finish): callers may then publish from a network thread. A broker
     * between nodes answers {@code false}.
     */
    default boolean deliversInProcess() {
        return false;
    }

    /** Subscribes a listener; close the handle to unsubscribe. */
    AutoCloseable subscribe(BrokerListener listener);

    @Override
    void close();
}
