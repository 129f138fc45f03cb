package io.pgguard.fuzz;

import io.pgguard.fuzz.FuzzInputs.Kind;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;

/**
 * One fuzzing run: generates inputs of every {@link Kind} in turn, checks each with {@link PipelineChecks} (and
 * some through {@code pgguard lint} as well), and keeps the first failure of each kind, minimized.
 */
final class FuzzRun {

    private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();
    /** Past this CPU time, one input (a few thousand characters at most) is taken as a hang or superlinear time. */
    static final long SLOW_INPUT_NANOS = 250_000_000L;
    private static final int MAX_DISTINCT_FAILURES = 20;
    private static final String[] LINT_FORMATS = {"json", "sarif", "text", "markdown"};

    /** A failure kind: the first input that showed it and a minimal input that still does. */
    record Failure(String key, Kind kind, long index, String input, String minimized, String detail, long count) {
    }

    private record Timed(long nanos, String input) {
    }

    /** One round of inputs (one of each kind) in this many also goes through {@code pgguard lint}. */
    private final int lintRounds;
    private final PipelineChecks checks = new PipelineChecks();
    private final Map<String, Failure> failures = new LinkedHashMap<>();
    private final Map<Kind, Long> counts = new EnumMap<>(Kind.class);
    private final List<Timed> slowest = new ArrayList<>();
    private long inputs;
    private long characters;
    private long lintRuns;
    private long elapsedNanos;
    private long seed;
    private int mutationSeeds;

    /** A run that lints one round of inputs in {@code lintRounds} (lint costs about as much as all other checks). */
    FuzzRun(int lintRounds) {
        this.lintRounds = lintRounds;
    }

    /** Checks {@code count} inputs generated from {@code seed}. */
    FuzzRun run(long count, long seed) {
        this.seed = seed;
        List<String> seeds = FuzzInputs.seeds();
        mutationSeeds = seeds.size();
        FuzzInputs generator = new FuzzInputs(seed, seeds);
        Kind[] kinds = Kind.values();
        long start = System.nanoTime();
        for (long i = 0; i < count; i++) {
            Kind kind = kinds[(int) (i % kinds.length)];
            String sql = generator.next(kind);
            long round = i / kinds.length;
            String lintFormat = round % lintRounds == 0
                    ? LINT_FORMATS[(int) (round / lintRounds % LINT_FORMATS.length)] : null;
            long t0 = cpuTime();
            Throwable failure = check(sql, lintFormat);
            long nanos = cpuTime() - t0;
            inputs++;
            characters += sql.length();
            counts.merge(kind, 1L, Long::sum);
            if (lintFormat != null) {
                lintRuns++;
            }
            if (failure == null && nanos > SLOW_INPUT_NANOS && bestOf(3, sql, lintFormat) > SLOW_INPUT_NANOS) {
                failure = new Violation("slow-input", sql.length() + " characters took "
                        + nanos / 1_000_000 + " ms");
            }
            recordSlowest(nanos, sql);
            if (failure != null) {
                record(kind, i, sql, lintFormat, failure);
            }
        }
        elapsedNanos = System.nanoTime() - start;
        return this;
    }

    /** Whether nothing failed. */
    boolean passed() {
        return failures.isEmpty();
    }

    /**
     * Whether nothing failed but, possibly, rules that threw and were caught by the classifier: those statements
     * are blocked as unknown (fail closed) and nothing reaches the caller, so they are reported, not fatal.
     */
    boolean passedExceptCaughtByClassifier() {
        return failures.keySet().stream().allMatch(k -> k.startsWith(PipelineChecks.CLASSIFIER_CAUGHT));
    }

    /** What was run and what failed, with each failure's minimal input as a Java string literal. */
    String report() {
        StringBuilder sb = new StringBuilder();
        sb.append(String.format("fuzz: %,d inputs (%s), %,d characters, %,d through pgguard lint, %d SQL texts to "
                + "mutate, seed %d, %.1f s%n", inputs, counts, characters, lintRuns, mutationSeeds, seed,
                elapsedNanos / 1e9));
        sb.append("slowest inputs (CPU time):");
        for (Timed t : slowest) {
            sb.append(String.format(" %.2f ms (%,d chars)", t.nanos / 1e6, t.input.length()));
        }
        sb.append('\n');
        if (failures.isEmpty()) {
            sb.append("no failures\n");
        }
        for (Failure f : failures.values()) {
            sb.append(String.format("%nFAILURE %s (%,d inputs; first: %s input #%d of %d chars)%n", f.key, f.count,
                    f.kind, f.index, f.input.length()));
            sb.append("  minimal input: ").append(javaLiteral(f.minimized)).append('\n');
            sb.append("  ").append(f.detail.replace("\n", "\n  ")).append('\n');
        }
        return sb.toString();
    }

    private Throwable check(String sql, String lintFormat) {
        Violation caught = null;
        try {
            try {
                checks.check(sql);
            } catch (Violation v) {
                if (!v.key.startsWith(PipelineChecks.CLASSIFIER_CAUGHT)) {
                    throw v;
                }
                caught = v;
            }
            if (lintFormat != null) {
                checks.checkLint(sql, lintFormat);
            }
            return caught;
        } catch (Throwable t) {
            if (t instanceof VirtualMachineError && !(t instanceof StackOverflowError)) {
                throw (VirtualMachineError) t;
            }
            return t;
        }
    }

    private long bestOf(int runs, String sql, String lintFormat) {
        long best = Long.MAX_VALUE;
        for (int r = 0; r < runs; r++) {
            long t0 = cpuTime();
            check(sql, lintFormat);
            best = Math.min(best, cpuTime() - t0);
        }
        return best;
    }

    /** CPU time of this thread, so that other processes on a busy machine do not make an input look slow. */
    private static long cpuTime() {
        return THREADS.isCurrentThreadCpuTimeSupported() ? THREADS.getCurrentThreadCpuTime() : System.nanoTime();
    }

    private void recordSlowest(long nanos, String sql) {
        if (slowest.size() < 3 || nanos > slowest.get(slowest.size() - 1).nanos) {
            slowest.add(new Timed(nanos, sql));
            slowest.sort((a, b) -> Long.compare(b.nanos, a.nanos));
            if (slowest.size() > 3) {
                slowest.remove(3);
            }
        }
    }

    private void record(Kind kind, long index, String sql, String lintFormat, Throwable failure) {
        String key = key(failure);
        Failure known = failures.get(key);
        if (known != null) {
            failures.put(key, new Failure(key, known.kind, known.index, known.input, known.minimized, known.detail,
                    known.count + 1));
            return;
        }
        if (failures.size() >= MAX_DISTINCT_FAILURES) {
            return;
        }
        String minimized = key.equals("slow-input") ? sql
                : minimize(sql, candidate -> {
                    Throwable t = check(candidate, lintFormat);
                    return t != null && key(t).equals(key);
                });
        Throwable again = check(minimized, lintFormat);
        String detail = (lintFormat != null ? "(with pgguard lint --format " + lintFormat + ") " : "")
                + describe(again != null ? again : failure);
        failures.put(key, new Failure(key, kind, index, sql, minimized, detail, 1));
    }

    /** Failures of one kind share a key: the invariant's name, or the exception and where main code threw it. */
    static String key(Throwable t) {
        if (t instanceof Violation v) {
            return v.key;
        }
        for (StackTraceElement e : t.getStackTrace()) {
            if (e.getClassName().startsWith("io.pgguard.") && !e.getClassName().startsWith("io.pgguard.fuzz.")) {
                return t.getClass().getSimpleName() + " at " + e;
            }
        }
        return t.getClass().getSimpleName();
    }

    private static String describe(Throwable t) {
        if (t instanceof Violation) {
            return t.getMessage();
        }
        StringWriter out = new StringWriter();
        t.printStackTrace(new PrintWriter(out));
        String[] lines = out.toString().split("\n");
        return String.join("\n", java.util.Arrays.asList(lines).subList(0, Math.min(lines.length, 25)));
    }

    /**
     * Removes chunks, large then small, while the failure persists (delta debugging), within a budget of checks.
     */
    static String minimize(String input, Predicate<String> fails) {
        String current = input;
        int budget = 20_000;
        int chunk = Math.max(1, current.length() / 2);
        while (budget > 0) {
            boolean removed = false;
            for (int at = 0; at < current.length() && budget > 0; ) {
                String candidate = current.substring(0, at) + current.substring(Math.min(current.length(), at + chunk));
                budget--;
                if (fails.test(candidate)) {
                    current = candidate;
                    removed = true;
                } else {
                    at += chunk;
                }
            }
            if (!removed) {
                if (chunk == 1) {
                    break;
                }
                chunk = Math.max(1, chunk / 2);
            }
        }
        return current;
    }

    static String javaLiteral(String s) {
        StringBuilder sb = new StringBuilder("\"");
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"' -> sb.append("\\\"");
                case '\\' -> sb.append("\\\\");
                case '\n' -> sb.append("\\n");
                case '\r' -> sb.append("\\r");
                case '\t' -> sb.append("\\t");
                default -> {
                    if (c >= 0x20 && c < 0x7F) {
                        sb.append(c);
                    } else {
                        sb.append(String.format("\\u%04X", (int) c));
                    }
                }
            }
        }
        return sb.append('"').toString();
    }
}
