package io.pulsebase.client;

import java.time.Instant;
import java.util.List;
import java.util.Map;

/** All the changes of one committed transaction that match a subscription (every part, in order). */
public record Transaction(String topic, long position, Instant timestamp, List<ChangeEvent> changes,
                          Map<String, Object> meta) {
}
