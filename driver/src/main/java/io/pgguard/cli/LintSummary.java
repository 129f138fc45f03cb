package io.pgguard.cli;

import io.pgguard.classify.Finding;
import io.pgguard.classify.Risk;
import io.pgguard.policy.Action;
import io.pgguard.policy.Target;

import java.util.EnumMap;
import java.util.Map;

/**
 * What a lint run came to, counted as it goes: statements and files, statements per risk, how many would be blocked,
 * how many fail the run ({@code --fail-on}), the problems, and the exit status with the reason for it.
 */
final class LintSummary {

    final Target target;
    final int pgMajor;
    /** The {@code --fail-on} level, or null: then a statement fails the run when it would be blocked. */
    final Risk failOn;
    final boolean advice;
    int files;
    /** Files read only as history ({@code --history}): not counted in {@link #files} nor reported. */
    int historyFiles;
    int statements;
    final Map<Risk, Integer> byRisk = new EnumMap<>(Risk.class);
    int blocked;
    int failing;
    /** Advice findings not shown (text and SARIF show them with {@code --advice}). */
    int adviceHidden;
    int inputErrors;
    /** Problems with suppressions: unused, without a reason, naming an unknown rule. */
    int suppressionProblems;

    /** Shown findings by rule id, in the order first met: {count, risk ordinal}. */
    final Map<String, int[]> byRule = new java.util.LinkedHashMap<>();
    /** The files with a statement that warns or blocks, in order: name and {blocked, warned}. */
    final Map<String, int[]> byFile = new java.util.LinkedHashMap<>();

    LintSummary(Target target, int pgMajor, Risk failOn, boolean advice) {
        this.target = target;
        this.pgMajor = pgMajor;
        this.failOn = failOn;
        this.advice = advice;
    }

    void add(LintedStatement s) {
        statements++;
        Integer n = byRisk.get(s.classification().risk());
        byRisk.put(s.classification().risk(), n == null ? 1 : n + 1);
        boolean blocks = s.decision().action() == Action.BLOCK;
        if (blocks) {
            blocked++;
        }
        if (failOn == null ? blocks : s.effectiveRisk().atLeast(failOn)) {
            failing++;
        }
        for (Finding f : s.classification().findings()) {
            if (!Reports.shown(f, advice)) {
                adviceHidden++;
            } else {
                int[] rule = byRule.get(f.ruleId());
                if (rule == null) {
                    byRule.put(f.ruleId(), new int[] {1, f.risk().ordinal()});
                } else {
                    rule[0]++;
                    rule[1] = Math.max(rule[1], f.risk().ordinal());
                }
            }
        }
        Action action = s.decision().action();
        if (action != Action.ALLOW) {
            int[] file = byFile.get(s.file());
            if (file == null) {
                file = new int[2];
                byFile.put(s.file(), file);
            }
            file[action == Action.BLOCK ? 0 : 1]++;
        }
    }

    void add(Problem p) {
        if (p.inputError()) {
            inputErrors++;
        } else {
            suppressionProblems++;
        }
    }

    int exitStatus() {
        if (inputErrors > 0) {
            return Main.ERROR;
        }
        return failing > 0 || suppressionProblems > 0 ? Main.FINDINGS : Main.CLEAN;
    }

    /** Why the run fails, or null when it does not: "exit 1: 3 statements at or above --fail-on unsafe". */
    String failure() {
        StringBuilder why = new StringBuilder();
        if (inputErrors > 0) {
            why.append(count(inputErrors, "input error")).append(" (the input could not be read in full)");
        } else {
            if (failing > 0) {
                why.append(failOn == null ? count(failing, "statement") + " would be blocked"
                        : count(failing, "statement") + " at or above --fail-on " + failOn.id());
            }
            if (suppressionProblems > 0) {
                why.append(why.length() > 0 ? "; " : "")
                        .append(count(suppressionProblems, "suppression problem"))
                        .append(" (unused, without a reason, or naming an unknown rule)");
            }
        }
        return why.length() == 0 ? null : "exit " + exitStatus() + ": " + why;
    }

    /** "12 statements in 2 files" and, with a history, " (after 298 files of history)". */
    String countText() {
        return count(statements, "statement") + " in " + count(files, "file")
                + (historyFiles > 0 ? " (after " + count(historyFiles, "file") + " of history)" : "");
    }

    String targetText() {
        return (target.local() ? "local" : "non-local") + " target (" + target.reason() + "), PostgreSQL " + pgMajor;
    }

    static String count(int n, String noun) {
        return n + " " + noun + (n == 1 ? "" : "s");
    }
}
