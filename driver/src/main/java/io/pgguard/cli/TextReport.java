package io.pgguard.cli;

import io.pgguard.classify.Classification;
import io.pgguard.classify.Finding;
import io.pgguard.classify.Risk;
import io.pgguard.policy.Action;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code --format text}: findings grouped by file, coloured only when writing to a terminal; advice (safe findings)
 * only with {@code --advice}. Ends with a summary line and, when the run fails, a line that says why.
 */
final class TextReport implements LintReport {

    private final PrintStream out;
    private final boolean color;
    private final boolean advice;
    private String file;
    private boolean header;
    private final List<Problem> problems = new ArrayList<>();

    TextReport(PrintStream out, boolean color, boolean advice) {
        this.out = out;
        this.color = color;
        this.advice = advice;
    }

    @Override
    public void file(String name) {
        if (header) {
            out.println();
        }
        file = name;
        header = false;
    }

    @Override
    public void statement(LintedStatement s) {
        Classification c = s.classification();
        List<Finding> shown = new ArrayList<>(c.findings().size());
        for (Finding f : c.findings()) {
            if (Reports.shown(f, advice)) {
                shown.add(f);
            }
        }
        if (shown.isEmpty() && s.ignored().isEmpty()) {
            return;
        }
        if (!header) {
            out.println(paint(file, "1"));
            header = true;
        }
        String lock = Reports.lockText(c);
        out.println("  " + s.statement().line() + ":" + s.statement().column() + "  "
                + paint(pad(c.risk().id(), 11), riskColor(c.risk())) + c.kind()
                + (lock.isEmpty() ? "" : "  [" + lock + "]")
                + "  -> " + paint(s.decision().action().id(), actionColor(s.decision().action())));
        out.println("      " + paint(Reports.summary(s.statement(), 100), "2"));
        for (Finding f : shown) {
            String tag = f.risk() == Risk.SAFE ? "hint " : "";
            out.println("      " + tag + paint(f.ruleId(), riskColor(f.risk())) + ": " + f.message());
            if (f.risk() != Risk.SAFE) {
                out.println("        fix: " + f.rule().alternative());
            }
        }
        for (String id : s.ignored()) {
            out.println("      " + paint("ignored " + id, "2") + " (pgguard:ignore)");
        }
    }

    @Override
    public void problem(Problem p) {
        problems.add(p);
    }

    @Override
    public void finish(LintSummary summary) {
        if (header) {
            out.println();
        }
        for (Problem p : problems) {
            out.println(paint(p.toString(), p.inputError() ? "31" : "33"));
        }
        StringBuilder line = new StringBuilder();
        line.append(summary.countText());
        for (Risk r : Risk.values()) {
            Integer n = summary.byRisk.get(r);
            if (r != Risk.SAFE && n != null) {
                line.append(", ").append(n).append(' ').append(r.id());
            }
        }
        line.append("; ").append(summary.blocked).append(" would be blocked for a ").append(summary.targetText());
        if (summary.adviceHidden > 0) {
            line.append("; ").append(LintSummary.count(summary.adviceHidden, "advice finding"))
                    .append(" not shown (--advice shows them)");
        }
        out.println(line);
        String failure = summary.failure();
        if (failure != null) {
            out.println(paint(failure, summary.exitStatus() == Main.ERROR ? "31" : "33"));
        }
    }

    private static String pad(String s, int width) {
        return s.length() >= width ? s + " " : s + " ".repeat(width - s.length());
    }

    private String paint(String s, String code) {
        return color ? "\u001b[" + code + "m" + s + "\u001b[0m" : s;
    }

    private static String riskColor(Risk r) {
        return switch (r) {
            case SAFE -> "36";
            case UNSAFE, BREAKING -> "33";
            case DESTRUCTIVE, UNKNOWN -> "31;1";
        };
    }

    private static String actionColor(Action a) {
        return switch (a) {
            case ALLOW -> "32";
            case WARN -> "33";
            case BLOCK -> "31;1";
        };
    }
}
