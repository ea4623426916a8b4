package io.pulsebase.client;

import io.pulsebase.protocol.Operation;
import java.time.Instant;
import java.util.Map;

/**
 * One row change as this subscription sees it (a row entering the filter is an INSERT, leaving it a DELETE).
 *
 * @param data     the row after the change (null for DELETE)
 * @param old      the row before (UPDATE and DELETE), else null
 * @param position the position of the transaction it belongs to
 * @param meta     metadata of the transaction (empty when none)
 */
public record ChangeEvent(String topic, Operation operation, Map<String, Object> data, Map<String, Object> old,
                          long position, Instant timestamp, Map<String, Object> meta) {
}
