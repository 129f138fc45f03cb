package io.pgguard.classify;

import io.pgguard.sql.SqlStatement;
import io.pgguard.sql.TokenType;

import java.util.HashSet;
import java.util.Locale;
import java.util.Set;

/**
 * The column references of a predicate: whether any names the target's row. Inside a subquery, only a name
 * qualified with the target's name or alias does, unless the subquery brings a relation of that name itself.
 */
final class ColumnReferences {

    private final Scope scope;
    boolean row;

    ColumnReferences(Scope scope) {
        this.scope = scope;
    }

    void scan(SqlStatement st, int from, int to, boolean inSubquery, Set<String> shadowed, int nesting) {
        if (nesting > Conditions.MAX_NESTING) {
            return;
        }
        for (int k = from; k < to && !row; k++) {
            TokenType t = st.type(k);
            if (t == TokenType.LPAREN && opensSubquery(st, k + 1)) {
                int close = new Cursor(st, k, to).closing(k);
                scan(st, k + 1, close, true, shadow(st, k + 1, close, shadowed), nesting + 1);
                k = close;
            } else if (isName(st, k) && !st.is(k - 1, TokenType.DOT)) {
                k = reference(st, k, to, inSubquery, shadowed);
            }
        }
    }

    /** Reads the name starting at {@code k}; returns the index of its last token. */
    private int reference(SqlStatement st, int k, int to, boolean inSubquery, Set<String> shadowed) {
        int last = k;
        while (last + 2 < to && st.is(last + 1, TokenType.DOT)
                && (isName(st, last + 2) || st.is(last + 2, TokenType.OPERATOR))) {
            last += 2;
        }
        if (st.is(last + 1, TokenType.LPAREN) && st.is(last, TokenType.WORD)) {
            return last; // a function name; its arguments are scanned on their own
        }
        if (st.is(k - 1, TokenType.CAST)) {
            return last; // a type name
        }
        if (last == k) {
            if (st.is(k, TokenType.WORD) && (keywordHere(st, k) || st.text(k).startsWith("${"))) {
                // a keyword; or a migration tool's ${placeholder}, which can stand for any text (1 = 1)
                return k;
            }
            // An unqualified column: the target's, unless a subquery's own relations are nearer.
            row |= !inSubquery;
            return k;
        }
        String qualifier = Cursor.key(st.text(last - 2));
        if (shadowed.contains(qualifier) || scope.others.contains(qualifier)) {
            return last;
        }
        if (scope.target.contains(qualifier) || scope.mirrors.contains(qualifier)) {
            row = true;
            return last;
        }
        // Some other qualifier: a record, NEW/OLD, a schema-qualified column. Outside a subquery, the target's.
        row |= !inSubquery;
        return last;
    }

    /**
     * Words that stand in a condition without naming a column: PostgreSQL's reserved and type/function-name
     * keywords, which cannot be a column's unquoted name.
     */
    private static final Set<String> NON_COLUMN_WORDS = Set.of("TRUE", "FALSE", "NULL", "NOT", "AND", "OR", "IS",
            "IN", "BETWEEN", "SYMMETRIC", "LIKE", "ILIKE", "SIMILAR", "TO", "DISTINCT", "FROM", "CASE", "WHEN",
            "THEN", "ELSE", "END", "CAST", "AS", "ANY", "ALL", "SOME", "ARRAY", "COLLATE", "ISNULL", "NOTNULL",
            "CURRENT_DATE", "CURRENT_TIME", "CURRENT_TIMESTAMP", "LOCALTIME", "LOCALTIMESTAMP", "CURRENT_USER",
            "SESSION_USER", "USER", "CURRENT_ROLE", "EXISTS", "OVERLAPS", "WITH", "UNIQUE", "DEFAULT");

    /**
     * Words that are keywords only where the grammar makes them so, and otherwise the column names they often are
     * ({@code value}, {@code date}, {@code time}, {@code zone}, {@code keys}, ...).
     */
    private static final Set<String> CONTEXT_WORDS = Set.of("DATE", "TIME", "TIMESTAMP", "INTERVAL", "JSON", "ZONE",
            "AT", "WITHOUT", "VALUE", "SCALAR", "OBJECT", "DOCUMENT", "UNKNOWN", "NORMALIZED", "OF", "KEYS", "ROW",
            "ESCAPE");

    /** Whether the word at {@code k} is a keyword here rather than a column's name. */
    private static boolean keywordHere(SqlStatement st, int k) {
        String w = st.text(k).toUpperCase(Locale.ROOT);
        if (NON_COLUMN_WORDS.contains(w)) {
            return true;
        }
        if (!CONTEXT_WORDS.contains(w)) {
            return false;
        }
        boolean literalFollows = st.is(k + 1, TokenType.STRING) || st.is(k + 1, TokenType.DOLLAR_STRING);
        return switch (w) {
            // a typed literal (DATE '2024-01-01'), a type (AS date, TIME WITH TIME ZONE), AT TIME ZONE
            case "DATE", "INTERVAL" -> literalFollows || st.isWord(k - 1, "AS");
            case "TIME", "TIMESTAMP" -> literalFollows || st.isWord(k - 1, "AS") || st.isWord(k + 1, "WITH")
                    || st.isWord(k + 1, "WITHOUT") || st.isWord(k - 1, "AT") || st.isWord(k - 1, "WITH")
                    || st.isWord(k - 1, "WITHOUT");
            case "ZONE" -> st.isWord(k - 1, "TIME");
            case "AT" -> st.isWord(k + 1, "TIME") || st.isWord(k + 1, "LOCAL");
            case "WITHOUT" -> st.isWord(k + 1, "TIME") || st.isWord(k + 1, "UNIQUE");
            case "KEYS" -> st.isWord(k - 1, "UNIQUE");
            case "ROW" -> st.is(k + 1, TokenType.LPAREN);
            case "ESCAPE" -> literalFollows || st.is(k + 1, TokenType.PARAM);
            // IS [NOT] JSON [VALUE | SCALAR | OBJECT | ARRAY], IS DOCUMENT, IS UNKNOWN, IS [NFC] NORMALIZED, IS OF
            case "JSON" -> literalFollows || afterIs(st, k);
            case "VALUE", "SCALAR", "OBJECT" -> st.isWord(k - 1, "JSON");
            case "NORMALIZED" -> afterIs(st, k) || st.isWord(k - 1, "NFC") || st.isWord(k - 1, "NFD")
                    || st.isWord(k - 1, "NFKC") || st.isWord(k - 1, "NFKD");
            default -> afterIs(st, k); // DOCUMENT, UNKNOWN, OF
        };
    }

    /** {@code IS} or {@code IS NOT} right before {@code k}. */
    private static boolean afterIs(SqlStatement st, int k) {
        return st.isWord(k - 1, "IS") || st.isWord(k - 1, "NOT") && st.isWord(k - 2, "IS");
    }

    /** Words that open a subquery right after a parenthesis. */
    static boolean opensSubquery(SqlStatement st, int k) {
        return st.isWord(k, "SELECT") || st.isWord(k, "VALUES") || st.isWord(k, "WITH") || st.isWord(k, "TABLE");
    }

    static boolean isName(SqlStatement st, int k) {
        return st.is(k, TokenType.WORD) || st.is(k, TokenType.QUOTED_IDENT);
    }

    /**
     * The names a subquery's top-level FROM introduces (relation names and aliases): a reference qualified with one
     * of them is the subquery's own, even when it shares the target's name.
     */
    private static Set<String> shadow(SqlStatement st, int from, int to, Set<String> outer) {
        Cursor c = new Cursor(st, from, to);
        int fromWord = c.findTopLevelWord(from, "FROM");
        if (fromWord < 0) {
            return outer;
        }
        Set<String> names = new HashSet<>(outer);
        FromList.read(st, fromWord + 1, Conditions.fromItemsEnd(st, fromWord + 1, to),
                (name, alias, unrestricted) -> {
                    // An alias hides the relation's own name, as in the server.
                    if (alias != null) {
                        names.add(Cursor.key(alias));
                    } else if (name != null) {
                        names.add(Cursor.key(name));
                    }
                }, false);
        return names;
    }
}
