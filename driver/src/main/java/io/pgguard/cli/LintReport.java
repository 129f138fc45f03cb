package io.pgguard.cli;

/**
 * A lint report, written as the run goes: each statement is written when it has been decided and then let go, so a
 * report of a large input holds one statement (and counts), not the run. {@link #file} comes before a file's
 * statements, {@link #problem} when a problem is found, {@link #finish} once, with what the run came to.
 */
interface LintReport {

    void file(String name);

    void statement(LintedStatement s);

    void problem(Problem p);

    void finish(LintSummary summary);
}
