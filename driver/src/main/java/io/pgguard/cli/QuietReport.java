package io.pgguard.cli;

import io.pgguard.classify.Finding;

import java.io.PrintStream;

/**
 * {@code --quiet}: one line per finding, {@code file:line:column: risk rule: message}, the form editors and CI log
 * parsers read (a suppression problem the same way); then the summary line and, when the run fails, why.
 */
final class QuietReport implements LintReport {

    private final PrintStream out;
    private final boolean advice;

    QuietReport(PrintStream out, boolean advice) {
        this.out = out;
        this.advice = advice;
    }

    @Override
    public void file(String name) {
    }

    @Override
    public void statement(LintedStatement s) {
        for (Finding f : s.classification().findings()) {
            if (!Reports.shown(f, advice)) {
                continue;
            }
            out.println(s.file() + ":" + s.statement().line() + ":" + s.statement().column() + ": " + f.risk().id()
                    + " " + f.ruleId() + ": " + f.message() + " (" + s.decision().action().id() + ")");
        }
    }

    @Override
    public void problem(Problem p) {
        out.println(p);
    }

    @Override
    public void finish(LintSummary summary) {
        StringBuilder line = new StringBuilder();
        line.append(summary.countText()).append(", ")
                .append(summary.blocked).append(" would be blocked");
        out.println(line);
        String failure = summary.failure();
        if (failure != null) {
            out.println(failure);
        }
    }
}
