package io.pulsebase.bench.load;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.pulsebase.core.policy.AccessPolicies;
import io.pulsebase.server.PulsebaseServer;
import io.pulsebase.server.ServerConfig;
import io.pulsebase.transport.TransportConfig;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;

/**
 * A whole Pulsebase server started inside the load generator's JVM, on 127.0.0.1 and a free port, over a
 * fresh temporary data directory that is deleted on close. Simplest to run, but the server and the
 * generator share the JVM (heap, GC pauses, CPU), which the report says; {@code --server external} is the
 * honest setup for large runs.
 */
final class InProcessServer implements AutoCloseable {
    private final PulsebaseServer server;
    private final Path dataDir;

    private InProcessServer(PulsebaseServer server, Path dataDir) {
        this.server = server;
        this.dataDir = dataDir;
    }

    /**
     * With {@code --policy owner}: security on with the run's credentials, and {@link BenchTable#OWNER_POLICY} as
     * its policy file; otherwise security off (the default).
     */
    static InProcessServer start(LoadOptions o) throws IOException {
        Path dir = Files.createTempDirectory("pulsebase-load-");
        try {
            ServerConfig config = ServerConfig.defaults(dir)
                    .withTransport(TransportConfig.defaults().withHost("127.0.0.1").withPort(0));
            if (o.policy() == LoadOptions.PolicyMode.OWNER) {
                config = config.withAuth(o.credentials().authConfig())
                        .withPolicies(AccessPolicies.parse(new ObjectMapper().readTree(BenchTable.OWNER_POLICY)));
            }
            return new InProcessServer(PulsebaseServer.start(config), dir);
        } catch (RuntimeException e) {
            deleteTree(dir);
            throw e;
        }
    }

    URI url() {
        return URI.create("http://127.0.0.1:" + server.port());
    }

    Path dataDir() {
        return dataDir;
    }

    @Override
    public void close() {
        try {
            server.close();
        } finally {
            deleteTree(dataDir);
        }
    }

    private static void deleteTree(Path dir) {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> s = Files.walk(dir)) {
            s.sorted(Comparator.reverseOrder()).forEach(p -> {
                try {
                    Files.deleteIfExists(p);
                } catch (IOException ignored) {
                    // best effort: a temp dir
                }
            });
        } catch (IOException ignored) {
            // best effort
        }
    }
}
