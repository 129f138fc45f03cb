package io.pgguard.fuzz;

import io.pgguard.classify.Classification;
import io.pgguard.classify.Classified;
import io.pgguard.classify.Classifier;

import java.util.List;
import java.util.SplittableRandom;

/**
 * Generates WHERE and ON conditions from atoms whose meaning for the target's rows is known (true for every row,
 * false for every row, the same for every row but unknown, or depending on a column of the target), joined with
 * AND, OR and NOT in every precedence the grammar allows, with and without parentheses; and checks that the
 * classifier calls the data change unbounded exactly when the generated meaning can hold for every row.
 */
final class BoundednessFuzz {

    /** What a condition is for the target's rows; the order is the one AND and OR combine by. */
    enum Meaning {
        FALSE, ROW, CONSTANT, TRUE;

        boolean unbounded() {
            return this == CONSTANT || this == TRUE;
        }

        Meaning not() {
            return this == FALSE ? TRUE : this == TRUE ? FALSE : this;
        }

        Meaning and(Meaning o) {
            if (this == FALSE || o == FALSE) {
                return FALSE;
            }
            if (this == ROW || o == ROW) {
                return ROW;
            }
            return this == TRUE && o == TRUE ? TRUE : CONSTANT;
        }

        Meaning or(Meaning o) {
            if (this == TRUE || o == TRUE) {
                return TRUE;
            }
            if (this == CONSTANT || o == CONSTANT) {
                return CONSTANT;
            }
            return this == ROW || o == ROW ? ROW : FALSE;
        }
    }

    /** A generated condition: its text, its meaning, and the precedence of its top operator (for parentheses). */
    record Condition(String sql, Meaning meaning, int precedence) {
    }

    private static final int ATOM = 3;
    private static final int NOT = 2;
    private static final int AND = 1;
    private static final int OR = 0;

    private static final String[] TRUE_ATOMS = {"true", "1 = 1", "'a' = 'a'", "2 > 1", "t.id = t.id",
        "id IS NOT DISTINCT FROM id", "NULL IS NULL", "3 IS NOT NULL", "TRUE IS NOT NULL", "0 <= 0",
        "id IN (SELECT id FROM t)", "a = ANY (SELECT a FROM t)", "x.id = x.id"};
    private static final String[] FALSE_ATOMS = {"false", "1 = 0", "'a' <> 'a'", "2 < 1", "'x' IS NULL"};
    private static final String[] CONSTANT_ATOMS = {"? = ?", "?", "$1", "now() > '2020-01-01'",
        "EXISTS (SELECT 1 FROM u WHERE u.x = 1)", "random() < 0.5", "(SELECT true)", "u.x = 5", "u.x IS NULL",
        "5 IN (SELECT id FROM u)", "coalesce(null, true)", "'t'::boolean", "1 IN (1, 2)", "2 BETWEEN 1 AND 3",
        "CASE WHEN u.x > 0 THEN true ELSE false END", "EXISTS (SELECT 1 FROM t WHERE t.id = 1)",
        "EXISTS (SELECT 1 FROM u WHERE x = 1)", "current_date > '2020-01-01'", "? IS NULL",
        "(SELECT count(*) FROM t) > 0", "u.id = u.id"};
    private static final String[] ROW_ATOMS = {"t.a = 5", "a > 3", "id = ?", "t.id IN (SELECT tid FROM u)",
        "EXISTS (SELECT 1 FROM u WHERE u.tid = t.id)", "a IS NULL", "t.id = u.tid", "id BETWEEN 1 AND 10",
        "lower(t.name) LIKE 'a%'", "created < now() - interval '1 day'", "x.a = u.x", "t.a = ANY (?)",
        "CASE WHEN t.a > 0 THEN true ELSE false END", "(t.a, t.id) = (1, 2)", "\"a\" = 1", "x.\"id\" = 3"};

    private final SplittableRandom random;

    BoundednessFuzz(long seed) {
        this.random = new SplittableRandom(seed);
    }

    Condition condition(int depth) {
        int pick = random.nextInt(depth <= 0 ? 1 : 4);
        if (pick == 0) {
            return atom();
        }
        if (pick == 1) {
            Condition inner = condition(depth - 1);
            return new Condition("NOT " + wrap(inner, NOT + 1), inner.meaning().not(), NOT);
        }
        Condition left = condition(depth - 1);
        Condition right = condition(depth - 1);
        if (pick == 2) {
            return new Condition(wrap(left, AND) + " AND " + wrap(right, AND + 1), left.meaning().and(right.meaning()),
                    AND);
        }
        return new Condition(wrap(left, OR) + " OR " + wrap(right, OR + 1), left.meaning().or(right.meaning()), OR);
    }

    /** The condition's text, in parentheses when the operator around it binds tighter (and now and then anyway). */
    private String wrap(Condition c, int needed) {
        return c.precedence() < needed || random.nextInt(5) == 0 ? "(" + c.sql() + ")" : c.sql();
    }

    private Condition atom() {
        Meaning m = Meaning.values()[random.nextInt(4)];
        String[] atoms = switch (m) {
            case TRUE -> TRUE_ATOMS;
            case FALSE -> FALSE_ATOMS;
            case CONSTANT -> CONSTANT_ATOMS;
            case ROW -> ROW_ATOMS;
        };
        return new Condition(atoms[random.nextInt(atoms.length)], m, ATOM);
    }

    /** A data change on t (alias x) joined to u, with the condition where it bounds the rows. */
    String statement(Condition c) {
        return switch (random.nextInt(3)) {
            case 0 -> "DELETE FROM t AS x USING u WHERE " + c.sql();
            case 1 -> "UPDATE t x SET a = 0 FROM u WHERE " + c.sql();
            default -> "MERGE INTO t AS x USING u ON " + c.sql() + " WHEN MATCHED THEN DELETE";
        };
    }

    /** Null when the classifier agrees with the generated meaning, else what went wrong. */
    static String disagreement(Classifier classifier, String sql, Meaning meaning) {
        List<Classification> all = Classified.of(classifier, sql);
        boolean unbounded = all.size() == 1 && (all.get(0).hasRule("unbounded-delete")
                || all.get(0).hasRule("unbounded-update"));
        if (unbounded == meaning.unbounded()) {
            return null;
        }
        return (meaning.unbounded() ? "missed (" : "false alarm (") + meaning + "): " + sql;
    }
}
