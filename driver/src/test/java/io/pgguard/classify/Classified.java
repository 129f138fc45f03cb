package io.pgguard.classify;

import io.pgguard.policy.Decision;
import io.pgguard.policy.Guard;
import io.pgguard.policy.Policy;
import io.pgguard.policy.Target;

import java.util.ArrayList;
import java.util.List;

/** The classifications of an application's statement string, as the {@link Guard} makes them (for tests). */
public final class Classified {

    private Classified() {
    }

    public static List<Classification> of(Classifier classifier, String sql) {
        Guard guard = new Guard(classifier, Target.production("test"), Policy.defaults());
        List<Classification> out = new ArrayList<>();
        for (Decision d : guard.check(sql).decisions()) {
            out.add(d.classification());
        }
        return out;
    }

    public static List<Classification> of(int pgMajor, String sql) {
        return of(new Classifier(pgMajor), sql);
    }

    /** The strictest risk of the classifications and the rules that fired, in order: "destructive unbounded-delete". */
    public static String summary(List<Classification> all) {
        Risk risk = Risk.SAFE;
        StringBuilder rules = new StringBuilder();
        for (Classification c : all) {
            risk = Risk.max(risk, c.risk());
            for (String id : c.ruleIds()) {
                if (rules.indexOf(id) < 0) {
                    rules.append(rules.length() == 0 ? "" : " ").append(id);
                }
            }
        }
        return risk.id() + (rules.length() == 0 ? "" : " " + rules);
    }
}
