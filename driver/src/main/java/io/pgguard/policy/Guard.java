package io.pgguard.policy;

import io.pgguard.classify.Classification;
import io.pgguard.classify.Classifier;
import io.pgguard.classify.Context;
import io.pgguard.sql.Lexer;
import io.pgguard.sql.SqlStatement;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The single entry point the JDBC driver and the agent call: SQL text in, verdict out. A statement string seen
 * before is answered from a bounded cache without lexing or allocating; a new string whose only difference from
 * one seen before is its literal values (the common case of SQL built with inlined values) is answered from a
 * second cache keyed by its {@linkplain Lexer#shape shape}, when its verdict provably does not depend on them.
 */
public final class Guard {

    /** Distinct statement strings remembered; past this the cache starts over (hot statements return at once). */
    static final int CACHE_SIZE = 8192;

    private final Classifier classifier;
    private final Target target;
    private final Policy policy;
    private final ConcurrentHashMap<String, Verdict> cache = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<String, Verdict> byShape = new ConcurrentHashMap<>();

    public Guard(Classifier classifier, Target target, Policy policy) {
        this.classifier = classifier;
        this.target = target;
        this.policy = policy;
    }

    public Target target() {
        return target;
    }

    public Policy policy() {
        return policy;
    }

    /** Classifies and decides every statement of {@code sql}; the verdict is the strictest decision. */
    public Verdict check(String sql) {
        Verdict cached = cache.get(sql);
        if (cached != null) {
            return cached;
        }
        // Raw-SQL logging shows the statement as written, which a verdict shared by shape does not hold.
        String shape = policy.logRawSql() ? null : Lexer.shape(sql);
        if (shape != null) {
            Verdict same = byShape.get(shape);
            if (same != null) {
                return same;
            }
        }
        Verdict verdict = decide(sql);
        if (shape != null && literalIndependent(verdict)) {
            put(byShape, shape, verdict);
        }
        // A string answered by its shape is not added here: one-off strings would only fill this cache.
        put(cache, sql, verdict);
        return verdict;
    }

    private static boolean literalIndependent(Verdict verdict) {
        for (Decision d : verdict.decisions()) {
            if (!d.classification().literalIndependent()) {
                return false;
            }
        }
        return true;
    }

    private static void put(ConcurrentHashMap<String, Verdict> map, String key, Verdict verdict) {
        if (map.size() >= CACHE_SIZE) {
            map.clear();
        }
        map.put(key, verdict);
    }

    /**
     * Decides {@code sql} sent inside a transaction that already created {@code newRelations} (lookup keys): a
     * statement on one of them cannot make another session wait or lose its data. Not cached: the answer depends
     * on the transaction.
     */
    public Verdict checkInTransaction(String sql, Set<String> newRelations) {
        List<SqlStatement> statements = Lexer.split(sql);
        return decide(statements, Context.inTransactionThatCreated(newRelations, statements.size() > 1));
    }

    private Verdict decide(String sql) {
        List<SqlStatement> statements = Lexer.split(sql);
        return decide(statements, statements.size() > 1 ? Context.oneString() : Context.statements());
    }

    private Verdict decide(List<SqlStatement> statements, Context context) {
        List<Decision> decisions = new ArrayList<>(statements.size());
        Action action = Action.ALLOW;
        boolean endsTransaction = false;
        for (SqlStatement st : statements) {
            Classification c = classifier.classify(st, context);
            Decision d = policy.decide(c, target);
            decisions.add(d);
            action = Action.max(action, d.action());
            endsTransaction |= c.kind().equals("COMMIT") || c.kind().equals("ROLLBACK");
        }
        Set<String> creates = context.createdKeys();
        return new Verdict(action, List.copyOf(decisions), creates, endsTransaction);
    }
}
