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
        breakdown(summary);
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

    /** How many files a long run lists under "Files that block or warn" before it says how many more there are. */
    static final int FILES_LISTED = 20;

    /**
     * For a run with findings in more than one file, or of more than one rule: the files that would block or warn,
     * those that block first, and the findings counted by rule, most frequent first.
     */
    private void breakdown(LintSummary summary) {
        if (summary.byFile.size() > 1) {
            List<String> blocking = new ArrayList<>();
            List<String> warning = new ArrayList<>();
            int width = 0;
            for (String name : summary.byFile.keySet()) {
                width = Math.max(width, Math.min(name.length(), 72));
            }
            for (java.util.Map.Entry<String, int[]> e : summary.byFile.entrySet()) {
                int[] n = e.getValue();
                String counts = n[0] > 0 && n[1] > 0 ? n[0] + " blocked, " + n[1] + " warned"
                        : n[0] > 0 ? n[0] + " blocked" : n[1] + " warned";
                (n[0] > 0 ? blocking : warning).add("  " + pad(e.getKey(), width + 2) + counts);
            }
            int blockingFiles = blocking.size();
            blocking.addAll(warning);
            out.println("Files that block or warn, blocking first:");
            for (int i = 0; i < Math.min(FILES_LISTED, blocking.size()); i++) {
                String l = blocking.get(i);
                out.println(i < blockingFiles ? paint(l, "31") : l);
            }
            if (blocking.size() > FILES_LISTED) {
                out.println("  and " + LintSummary.count(blocking.size() - FILES_LISTED, "more file"));
            }
        }
        if (summary.byRule.size() > 1) {
            List<java.util.Map.Entry<String, int[]>> rules = new ArrayList<>(summary.byRule.entrySet());
            rules.sort(new java.util.Comparator<>() {
                @Override
                public int compare(java.util.Map.Entry<String, int[]> a, java.util.Map.Entry<String, int[]> b) {
                    int c = Integer.compare(b.getValue()[0], a.getValue()[0]);
                    return c != 0 ? c : a.getKey().compareTo(b.getKey());
                }
            });
            out.println("Findings by rule:");
            for (java.util.Map.Entry<String, int[]> e : rules) {
                Risk risk = Risk.values()[e.getValue()[1]];
                String n = String.valueOf(e.getValue()[0]);
                out.println(" ".repeat(Math.max(0, 7 - n.length())) + n + "  " + paint(pad(risk.id(), 12),
                        riskColor(risk)) + e.getKey());
            }
        }
        if (summary.byFile.size() > 1 || summary.byRule.size() > 1) {
            out.println();
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
