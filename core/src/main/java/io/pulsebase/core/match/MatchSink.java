package io.pulsebase.core.match;

import io.pulsebase.protocol.ServerMessage;
import java.util.List;

/**
 * Receives what one transaction means to each query it touched, from {@link SubscriptionMatcher#match}.
 * Called on the matching thread, once per query per transaction, after all changes were examined; should be
 * quick (encode once, enqueue to the query's subscribers) and must not call back into the matcher's
 * {@code match}.
 */
@FunctionalInterface
public interface MatchSink<S> {

    /**
     * @param query   a query that sees at least one change of the transaction
     * @param changes those changes in commit order, as the query sees them (an UPDATE that left the filter is a
     *                DELETE, one that entered it an INSERT); a fresh list the sink may keep
     */
    void matched(Query<S> query, List<ServerMessage.Change> changes);
}
