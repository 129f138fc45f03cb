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
    /** Where each problem goes as it is found, besides {@link #problems}. */
    private final java.util.function.Consumer<Problem> onProblem;

    Linter(Guard guard) {
        this(guard, null);
    }

    Linter(Guard guard, java.util.function.Consumer<Problem> onProblem) {
        this.guard = guard;
        this.onProblem = onProblem;
    }

    List<LintedStatement> lint(SourceFile file) {
        List<LintedStatement> out = new ArrayList<>();
        lint(file, out::add);
        return out;
    }

    /** Lints a file, handing each statement to {@code sink} as soon as it is decided. */
    void lint(SourceFile file, java.util.function.Consumer<LintedStatement> sink) {
        FileRun run = new FileRun(file, sink);
        guard.checkFile(file.text(), context, run, run.decisions);
    }

    /**
     * One file's run: its suppressions applied to each classification, then each decision handed on. A class, not
     * lambdas: a short run of the tool never starts java.lang.invoke (see LintCommand).
     */
    private final class FileRun implements java.util.function.UnaryOperator<Classification> {
        private final SourceFile file;
        private final java.util.function.Consumer<LintedStatement> sink;
        private List<String> ignored = List.of();
        private int index;
        final java.util.function.Consumer<Decision> decisions = new java.util.function.Consumer<>() {
            @Override
            public void accept(Decision d) {
                SqlStatement st = d.classification().statement();
                if (!st.readable()) {
                    add(new Problem(file.name(), st.error().line(), st.error().column(),
                            st.error().message() + " (statement starting at line " + st.line() + ")", true));
                }
                sink.accept(new LintedStatement(file.name(), index++, d.classification(), d, ignored));
            }
        };

        FileRun(SourceFile file, java.util.function.Consumer<LintedStatement> sink) {
            this.file = file;
            this.sink = sink;
        }

        @Override
        public Classification apply(Classification c) {
            List<String> ids = suppressions(file.name(), c);
            ignored = List.copyOf(ids);
            return ids.isEmpty() ? c : c.without(Set.copyOf(ids));
        }
    }

    /** A problem found: kept, and handed on. */
    void add(Problem p) {
        problems.add(p);
        if (onProblem != null) {
            onProblem.accept(p);
        }
    }

    private List<String> suppressions(String file, Classification c) {
        List<String> ignored = new ArrayList<>();
        for (Directive d : Directive.parse(c.statement(), "ignore")) {
            if (d.ruleIds().isEmpty()) {
                add(problem(file, d, "pgguard:ignore names no rule; write pgguard:ignore rule-id "
                        + "reason=\"...\""));
                continue;
            }
            for (String id : d.ruleIds()) {
                if (RuleCatalog.byId(id) == null) {
                    add(problem(file, d, "pgguard:ignore names unknown rule " + id));
                } else if (!d.hasReason()) {
                    add(problem(file, d, "pgguard:ignore " + id + " has no reason=\"...\"; not applied"));
                } else if (!c.hasRule(id)) {
                    add(problem(file, d, "unused suppression: " + id + " does not fire on this statement"));
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
