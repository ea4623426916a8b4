package io.pulsebase.core.presence;

import java.util.Map;

/** One member of a channel's presence: its key (one per connection) and its current state. */
public record PresenceMember(String key, Map<String, Object> state) {
}
