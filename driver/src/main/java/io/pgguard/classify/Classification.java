package io.pgguard.classify;

import io.pgguard.sql.SqlStatement;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * What one statement does to a database: its kind, its risk (the strictest of its findings), the main relation it
 * acts on as written, the strongest table-level lock it takes there, whether it rewrites the table, and the rules
 * that fired. What a {@code DO} body, a CTE or an {@code EXPLAIN ANALYZE} hides is folded into these fields.
 */
public record Classification(SqlStatement statement, String kind, Risk risk, String table, LockMode lock,
                             boolean rewrite, List<Finding> findings, boolean literalIndependent) {

    /**
     * Whether no literal value of the statement influenced this classification, so it holds for every statement
     * of the same {@linkplain io.pgguard.sql.Template template}: true only for queries and data changes whose
     * rules read no literal (a {@code WHERE 1 = 1} reads two).
     */
    public boolean literalIndependent() {
        return literalIndependent;
    }

    public List<String> ruleIds() {
        List<String> ids = new ArrayList<>(findings.size());
        for (Finding f : findings) {
            ids.add(f.ruleId());
        }
        return ids;
    }

    public boolean hasRule(String ruleId) {
        for (Finding f : findings) {
            if (f.ruleId().equals(ruleId)) {
                return true;
            }
        }
        return false;
    }


    /** This classification without the given rules, its risk recomputed from what remains. */
    public Classification without(Set<String> ruleIds) {
        if (ruleIds.isEmpty()) {
            return this;
        }
        List<Finding> kept = new ArrayList<>(findings.size());
        for (Finding f : findings) {
            if (!ruleIds.contains(f.ruleId())) {
                kept.add(f);
            }
        }
        return new Classification(statement, kind, riskOf(kept), table, lock, rewrite, List.copyOf(kept),
                literalIndependent);
    }

    static Risk riskOf(List<Finding> findings) {
        Risk risk = Risk.SAFE;
        for (Finding f : findings) {
            risk = Risk.max(risk, f.risk());
        }
        return risk;
    }
}
