package io.pgguard.policy;

import java.util.List;
import java.util.Set;

/**
 * The decision for a whole statement string: the strictest of its statements' decisions; also the relations the
 * string creates and whether it ends a transaction, so a connection can tell which relations are still new.
 * {@code transactionDependent} says the decision counted on relations the open transaction created being new: it
 * holds only while that transaction is open, so a prepared statement decides again before it runs.
 */
public record Verdict(Action action, List<Decision> decisions, Set<String> creates, boolean endsTransaction,
                      boolean transactionDependent) {

    /** The decision that set the action: the first of the strictest; null for an empty string. */
    public Decision deciding() {
        Decision best = null;
        for (Decision d : decisions) {
            if (best == null || d.action().compareTo(best.action()) > 0) {
                best = d;
            }
        }
        return best;
    }

    public boolean blocked() {
        return action == Action.BLOCK;
    }
}
