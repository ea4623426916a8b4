/**
 * Incremental matching of committed row changes against live queries: {@link
 * io.pulsebase.core.match.SubscriptionMatcher} shares identical subscriptions in one {@link
 * io.pulsebase.core.match.Query}, hash-indexes equality filters, and turns each change into what each query
 * sees (enter, update, leave), once per query per transaction.
 */
package io.pulsebase.core.match;
