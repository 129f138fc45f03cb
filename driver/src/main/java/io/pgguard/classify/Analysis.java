package io.pgguard.classify;

import io.pgguard.sql.SqlStatement;

import java.util.ArrayList;
import java.util.List;

/** The facts gathered about one statement while its rules run; becomes a {@link Classification}. */
final class Analysis {

    final SqlStatement statement;
    final Context context;
    /** The classifier at work, for the statements this one holds (a CTE, a routine body, a query in CREATE AS). */
    final Classifier classifier;
    final int pgMajor;
    /** How many statements this one is nested in (DO bodies, CTEs, EXECUTE strings). */
    final int depth;
    String kind;
    String table;
    LockMode lock;
    boolean rewrite;
    /** Whether the statement changes the schema of an existing relation (for mixed DDL and DML). */
    boolean ddlOnExisting;
    /** Whether the statement changes data of an existing relation. */
    boolean dmlOnExisting;
    /**
     * The data change touches a few rows it names (a WHERE on a column equal to a value, INSERT ... VALUES): it is
     * over at once, and holds no lock of an earlier schema change for long.
     */
    boolean fewRows;
    /** Whether a rule read a literal's value (so the classification may differ for other literals). */
    boolean readsLiterals;
    private Risk kindRisk = Risk.SAFE;
    private final List<Finding> findings = new ArrayList<>(2);

    Analysis(SqlStatement statement, Context context, Classifier classifier, int depth) {
        this.statement = statement;
        this.context = context;
        this.classifier = classifier;
        this.pgMajor = classifier.pgMajor();
        this.depth = depth;
    }

    void lock(LockMode mode) {
        lock = LockMode.max(lock, mode);
    }

    void find(Finding finding) {
        for (Finding f : findings) {
            if (f.rule() == finding.rule()) {
                return;
            }
        }
        findings.add(finding);
    }

    void find(Rule rule) {
        find(rule.finding());
    }

    void find(Rule rule, String message) {
        find(rule.finding(message));
    }

    /**
     * Sets the kind from a sub-command, keeping the one that brings the strictest finding, so that
     * {@code ALTER TABLE t ADD COLUMN a int, DROP COLUMN b} is reported as the DROP COLUMN it contains.
     */
    void subKind(String subKind, int findingsBefore) {
        Risk risk = Risk.SAFE;
        for (int i = findingsBefore; i < findings.size(); i++) {
            risk = Risk.max(risk, findings.get(i).risk());
        }
        if (kind == null || risk.compareTo(kindRisk) > 0) {
            kind = subKind;
            kindRisk = risk;
        }
    }

    int findingCount() {
        return findings.size();
    }

    /**
     * Splits SQL text this statement holds (a DO body, a string given to EXECUTE) as the server will read it: with
     * the session's reading of '...' strings at this point.
     */
    List<SqlStatement> split(String text) {
        return io.pgguard.sql.Lexer.split(text, !Boolean.FALSE.equals(context.standardStrings()));
    }

    /** Classifies tokens [from, to) of this statement as a statement of their own, and folds in what it does. */
    void foldNested(int from, int to) {
        fold(classifier.nested(this, DataRules.sub(statement, from, to)), false);
    }

    /** Folds what a nested statement does (a CTE, a DO body, EXPLAIN ANALYZE's target) into this one. */
    void fold(Classification inner, boolean takeKind) {
        Risk before = Classification.riskOf(findings);
        for (Finding f : inner.findings()) {
            find(f);
        }
        if (lock == null || (inner.lock() != null && inner.lock().compareTo(lock) > 0)) {
            lock = inner.lock();
            table = inner.table();
        } else if (table == null) {
            table = inner.table();
        }
        rewrite |= inner.rewrite();
        readsLiterals |= !inner.literalIndependent();
        if (takeKind && (inner.risk().compareTo(before) > 0 || kind == null)) {
            kind = inner.kind();
        }
    }

    /** Findings by risk, strictest first (a class, not a lambda: see {@code Guard}'s constructor). */
    private static final java.util.Comparator<Finding> STRICTEST_FIRST = new java.util.Comparator<>() {
        @Override
        public int compare(Finding x, Finding y) {
            return y.risk().compareTo(x.risk());
        }
    };

    /** The classification, its findings strictest first (the order is stable among equals). */
    Classification build() {
        findings.sort(STRICTEST_FIRST);
        List<Finding> list = List.copyOf(findings);
        String k = kind == null ? "UNKNOWN" : kind;
        return new Classification(statement, k, Classification.riskOf(list), table, lock, rewrite, list,
                !readsLiterals && LITERAL_BLIND_KINDS.contains(k) && statement.readable());
    }

    /** Kinds whose rules never read a literal's value, except the WHERE checks that say so themselves. */
    private static final java.util.Set<String> LITERAL_BLIND_KINDS = java.util.Set.of("SELECT", "VALUES", "INSERT",
            "UPDATE", "DELETE", "MERGE", "CALL", "SHOW", "COPY TO");
}
