package io.pgguard.classify;

import io.pgguard.sql.SqlStatement;
import io.pgguard.sql.TokenType;

import java.util.Set;

/**
 * Reads a FROM list (of a query, an UPDATE's FROM, a DELETE's USING, a MERGE's USING): each item's relation name
 * and alias, so that a condition can tell the target's columns from those of the relations joined to it.
 */
final class FromList {

    /** One FROM item: the relation it reads (null for a function or a restricted subquery) and its alias. */
    interface Item {
        void accept(String relation, String alias, boolean unrestricted);
    }

    /** Words after a FROM item that are not its alias. */
    private static final Set<String> NOT_ALIAS = Set.of("JOIN", "INNER", "LEFT", "RIGHT", "FULL", "OUTER", "CROSS",
            "NATURAL", "ON", "USING", "WHERE", "TABLESAMPLE", "WITH", "GROUP", "HAVING", "WINDOW", "ORDER", "LIMIT",
            "OFFSET", "FETCH", "FOR", "UNION", "INTERSECT", "EXCEPT", "RETURNING", "WHEN", "SET", "LATERAL");

    private FromList() {
    }

    /** Reads the items of the FROM list in tokens [from, to), telling which subqueries read a whole relation. */
    static void read(SqlStatement st, int from, int to, Item item) {
        read(st, from, to, item, true);
    }

    /**
     * Reads the items of a FROM list; {@code judgeSubqueries} false reports a subquery only by its alias (what a
     * caller that only needs names asks; judging a subquery's WHERE inside every such reading would take time
     * exponential in how deeply subqueries nest).
     */
    static void read(SqlStatement st, int from, int to, Item item, boolean judgeSubqueries) {
        Cursor c = new Cursor(st, from, to);
        while (!c.atEnd()) {
            c.word("LATERAL");
            c.word("ONLY");
            String relation = null;
            boolean unrestricted = false;
            if (c.peek(TokenType.LPAREN)) {
                int close = c.closing(c.i);
                if (c.peek(1, "SELECT") || c.peek(1, "VALUES") || c.peek(1, "WITH") || c.peek(1, "TABLE")) {
                    relation = judgeSubqueries ? unrestrictedSource(st, c.i + 1, close) : null;
                    unrestricted = relation != null;
                } else {
                    read(st, c.i + 1, close, item, judgeSubqueries); // a parenthesised join
                }
                c.i = Math.min(to, close + 1);
            } else {
                relation = c.name();
                if (relation == null) {
                    c.i++;
                    continue;
                }
                if (c.peek(TokenType.LPAREN)) {
                    relation = null; // a function in FROM
                    c.skipGroup();
                } else {
                    unrestricted = true;
                    if (c.peek(TokenType.OPERATOR) && st.text(c.i).equals("*")) {
                        c.i++;
                    }
                }
            }
            String alias = alias(c);
            c.skipGroup(); // column aliases
            item.accept(relation, alias, unrestricted);
            c.i = nextItem(st, c.i, to);
        }
    }

    /** The alias after a FROM item ({@code AS x} or {@code x}), or null. */
    static String alias(Cursor c) {
        if (c.word("AS")) {
            return c.name();
        }
        if (c.peek(TokenType.QUOTED_IDENT)
                || c.peek(TokenType.WORD) && !NOT_ALIAS.contains(c.st.text(c.i).toUpperCase(java.util.Locale.ROOT))) {
            return c.name();
        }
        return null;
    }

    /** The start of the next item: after the next top-level comma or JOIN, or {@code to}. */
    private static int nextItem(SqlStatement st, int from, int to) {
        int depth = 0;
        for (int k = from; k < to; k++) {
            depth += Conditions.step(st, k);
            if (depth == 0 && (st.is(k, TokenType.COMMA) || st.isWord(k, "JOIN"))) {
                return k + 1;
            }
        }
        return to;
    }

    /**
     * The one relation a subquery [from, to) reads whole ({@code SELECT ... FROM t}, with no join, LIMIT or set
     * operation of its own, and no WHERE but one that restricts nothing, as {@link Conditions} reads it), or null.
     */
    static String unrestrictedSource(SqlStatement st, int from, int to) {
        Cursor c = new Cursor(st, from, to);
        if (!c.word("SELECT")) {
            return null;
        }
        int fromWord = c.findTopLevelWord(c.i, "FROM");
        if (fromWord < 0) {
            return null;
        }
        Cursor rel = new Cursor(st, fromWord + 1, to);
        rel.word("ONLY");
        String name = rel.name();
        if (name == null || rel.peek(TokenType.LPAREN)) {
            return null;
        }
        String alias = alias(rel);
        while (!rel.atEnd()) {
            if (rel.peek("GROUP") || rel.peek("ORDER") || rel.peek("BY")) {
                rel.i++;
                continue;
            }
            if (rel.peek("WHERE")) {
                int end = Conditions.fromItemsEnd(st, rel.i + 1, to);
                Scope own = new Scope(name);
                own.alias(alias);
                if (!Conditions.unbounded(st, rel.i + 1, end, own, new Conditions.Evaluation())) {
                    return null;
                }
                rel.i = end;
                continue;
            }
            if (rel.peek("LIMIT") || rel.peek("OFFSET") || rel.peek("FETCH")
                    || rel.peek("JOIN") || rel.peek(TokenType.COMMA) || rel.peek("UNION") || rel.peek("EXCEPT")
                    || rel.peek("INTERSECT") || rel.peek("HAVING") || rel.peek("TABLESAMPLE")) {
                return null;
            }
            rel.i++;
        }
        return name;
    }
}
