package io.pgguard.fuzz;

import io.pgguard.classify.Classifier;
import io.pgguard.classify.Context;
import io.pgguard.cli.Main;
import io.pgguard.policy.Guard;
import io.pgguard.policy.Policy;
import io.pgguard.policy.Target;
import io.pgguard.sql.Lexer;
import io.pgguard.sql.Template;

import java.io.ByteArrayInputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;
import java.util.function.IntFunction;

/**
 * Times inputs built to be hard for a lexer or a rule (long runs of one delimiter, deep nesting, long chains) at
 * two sizes, through the lexer, the classifier, the guard and {@code pgguard lint}. Time must grow linearly: for
 * 8 times the input, at most 3 times 8 the time (best of several runs, in CPU time of the running thread). A
 * nightly check, not a unit timing test.
 */
final class Linearity {

    static final int SMALL = 50_000;
    static final int FACTOR = 8;
    static final double SLACK = 3.0;
    /** Times below this are taken as this: at this scale the timer and the JIT, not the input, decide. */
    static final long FLOOR_NANOS = 200_000;
    /** A run slower than this (wall clock) is abandoned and counts as failed. */
    static final long TIMEOUT_NANOS = TimeUnit.SECONDS.toNanos(60);

    /** An input family: {@code input.apply(n)} is about {@code n} characters long. */
    record Case(String name, IntFunction<String> input) {
    }

    /** One way of processing an input. */
    record Stage(String name, Consumer<String> run) {
    }

    record Result(String input, String stage, int smallChars, int largeChars, long smallNanos, long largeNanos,
                  boolean timedOut) {

        double ratio() {
            return (double) largeNanos / Math.max(smallNanos, FLOOR_NANOS);
        }

        double allowed() {
            return SLACK * largeChars / smallChars;
        }

        boolean linear() {
            return !timedOut && ratio() <= allowed();
        }

        @Override
        public String toString() {
            return String.format("%-34s %-8s %8.2f ms (%,7d chars) %9.2f ms (%,9d chars) ratio %6.1f (max %4.1f)%s",
                    input, stage, smallNanos / 1e6, smallChars, largeNanos / 1e6, largeChars, ratio(), allowed(),
                    timedOut ? " TIMED OUT" : linear() ? "" : " NOT LINEAR");
        }
    }

    static List<Stage> stages() {
        Classifier classifier = new Classifier(17);
        PrintStream discard = new PrintStream(OutputStream.nullOutputStream(), false, StandardCharsets.UTF_8);
        return List.of(
                new Stage("lex", Lexer::split),
                new Stage("classify", sql -> classifier.classifyFile(Lexer.split(sql), Context.migration())),
                // A new guard each time: its cache would otherwise answer the repeated runs.
                new Stage("guard", sql -> new Guard(classifier, Target.production("fuzz"), Policy.defaults())
                        .check(sql)),
                // Building a template, then matching the string against it, as the guard does for a new string.
                new Stage("template", sql -> {
                    Template t = Template.of(sql);
                    if (t != null && !t.compact(Boolean.TRUE).matches(sql)) {
                        throw new IllegalStateException("a template that does not match its own string");
                    }
                }),
                new Stage("lint", sql -> Main.run(new String[] {"lint", "--format", "json", "-"},
                        new ByteArrayInputStream(sql.getBytes(StandardCharsets.UTF_8)), discard, discard)));
    }

    static List<Case> cases() {
        List<Case> cases = new ArrayList<>();
        // Templates: many literals and comments, comments that nearly nest or hold near-directives.
        // Boundedness: conditions over joins, subqueries in FROM and WHERE, MERGE clauses.
        cases.add(new Case("DELETE USING, OR chain over the join", n -> "DELETE FROM t USING u WHERE "
                + repeat("u.x = 1 OR t.a = 2 OR ", n / 22) + "false"));
        cases.add(new Case("nested IN subqueries", n -> {
            int depth = Math.min(n / 30, 30);
            return "DELETE FROM t WHERE id IN " + repeat("(SELECT id FROM t WHERE id IN ", depth) + "(1)"
                    + repeat(")", depth) + repeat(" AND a = 1", Math.max(0, n - 60 * depth) / 10);
        }));
        cases.add(new Case("MERGE with many WHEN clauses", n -> "MERGE INTO t USING u ON t.id = u.id "
                + repeat("WHEN MATCHED AND u.x = 1 THEN DELETE ", n / 37)));
        cases.add(new Case("subquery in FROM, WHERE chain", n -> "UPDATE t SET a = 0 FROM (SELECT * FROM t WHERE "
                + repeat("a = 1 OR ", n / 9) + "true) s WHERE t.id = s.id"));
        cases.add(new Case("numbers and strings", n -> "SELECT " + repeat("1, 'a', .5, ", n)));
        cases.add(new Case("comments with p and /", n -> "SELECT 1 " + repeat("/* p/ pgguard */ ", n)));
        // Dollar quotes.
        cases.add(new Case("$ run", n -> repeat("$", n)));
        cases.add(new Case("$a$ pairs", n -> repeat("$a$", n)));
        cases.add(new Case("$a$ never closed", n -> "SELECT $a$" + repeat("$b", n)));
        cases.add(new Case("$a run", n -> repeat("$a", n)));
        cases.add(new Case("long tag, near misses", n -> {
            String x = "x".repeat(n / 16);
            return "SELECT $" + x + "$" + repeat("$" + x + "y", n);
        }));
        cases.add(new Case("$1 parameters", n -> "SELECT " + repeat("$1+", n) + "1"));
        // Comments.
        cases.add(new Case("/* nested, never closed", n -> repeat("/*", n)));
        cases.add(new Case("/* nested, closed", n -> repeat("/*", n / 2) + repeat("*/", n / 2) + " SELECT 1"));
        cases.add(new Case("/*/ run", n -> repeat("/*/", n)));
        cases.add(new Case("-- lines", n -> repeat("--\n", n) + "SELECT 1"));
        cases.add(new Case("block comments before", n -> repeat("/* c */", n) + "SELECT 1; -- same line"));
        // Quotes and escapes.
        cases.add(new Case("'' run, even", n -> "SELECT " + repeat("''", n)));
        cases.add(new Case("' run, odd", n -> "SELECT " + repeat("''", n) + "'"));
        cases.add(new Case("\" run, odd", n -> repeat("\"\"", n) + "\""));
        cases.add(new Case("E'\\ run", n -> repeat("E'\\", n)));
        cases.add(new Case("E' with \\' never closed", n -> "SELECT E'" + repeat("\\'", n)));
        cases.add(new Case("E' with \\\\", n -> "SELECT E'" + repeat("\\\\", n) + "'"));
        cases.add(new Case("U&' run", n -> repeat("U&'a' ", n)));
        // Parentheses.
        cases.add(new Case("( run", n -> repeat("(", n)));
        cases.add(new Case(") run", n -> repeat(")", n)));
        cases.add(new Case("SELECT ((( 1 )))", n -> "SELECT " + repeat("(", n / 2) + "1" + repeat(")", n / 2)));
        cases.add(new Case("((( SELECT 1 )))", n -> repeat("(", n / 2) + "SELECT 1" + repeat(")", n / 2)));
        cases.add(new Case("DELETE WHERE ((( true )))", n -> "DELETE FROM t WHERE " + repeat("(", n / 2) + "true"
                + repeat(")", n / 2)));
        cases.add(new Case("CTE nesting", n -> repeat("WITH a AS (", n / 2) + "DELETE FROM t"
                + repeat(")", n / 22) + " SELECT 1"));
        // Long chains.
        cases.add(new Case("SELECT WHERE AND chain", n -> "SELECT * FROM t WHERE a = 1" + repeat(" AND a = 1", n)));
        cases.add(new Case("UPDATE WHERE (..) AND chain", n -> "UPDATE t SET a = 1 WHERE " + repeat("(a = 1) AND ", n)
                + "true"));
        cases.add(new Case("DELETE WHERE OR chain", n -> "DELETE FROM t WHERE " + repeat("a = 1 OR ", n) + "1 = 1"));
        cases.add(new Case("ALTER TABLE many actions", n -> "ALTER TABLE t " + repeat("ADD COLUMN a int, ", n)
                + "DROP COLUMN b"));
        cases.add(new Case("CREATE TABLE many columns", n -> "CREATE TABLE t (" + repeat("a int REFERENCES u, ", n)
                + "b int)"));
        cases.add(new Case("INSERT many columns", n -> "INSERT INTO t (" + repeat("id, ", n) + "x) VALUES (1)"));
        cases.add(new Case("INSERT many rows", n -> "INSERT INTO t VALUES " + repeat("(1, 'a'), ", n) + "(2, 'b')"));
        cases.add(new Case("many statements", n -> repeat("SELECT 1;", n)));
        cases.add(new Case("; run", n -> repeat(";", n)));
        cases.add(new Case("statements with same-line comment", n -> repeat("SELECT 1; -- c\n", n)));
        cases.add(new Case("DROP, CRLF", n -> repeat("DROP TABLE t;\r\n", n)));
        // Procedural code.
        cases.add(new Case("nested DO / EXECUTE", n -> nestedDo(n, true)));
        cases.add(new Case("nested DO", n -> nestedDo(n, false)));
        cases.add(new Case("DO: FOR ... IN ... LOOP", n -> "DO $$ BEGIN " + repeat("FOR r IN SELECT 1 LOOP ", n)
                + "END $$"));
        cases.add(new Case("DO: FOR ... LOOP, IN at end", n -> "DO $$ BEGIN " + repeat("FOR r LOOP ", n)
                + "IN END $$"));
        cases.add(new Case("DO: IF ... THEN", n -> "DO $$ BEGIN " + repeat("IF a THEN ", n) + "DELETE FROM t; END $$"));
        cases.add(new Case("DO: IF without THEN", n -> "DO $$ BEGIN " + repeat("IF a ", n) + "THEN END $$"));
        cases.add(new Case("DO: WHILE ... LOOP", n -> "DO $$ BEGIN " + repeat("WHILE a LOOP ", n) + "END $$"));
        cases.add(new Case("DO: CASE WHEN", n -> "DO $$ BEGIN " + repeat("CASE WHEN ", n) + "THEN END $$"));
        cases.add(new Case("DO: many statements", n -> "DO $$ BEGIN " + repeat("UPDATE t SET a = 1; ", n)
                + "END $$"));
        cases.add(new Case("DO: EXECUTE || chain", n -> "DO $$ BEGIN EXECUTE " + repeat("'DELETE FROM t' || ", n)
                + "''; END $$"));
        cases.add(new Case("BEGIN ATOMIC, CASE never ended", n -> "CREATE FUNCTION f() RETURNS int LANGUAGE sql "
                + "BEGIN ATOMIC " + repeat("CASE ", n)));
        cases.add(new Case("BEGIN ATOMIC, many statements", n -> "CREATE FUNCTION f() RETURNS int LANGUAGE sql "
                + "BEGIN ATOMIC " + repeat("SELECT 1; ", n) + "END"));
        // Directives, read from comments by the policy (allow) and by lint (ignore).
        cases.add(new Case("pgguard:allow repeated", n -> "/* " + repeat("pgguard:allow ", n) + "*/ DROP TABLE t"));
        cases.add(new Case("pgguard:ignore repeated", n -> "-- " + repeat("pgguard:ignore drop-table ", n)
                + "\nDROP TABLE t"));
        cases.add(new Case("many allow comments", n -> repeat("-- pgguard:allow drop-table reason=\"x\"\n", n)
                + "DROP TABLE t"));
        // Long single tokens.
        cases.add(new Case("long word", n -> repeat("a", n)));
        cases.add(new Case("long number", n -> "SELECT " + repeat("1", n)));
        cases.add(new Case("number dots", n -> "SELECT " + repeat("1.", n)));
        cases.add(new Case("long operator", n -> "SELECT 1 " + repeat("+", n) + " 1"));
        cases.add(new Case("operator with -- and /*", n -> "SELECT 1 " + repeat("+-/", n)));
        cases.add(new Case("* run", n -> repeat("*", n)));
        cases.add(new Case("non-ASCII identifier", n -> "SELECT " + repeat("é", n)));
        cases.add(new Case("NUL run", n -> repeat("\u0000", n)));
        return cases;
    }

    /**
     * Measures every case through every stage: small and large input alternately, keeping the best of each, until
     * the ratio is clearly on one side of the limit (at least 3 rounds) or after 7 rounds.
     */
    static List<Result> measure(List<Case> cases, List<Stage> stages) {
        List<Result> results = new ArrayList<>();
        Timer timer = new Timer();
        try {
            for (Case c : cases) {
                String small = c.input().apply(SMALL);
                String large = c.input().apply(SMALL * FACTOR);
                for (Stage stage : stages) {
                    results.add(measure(timer, c.name(), stage, small, large));
                }
            }
        } finally {
            timer.close();
        }
        return results;
    }

    private static Result measure(Timer timer, String name, Stage stage, String small, String large) {
        // The first runs warm up the JIT for this input's paths.
        boolean timedOut = timer.time(stage, small) < 0 || timer.time(stage, small) < 0;
        long smallNanos = Long.MAX_VALUE;
        long largeNanos = Long.MAX_VALUE;
        for (int round = 1; round <= 7 && !timedOut; round++) {
            long s = timer.time(stage, small);
            long l = s < 0 ? -1 : timer.time(stage, large);
            timedOut = l < 0;
            smallNanos = Math.min(smallNanos, Math.max(s, 0));
            largeNanos = Math.min(largeNanos, Math.max(l, 0));
            Result r = new Result(name, stage.name(), small.length(), large.length(), smallNanos, largeNanos, false);
            boolean clear = r.ratio() < r.allowed() / 2 || r.ratio() > r.allowed() * 2;
            if (clear && (round >= 3 || largeNanos > TimeUnit.SECONDS.toNanos(2))) {
                break;
            }
        }
        return new Result(name, stage.name(), small.length(), large.length(), timedOut ? 0 : smallNanos,
                timedOut ? 0 : largeNanos, timedOut);
    }

    /**
     * Runs on a thread of its own, so that a run that never ends can be abandoned, and counts that thread's CPU
     * time, so that other processes on a busy machine do not count.
     */
    private static final class Timer {
        private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();
        private static final boolean CPU_TIME = THREADS.isCurrentThreadCpuTimeSupported();
        private ExecutorService executor = newExecutor();

        /** CPU time of one run, or -1 when it took longer than {@link #TIMEOUT_NANOS} (then abandoned). */
        long time(Stage stage, String input) {
            Future<Long> run = executor.submit(() -> {
                long t0 = now();
                stage.run().accept(input);
                return now() - t0;
            });
            try {
                return run.get(TIMEOUT_NANOS, TimeUnit.NANOSECONDS);
            } catch (TimeoutException e) {
                // The thread cannot be stopped; leave it to finish on its own and carry on with a new one.
                executor.shutdownNow();
                executor = newExecutor();
                return -1;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            } catch (ExecutionException e) {
                throw new AssertionError(stage.name() + " threw on an input of " + input.length() + " chars",
                        e.getCause());
            }
        }

        void close() {
            executor.shutdownNow();
        }

        private static long now() {
            return CPU_TIME ? THREADS.getCurrentThreadCpuTime() : System.nanoTime();
        }

        private static ExecutorService newExecutor() {
            return Executors.newSingleThreadExecutor(r -> {
                Thread t = new Thread(r, "linearity");
                t.setDaemon(true);
                return t;
            });
        }
    }

    /** {@code unit} repeated to about {@code n} characters. */
    static String repeat(String unit, int n) {
        return unit.repeat(Math.max(1, n / unit.length()));
    }

    /** DO blocks nested in DO blocks (or in EXECUTE strings), each level with its own dollar tags. */
    static String nestedDo(int n, boolean execute) {
        StringBuilder open = new StringBuilder();
        List<String> close = new ArrayList<>();
        for (int k = 1; open.length() * 2 < n; k++) {
            open.append("DO $d").append(k).append("$ BEGIN ");
            if (execute) {
                open.append("EXECUTE $e").append(k).append("$ ");
                close.add(" $e" + k + "$; END $d" + k + "$");
            } else {
                close.add("; END $d" + k + "$");
            }
        }
        StringBuilder sb = new StringBuilder(open).append("DELETE FROM t");
        for (int i = close.size() - 1; i >= 0; i--) {
            sb.append(close.get(i));
        }
        return sb.toString();
    }
}
