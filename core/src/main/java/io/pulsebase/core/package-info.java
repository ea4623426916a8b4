/**
 * The Pulsebase engine: sessions, subscriptions, the filter language, the indexed matcher, channels (pub/sub,
 * presence, history), fan-out, and the engine SPIs (store, log, change source, broker, presence store) with their
 * in-process implementations. No sockets, no SQL
 * drivers: transports and storage engines depend on this package, never the reverse.
 *
 * <h2>Two paths through the code</h2>
 * <pre>
 * A client frame:
 *   transport (WebSocket | SSE | REST) ──decode──▶ {@link io.pulsebase.core.session.Session#receive}
 *     ──serial executor (one connection's messages in order, virtual threads)──▶ SessionCommands
 *     ──▶ FilterCompiler (once) ──▶ SubscriptionMatcher.add (live frames start buffering)
 *     ──▶ Database.snapshot | EventLog.readAfter (catch-up, paced to the connection's queue)
 *     ──▶ Subscription.goLiveTogether (buffered frames newer than the catch-up) ──▶ reply
 *   channel commands ──▶ {@link io.pulsebase.core.channel.ChannelService}: a persisted publish is appended to
 *     the log (and comes back through the commit path); an unpersisted one and presence changes go to the broker
 *
 * A commit (REST, /v1/sql, another program):
 *   storage triggers write the log in the same transaction ──▶ ChangeSource (one capture thread)
 *     ──▶ {@link io.pulsebase.core.broker.Broker} (in-process: synchronous, one global order)
 *     ──▶ {@link io.pulsebase.core.fanout.Dispatcher}: SubscriptionMatcher.match (indexed, shared queries)
 *     ──▶ ChangeFrames: encode once per query (parts of ≤ N changes for big transactions);
 *         channel messages and presence: ChannelIndex by topic ──▶ ChannelFrames, encoded once
 *     ──▶ Subscription.deliver (dedup by position) ──▶ {@link io.pulsebase.core.session.Outbound}
 *         (bounded in bytes; overflow closes 4001 and the client resumes from its position)
 * </pre>
 *
 * <p>Entry point: {@link io.pulsebase.core.Node}. The architecture, with threads and decisions, is in
 * {@code docs/architecture.md}.
 */
package io.pulsebase.core;
