package io.pulsebase.bench.match;

import io.pulsebase.core.filter.FilterCompiler;
import io.pulsebase.core.log.RowChange;
import io.pulsebase.core.match.SubscriptionMatcher;
import io.pulsebase.protocol.Operation;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.Blackhole;

/**
 * The cost of matching one committed UPDATE against N subscriptions, each a distinct query, exactly one of
 * which matches.
 *
 * <ul>
 *   <li>{@link #equality}: subscription i is {@code room_id = i}. These are hash-indexed, so the time should
 *       stay flat from 1 to 1,000,000 subscriptions (one lookup for the old row's room, none more since the
 *       new row's room is the same, one evaluation).</li>
 *   <li>{@link #range}: subscription i is {@code score > i}, which has no equality to index: every query is
 *       evaluated for every change, so the time grows linearly with N. N stops at 100,000 for this shape
 *       (1,000,000 would only confirm the line, at ten times the setup cost).</li>
 * </ul>
 *
 * <pre>java -jar bench/target/pulsebase-bench.jar MatcherBenchmark -f 1 -wi 3 -i 5</pre>
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class MatcherBenchmark {

    @State(Scope.Benchmark)
    public static class Equality {
        @Param({"1", "1000", "100000", "1000000"})
        public int subscriptions;

        SubscriptionMatcher<Integer> matcher;
        List<RowChange> transaction;

        @Setup(Level.Trial)
        public void setUp() {
            matcher = new SubscriptionMatcher<>();
            for (int i = 0; i < subscriptions; i++) {
                matcher.add("messages", Set.of(), FilterCompiler.compile("room_id = " + i, BenchSchema.MESSAGES), i);
            }
            long room = subscriptions / 2;
            transaction = List.of(new RowChange("messages", Operation.UPDATE,
                    BenchSchema.row(1, room, "online", "alice", 0.5), BenchSchema.row(1, room, "away", "alice", 0.5)));
            expectOneMatch(matcher, transaction);
        }
    }

    @State(Scope.Benchmark)
    public static class Range {
        @Param({"1", "1000", "100000"})
        public int subscriptions;

        SubscriptionMatcher<Integer> matcher;
        List<RowChange> transaction;

        @Setup(Level.Trial)
        public void setUp() {
            matcher = new SubscriptionMatcher<>();
            for (int i = 0; i < subscriptions; i++) {
                matcher.add("messages", Set.of(), FilterCompiler.compile("score > " + i, BenchSchema.MESSAGES), i);
            }
            // score 0.5 is above 0 only: one query matches.
            transaction = List.of(new RowChange("messages", Operation.UPDATE,
                    BenchSchema.row(1, 7, "online", "alice", 0.5), BenchSchema.row(1, 7, "away", "alice", 0.5)));
            expectOneMatch(matcher, transaction);
        }
    }

    @Benchmark
    public void equality(Equality state, Blackhole blackhole) {
        state.matcher.match(state.transaction, (query, changes) -> blackhole.consume(changes));
    }

    @Benchmark
    public void range(Range state, Blackhole blackhole) {
        state.matcher.match(state.transaction, (query, changes) -> blackhole.consume(changes));
    }

    private static void expectOneMatch(SubscriptionMatcher<Integer> matcher, List<RowChange> transaction) {
        int[] matched = new int[1];
        matcher.match(transaction, (query, changes) -> matched[0]++);
        if (matched[0] != 1 || matcher.queryCount() == 0) {
            throw new IllegalStateException("expected one matching query, got " + matched[0]);
        }
    }
}
