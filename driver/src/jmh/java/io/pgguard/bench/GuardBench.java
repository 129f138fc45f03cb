package io.pgguard.bench;

import io.pgguard.classify.Classification;
import io.pgguard.classify.Classifier;
import io.pgguard.classify.Context;
import io.pgguard.policy.Action;
import io.pgguard.policy.Decision;
import io.pgguard.policy.Guard;
import io.pgguard.policy.Policy;
import io.pgguard.policy.Target;
import io.pgguard.policy.Verdict;
import io.pgguard.sql.Lexer;
import io.pgguard.sql.SqlStatement;

import java.util.ArrayList;
import java.util.List;
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
 * Time per decision for the short DML an application sends: a repeated statement answered from {@link Guard}'s
 * cache, a statement never seen before, and the lexer, classifier and policy on their own for the breakdown.
 * Targets (issue 2): cached under 200 ns with no allocation beyond the result, new under 2 µs.
 *
 * <p>Build: {@code ./mvnw -B -Pbench -DskipTests package -pl driver -am}; run:
 * {@code java -jar driver/target/benchmarks.jar GuardBench -prof gc} (bytes per decision: {@code gc.alloc.rate.norm}).
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Fork(value = 2, jvmArgsAppend = {"-Xms2g", "-Xmx2g"})
@Warmup(iterations = 4, time = 1)
@Measurement(iterations = 5, time = 1)
public class GuardBench {

    /** The statement of {@link #cachedDecision}: what a hot query of an application looks like. */
    static final String HOT = "SELECT id, name FROM customers WHERE id = ?";

    /**
     * A guard whose cache already holds {@link #HOT}; {@code copies} hold the same text in distinct strings, as an
     * application that builds its SQL each time sends it (their hash codes are cached after the first use).
     */
    @State(Scope.Thread)
    public static class Hot {
        final Guard guard = new Guard(new Classifier(17), Target.production("bench"), Policy.defaults());
        final String sql = HOT;
        final String[] copies = new String[1024];
        int next;

        @Setup(Level.Trial)
        public void warm() {
            guard.check(sql);
            for (int i = 0; i < copies.length; i++) {
                copies[i] = new String(HOT.toCharArray());
            }
        }
    }

    /**
     * A pool of distinct short DML strings, built before measuring so that string building is not measured. With
     * {@link #POOL_SIZE} strings cycled in order, each is a miss in the guard's cache (it keeps at most 8192), as a
     * statement the guard has not seen is. {@code shape}: {@code select} varies the literal of one SELECT;
     * {@code dml} cycles SELECT, INSERT, UPDATE and DELETE forms and varies literals and identifiers.
     */
    @State(Scope.Thread)
    public static class Fresh {
        static final int POOL_SIZE = 1 << 20;
        /** Lexed and classified forms are kept for fewer strings: the classifier and policy do not cache. */
        static final int PREPARED_SIZE = 1 << 12;

        @Param({"select", "dml"})
        public String shape;

        final Classifier classifier = new Classifier(17);
        final Policy policy = Policy.defaults();
        final Target target = Target.production("bench");
        final Guard guard = new Guard(classifier, target, policy);

        String[] pool;
        SqlStatement[] lexed;
        Classification[] classified;
        int next;

        @Setup(Level.Trial)
        public void build() {
            pool = new String[POOL_SIZE];
            for (int i = 0; i < POOL_SIZE; i++) {
                pool[i] = shape.equals("select") ? select(i) : dml(i);
            }
            lexed = new SqlStatement[PREPARED_SIZE];
            classified = new Classification[PREPARED_SIZE];
            Context context = Context.statements();
            for (int i = 0; i < PREPARED_SIZE; i++) {
                lexed[i] = Lexer.split(pool[i]).get(0);
                classified[i] = classifier.classify(lexed[i], context);
            }
        }

        String nextSql() {
            return pool[next++ & (POOL_SIZE - 1)];
        }

        int nextPrepared() {
            return next++ & (PREPARED_SIZE - 1);
        }

        private static String select(int i) {
            return "SELECT id, name FROM customers WHERE id = " + (100_000 + i);
        }

        private static final String[] TABLES = {"customers", "orders", "order_items", "products", "invoices",
            "payments", "shipments", "sessions"};

        private static String dml(int i) {
            String table = TABLES[(i >>> 2) & 7];
            int n = 100_000 + i;
            return switch (i & 3) {
                case 0 -> "SELECT id, name, created_at FROM " + table + " WHERE id = " + n;
                case 1 -> "INSERT INTO " + table + " (id, name, note) VALUES (" + n + ", 'name " + n + "', NULL)";
                case 2 -> "UPDATE " + table + " SET name = 'n" + n + "', updated_at = now() WHERE id = " + n;
                default -> "DELETE FROM " + table + " WHERE id = " + n + " AND tenant_id = " + (n % 97);
            };
        }
    }

    /** (a) A statement seen before: a cache lookup. */
    @Benchmark
    public Verdict cachedDecision(Hot s) {
        return s.guard.check(s.sql);
    }

    /** (a') A statement seen before, in another string with the same text: a lookup that compares the text. */
    @Benchmark
    public Verdict cachedDecisionEqualText(Hot s) {
        return s.guard.check(s.copies[s.next++ & (s.copies.length - 1)]);
    }

    /** (b) A statement not seen before, through the guard: lookup, lex, classify, decide, cache insert. */
    @Benchmark
    public Verdict newShortStatement(Fresh s) {
        return s.guard.check(s.nextSql());
    }

    /** (b') What the guard does for a new statement, without its cache: lex, classify, decide, build the verdict. */
    @Benchmark
    public Verdict newShortStatementUncached(Fresh s) {
        List<SqlStatement> statements = Lexer.split(s.nextSql());
        Context context = Context.statements();
        List<Decision> decisions = new ArrayList<>(statements.size());
        Action action = Action.ALLOW;
        for (SqlStatement st : statements) {
            Decision d = s.policy.decide(s.classifier.classify(st, context), s.target);
            decisions.add(d);
            action = Action.max(action, d.action());
        }
        return new Verdict(action, List.copyOf(decisions), context.createdKeys(), false, false,
                context.routineChanges(), false, false,
                Verdict.Asks.of(context.calls(), context.columnsAsked()), false);
    }

    /** (c) Lexing and splitting only. */
    @Benchmark
    public List<SqlStatement> lexOnly(Fresh s) {
        return Lexer.split(s.nextSql());
    }

    /** (c) Classifying an already lexed statement only. */
    @Benchmark
    public Classification classifyOnly(Fresh s) {
        return s.classifier.classify(s.lexed[s.nextPrepared()], Context.statements());
    }

    /** (c) The policy decision for an already classified statement only. */
    @Benchmark
    public Decision decideOnly(Fresh s) {
        return s.policy.decide(s.classified[s.nextPrepared()], s.target);
    }

    /** Prints a sample of each pool and how it is decided, to check what the benchmarks measure. */
    public static void main(String[] args) {
        for (String shape : new String[] {"select", "dml"}) {
            Fresh s = new Fresh();
            s.shape = shape;
            s.build();
            for (int i = 0; i < 4; i++) {
                Classification c = s.classified[i];
                System.out.println(shape + ": " + s.pool[i] + " -> " + c.kind() + ", " + c.risk() + ", "
                        + s.policy.decide(c, s.target).action());
            }
        }
    }
}
