package io.pgguard.cli;

import io.pgguard.classify.Classification;
import io.pgguard.classify.Finding;
import io.pgguard.classify.Risk;
import io.pgguard.policy.Decision;
import io.pgguard.sql.SqlStatement;

import java.util.List;

/**
 * One statement of a linted file: its classification after suppressions, and the decision for the target;
 * {@code repeats} are the per-transaction findings that hold for it too but are reported once, at an earlier
 * statement of its transaction.
 */
record LintedStatement(String file, int index, Classification classification, Decision decision,
                       List<String> ignored, List<Repeat> repeats) {

    /** A per-transaction rule that holds for this statement, reported at the statement starting at {@code line}. */
    record Repeat(String ruleId, int line) {
    }

    SqlStatement statement() {
        return classification.statement();
    }

    /** The risk that counts for --fail-on: findings let through by an explicit allow do not. */
    Risk effectiveRisk() {
        Risk risk = Risk.SAFE;
        for (Finding f : classification.findings()) {
            if (!overridden(f)) {
                risk = Risk.max(risk, f.risk());
            }
        }
        return risk;
    }

    private boolean overridden(Finding f) {
        for (Finding o : decision.overridden()) {
            if (o.rule() == f.rule()) {
                return true;
            }
        }
        return false;
    }
}
