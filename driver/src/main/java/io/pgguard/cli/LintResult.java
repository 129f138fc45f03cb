package io.pgguard.cli;

import io.pgguard.policy.Target;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** Everything one lint run found, in file order, for the report formats. */
record LintResult(List<String> files, List<LintedStatement> statements, List<Problem> problems, Target target,
                  int pgMajor, Map<String, List<LintedStatement>> byFile) {

    LintResult(List<String> files, List<LintedStatement> statements, List<Problem> problems, Target target,
               int pgMajor) {
        this(files, statements, problems, target, pgMajor, group(statements));
    }

    /** The statements of one file, in order. */
    List<LintedStatement> of(String file) {
        return byFile.getOrDefault(file, List.of());
    }

    private static Map<String, List<LintedStatement>> group(List<LintedStatement> statements) {
        Map<String, List<LintedStatement>> map = new HashMap<>();
        for (LintedStatement s : statements) {
            map.computeIfAbsent(s.file(), f -> new ArrayList<>()).add(s);
        }
        return map;
    }
}
