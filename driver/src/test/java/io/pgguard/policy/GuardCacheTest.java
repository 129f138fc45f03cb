package io.pgguard.policy;

import io.pgguard.classify.Classifier;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;

/** The caches never change a verdict: a cached answer equals what a fresh decision says. */
class GuardCacheTest {

    private static final Target PROD = Target.production("test");

    private static Guard guard() {
        return new Guard(new Classifier(17), PROD, Policy.defaults());
    }

    @Test
    void stringsThatDifferOnlyInLiteralsShareAVerdictWhenNoLiteralMatters() {
        Guard g = guard();
        Verdict first = g.check("SELECT id, name FROM customers WHERE id = 1");
        assertSame(first, g.check("SELECT id, name FROM customers WHERE id = 2"));
        assertSame(first, g.check("SELECT id, name FROM customers WHERE id = 'x'"));
        assertNotSame(first, g.check("SELECT id, name FROM customers  WHERE id = 3"), "spacing is part of the text");
        assertNotSame(first, g.check("SELECT id, name FROM customers WHERE id = ?"), "? is a placeholder, not a literal");
    }

    @Test
    void aVerdictThatReadLiteralsIsNeverSharedByShape() {
        Guard g = guard();
        assertEquals(Action.ALLOW, g.check("DELETE FROM orders WHERE 1 = 0").action());
        assertEquals(Action.BLOCK, g.check("DELETE FROM orders WHERE 1 = 1").action());
        assertEquals(Action.BLOCK, g.check("DELETE FROM orders WHERE ? = ?").action());
        assertEquals(Action.ALLOW, g.check("DELETE FROM orders WHERE 2 = 3").action());
        assertEquals(Action.ALLOW, g.check("DO $$ BEGIN PERFORM 1; END $$").action());
        assertEquals(Action.BLOCK, g.check("DO $$ BEGIN DELETE FROM orders; END $$").action());
        assertEquals(Action.WARN, g.check("/* pgguard:allow truncate reason=\"a\" */ TRUNCATE orders").action());
        assertEquals(Action.BLOCK, g.check("/* pgguard:allow truncate */ TRUNCATE orders").action());
        assertEquals(Action.ALLOW, g.check("SELECT dblink_exec('c', 'SELECT 1')").action());
        assertEquals(Action.BLOCK, g.check("SELECT dblink_exec('c', 'DELETE FROM orders')").action());
        assertEquals(Action.ALLOW, g.check("MERGE INTO orders USING u ON 1 = 0 WHEN MATCHED THEN DELETE").action());
        assertEquals(Action.BLOCK, g.check("MERGE INTO orders USING u ON 1 = 1 WHEN MATCHED THEN DELETE").action());
    }

    @Test
    void stringsWithoutATemplateAreStillDecidedOnTheirOwn() {
        Guard g = guard();
        assertEquals(Action.ALLOW, g.check("DELETE FROM orders WHERE id = E'a'").action());
        assertEquals(Action.BLOCK, g.check("DELETE FROM orders WHERE E'a' = E'a'").action());
        assertEquals(Action.ALLOW, g.check("DELETE FROM orders WHERE id = $1").action());
        assertEquals(Action.BLOCK, g.check("DELETE FROM orders WHERE $1 = $1").action());
    }

    @Test
    void aCommentDoesNotSeparateStringsButADirectiveDoes() {
        Guard g = guard();
        Verdict first = g.check("DELETE FROM orders WHERE id = 1 /* deploy 41 */");
        assertSame(first, g.check("DELETE FROM orders WHERE id = 2 /* deploy 42 */"));
        assertEquals(Action.BLOCK, g.check("DELETE FROM orders /* deploy 41 */").action());
        assertEquals(Action.WARN,
                g.check("DELETE FROM orders /* pgguard:allow unbounded-delete reason=\"reset\" */").action());
        assertEquals(Action.BLOCK, g.check("DELETE FROM orders /* deploy 43 */").action());
        assertEquals(Action.WARN, g.check("DELETE FROM orders -- pgguard:allow unbounded-delete reason=\"again\"").action());
    }

    @Test
    void withRawSqlLoggingEachStringKeepsItsOwnText() throws GuardConfig.ConfigException {
        Policy raw = GuardConfig.load(java.util.Map.of("pgguard.logRawSql", "true"), new java.util.Properties(),
                java.util.Map.of()).policy();
        Guard g = new Guard(new Classifier(17), PROD, raw);
        String first = "UPDATE orders SET state = 'a' WHERE id = 1";
        String second = "UPDATE orders SET state = 'b' WHERE id = 2";
        assertEquals(first, g.check(first).decisions().get(0).classification().statement().text());
        assertEquals(second, g.check(second).decisions().get(0).classification().statement().text());
    }

    /** A shuffled stream of statement variants through one cached guard agrees with a fresh decision each time. */
    @Test
    void cachedVerdictsEqualFreshOnes() {
        Guard cached = guard();
        for (String sql : mixedStatements()) {
            assertSameDecision(sql, cached.check(sql));
        }
    }

    /**
     * Sessions remember a string and a template of their own: three sessions of one guard, taking turns, still agree
     * with a fresh decision on every string, whether their own memo, the guard's or a decision answered it.
     */
    @Test
    void sessionsAgreeWithFreshVerdicts() {
        Guard shared = guard();
        VerdictCache.Memo[] sessions = {new VerdictCache.Memo(shared), new VerdictCache.Memo(shared), new VerdictCache.Memo(shared)};
        List<String> statements = mixedStatements();
        for (int i = 0; i < statements.size(); i++) {
            String sql = statements.get(i);
            VerdictCache.Memo s = sessions[i % sessions.length];
            assertSameDecision(sql, s.verdict(sql));
            assertSameDecision(sql, s.verdict(sql)); // the same string object again: the session's own memo
            String again = new String(sql); // an equal string, another object: its template or the exact cache
            assertSameDecision(again, s.verdict(again));
        }
    }

    /**
     * One session used by four threads at once (JDBC allows it): each gets the verdict of its own string, never
     * one the session remembered for another thread's string. A stress check: it catches a memo that is not safe to
     * share at all (a map, a pair of fields written apart for long), not a race of a few instructions.
     */
    @Test
    void aSessionSharedByThreadsNeverAnswersWithAnotherStringsVerdict() throws Exception {
        List<String> statements = mixedStatements();
        Guard fresh = guard();
        List<Action> expected = new ArrayList<>();
        for (String sql : statements) {
            expected.add(fresh.check(sql).action());
        }
        VerdictCache.Memo session = new VerdictCache.Memo(guard());
        int threads = 4;
        java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(threads);
        try {
            List<java.util.concurrent.Future<String>> results = new ArrayList<>();
            java.util.concurrent.CountDownLatch start = new java.util.concurrent.CountDownLatch(1);
            for (int t = 0; t < threads; t++) {
                int offset = t;
                results.add(pool.submit(() -> {
                    start.await();
                    for (int round = 0; round < 200; round++) {
                        for (int i = offset; i < statements.size(); i += threads) {
                            if (session.verdict(statements.get(i)).action() != expected.get(i)) {
                                return statements.get(i);
                            }
                        }
                    }
                    return null;
                }));
            }
            start.countDown();
            for (java.util.concurrent.Future<String> f : results) {
                assertEquals(null, f.get(), "a wrong verdict for this statement");
            }
        } finally {
            pool.shutdownNow();
        }
    }

    private static void assertSameDecision(String sql, Verdict v) {
        Verdict fresh = guard().check(sql);
        assertEquals(fresh.action(), v.action(), sql);
        assertEquals(ruleIds(fresh), ruleIds(v), sql);
        // What a connection tracks from a verdict: a commented COMMIT shares its template with every other.
        assertEquals(fresh.creates(), v.creates(), sql);
        assertEquals(fresh.endsTransaction(), v.endsTransaction(), sql);
    }

    /** Variants of statements whose verdicts do and do not read their literals, shuffled. */
    private static List<String> mixedStatements() {
        String[] templates = {
            "SELECT * FROM orders WHERE id = %s", "DELETE FROM orders WHERE id = %s", "DELETE FROM orders WHERE %s = %s",
            "DELETE FROM orders WHERE %s = 1 OR id = 2", "UPDATE orders SET state = %s WHERE id = %s",
            "UPDATE orders SET state = %s WHERE %s <> %s", "UPDATE orders SET state = %s", "INSERT INTO orders VALUES (%s)",
            "WITH d AS (DELETE FROM orders WHERE %s = %s RETURNING id) SELECT * FROM d",
            "EXPLAIN ANALYZE DELETE FROM orders WHERE %s = %s", "DO $$ BEGIN EXECUTE 'DELETE FROM orders WHERE %s = %s'; END $$",
            "SET lock_timeout = %s", "SELECT %s; TRUNCATE orders", "DELETE FROM orders WHERE id IN (%s, %s)",
            "VACUUM (FULL %s) orders", "EXPLAIN (ANALYZE %s) DELETE FROM orders",
            "COMMIT /* %s */", "CREATE TABLE fresh (id int) /* %s */", "ROLLBACK; SELECT %s",
        };
        String[] literals = {"0", "1", "2", "'a'", "'b'", "1.5", "'1'", "$1", "true", "false"};
        Random random = new Random(42);
        List<String> statements = new ArrayList<>();
        for (String t : templates) {
            for (int i = 0; i < 30; i++) {
                Object[] args = new Object[3];
                for (int k = 0; k < 3; k++) {
                    args[k] = literals[random.nextInt(literals.length)];
                }
                statements.add(String.format(t, args));
            }
        }
        Collections.shuffle(statements, random);
        return statements;
    }

    private static List<List<String>> ruleIds(Verdict v) {
        List<List<String>> ids = new ArrayList<>();
        for (Decision d : v.decisions()) {
            ids.add(d.classification().ruleIds());
        }
        return ids;
    }
}
