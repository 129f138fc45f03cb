package io.pgguard.cli;

import io.pgguard.classify.Classification;
import io.pgguard.classify.Finding;
import io.pgguard.classify.Risk;
import io.pgguard.policy.Action;

import java.io.PrintStream;
import java.util.EnumMap;
import java.util.Map;

/** {@code --format text}: findings grouped by file, coloured only when writing to a terminal. */
final class TextReport {

    private final boolean color;

    TextReport(boolean color) {
        this.color = color;
    }

    void write(PrintStream out, LintResult result) {
        Map<Risk, Integer> counts = new EnumMap<>(Risk.class);
        int blocked = 0;
        for (String file : result.files()) {
            boolean header = false;
            for (LintedStatement s : result.of(file)) {
                Classification c = s.classification();
                counts.merge(c.risk(), 1, Integer::sum);
                if (s.decision().action() == Action.BLOCK) {
                    blocked++;
                }
                if (c.findings().isEmpty()) {
                    continue;
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
                for (Finding f : c.findings()) {
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
            if (header) {
                out.println();
            }
        }
        for (Problem p : result.problems()) {
            out.println(paint(p.toString(), p.inputError() ? "31" : "33"));
        }
        StringBuilder summary = new StringBuilder();
        summary.append(result.statements().size()).append(" statements in ").append(result.files().size())
                .append(result.files().size() == 1 ? " file" : " files");
        for (Risk r : Risk.values()) {
            if (r != Risk.SAFE && counts.containsKey(r)) {
                summary.append(", ").append(counts.get(r)).append(' ').append(r.id());
            }
        }
        summary.append("; ").append(blocked).append(" would be blocked for a ").append(Reports.targetText(result));
        out.println(summary);
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
