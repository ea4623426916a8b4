package io.pulsebase.core.broker;

/** Receives broker messages; see {@link Broker} for ordering and threading. */
@FunctionalInterface
public interface BrokerListener {
    void onMessage(BrokerMessage message);
}
