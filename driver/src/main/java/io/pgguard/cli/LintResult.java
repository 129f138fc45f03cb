package io.pgguard.cli;

import io.pgguard.policy.Target;

import java.util.List;

/** Everything one lint run found, in file order, for the report formats. */
record LintResult(List<String> files, List<LintedStatement> statements, List<Problem> problems, Target target,
                  int pgMajor) {

    List<LintedStatement> of(String file) {
        return statements.stream().filter(s -> s.file().equals(file)).toList();
    }
}
