package io.pgguard.classify;

import io.pgguard.sql.SqlStatement;
import io.pgguard.sql.TokenType;

/**
 * Recognises a WHERE clause that does not bound a DELETE or UPDATE: one true for every row ({@code true},
 * {@code 1=1}, {@code 'a'='a'}, {@code id = id}, {@code NOT false}, or any of these as one branch of a top-level OR),
 * or one that refers to no column at all ({@code ? = ?}, {@code now() > '2020-01-01'}), which is the same for
 * every row; only a provably false constant ({@code false}, {@code 1 = 0}) bounds it to nothing.
 */
final class Conditions {

    /** Deeper parentheses than this are not looked into: the condition is then taken as true (fail closed). */
    private static final int MAX_NESTING = 32;

    private Conditions() {
    }

    /** Words that can stand in a condition without naming a column. */
    private static final java.util.Set<String> NON_COLUMN_WORDS = java.util.Set.of("TRUE", "FALSE", "NULL", "NOT",
            "AND", "OR", "IS", "IN", "BETWEEN", "SYMMETRIC", "LIKE", "ILIKE", "SIMILAR", "TO", "ESCAPE", "DISTINCT",
            "FROM", "UNKNOWN", "CASE", "WHEN", "THEN", "ELSE", "END", "CAST", "AS", "ANY", "ALL", "SOME", "ARRAY",
            "INTERVAL", "COLLATE", "ISNULL", "NOTNULL", "CURRENT_DATE", "CURRENT_TIME", "CURRENT_TIMESTAMP",
            "LOCALTIME", "LOCALTIMESTAMP", "CURRENT_USER", "SESSION_USER", "USER", "CURRENT_ROLE");

    /** Whether tokens [from, to) are a WHERE condition that leaves every row in (or is the same for every row). */
    static boolean unbounded(SqlStatement st, int from, int to) {
        if (alwaysTrue(st, from, to)) {
            return true;
        }
        return !referencesColumn(st, from, to) && !alwaysFalse(st, from, to);
    }

    /**
     * Whether the condition compares two literal-like tokens ({@code 1 = 1}, {@code 'a' <> 'b'}, {@code $1 = 2}):
     * only then can its verdict depend on literal values, which a statement's template does not tell apart.
     * {@code id = 5} and {@code ? = ?} do not.
     */
    static boolean comparesLiterals(SqlStatement st, int from, int to) {
        for (int k = from + 1; k + 1 < to; k++) {
            if (st.is(k, TokenType.OPERATOR) && st.type(k - 1).isLiteral() && st.type(k + 1).isLiteral()) {
                return true;
            }
        }
        return false;
    }

    private static boolean referencesColumn(SqlStatement st, int from, int to) {
        for (int k = from; k < to; k++) {
            if (st.is(k, TokenType.QUOTED_IDENT)) {
                return true;
            }
            if (st.is(k, TokenType.WORD) && !st.is(k + 1, TokenType.LPAREN) && !st.is(k - 1, TokenType.CAST)
                    && !NON_COLUMN_WORDS.contains(st.text(k).toUpperCase(java.util.Locale.ROOT))) {
                return true;
            }
        }
        return false;
    }

    private static boolean alwaysFalse(SqlStatement st, int from, int to) {
        int n = to - from;
        if (n == 1) {
            return st.isWord(from, "FALSE");
        }
        if (n == 2) {
            return st.isWord(from, "NOT") && st.isWord(from + 1, "TRUE");
        }
        if (n == 3 && st.is(from + 1, TokenType.OPERATOR) && isLiteral(st, from) && isLiteral(st, from + 2)) {
            Boolean value = compareLiterals(st, from, st.text(from + 1), from + 2);
            return value != null && !value;
        }
        return false;
    }

    /** Whether tokens [from, to) of the statement are a condition true for every row. */
    static boolean alwaysTrue(SqlStatement st, int from, int to) {
        return alwaysTrue(st, from, to, 0);
    }

    private static boolean alwaysTrue(SqlStatement st, int from, int to, int nesting) {
        if (nesting > MAX_NESTING) {
            return true;
        }
        int start = from;
        int depth = 0;
        for (int k = from; k <= to; k++) {
            depth += step(st, k, to);
            if (k == to || (depth == 0 && st.isWord(k, "OR"))) {
                if (conjunctionTrue(st, start, k, nesting)) {
                    return true;
                }
                start = k + 1;
            }
        }
        return false;
    }

    private static boolean conjunctionTrue(SqlStatement st, int from, int to, int nesting) {
        if (from >= to) {
            return false;
        }
        int start = from;
        int depth = 0;
        for (int k = from; k <= to; k++) {
            depth += step(st, k, to);
            if (k == to || (depth == 0 && st.isWord(k, "AND"))) {
                if (!termTrue(st, start, k, nesting)) {
                    return false;
                }
                start = k + 1;
            }
        }
        return true;
    }

    private static boolean termTrue(SqlStatement st, int from, int to, int nesting) {
        int n = to - from;
        if (n <= 0) {
            return false;
        }
        if (st.is(from, TokenType.LPAREN) && new Cursor(st, from, to).closing(from) == to - 1) {
            return alwaysTrue(st, from + 1, to - 1, nesting + 1);
        }
        if (n == 1) {
            return st.isWord(from, "TRUE");
        }
        if (n == 2) {
            return st.isWord(from, "NOT") && st.isWord(from + 1, "FALSE");
        }
        if (n == 3 && st.is(from + 1, TokenType.OPERATOR)) {
            return comparisonTrue(st, from, st.text(from + 1), from + 2);
        }
        if (n == 4 && st.isWords(from + 1, "IS", "NOT", "NULL")) {
            return isLiteral(st, from);
        }
        if (n == 3 && st.isWords(from + 1, "IS", "TRUE")) {
            return st.isWord(from, "TRUE");
        }
        return false;
    }

    private static boolean comparisonTrue(SqlStatement st, int left, String op, int right) {
        String l = st.text(left);
        String r = st.text(right);
        boolean same = l.equals(r) && st.type(left) == st.type(right);
        boolean columns = isColumn(st, left) && isColumn(st, right);
        if (same && (columns || isLiteral(st, left)) && (op.equals("=") || op.equals(">=") || op.equals("<="))) {
            return true;
        }
        if (!isLiteral(st, left) || !isLiteral(st, right)) {
            return false;
        }
        return Boolean.TRUE.equals(compareLiterals(st, left, op, right));
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
            depth += step(st, k, to);
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

    /** How token k changes the parenthesis depth; a closing parenthesis counts at its own position. */
    private static int step(SqlStatement st, int k, int to) {
        if (k >= to) {
            return 0;
        }
        if (st.is(k, TokenType.LPAREN)) {
            return 1;
        }
        return st.is(k, TokenType.RPAREN) ? -1 : 0;
    }
}
