package io.pgguard.bench;

import java.util.concurrent.TimeUnit;

import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Placeholder proving the {@code bench} profile builds {@code driver/target/benchmarks.jar}; replace it with real
 * benchmarks. Build: {@code ./mvnw -B -Pbench -DskipTests package -pl driver -am};
 * run: {@code java -jar driver/target/benchmarks.jar -f 1 -wi 1 -i 3}.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Fork(1)
@Warmup(iterations = 1, time = 1)
@Measurement(iterations = 3, time = 1)
public class PlaceholderBench {

    private final String sql = "ALTER TABLE public.orders ADD COLUMN note text";

    @Benchmark
    public int lowerCase() {
        return sql.toLowerCase(java.util.Locale.ROOT).hashCode();
    }
}
