package io.pgguard.bench.jdbc;

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
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The same JDBC calls as {@link OverheadHarness}, one JMH benchmark per variant and workload, for JMH's profilers:
 * {@code -prof gc} (bytes per call), {@code -prof stack}, {@code -prof jfr}. JMH runs the parameter combinations one
 * after the other, so their times drift apart with the machine; the interleaved harness is the one that gives
 * ratios. Each fork starts its own embedded PostgreSQL (or uses {@code PGGUARD_TEST_URL}), pinned with the fork to
 * CPU 0 unless {@code -p pin=none}.
 *
 * <pre>
 * java -jar driver/target/benchmarks.jar JdbcOverheadBench -prof gc
 * java -jar driver/target/benchmarks.jar JdbcOverheadBench -p workload=NEW_TEXT -p variant=PGGUARD,RAW -prof gc
 * </pre>
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Fork(value = 1, jvmArgsAppend = {"-Xms1g", "-Xmx1g"})
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@State(Scope.Thread)
public class JdbcOverheadBench {

    @Param({"RAW", "PGGUARD", "P6SPY", "DATASOURCE_PROXY"})
    public String variant;

    @Param({"PREPARED_REUSED", "PREPARED_PER_CALL", "NEW_TEXT", "CALLS_ROUTINE"})
    public String workload;

    /** {@code OFF} or {@code FORMAT}, see {@link PeerLogging}. */
    @Param({"OFF"})
    public String peerLogging;

    /** As the harness's {@code --pin}: a CPU for both the embedded server and this fork, S/C, or none. */
    @Param({"0"})
    public String pin;

    private BenchServer server;
    private Session session;
    private Workload work;

    @Setup(Level.Trial)
    public void start() throws Exception {
        PeerLogging logging = PeerLogging.parse(peerLogging);
        logging.configureP6spy();
        server = BenchServer.start();
        OverheadHarness.pin(server, pin);
        session = Session.open(Variant.valueOf(variant), server, logging, null);
        work = Workload.valueOf(workload);
    }

    @TearDown(Level.Trial)
    public void stop() throws Exception {
        try {
            if (session != null) {
                session.close();
            }
        } finally {
            if (server != null) {
                server.close();
            }
        }
    }

    @Benchmark
    public long call() throws Exception {
        return work.op(session);
    }
}
