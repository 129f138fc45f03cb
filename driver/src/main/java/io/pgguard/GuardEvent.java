package io.pgguard;

/**
 * One decision on one statement: what pgguard did ({@code allow}, {@code warn}, {@code block}, or {@code override}
 * for a block an explicit override let through), the statement's risk, the rule that decided it (null for an
 * allowed statement), the lock it takes and its table (null when none), its fingerprint (literals as {@code ?},
 * never the SQL as written; null for an allowed statement), the target and whether it is local, and the time
 * pgguard spent deciding the string the statement came in (nanoseconds; 0 when a prepared statement's verdict was
 * reused; the same for each statement of one string). Actions, risks and rule ids are small closed sets: fit for
 * metric tags.
 */
public record GuardEvent(String action, String risk, String rule, String lock, String table, String fingerprint,
                         String target, boolean local, long decideNanos) {
}
