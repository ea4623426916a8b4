package io.pulsebase.transport;

import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.pulsebase.core.Node;
import io.pulsebase.core.fanout.Frame;
import java.util.concurrent.ExecutorService;

/**
 * What the handlers of one server share: settings, the node, the connection registry, the executor that runs
 * blocking work off the event loops (virtual threads), the Prometheus registry ({@code null} when metrics are
 * off) and the pre-encoded heartbeat frame.
 */
record TransportServices(
        TransportConfig config,
        Node node,
        ConnectionRegistry connections,
        ExecutorService blocking,
        PrometheusMeterRegistry prometheus,
        Frame heartbeat) {
}
