package io.pgguard.classify;

import io.pgguard.sql.SqlStatement;
import io.pgguard.sql.TokenType;

import java.util.Set;

/**
 * Decides whether a WHERE (or a MERGE's ON) condition restricts the rows of the statement's target, as the server
 * would evaluate it. A condition bounds the statement only when every way it can be true depends on a column of the
 * target: {@code id = 5} does; {@code true}, {@code NOT false}, {@code 1 <> 2}, {@code id = 1 OR 1 = 1}, a join
 * condition that names only another relation ({@code u.x = 1}), an uncorrelated subquery ({@code EXISTS (SELECT 1
 * FROM u)}) and a parameter test ({@code ? IS NULL OR id = ?}) do not, since each can hold for every row. A column
 * qualified with another relation's name, or unqualified inside a subquery, is not the target's. A self-join on the
 * target's own columns ({@code t.id = t2.id} where {@code t2} is the target again) holds for every row. Only a
 * provably false condition ({@code false}, {@code 1 = 0}) bounds the statement to nothing. This class reads the
 * condition's structure (AND, OR, NOT, BETWEEN, CASE, parentheses); {@link ColumnReferences} tells whether a
 * predicate reads the target's row, {@link EveryRow} which of those still hold for every row, and {@link Scope}
 * which relation a qualifier names.
 */
final class Conditions {

    /** Deeper parentheses than this are not looked into: the condition then counts as row-independent. */
    static final int MAX_NESTING = 32;

    /** What a condition, or a part of one, is for the rows of the target, weakest restriction last. */
    enum Bound {
        /** False for every row: restricts to nothing. */
        FALSE,
        /** Depends on a column of the target row. */
        ROW,
        /** The same for every row, but its value is not known before it runs: may hold for every row. */
        CONSTANT,
        /** True for every row. */
        TRUE;

        /** Whether the condition can leave every row of the target in. */
        boolean unbounded() {
            return this == CONSTANT || this == TRUE;
        }

        Bound not() {
            return switch (this) {
                case FALSE -> TRUE;
                case TRUE -> FALSE;
                default -> this;
            };
        }

        Bound and(Bound other) {
            if (this == FALSE || other == FALSE) {
                return FALSE;
            }
            if (this == ROW || other == ROW) {
                return ROW;
            }
            return this == TRUE && other == TRUE ? TRUE : CONSTANT;
        }

        Bound or(Bound other) {
            if (this == TRUE || other == TRUE) {
                return TRUE;
            }
            if (this == CONSTANT || other == CONSTANT) {
                return CONSTANT;
            }
            return this == ROW || other == ROW ? ROW : FALSE;
        }
    }

    /** Whether a literal's value decided part of the answer (the template of the statement does not tell it). */
    static final class Evaluation {
        boolean readsLiterals;
    }

    private Conditions() {
    }

    /** How tokens [from, to) restrict the target's rows. */
    static Bound bound(SqlStatement st, int from, int to, Scope scope, Evaluation ev) {
        return or(st, from, to, scope, ev, 0);
    }

    /** Whether tokens [from, to) are a condition that can leave every row of the target in. */
    static boolean unbounded(SqlStatement st, int from, int to, Scope scope, Evaluation ev) {
        return bound(st, from, to, scope, ev).unbounded();
    }

    private static Bound or(SqlStatement st, int from, int to, Scope scope, Evaluation ev, int nesting) {
        if (nesting > MAX_NESTING || from >= to) {
            return Bound.CONSTANT;
        }
        Bound result = null;
        int start = from;
        int depth = 0;
        int cases = 0;
        for (int k = from; k <= to; k++) {
            if (k < to) {
                depth += step(st, k);
                cases = Math.max(0, cases + caseStep(st, k, depth));
            }
            if (k == to || (depth == 0 && cases == 0 && st.isWord(k, "OR"))) {
                Bound b = and(st, start, k, scope, ev, nesting);
                result = result == null ? b : result.or(b);
                start = k + 1;
            }
        }
        return result;
    }

    private static Bound and(SqlStatement st, int from, int to, Scope scope, Evaluation ev, int nesting) {
        Bound result = null;
        int start = from;
        int depth = 0;
        int cases = 0;
        boolean between = false;
        for (int k = from; k <= to; k++) {
            if (k < to) {
                depth += step(st, k);
                cases = Math.max(0, cases + caseStep(st, k, depth));
                if (depth == 0 && cases == 0 && st.isWord(k, "BETWEEN")) {
                    between = true;
                    continue;
                }
            }
            if (k == to || (depth == 0 && cases == 0 && st.isWord(k, "AND"))) {
                if (k < to && between) {
                    // x BETWEEN a AND b: this AND belongs to the BETWEEN.
                    between = false;
                    continue;
                }
                Bound b = term(st, start, k, scope, ev, nesting);
                result = result == null ? b : result.and(b);
                start = k + 1;
            }
        }
        return result;
    }

    private static Bound term(SqlStatement st, int from, int to, Scope scope, Evaluation ev, int nesting) {
        if (from >= to) {
            return Bound.CONSTANT;
        }
        if (st.isWord(from, "NOT")) {
            return term(st, from + 1, to, scope, ev, nesting).not();
        }
        if (st.is(from, TokenType.LPAREN) && new Cursor(st, from, to).closing(from) == to - 1
                && !ColumnReferences.opensSubquery(st, from + 1)) {
            return or(st, from + 1, to - 1, scope, ev, nesting + 1);
        }
        return atom(st, from, to, scope, ev);
    }

    /** A predicate with no top-level AND, OR or NOT: a comparison, a test, a function call, a subquery. */
    private static Bound atom(SqlStatement st, int from, int to, Scope scope, Evaluation ev) {
        if (st.isWord(from, "EXISTS") && EveryRow.existsSelf(st, from + 1, to, scope, ev)) {
            return Bound.TRUE;
        }
        ColumnReferences refs = new ColumnReferences(scope);
        refs.scan(st, from, to, false, Set.of(), 0);
        if (refs.row) {
            return EveryRow.selfEvident(st, from, to, scope) ? Bound.TRUE : Bound.ROW;
        }
        int n = to - from;
        if (n == 1) {
            if (st.isWord(from, "TRUE")) {
                return Bound.TRUE;
            }
            if (st.isWord(from, "FALSE")) {
                return Bound.FALSE;
            }
        }
        if (n == 3 && st.is(from + 1, TokenType.OPERATOR) && isLiteral(st, from) && isLiteral(st, from + 2)) {
            ev.readsLiterals = true;
            Boolean value = compareLiterals(st, from, st.text(from + 1), from + 2);
            if (value != null) {
                return value ? Bound.TRUE : Bound.FALSE;
            }
        }
        if (n == 3 && st.isWords(from + 1, "IS", "NULL") && isLiteral(st, from)) {
            ev.readsLiterals = true;
            return Bound.FALSE;
        }
        if (n == 4 && st.isWords(from + 1, "IS", "NOT", "NULL") && (isLiteral(st, from) || isConstantWord(st, from))) {
            ev.readsLiterals |= isLiteral(st, from);
            return Bound.TRUE;
        }
        if (n == 3 && st.isWords(from, "NULL", "IS", "NULL")) {
            return Bound.TRUE;
        }
        return Bound.CONSTANT;
    }

    /** Where a FROM list that starts at {@code from} ends: at its top-level WHERE, GROUP, ... or {@code to}. */
    static int fromItemsEnd(SqlStatement st, int from, int to) {
        int depth = 0;
        for (int k = from; k < to; k++) {
            depth += step(st, k);
            if (depth == 0 && (st.isWord(k, "WHERE") || st.isWord(k, "GROUP") || st.isWord(k, "HAVING")
                    || st.isWord(k, "WINDOW") || st.isWord(k, "ORDER") || st.isWord(k, "LIMIT")
                    || st.isWord(k, "OFFSET") || st.isWord(k, "FETCH") || st.isWord(k, "FOR")
                    || st.isWord(k, "UNION") || st.isWord(k, "INTERSECT") || st.isWord(k, "EXCEPT")
                    || st.isWord(k, "RETURNING"))) {
                return k;
            }
        }
        return to;
    }

    private static boolean isConstantWord(SqlStatement st, int k) {
        return st.isWord(k, "TRUE") || st.isWord(k, "FALSE");
    }

    /** The value of a comparison of two literals, or null when it cannot be told without the server. */
    private static Boolean compareLiterals(SqlStatement st, int left, String op, int right) {
        String l = st.text(left);
        String r = st.text(right);
        int cmp;
        if (st.is(left, TokenType.NUMBER) && st.is(right, TokenType.NUMBER)) {
            try {
                cmp = new java.math.BigDecimal(l.replace("_", "")).compareTo(new java.math.BigDecimal(r.replace("_", "")));
            } catch (NumberFormatException e) {
                return null;
            }
        } else if (st.is(left, TokenType.STRING) && st.is(right, TokenType.STRING)) {
            if (!l.equals(r) && !(op.equals("=") || op.equals("<>") || op.equals("!="))) {
                return null;
            }
            cmp = l.equals(r) ? 0 : 1;
        } else {
            return null;
        }
        return switch (op) {
            case "=" -> cmp == 0;
            case "<>", "!=" -> cmp != 0;
            case "<" -> cmp < 0;
            case ">" -> cmp > 0;
            case "<=" -> cmp <= 0;
            case ">=" -> cmp >= 0;
            default -> null;
        };
    }

    private static boolean isLiteral(SqlStatement st, int k) {
        return st.is(k, TokenType.NUMBER) || st.is(k, TokenType.STRING);
    }

    private static boolean isColumn(SqlStatement st, int k) {
        return st.is(k, TokenType.WORD) || st.is(k, TokenType.QUOTED_IDENT);
    }

    /** Whether every top-level term of the condition only tests columns for NULL (a whole-table backfill). */
    static boolean onlyNullTests(SqlStatement st, int from, int to) {
        if (from >= to) {
            return false;
        }
        int start = from;
        int depth = 0;
        for (int k = from; k <= to; k++) {
            if (k < to) {
                depth += step(st, k);
            }
            boolean boundary = k == to || (depth == 0 && (st.isWord(k, "AND") || st.isWord(k, "OR")));
            if (boundary) {
                int n = k - start;
                boolean nullTest = (n == 3 && st.isWords(start + 1, "IS", "NULL"))
                        || (n == 4 && st.isWords(start + 1, "IS", "NOT", "NULL"));
                if (!nullTest || !isColumn(st, start)) {
                    return false;
                }
                start = k + 1;
            }
        }
        return true;
    }

    /** How token k changes the parenthesis depth. */
    static int step(SqlStatement st, int k) {
        TokenType t = st.type(k);
        if (t == TokenType.LPAREN || t == TokenType.LBRACKET) {
            return 1;
        }
        return t == TokenType.RPAREN || t == TokenType.RBRACKET ? -1 : 0;
    }

    /** How token k changes the depth of CASE ... END at parenthesis depth {@code depth} (counted after k). */
    static int caseStep(SqlStatement st, int k, int depth) {
        if (depth != 0) {
            return 0;
        }
        if (st.isWord(k, "CASE")) {
            return 1;
        }
        return st.isWord(k, "END") ? -1 : 0;
    }
}
