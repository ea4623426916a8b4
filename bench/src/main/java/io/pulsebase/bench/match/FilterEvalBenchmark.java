package io.pulsebase.bench.match;

import io.pulsebase.core.filter.FilterCompiler;
import io.pulsebase.core.filter.RowFilter;
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
 * One compiled filter's {@link RowFilter#matches} on one row: the unit of work the matcher repeats per
 * candidate query. Each filter below matches the row.
 *
 * <pre>java -jar bench/target/pulsebase-bench.jar FilterEvalBenchmark -f 1 -wi 3 -i 5</pre>
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class FilterEvalBenchmark {

    @Param({
        "room_id = 7",
        "room_id = 7 AND status = 'online'",
        "room_id IN (1, 3, 5, 7, 9) AND NOT status = 'away'",
        "name LIKE '%li%' OR score BETWEEN 10 AND 20",
        "(status = 'away' OR score > 100) OR (name LIKE 'a%' AND room_id >= '5' AND id IS NOT NULL)",
    })
    public String filter;

    private RowFilter compiled;
    private Map<String, Object> row;

    @Setup
    public void setUp() {
        compiled = FilterCompiler.compile(filter, BenchSchema.MESSAGES);
        row = BenchSchema.row(42, 7, "online", "alice", 15.5);
        if (!compiled.matches(row)) {
            throw new IllegalStateException(filter + " should match " + row);
        }
    }

    @Benchmark
    public boolean matches() {
        return compiled.matches(row);
    }
}
