package io.pgguard.bench;

import io.pgguard.classify.Classification;
import io.pgguard.classify.Classifier;
import io.pgguard.classify.Context;
import io.pgguard.cli.Main;
import io.pgguard.policy.Policy;
import io.pgguard.policy.Target;
import io.pgguard.sql.Lexer;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import org.openjdk.jmh.annotations.AuxCounters;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Lint throughput over a generated migration corpus of {@value #CORPUS_BYTES} bytes, in one process. One operation
 * lints the whole corpus; the {@code megabytes} counter reports MB/s (10^6 bytes of UTF-8 per second). Target
 * (issue 2): at least 50 MB/s after warm-up.
 *
 * <p>{@code lintInProcess} is what the linter does per file (split, {@code classifyFile} with one shared
 * migration context, the policy decision per statement); {@code lintCli} is {@code pgguard lint --format json DIR}
 * end to end: reading the files, suppressions, the JSON report (written to a discarding stream).
 *
 * <p>Run: {@code java -jar driver/target/benchmarks.jar LintThroughputBench}, or without JMH:
 * {@code java -cp driver/target/benchmarks.jar io.pgguard.bench.LintThroughputBench [rounds]}.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Fork(value = 1, jvmArgsAppend = {"-Xms4g", "-Xmx4g"})
// The classifier's many rule paths take the JIT some 10 s (5 passes over the corpus) to compile.
@Warmup(iterations = 5, time = 3)
@Measurement(iterations = 5, time = 3)
public class LintThroughputBench {

    static final long CORPUS_BYTES = 50_000_000L;

    /** The corpus, in memory and, for the CLI, as files in a temporary directory. */
    @State(Scope.Benchmark)
    public static class Corpus {
        List<String> files;
        double megabytes;
        Path directory;

        @Setup(Level.Trial)
        public void generate() throws IOException {
            files = MigrationCorpus.generate(CORPUS_BYTES, 42);
            long bytes = 0;
            for (String f : files) {
                bytes += MigrationCorpus.utf8Length(f);
            }
            megabytes = bytes / 1e6;
            System.out.printf("%n# corpus: %d files, %,d bytes, %,d statements%n", files.size(), bytes,
                    files.stream().mapToLong(f -> Lexer.split(f).size()).sum());
        }

        Path directory() throws IOException {
            if (directory == null) {
                directory = Files.createTempDirectory("pgguard-lint-bench");
                for (int i = 0; i < files.size(); i++) {
                    Files.writeString(directory.resolve(String.format("V%06d__bench.sql", i + 1)), files.get(i),
                            StandardCharsets.UTF_8);
                }
            }
            return directory;
        }

        @TearDown(Level.Trial)
        public void delete() throws IOException {
            if (directory == null) {
                return;
            }
            try (Stream<Path> walk = Files.walk(directory)) {
                walk.sorted(Comparator.reverseOrder()).forEach(p -> {
                    try {
                        Files.delete(p);
                    } catch (IOException e) {
                        throw new UncheckedIOException(e);
                    }
                });
            }
        }
    }

    /** Megabytes linted, reported by JMH as a rate: MB/s. */
    @State(Scope.Thread)
    @AuxCounters(AuxCounters.Type.OPERATIONS)
    public static class Throughput {
        public double megabytes;

        @Setup(Level.Iteration)
        public void reset() {
            megabytes = 0;
        }
    }

    private final Classifier classifier = new Classifier(17);
    private final Policy policy = Policy.defaults();
    private final Target target = Target.production("bench");

    @Benchmark
    public long lintInProcess(Corpus corpus, Throughput throughput) {
        long blocked = lint(corpus.files, classifier, policy, target);
        throughput.megabytes += corpus.megabytes;
        return blocked;
    }

    @Benchmark
    public int lintCli(Corpus corpus, Throughput throughput) throws IOException {
        PrintStream discard = new PrintStream(OutputStream.nullOutputStream(), false, StandardCharsets.UTF_8);
        int status = Main.run(new String[] {"lint", "--format", "json", corpus.directory().toString()},
                new ByteArrayInputStream(new byte[0]), discard, discard);
        if (status == 2) {
            throw new IllegalStateException("pgguard lint failed on the corpus (status 2)");
        }
        throughput.megabytes += corpus.megabytes;
        return status;
    }

    /** Lints the files as one run; returns how many statements would be blocked, so nothing is dead code. */
    static long lint(List<String> files, Classifier classifier, Policy policy, Target target) {
        Context context = Context.migration();
        long blocked = 0;
        for (String file : files) {
            for (Classification c : classifier.classifyFile(Lexer.split(file), context)) {
                if (policy.decide(c, target).blocked()) {
                    blocked++;
                }
            }
        }
        return blocked;
    }

    /** The same measurement without JMH: lints the corpus {@code rounds} times and prints MB/s for each round. */
    public static void main(String[] args) {
        int rounds = args.length > 0 ? Integer.parseInt(args[0]) : 10;
        long start = System.nanoTime();
        List<String> files = MigrationCorpus.generate(CORPUS_BYTES, 42);
        long bytes = files.stream().mapToLong(MigrationCorpus::utf8Length).sum();
        System.out.printf("corpus: %d files, %,d bytes, generated in %d ms%n", files.size(), bytes,
                (System.nanoTime() - start) / 1_000_000);
        Classifier classifier = new Classifier(17);
        Policy policy = Policy.defaults();
        Target target = Target.production("bench");
        for (int round = 1; round <= rounds; round++) {
            long t0 = System.nanoTime();
            long blocked = lint(files, classifier, policy, target);
            double seconds = (System.nanoTime() - t0) / 1e9;
            System.out.printf("round %2d: %6.3f s, %7.1f MB/s (%d statements blocked)%n", round, seconds,
                    bytes / 1e6 / seconds, blocked);
        }
    }
}
