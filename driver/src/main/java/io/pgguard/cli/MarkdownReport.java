package io.pgguard.cli;

import io.pgguard.classify.Classification;
import io.pgguard.classify.Finding;
import io.pgguard.classify.Risk;
import io.pgguard.classify.Rule;

import java.io.PrintStream;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * {@code --format markdown}: for a pull-request comment. One section per file with the review table
 * {@code | Statement | Risk | Reason |}, then the locks, rewrites and safe alternatives of what it found.
 */
final class MarkdownReport implements LintReport {

    /** Lines of a file's "Locks and rewrites" list kept for it; the rest are counted (a comment stays readable). */
    static final int LOCK_LINES = 500;

    private final PrintStream out;
    private boolean inFile;
    /** By rule id: a record as a key would be hashed through java.lang.invoke (see LintCommand). */
    private final Map<String, Finding> alternatives = new LinkedHashMap<>();
    private final StringBuilder locks = new StringBuilder();
    private int lockLines;
    private final java.util.List<Problem> problems = new java.util.ArrayList<>();

    MarkdownReport(PrintStream out, String targetText) {
        this.out = out;
        out.println("## pgguard migration review");
        out.println();
        out.println("Decisions for a " + targetText + ".");
    }

    @Override
    public void file(String name) {
        endFile();
        inFile = true;
        out.println();
        out.println("### " + name);
        out.println();
        out.println("| Statement | Risk | Reason |");
        out.println("|---|---|---|");
    }

    @Override
    public void statement(LintedStatement s) {
        Classification c = s.classification();
        out.println("| " + code(Reports.summary(s.statement(), 80)) + " (line " + s.statement().line() + ") | "
                + badge(c.risk()) + " | " + cell(reason(c, s)) + " |");
        String lock = Reports.lockText(c);
        if (!lock.isEmpty() && (c.risk() != Risk.SAFE || c.rewrite())) {
            if (lockLines++ < LOCK_LINES) {
                locks.append("- line ").append(s.statement().line()).append(": ").append(c.kind()).append(" takes ")
                        .append(lock).append('\n');
            }
        }
        for (Finding f : c.findings()) {
            alternatives.putIfAbsent(f.ruleId(), f);
        }
    }

    @Override
    public void problem(Problem p) {
        problems.add(p);
    }

    @Override
    public void finish(LintSummary summary) {
        endFile();
        if (summary.historyFiles > 0) {
            out.println();
            out.println("Tables and column types were known from " + LintSummary.count(summary.historyFiles, "file")
                    + " of the project's history (`--history`), which this review does not cover.");
        }
        if (!problems.isEmpty()) {
            out.println();
            out.println("### Problems");
            out.println();
            for (Problem p : problems) {
                out.println("- " + cell(p.toString()));
            }
        }
    }

    /** The lists under the file's table. */
    private void endFile() {
        if (!inFile) {
            return;
        }
        if (lockLines > 0) {
            out.println();
            out.println("**Locks and rewrites**");
            out.println();
            out.print(locks);
            if (lockLines > LOCK_LINES) {
                out.println("- and " + (lockLines - LOCK_LINES) + " more");
            }
        }
        if (!alternatives.isEmpty()) {
            out.println();
            out.println("**Safe alternatives**");
            for (Finding f : alternatives.values()) {
                Rule r = f.rule();
                out.println();
                out.println("- `" + r.id() + "` (" + r.risk().id() + "): " + r.alternative() + ".");
                out.println();
                out.println("  ```sql");
                for (String line : r.example().split("\n")) {
                    out.println("  " + line);
                }
                out.println("  ```");
            }
        }
        alternatives.clear();
        locks.setLength(0);
        lockLines = 0;
        inFile = false;
    }

    private static String reason(Classification c, LintedStatement s) {
        if (c.findings().isEmpty()) {
            String lock = Reports.lockText(c);
            return lock.isEmpty() ? "No lock risk" : "Brief " + lock;
        }
        StringBuilder sb = new StringBuilder();
        for (Finding f : c.findings()) {
            if (f.risk() == Risk.SAFE && c.risk() != Risk.SAFE) {
                continue;
            }
            sb.append(sb.length() > 0 ? "; " : "").append(f.message()).append(" (`").append(f.ruleId()).append("`)");
        }
        if (s.decision().blocked()) {
            sb.append(" - **blocked**");
        } else if (!s.decision().overridden().isEmpty()) {
            sb.append(" - allowed by override");
        }
        return sb.toString();
    }

    private static String badge(Risk r) {
        return switch (r) {
            case SAFE -> "safe";
            case UNSAFE -> "**unsafe**";
            case BREAKING -> "**breaking**";
            case DESTRUCTIVE -> "**destructive**";
            case UNKNOWN -> "**unknown**";
        };
    }

    private static String code(String s) {
        return "`" + s.replace("`", "'").replace("|", "\\|") + "`";
    }

    private static String cell(String s) {
        return s.replace("|", "\\|").replace("\n", " ");
    }
}
