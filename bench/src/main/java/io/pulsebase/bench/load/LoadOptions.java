package io.pulsebase.bench.load;

import java.net.InetAddress;
import java.net.URI;
import java.net.UnknownHostException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The load generator's command line, validated: every number is in range, the server is on loopback and
 * the source addresses are 127.x, so a run can neither leave the machine nor run unbounded.
 */
record LoadOptions(
        Scenario scenario,
        boolean external,
        URI url,
        int connections,
        int rooms,
        PolicyMode policy,
        BenchCredentials credentials,
        double rate,
        int rowsPerTx,
        int writers,
        WriterKind writer,
        Path dbFile,
        int payloadBytes,
        int seconds,
        int warmup,
        int drain,
        int settle,
        int connectTimeout,
        int concurrency,
        int loops,
        List<InetAddress> srcIps,
        long serverPid,
        boolean withBaseline,
        Path baselineDir,
        boolean json,
        Path out) {

    /** How the writer threads commit: through the server's {@code POST /v1/sql}, or straight into its SQLite file. */
    enum WriterKind {
        HTTP, JDBC;

        String wireName() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }
    }

    /**
     * Who decides which rows a subscriber of {@code owned} receives: its own filter {@code owner_id = 'user-<r>'}
     * ({@code none}), or the server's row-level policy {@code owner_id = auth.sub} with a token per user and no
     * filter ({@code owner}).
     */
    enum PolicyMode {
        NONE, OWNER;

        String wireName() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }
    }

    /** Shortest payload that still holds the self-describing prefix {@code room:sent_ns:k:}. */
    static final int MIN_PAYLOAD = 48;

    static final String USAGE = """
            Usage: java -cp bench/target/pulsebase-bench.jar io.pulsebase.bench.load.LoadGenerator [options]

              --scenario S         fanout | filtered | owned | throughput | sqlite-baseline (default fanout)
              --server M           inprocess (default: a server in this JVM, port 0, temp data dir) | external
              --url URL            external server, loopback only (default http://127.0.0.1:8080)
              --connections N      subscriber WebSocket connections (throughput 10, else 1000)
              --rooms R            filtered: connection i subscribes to room = i % R (default = connections);
                                   owned: connection i is user-<i % R>, rows of room r are owned by user-r
              --policy P           owned: none (default: each connection filters owner_id = 'user-<r>') |
                                   owner (security on, each connection signs in with its own HS256 token,
                                   sub = user-<r>, and subscribes without a filter; the server's policy
                                   {"select": "owner_id = auth.sub"} on bench_owned selects its rows)
              --auth-hs256-secret-file F, --auth-service-key-file F
                                   external server with security on: the secret the server verifies tokens
                                   with and its service key (writers, setup); default: the server's env
                                   PULSEBASE_AUTH_HS256_SECRET(_FILE), PULSEBASE_AUTH_SERVICE_KEY(_FILE).
                                   inprocess with --policy owner makes fresh ones
              --rate R             transactions per second; 0 = as fast as possible (fanout 10, filtered and
                                   owned 100, throughput 0)
              --rows-per-tx N      rows per transaction: one multi-row INSERT (default 1)
              --writers K          writer threads, each on its own keep-alive HTTP (or JDBC) connection
                                   (default 1; throughput 16)
              --writer W           http (default: POST /v1/sql) | jdbc (commit the same transactions straight
                                   into the server's SQLite file, as another program would; one JDBC
                                   connection per writer thread)
              --db-file PATH       --writer jdbc with --server external: the server's SQLite file
                                   (<data dir>/pulsebase.db); inprocess uses its own data dir's file
              --payload-bytes B    payload column length, at least 48 (default 64)
              --seconds S          measured seconds (default 10)
              --warmup S           seconds written but not measured (default 2)
              --drain S            at most this long to wait for outstanding deliveries (default 5)
              --connect-timeout S  at most this long to connect and subscribe everyone (default 60)
              --concurrency C      handshakes in flight at once (default 256)
              --loops L            client event-loop threads (default 2, at most the core count)
              --src-ips A-B|A,B    client source addresses, 127.x only, e.g. 127.0.0.2-127.0.0.5
              --server-pid PID     report that process's CPU seconds and RSS (external server)
              --with-baseline      also run sqlite-baseline in the same command (before the server phase)
              --baseline-dir DIR   where the baseline's SQLite file goes (default: a temp dir)
              --json               print only one JSON line on stdout (progress goes to stderr)
              --out FILE           also append the JSON line to FILE
            """;

    static LoadOptions parse(String[] args) {
        Map<String, String> m = new HashMap<>();
        Set<String> flags = Set.of("--json", "--with-baseline", "--help", "-h");
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            if (!a.startsWith("-")) {
                throw new IllegalArgumentException("unexpected argument '" + a + "'");
            }
            String key = a;
            String value;
            int eq = a.indexOf('=');
            if (eq > 0) {
                key = a.substring(0, eq);
                value = a.substring(eq + 1);
            } else if (flags.contains(a)) {
                value = "true";
            } else {
                if (i + 1 >= args.length) {
                    throw new IllegalArgumentException(a + " needs a value");
                }
                value = args[++i];
            }
            if (m.put(key, value) != null) {
                throw new IllegalArgumentException(key + " given twice");
            }
        }
        if (m.containsKey("--help") || m.containsKey("-h")) {
            throw new HelpRequested();
        }
        Reader r = new Reader(m);

        Scenario scenario = Scenario.parse(r.string("--scenario", "fanout"));
        String serverMode = r.string("--server", "inprocess");
        boolean external = switch (serverMode) {
            case "inprocess" -> false;
            case "external" -> true;
            default -> throw new IllegalArgumentException("--server must be inprocess or external");
        };
        URI url = loopbackUrl(r.string("--url", "http://127.0.0.1:8080"));
        if (!external && m.containsKey("--url")) {
            throw new IllegalArgumentException("--url needs --server external");
        }

        int defConnections = scenario == Scenario.THROUGHPUT ? 10 : 1000;
        double defRate = switch (scenario) {
            case FANOUT -> 10;
            case FILTERED, OWNED -> 100;
            case THROUGHPUT, SQLITE_BASELINE -> 0;
        };
        int connections = r.integer("--connections", defConnections, 1, 1_000_000);
        boolean perRoom = scenario == Scenario.FILTERED || scenario == Scenario.OWNED;
        int rooms = r.integer("--rooms", perRoom ? connections : 1, 1, 10_000_000);
        PolicyMode policy = switch (r.string("--policy", "none")) {
            case "none" -> PolicyMode.NONE;
            case "owner" -> PolicyMode.OWNER;
            default -> throw new IllegalArgumentException("--policy must be none or owner");
        };
        if (policy == PolicyMode.OWNER && scenario != Scenario.OWNED) {
            throw new IllegalArgumentException("--policy owner needs --scenario owned");
        }
        BenchCredentials credentials = credentials(r, external, policy);
        double rate = r.decimal("--rate", defRate, 0, 1_000_000);
        int rowsPerTx = r.integer("--rows-per-tx", 1, 1, 10_000);
        int writers = r.integer("--writers", scenario == Scenario.THROUGHPUT ? 16 : 1, 1, 64);
        WriterKind writer = switch (r.string("--writer", "http")) {
            case "http" -> WriterKind.HTTP;
            case "jdbc" -> WriterKind.JDBC;
            default -> throw new IllegalArgumentException("--writer must be http or jdbc");
        };
        String db = r.string("--db-file", null);
        if (db != null && writer != WriterKind.JDBC) {
            throw new IllegalArgumentException("--db-file needs --writer jdbc");
        }
        if (db != null && !external) {
            throw new IllegalArgumentException("--db-file needs --server external (inprocess writes into its own "
                    + "data dir's pulsebase.db)");
        }
        if (writer == WriterKind.JDBC && external && db == null && scenario != Scenario.SQLITE_BASELINE) {
            throw new IllegalArgumentException("--writer jdbc with --server external needs --db-file (the server's "
                    + "<data dir>/pulsebase.db)");
        }
        int payloadBytes = r.integer("--payload-bytes", 64, MIN_PAYLOAD, 1 << 20);
        int seconds = r.integer("--seconds", 10, 1, 3600);
        int warmup = r.integer("--warmup", 2, 0, 600);
        int drain = r.integer("--drain", 5, 0, 600);
        int connectTimeout = r.integer("--connect-timeout", 60, 1, 3600);
        int concurrency = r.integer("--concurrency", 256, 1, 10_000);
        int cores = Runtime.getRuntime().availableProcessors();
        int loops = r.integer("--loops", Math.min(2, cores), 1, 64);
        List<InetAddress> srcIps = sourceAddresses(r.string("--src-ips", null));
        long serverPid = r.integer("--server-pid", -1, -1, Integer.MAX_VALUE);
        boolean withBaseline = m.containsKey("--with-baseline");
        String bdir = r.string("--baseline-dir", null);
        boolean json = m.containsKey("--json");
        String out = r.string("--out", null);
        r.rejectUnknown();
        return new LoadOptions(scenario, external, url, connections, rooms, policy, credentials, rate, rowsPerTx, writers, writer,
                db == null ? null : Path.of(db).toAbsolutePath(), payloadBytes,
                seconds, warmup, drain, 1, connectTimeout, concurrency, loops, srcIps, serverPid, withBaseline,
                bdir == null ? null : Path.of(bdir), json, out == null ? null : Path.of(out));
    }

    /**
     * In-process: fresh credentials for {@code --policy owner}, none otherwise (security off, as by default).
     * External: what the options or the server's environment variables give, which {@code --policy owner} needs.
     */
    private static BenchCredentials credentials(Reader r, boolean external, PolicyMode policy) {
        String secretFile = r.string("--auth-hs256-secret-file", null);
        String keyFile = r.string("--auth-service-key-file", null);
        if (!external) {
            if (secretFile != null || keyFile != null) {
                throw new IllegalArgumentException("--auth-* options need --server external (an in-process server "
                        + "with --policy owner gets fresh credentials)");
            }
            return policy == PolicyMode.OWNER ? BenchCredentials.generate() : null;
        }
        BenchCredentials c = BenchCredentials.read(secretFile == null ? null : Path.of(secretFile),
                keyFile == null ? null : Path.of(keyFile), System.getenv());
        if (policy == PolicyMode.OWNER && (c == null || !c.hasSecret() || !c.hasServiceKey())) {
            throw new IllegalArgumentException("--policy owner with --server external needs the server's HS256 secret "
                    + "and service key: --auth-hs256-secret-file and --auth-service-key-file (or the server's "
                    + "environment variables)");
        }
        return c;
    }

    /** Seconds after which the whole process stops by itself, whatever happens. */
    int hardDeadlineSeconds() {
        int baseline = withBaseline || scenario == Scenario.SQLITE_BASELINE ? seconds + 15 : 0;
        return connectTimeout + settle + warmup + seconds + drain + baseline + 60;
    }

    /** Only http URLs whose host is 127.0.0.0/8, localhost or ::1: the generator never leaves the machine. */
    static URI loopbackUrl(String text) {
        URI u;
        try {
            u = URI.create(text);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("--url is not a URL: " + text);
        }
        if (!"http".equals(u.getScheme()) || u.getHost() == null) {
            throw new IllegalArgumentException("--url must look like http://127.0.0.1:8080");
        }
        String host = u.getHost();
        String bare = host.startsWith("[") ? host.substring(1, host.length() - 1) : host;
        boolean ok;
        if (bare.equals("localhost")) {
            ok = true;
        } else if (bare.matches("127\\.\\d{1,3}\\.\\d{1,3}\\.\\d{1,3}") || bare.equals("::1")
                || bare.equals("0:0:0:0:0:0:0:1")) {
            ok = literal(bare).isLoopbackAddress();
        } else {
            ok = false;
        }
        if (!ok) {
            throw new IllegalArgumentException("--url host must be loopback (127.0.0.0/8, localhost or ::1), not "
                    + host);
        }
        int port = u.getPort() == -1 ? 80 : u.getPort();
        return URI.create("http://" + host + ":" + port);
    }

    /** {@code 127.0.0.2-127.0.0.5} or {@code 127.0.0.2,127.0.0.3}; every address must be 127.x. */
    static List<InetAddress> sourceAddresses(String spec) {
        List<InetAddress> out = new ArrayList<>();
        if (spec == null || spec.isBlank()) {
            return out;
        }
        for (String part : spec.split(",")) {
            String p = part.trim();
            int dash = p.indexOf('-');
            if (dash > 0) {
                long from = ipv4(p.substring(0, dash).trim());
                long to = ipv4(p.substring(dash + 1).trim());
                if (to < from || to - from >= 256) {
                    throw new IllegalArgumentException("--src-ips range must be ascending and at most 256 addresses: "
                            + p);
                }
                for (long a = from; a <= to; a++) {
                    out.add(fromIpv4(a));
                }
            } else {
                out.add(fromIpv4(ipv4(p)));
            }
        }
        return List.copyOf(out);
    }

    private static long ipv4(String s) {
        if (!s.matches("127\\.\\d{1,3}\\.\\d{1,3}\\.\\d{1,3}")) {
            throw new IllegalArgumentException("--src-ips must be 127.x.y.z addresses, not '" + s + "'");
        }
        long v = 0;
        for (String octet : s.split("\\.")) {
            int o = Integer.parseInt(octet);
            if (o > 255) {
                throw new IllegalArgumentException("bad address " + s);
            }
            v = (v << 8) | o;
        }
        return v;
    }

    private static InetAddress fromIpv4(long v) {
        byte[] b = {(byte) (v >>> 24), (byte) (v >>> 16), (byte) (v >>> 8), (byte) v};
        try {
            return InetAddress.getByAddress(b);
        } catch (UnknownHostException e) {
            throw new IllegalStateException(e);
        }
    }

    private static InetAddress literal(String s) {
        try {
            return InetAddress.getByName(s); // a literal: no name lookup happens
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException("bad address " + s);
        }
    }

    /** Thrown for {@code --help}: the caller prints {@link #USAGE}. */
    static final class HelpRequested extends RuntimeException {
        private static final long serialVersionUID = 1L;

        HelpRequested() {
            super(null, null, false, false);
        }
    }

    private static final class Reader {
        private final Map<String, String> values;

        Reader(Map<String, String> values) {
            this.values = new HashMap<>(values);
            this.values.remove("--json");
            this.values.remove("--with-baseline");
        }

        String string(String key, String def) {
            String v = values.remove(key);
            return v == null ? def : v;
        }

        int integer(String key, int def, int min, int max) {
            String v = values.remove(key);
            if (v == null) {
                return def;
            }
            try {
                int n = Integer.parseInt(v.trim());
                if (n < min || n > max) {
                    throw new IllegalArgumentException(key + " must be between " + min + " and " + max + ", not " + n);
                }
                return n;
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException(key + " must be a whole number, not '" + v + "'");
            }
        }

        double decimal(String key, double def, double min, double max) {
            String v = values.remove(key);
            if (v == null) {
                return def;
            }
            try {
                double d = Double.parseDouble(v.trim());
                if (!(d >= min && d <= max)) {
                    throw new IllegalArgumentException(key + " must be between " + min + " and " + max + ", not " + v);
                }
                return d;
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException(key + " must be a number, not '" + v + "'");
            }
        }

        void rejectUnknown() {
            if (!values.isEmpty()) {
                throw new IllegalArgumentException("unknown option(s): " + String.join(", ", values.keySet()));
            }
        }
    }
}
