package io.pgguard.policy;

import java.util.List;

/** The decision for a whole statement string: the strictest of its statements' decisions. */
public record Verdict(Action action, List<Decision> decisions) {

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
