package io.pulsebase.core.broker;

import io.pulsebase.core.log.LogEntry;

/**
 * What travels between nodes through a {@link Broker}. Durable events carry their log entry (and so a
 * position); ephemeral traffic (unpersisted broadcasts, presence diffs) will be added as further kinds.
 */
public sealed interface BrokerMessage {

    /** A durable entry from the log, already committed. */
    record Logged(LogEntry entry) implements BrokerMessage {
    }
}
