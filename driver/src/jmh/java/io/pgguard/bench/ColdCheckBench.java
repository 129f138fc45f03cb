package io.pgguard.bench;

import io.pgguard.classify.Classifier;
import io.pgguard.policy.Guard;
import io.pgguard.policy.Policy;
import io.pgguard.policy.Target;
import io.pgguard.policy.Verdict;
import io.pgguard.policy.VerdictCache;

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

/**
 * One check of a string never seen before, answered by the template its connection sent last, with the CPU's
 * private caches emptied before each check, as the server has emptied them when an application sends its next
 * statement (the backend often runs on the same CPU between two calls). {@link GuardBench} measures the same check
 * warm, in a tight loop, where it costs a fraction of what it costs in place; the JDBC harness measures it in place,
 * but with run-to-run noise larger than the changes this is for: how many cache lines, of data and of code, a check
 * has to wait for.
 *
 * <p>Before each check, {@code evict} reads a buffer of {@code evictKiB} KiB, line by line, which pushes our data
 * and code out of L1 and L2 (together 0.5 to 2 MiB on current server CPUs) but not out of L3, where the server's run
 * leaves them too. The statement is built after that, as an application builds it just before sending it, so it is
 * in the cache as it is in place. JMH times each invocation on its own, so the result carries about 20 ns of timer
 * cost; compare results with each other, not with {@link GuardBench}.
 *
 * <pre>
 * java -jar driver/target/benchmarks.jar ColdCheckBench
 * </pre>
 */
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Fork(value = 3, jvmArgsAppend = {"-Xms1g", "-Xmx1g"})
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
public class ColdCheckBench {

    /** The statements of the JDBC harness's new-text workload: a literal and a comment that change every call. */
    private static final String PREFIX = "SELECT id, name FROM bench_items WHERE id = ";

    @State(Scope.Thread)
    public static class Connection {
        @Param({"0", "4096"})
        public int evictKiB;

        /** Pages of another buffer touched before each check, one line each: empties the TLBs. */
        @Param({"0", "8192"})
        public int evictPages;

        final Guard guard = new Guard(new Classifier(17), Target.production("bench"), Policy.defaults());
        final VerdictCache.Memo session = new VerdictCache.Memo(guard);
        long[] buffer;
        long[] pages;
        long sequence = 1_000_000_000_000L;
        /** The next statement, built after the eviction: an application has just built it, so it is in the cache. */
        String sql;
        long sink;

        @Setup(Level.Trial)
        public void build() {
            buffer = new long[evictKiB * 1024 / Long.BYTES];
            pages = new long[evictPages * 4096 / Long.BYTES];
            session.verdict(nextStatement());
            guard.check(nextStatement());
        }

        private String nextStatement() {
            long n = sequence++;
            return PREFIX + (1 + n * 7919 % 100_000) + " /* q" + n + " */";
        }

        /** Empties the caches that {@link #evictKiB} and {@link #evictPages} name, as a backend's run does. */
        @Setup(Level.Invocation)
        public void evict() {
            long s = 0;
            long[] b = buffer;
            for (int i = 0; i < b.length; i += 8) {
                s += b[i];
            }
            long[] p = pages;
            for (int i = 0; i < p.length; i += 4096 / Long.BYTES) {
                s += p[i];
            }
            sink += s;
            sql = nextStatement();
        }
    }

    /** Through the connection's session, as the JDBC layer checks. */
    @Benchmark
    public Verdict newTextAfterTheServerRan(Connection c) {
        return c.session.verdict(c.sql);
    }

    /** Through the shared guard's own memos, with no session. */
    @Benchmark
    public Verdict newTextSharedGuard(Connection c) {
        return c.guard.check(c.sql);
    }
}
