package io.pgguard.cli;

import io.pgguard.classify.Classification;
import io.pgguard.classify.Finding;
import io.pgguard.classify.Risk;
import io.pgguard.policy.Decision;
import io.pgguard.sql.SqlStatement;

import java.util.List;

/** One statement of a linted file: its classification after suppressions, and the decision for the target. */
record LintedStatement(String file, int index, Classification classification, Decision decision,
                       List<String> ignored) {

    SqlStatement statement() {
        return classification.statement();
    }

    /** The risk that counts for --fail-on: findings let through by an explicit allow do not. */
    Risk effectiveRisk() {
        Risk risk = Risk.SAFE;
        for (Finding f : classification.findings()) {
            if (!decision.overridden().contains(f)) {
                risk = Risk.max(risk, f.risk());
            }
        }
        return risk;
    }
}
