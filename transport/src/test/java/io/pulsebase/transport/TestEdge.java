package io.pulsebase.transport;

import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.pulsebase.core.Node;
import io.pulsebase.core.NodeConfig;
import io.pulsebase.core.broker.BrokerMessage;
import io.pulsebase.core.broker.MemoryBroker;
import io.pulsebase.core.log.Commit;
import io.pulsebase.core.log.RowChange;
import io.pulsebase.protocol.Operation;
import java.net.URI;
import java.net.http.HttpClient;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * A real server on an ephemeral port over a real {@link Node} whose engines are in-memory fakes: enough to test the
 * edge's behaviour (framing, limits, heartbeats, errors) without a storage module.
 */
final class TestEdge implements AutoCloseable {
    final InMemoryDatabase database;
    final ListEventLog log = new ListEventLog();
    final ManualChangeSource changeSource = new ManualChangeSource();
    final MemoryBroker broker = new MemoryBroker();
    final PrometheusMeterRegistry prometheus = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    final Node node;
    final RealtimeServer server;
    final int port;
    final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    private TestEdge(TransportConfig config, InMemoryDatabase database) {
        this.database = database;
        this.node = new Node(NodeConfig.defaults(), new Node.Engines(database, log, changeSource, broker), prometheus);
        node.start();
        this.server = new RealtimeServer(config, node, prometheus);
        this.port = server.start();
    }

    static TransportConfig config() {
        return TransportConfig.defaults().withHost("127.0.0.1").withPort(0);
    }

    static TestEdge start() {
        return start(config());
    }

    static TestEdge start(TransportConfig config) {
        return new TestEdge(config, new InMemoryDatabase().withTable("todos"));
    }

    static TestEdge start(TransportConfig config, InMemoryDatabase database) {
        return new TestEdge(config, database);
    }

    URI http(String pathAndQuery) {
        return URI.create("http://127.0.0.1:" + port + pathAndQuery);
    }

    URI ws(String pathAndQuery) {
        return URI.create("ws://127.0.0.1:" + port + pathAndQuery);
    }

    /** Commits an insert into {@code table}: appended to the log and fanned out like a captured write. */
    Commit commitInsert(String table, long position, Map<String, Object> row) {
        Commit commit = new Commit(position, System.currentTimeMillis(),
                List.of(new RowChange(table, Operation.INSERT, row, null)), Map.of());
        log.append(commit);
        broker.publish(new BrokerMessage.Logged(commit));
        return commit;
    }

    @Override
    public void close() {
        server.stop(Duration.ofSeconds(2));
        node.close();
        http.close();
    }
}
