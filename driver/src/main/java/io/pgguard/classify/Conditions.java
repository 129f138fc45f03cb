package io.pgguard.classify;

import io.pgguard.sql.SqlStatement;
import io.pgguard.sql.TokenType;

/**
 * Recognises a WHERE clause that holds for every row: {@code true}, {@code 1=1}, {@code 'a'='a'}, {@code id = id},
 * {@code NOT false}, a comparison of two literals that is true, or any of these as one branch of a top-level OR.
 */
final class Conditions {

    /** Deeper parentheses than this are not looked into: the condition is then taken as true (fail closed). */
    private static final int MAX_NESTING = 32;

    private Conditions() {
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
        int cmp;
        if (st.is(left, TokenType.NUMBER) && st.is(right, TokenType.NUMBER)) {
            try {
                cmp = new java.math.BigDecimal(l.replace("_", "")).compareTo(new java.math.BigDecimal(r.replace("_", "")));
            } catch (NumberFormatException e) {
                return false;
            }
        } else if (st.is(left, TokenType.STRING) && st.is(right, TokenType.STRING)) {
            cmp = l.equals(r) ? 0 : 1;
            if (cmp != 0 && !(op.equals("<>") || op.equals("!="))) {
                return false;
            }
        } else {
            return false;
        }
        return switch (op) {
            case "=" -> cmp == 0;
            case "<>", "!=" -> cmp != 0;
            case "<" -> cmp < 0;
            case ">" -> cmp > 0;
            case "<=" -> cmp <= 0;
            case ">=" -> cmp >= 0;
            default -> false;
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
