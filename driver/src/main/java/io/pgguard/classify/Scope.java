package io.pgguard.classify;

import java.util.HashSet;
import java.util.Map;
import java.util.Set;

/**
 * The relations a condition can name, as lookup keys: the target (its name and alias), other relations that
 * are the target itself unrestricted (a self-join), and any other relation joined in.
 */
final class Scope {

    final String relation;
    final Set<String> target = new HashSet<>(4);
    /** Made on first use: most statements join nothing. */
    Set<String> mirrors = Set.of();
    Set<String> others = Set.of();
    /** CTEs of the statement that read a whole table, by name: joining one joins that table. */
    private final Map<String, String> cteTables;

    Scope(String relation) {
        this(relation, Map.of());
    }

    Scope(String relation, Map<String, String> cteTables) {
        this.relation = relation;
        this.cteTables = cteTables;
        if (relation != null) {
            target.add(Cursor.key(relation));
        }
    }

    void alias(String alias) {
        if (alias != null) {
            target.add(Cursor.key(alias));
        }
    }

    /** A relation the statement joins in, under {@code alias} (or its own name when null). */
    void joined(String name, String alias, boolean unrestricted) {
        String as = alias != null ? Cursor.key(alias) : name == null ? null : Cursor.key(name);
        if (as == null) {
            return;
        }
        String cte = name == null || Cursor.qualifierKey(name).length() > 0 ? null : cteTables.get(Cursor.key(name));
        if (cte != null) {
            name = cte;
        }
        if (unrestricted && name != null && relation != null && Cursor.key(name).equals(Cursor.key(relation))) {
            if (mirrors.isEmpty()) {
                mirrors = new HashSet<>(4);
            }
            mirrors.add(as);
        } else {
            if (others.isEmpty()) {
                others = new HashSet<>(4);
            }
            others.add(as);
        }
    }

    boolean joinsAny() {
        return !mirrors.isEmpty() || !others.isEmpty();
    }
}
