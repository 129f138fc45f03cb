package io.pgguard;

import java.sql.SQLNonTransientException;

/**
 * Thrown instead of sending a statement pgguard blocked; nothing of the statement reached the server. SQLState
 * {@code 42501} (insufficient privilege): retrying will not help, an explicit override will.
 */
public class GuardBlockedException extends SQLNonTransientException {

    private static final long serialVersionUID = 1L;

    /** The SQLState of every block. */
    public static final String SQLSTATE = "42501";

    private final String ruleId;
    private final String risk;
    private final String fingerprint;

    public GuardBlockedException(String message, String ruleId, String risk, String fingerprint) {
        super(message, SQLSTATE);
        this.ruleId = ruleId;
        this.risk = risk;
        this.fingerprint = fingerprint;
    }

    /** The rule that decided the block, for example {@code drop-table}. */
    public String ruleId() {
        return ruleId;
    }

    /** The statement's risk: {@code destructive} or {@code unknown} under the default policy. */
    public String risk() {
        return risk;
    }

    /** The blocked statement with its literals replaced by {@code ?}. */
    public String fingerprint() {
        return fingerprint;
    }
}
