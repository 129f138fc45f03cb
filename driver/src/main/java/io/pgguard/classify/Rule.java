package io.pgguard.classify;

/**
 * A catalogue entry: a stable kebab-case id, the risk it carries by default, a one-line message, the safe
 * alternative and a short example of it. A rule whose risk is {@link Risk#SAFE} is advice: it is reported but
 * never warns or blocks on its own.
 */
public record Rule(String id, Risk risk, String message, String alternative, String example) {

    /**
     * Whether the rule is about the session a migration's transaction runs in rather than about one statement
     * ({@code require-lock-timeout}, {@code require-statement-timeout}): a linter reports it once per transaction.
     * (By identity: a record's {@code equals} would start java.lang.invoke in a short CLI run.)
     */
    public boolean perTransaction() {
        return this == SessionRules.REQUIRE_LOCK_TIMEOUT || this == SessionRules.REQUIRE_STATEMENT_TIMEOUT;
    }

    public Finding finding() {
        return new Finding(this, risk, message);
    }

    public Finding finding(String message) {
        return new Finding(this, risk, message);
    }

    public Finding finding(Risk risk, String message) {
        return new Finding(this, risk, message);
    }
}
