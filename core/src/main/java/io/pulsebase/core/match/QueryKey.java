package io.pulsebase.core.match;

import io.pulsebase.protocol.Operation;
import java.util.Set;

/** What makes two subscriptions the same query: table, effective events, canonical filter text. */
record QueryKey(String table, Set<Operation> events, String filter) {
}
