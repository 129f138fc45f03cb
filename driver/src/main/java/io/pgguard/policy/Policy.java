package io.pgguard.policy;

import io.pgguard.classify.Classification;
import io.pgguard.classify.Finding;
import io.pgguard.classify.Risk;

import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The action for each risk level, and the overrides. By default a non-local target blocks destructive and
 * unknown statements and warns about unsafe and breaking ones; a local target only warns. A configured action
 * applies to every target. An override (a {@code pgguard:allow rule reason="..."} comment or a process-wide
 * allowed rule) turns a block into a logged warning for that rule only.
 */
public record Policy(Map<Risk, Action> configured, Set<String> allowedRules, boolean logRawSql, LiveSettings live) {

    public Policy {
        configured = Map.copyOf(configured);
        allowedRules = Set.copyOf(allowedRules);
        live = live == null ? LiveSettings.OFF : live;
    }

    public Policy(Map<Risk, Action> configured, Set<String> allowedRules, boolean logRawSql) {
        this(configured, allowedRules, logRawSql, LiveSettings.OFF);
    }

    public static Policy defaults() {
        return new Policy(Map.of(), Set.of(), false);
    }

    /**
     * The decision for a warned statement once the server said how large its table is ({@code facts} names it): with
     * {@code pgguard.largeTable} set and the table at least that large, its lock-risk findings block as destructive
     * ones do (an override lets it through, logged); otherwise {@code d} as it was.
     */
    public Decision onTable(Decision d, long rows, long bytes, String facts) {
        if (d.action() != Action.WARN || !live.isLarge(rows, bytes)) {
            return d;
        }
        Decision strict = with(Risk.UNSAFE, Action.BLOCK).decide(d.classification(), d.target());
        if (strict.action() != Action.BLOCK) {
            return strict.overridden().isEmpty() ? d : strict;
        }
        Finding f = strict.finding();
        Finding noted = f.rule().finding(f.risk(), f.message() + " (" + facts + ", at or above pgguard.largeTable="
                + live.largeTable() + ")");
        return new Decision(Action.BLOCK, d.classification(), noted, strict.overridden(), strict.overrideReason(),
                d.target(), d.fingerprint());
    }

    /** This policy with the action for one risk level set. */
    public Policy with(Risk risk, Action action) {
        Map<Risk, Action> map = new EnumMap<>(Risk.class);
        map.putAll(configured);
        map.put(risk, action);
        return new Policy(map, allowedRules, logRawSql, live);
    }

    public Action actionFor(Risk risk, Target target) {
        if (risk == Risk.SAFE) {
            return Action.ALLOW;
        }
        Action set = configured.get(risk);
        if (set != null) {
            return set;
        }
        if (target.local()) {
            return Action.WARN;
        }
        return risk == Risk.DESTRUCTIVE || risk == Risk.UNKNOWN ? Action.BLOCK : Action.WARN;
    }

    /** Decides one classified statement for a target. */
    public Decision decide(Classification c, Target target) {
        Action action = Action.ALLOW;
        Finding deciding = null;
        List<Finding> overridden = List.of();
        String reason = null;
        List<Directive> allows = null;
        for (Finding f : c.findings()) {
            Action act = actionFor(f.risk(), target);
            if (act == Action.BLOCK) {
                if (allows == null) {
                    allows = Directive.parse(c.statement(), "allow");
                }
                String why = allowedRules.contains(f.ruleId()) ? "pgguard.allow=" + f.ruleId()
                        : allowedBy(allows, f.ruleId());
                if (why != null) {
                    if (overridden.isEmpty()) {
                        overridden = new ArrayList<>(1);
                    }
                    overridden.add(f);
                    reason = reason == null ? why : reason + "; " + why;
                    act = Action.WARN;
                }
            }
            if (act.compareTo(action) > 0) {
                action = act;
                deciding = f;
            }
        }
        return new Decision(action, c, deciding, overridden.isEmpty() ? List.of() : List.copyOf(overridden), reason,
                target, action == Action.ALLOW ? null : c.statement().fingerprint());
    }

    /** The reason of the comment that allows the rule, quoted, or null when none does. */
    private static String allowedBy(List<Directive> allows, String ruleId) {
        for (Directive d : allows) {
            if (d.hasReason() && d.ruleIds().contains(ruleId)) {
                return "reason=\"" + d.reason() + "\"";
            }
        }
        return null;
    }
}
