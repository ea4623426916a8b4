package io.pulsebase.bench.codec;

import io.pulsebase.core.fanout.Frame;
import io.pulsebase.protocol.ClientMessage;
import io.pulsebase.protocol.JsonCodec;
import io.pulsebase.protocol.Operation;
import io.pulsebase.protocol.ServerMessage;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The frame codec on the two hot paths: encoding one {@code db_change} (done once per matching query per
 * transaction, then shared by every subscriber) and its SSE form, and decoding one client {@code subscribe}
 * (done once per inbound frame).
 *
 * <pre>java -jar bench/target/pulsebase-bench.jar CodecBenchmark -f 1 -wi 3 -i 5</pre>
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class CodecBenchmark {

    /** Row changes in the transaction. */
    @Param({"1", "10"})
    public int changes;

    private final JsonCodec codec = new JsonCodec();
    private ServerMessage.DbChange dbChange;
    private byte[] subscribeFrame;

    @Setup
    public void setUp() {
        List<ServerMessage.Change> list = new ArrayList<>();
        for (int i = 0; i < changes; i++) {
            Map<String, Object> row = new LinkedHashMap<>();
            row.put("id", 1000L + i);
            row.put("room_id", 7L);
            row.put("status", "online");
            row.put("name", "user-" + i);
            row.put("score", 42.5);
            row.put("note", null);
            Map<String, Object> old = new LinkedHashMap<>(row);
            old.put("status", "away");
            list.add(new ServerMessage.Change(Operation.UPDATE, row, old));
        }
        dbChange = new ServerMessage.DbChange("users", 123_456_789L, list, 1_700_000_000_000L, Map.of());
        subscribeFrame = ("{\"type\":\"subscribe\",\"ref\":\"42\",\"topic\":\"users\",\"events\":[\"INSERT\",\"UPDATE\"],"
                + "\"filter\":\"room_id = 7 AND status = 'online'\",\"snapshot\":true}").getBytes(StandardCharsets.UTF_8);
    }

    @Benchmark
    public byte[] encodeDbChange() {
        return Frame.encode(codec, dbChange, dbChange.position()).json();
    }

    @Benchmark
    public byte[] encodeDbChangeAsSse() {
        return Frame.encode(codec, dbChange, dbChange.position()).sse();
    }

    @Benchmark
    public ClientMessage decodeSubscribe() {
        return codec.decodeClient(subscribeFrame);
    }
}
