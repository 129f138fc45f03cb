package io.pgguard.cli;

import io.pgguard.classify.Classification;
import io.pgguard.classify.Context;
import io.pgguard.classify.RuleCatalog;
import io.pgguard.policy.Decision;
import io.pgguard.policy.Directive;
import io.pgguard.policy.Guard;
import io.pgguard.sql.SqlStatement;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * Lints migration files in order through the {@link Guard}, with one {@link Context}, so later files know the
 * columns and routines earlier ones created; applies {@code pgguard:ignore} suppressions and reports the ones that
 * are unused or have no reason.
 */
final class Linter {

    private final Guard guard;
    private final Context context = Context.migration();
    final List<Problem> problems = new ArrayList<>();

    Linter(Guard guard) {
        this.guard = guard;
    }

    List<LintedStatement> lint(SourceFile file) {
        List<List<String>> ignoredByStatement = new ArrayList<>();
        List<Decision> decisions = guard.checkFile(file.text(), context, c -> {
            List<String> ignored = suppressions(file.name(), c);
            ignoredByStatement.add(List.copyOf(ignored));
            return c.without(Set.copyOf(ignored));
        });
        List<LintedStatement> out = new ArrayList<>(decisions.size());
        for (int i = 0; i < decisions.size(); i++) {
            Decision d = decisions.get(i);
            SqlStatement st = d.classification().statement();
            if (!st.readable()) {
                problems.add(new Problem(file.name(), st.error().line(), st.error().column(),
                        st.error().message() + " (statement starting at line " + st.line() + ")", true));
            }
            out.add(new LintedStatement(file.name(), i, d.classification(), d, ignoredByStatement.get(i)));
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
