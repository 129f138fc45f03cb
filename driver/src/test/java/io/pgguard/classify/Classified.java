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
}
