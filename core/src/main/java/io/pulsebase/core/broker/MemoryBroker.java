package io.pulsebase.core.broker;

import java.util.concurrent.CopyOnWriteArrayList;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The in-process broker of a single node: {@link #publish} calls each listener synchronously on the
 * publisher's thread. Publishes are serialized by a lock, so listeners see one global order and are never
 * called concurrently with themselves.
 */
public final class MemoryBroker implements Broker {
    private static final Logger log = LoggerFactory.getLogger(MemoryBroker.class);

    private final CopyOnWriteArrayList<BrokerListener> listeners = new CopyOnWriteArrayList<>();
    private final Object publishLock = new Object();

    @Override
    public void publish(BrokerMessage message) {
        synchronized (publishLock) {
            for (BrokerListener listener : listeners) {
                try {
                    listener.onMessage(message);
                } catch (RuntimeException e) {
                    log.error("broker listener failed; it keeps receiving later messages", e);
                }
            }
        }
    }

    @Override
    public boolean deliversInProcess() {
        return true;
    }

    @Override
    public AutoCloseable subscribe(BrokerListener listener) {
        listeners.add(listener);
        return () -> listeners.remove(listener);
    }

    @Override
    public void close() {
        listeners.clear();
    }
}
