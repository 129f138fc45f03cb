package io.pgguard.cli;

import io.pgguard.classify.Classification;
import io.pgguard.classify.Classifier;
import io.pgguard.classify.Context;
import io.pgguard.classify.RuleCatalog;
import io.pgguard.policy.Directive;
import io.pgguard.policy.Policy;
import io.pgguard.policy.Target;
import io.pgguard.sql.Lexer;
import io.pgguard.sql.SqlStatement;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * Lints migration files in order with one {@link Context}, so later files know the columns earlier ones created;
 * applies {@code pgguard:ignore} suppressions and reports the ones that are unused or have no reason.
 */
final class Linter {

    private final Classifier classifier;
    private final Target target;
    private final Policy policy;
    private final Context context = Context.migration();
    final List<Problem> problems = new ArrayList<>();

    Linter(Classifier classifier, Target target, Policy policy) {
        this.classifier = classifier;
        this.target = target;
        this.policy = policy;
    }

    List<LintedStatement> lint(SourceFile file) {
        List<SqlStatement> statements = Lexer.split(file.text());
        List<Classification> classified = classifier.classifyFile(statements, context);
        List<LintedStatement> out = new ArrayList<>(classified.size());
        for (int i = 0; i < classified.size(); i++) {
            Classification c = classified.get(i);
            SqlStatement st = c.statement();
            if (!st.readable()) {
                problems.add(new Problem(file.name(), st.error().line(), st.error().column(),
                        st.error().message() + " (statement starting at line " + st.line() + ")", true));
            }
            List<String> ignored = suppressions(file.name(), c);
            Classification kept = c.without(Set.copyOf(ignored));
            out.add(new LintedStatement(file.name(), i, kept, policy.decide(kept, target), List.copyOf(ignored)));
        }
        return out;
    }

    private List<String> suppressions(String file, Classification c) {
        List<String> ignored = new ArrayList<>();
        for (Directive d : Directive.parse(c.statement(), "ignore")) {
            if (d.ruleIds().isEmpty()) {
                problems.add(problem(file, d, "pgguard:ignore names no rule; write pgguard:ignore rule-id "
                        + "reason=\"...\""));
                continue;
            }
            for (String id : d.ruleIds()) {
                if (RuleCatalog.byId(id) == null) {
                    problems.add(problem(file, d, "pgguard:ignore names unknown rule " + id));
                } else if (!d.hasReason()) {
                    problems.add(problem(file, d, "pgguard:ignore " + id + " has no reason=\"...\"; not applied"));
                } else if (!c.hasRule(id)) {
                    problems.add(problem(file, d, "unused suppression: " + id + " does not fire on this statement"));
                } else {
                    ignored.add(id);
                }
            }
        }
        return ignored;
    }

    private static Problem problem(String file, Directive d, String message) {
        return new Problem(file, d.line(), 1, message, false);
    }
}
