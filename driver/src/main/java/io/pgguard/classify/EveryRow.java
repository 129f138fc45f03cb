package io.pgguard.classify;

import io.pgguard.sql.SqlStatement;
import io.pgguard.sql.TokenType;

import java.util.Set;

/**
 * Predicates that name the target's columns and still hold for every row: a column compared with itself, a column
 * equal to the same column of the target joined again, {@code EXISTS} of the target correlated with itself on its
 * own columns, a column in the same column of the whole target.
 */
final class EveryRow {

    private EveryRow() {
    }

    /**
     * Whether a predicate that names the target's columns still holds for every row: both sides of {@code =},
     * {@code >=}, {@code <=} or {@code IS NOT DISTINCT FROM} the same column ({@code id = id}), a column of the
     * target equal to the same column of a self-joined copy ({@code t.id = t2.id}), or a column in the same
     * column of the unrestricted target ({@code id IN (SELECT id FROM t)}).
     */
    static boolean selfEvident(SqlStatement st, int from, int to, Scope scope) {
        int op = -1;
        int opLength = 1;
        for (int k = from; k < to; k++) {
            if (st.is(k, TokenType.OPERATOR)) {
                String o = st.text(k);
                if (op < 0 && (o.equals("=") || o.equals(">=") || o.equals("<="))) {
                    op = k;
                } else {
                    return false;
                }
            } else if (st.isWords(k, "IS", "NOT", "DISTINCT", "FROM") && op < 0) {
                op = k;
                opLength = 4;
                k += 3;
            } else if (st.isWord(k, "IN") && op < 0 && st.is(k + 1, TokenType.LPAREN)) {
                return inUnrestrictedSelf(st, from, k, to, scope);
            } else if (op >= 0 && k == op + 1 && st.text(op).equals("=")
                    && (st.isWord(k, "ANY") || st.isWord(k, "SOME")) && st.is(k + 1, TokenType.LPAREN)) {
                return inUnrestrictedSelf(st, from, k, to, scope);
            } else if (st.is(k, TokenType.LPAREN)) {
                return false;
            }
        }
        if (op < 0) {
            return false;
        }
        int leftLength = op - from;
        int rightFrom = op + opLength;
        if (leftLength != to - rightFrom || leftLength == 0) {
            return false;
        }
        if (sameTokens(st, from, rightFrom, leftLength)) {
            return true;
        }
        // t.c = m.c, where m is the target joined again without a restriction of its own.
        String left = columnOf(st, from, op, scope.target);
        String right = columnOf(st, rightFrom, to, scope.mirrors);
        if (left == null || right == null) {
            left = columnOf(st, from, op, scope.mirrors);
            right = columnOf(st, rightFrom, to, scope.target);
        }
        return left != null && left.equals(right);
    }

    /**
     * {@code EXISTS (SELECT ... FROM target AS t2 WHERE t2.id = t.id)}: the target correlated with itself on its
     * own columns, which holds for every row.
     */
    static boolean existsSelf(SqlStatement st, int open, int to, Scope scope, Conditions.Evaluation ev) {
        if (!st.is(open, TokenType.LPAREN) || new Cursor(st, open, to).closing(open) != to - 1
                || !st.isWord(open + 1, "SELECT") || scope.relation == null) {
            return false;
        }
        Cursor c = new Cursor(st, open + 1, to - 1);
        int fromWord = c.findTopLevelWord(c.i, "FROM");
        int where = c.findTopLevelWord(c.i, "WHERE");
        if (fromWord < 0 || where < fromWord) {
            return false;
        }
        Cursor rel = new Cursor(st, fromWord + 1, where);
        rel.word("ONLY");
        String name = rel.name();
        String alias = FromList.alias(rel);
        if (name == null || alias == null || !rel.atEnd() || !Cursor.key(name).equals(Cursor.key(scope.relation))
                || scope.target.contains(Cursor.key(alias))) {
            return false;
        }
        Scope self = new Scope(scope.relation);
        self.target.addAll(scope.target);
        self.joined(scope.relation, alias, true);
        return Conditions.bound(st, where + 1, to - 1, self, ev) == Conditions.Bound.TRUE;
    }

    /** {@code col IN (SELECT col FROM target)} with nothing restricting the subquery (a WHERE that holds for all). */
    private static boolean inUnrestrictedSelf(SqlStatement st, int from, int in, int to, Scope scope) {
        int open = in + 1;
        int left = st.isWord(in, "IN") ? in - from : in - 1 - from;
        Cursor c = new Cursor(st, open + 1, to);
        if (new Cursor(st, open, to).closing(open) != to - 1 || !c.word("SELECT")) {
            return false;
        }
        int fromWord = c.findTopLevelWord(c.i, "FROM");
        if (fromWord < 0 || fromWord - c.i != left || !sameTokens(st, from, c.i, left)) {
            return false;
        }
        String whole = FromList.unrestrictedSource(st, open + 1, to - 1);
        return whole != null && scope.relation != null && Cursor.key(whole).equals(Cursor.key(scope.relation));
    }

    /** The column key of a reference [from, to) qualified by one of {@code qualifiers}, or null. */
    private static String columnOf(SqlStatement st, int from, int to, Set<String> qualifiers) {
        if (to - from != 3 || !st.is(from + 1, TokenType.DOT) || !ColumnReferences.isName(st, from) || !ColumnReferences.isName(st, from + 2)) {
            return null;
        }
        return qualifiers.contains(Cursor.key(st.text(from))) ? Cursor.key(st.text(from + 2)) : null;
    }

    private static boolean sameTokens(SqlStatement st, int a, int b, int n) {
        for (int k = 0; k < n; k++) {
            if (st.type(a + k) != st.type(b + k) || !st.text(a + k).equalsIgnoreCase(st.text(b + k))) {
                return false;
            }
            if (st.is(a + k, TokenType.WORD) && st.is(a + k + 1, TokenType.LPAREN)) {
                return false; // a function call (random()) is not the same value twice
            }
        }
        return true;
    }
}
