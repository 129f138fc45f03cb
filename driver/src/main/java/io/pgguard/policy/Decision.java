package io.pgguard.policy;

import io.pgguard.classify.Classification;
import io.pgguard.classify.Finding;

import java.util.List;

/**
 * What the policy decided for one statement: the action, the finding that decided it (null when allowed), the
 * findings an explicit override let through and why (the {@code reason="..."} of the comment, or
 * {@code pgguard.allow}), and, unless allowed, the statement's fingerprint.
 */
public record Decision(Action action, Classification classification, Finding finding, List<Finding> overridden,
                       String overrideReason, Target target, String fingerprint) {

    public boolean blocked() {
        return action == Action.BLOCK;
    }
}
