package io.pgguard.classify;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Every rule pgguard knows, by id, in the order of the README's rule table. */
public final class RuleCatalog {

    private static final List<Rule> ALL;
    private static final Map<String, Rule> BY_ID;

    static {
        List<Rule> all = new ArrayList<>();
        all.addAll(DropRules.RULES);
        all.addAll(DataRules.RULES);
        all.addAll(ColumnRules.RULES);
        all.addAll(ConstraintRules.RULES);
        all.addAll(IndexRules.RULES);
        all.addAll(TableRules.RULES);
        all.addAll(MaintenanceRules.RULES);
        all.addAll(SessionRules.RULES);
        all.addAll(TypeRules.RULES);
        all.addAll(IdempotencyRules.RULES);
        all.addAll(ProceduralRules.RULES);
        Map<String, Rule> byId = new LinkedHashMap<>();
        for (Rule r : all) {
            if (byId.put(r.id(), r) != null) {
                throw new IllegalStateException("duplicate rule id " + r.id());
            }
        }
        ALL = Collections.unmodifiableList(all);
        BY_ID = Collections.unmodifiableMap(byId);
    }

    private RuleCatalog() {
    }

    public static List<Rule> all() {
        return ALL;
    }

    /** The rule with this id, or null. */
    public static Rule byId(String id) {
        return BY_ID.get(id);
    }
}
