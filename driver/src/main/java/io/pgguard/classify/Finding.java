package io.pgguard.classify;

/** A rule that fired on a statement, with the risk and message for this statement and server version. */
public record Finding(Rule rule, Risk risk, String message) {

    public String ruleId() {
        return rule.id();
    }
}
