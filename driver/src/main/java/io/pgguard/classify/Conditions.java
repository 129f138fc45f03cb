package io.pgguard.classify;

import io.pgguard.sql.SqlStatement;
import io.pgguard.sql.TokenType;

import java.util.HashSet;
import java.util.Locale;
import java.util.Set;

/**
 * Decides whether a WHERE (or a MERGE's ON) condition restricts the rows of the statement's target, as the server
 * would evaluate it. A condition bounds the statement only when every way it can be true depends on a column of the
 * target: {@code id = 5} does; {@code true}, {@code NOT false}, {@code 1 <> 2}, {@code id = 1 OR 1 = 1}, a join
 * condition that names only another relation ({@code u.x = 1}), an uncorrelated subquery ({@code EXISTS (SELECT 1
 * FROM u)}) and a parameter test ({@code ? IS NULL OR id = ?}) do not, since each can hold for every row. A column
 * qualified with another relation's name, or unqualified inside a subquery, is not the target's. A self-join on the
 * target's own columns ({@code t.id = t2.id} where {@code t2} is the target again) holds for every row. Only a
 * provably false condition ({@code false}, {@code 1 = 0}) bounds the statement to nothing.
 */
final class Conditions {

    /** Deeper parentheses than this are not looked into: the condition then counts as row-independent. */
    private static final int MAX_NESTING = 32;

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

    /**
     * The relations a condition can name, as lookup keys: the target (its name and alias), other relations that
     * are the target itself unrestricted (a self-join), and any other relation joined in.
     */
    static final class Scope {
        final String relation;
        final Set<String> target = new HashSet<>(4);
        /** Made on first use: most statements join nothing. */
        Set<String> mirrors = Set.of();
        Set<String> others = Set.of();
        /** CTEs of the statement that read a whole table, by name: joining one joins that table. */
        private final java.util.Map<String, String> cteTables;

        Scope(String relation) {
            this(relation, java.util.Map.of());
        }

        Scope(String relation, java.util.Map<String, String> cteTables) {
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

    /** Whether a literal's value decided part of the answer (the template of the statement does not tell it). */
    static final class Evaluation {
        boolean readsLiterals;
    }

    private Conditions() {
    }

    /** Words that can stand in a condition without naming a column. */
    private static final Set<String> NON_COLUMN_WORDS = Set.of("TRUE", "FALSE", "NULL", "NOT", "AND", "OR", "IS",
            "IN", "BETWEEN", "SYMMETRIC", "LIKE", "ILIKE", "SIMILAR", "TO", "ESCAPE", "DISTINCT", "FROM", "UNKNOWN",
            "CASE", "WHEN", "THEN", "ELSE", "END", "CAST", "AS", "ANY", "ALL", "SOME", "ARRAY", "INTERVAL", "COLLATE",
            "ISNULL", "NOTNULL", "CURRENT_DATE", "CURRENT_TIME", "CURRENT_TIMESTAMP", "LOCALTIME", "LOCALTIMESTAMP",
            "CURRENT_USER", "SESSION_USER", "USER", "CURRENT_ROLE", "EXISTS", "OVERLAPS", "AT", "ZONE", "TIME",
            "TIMESTAMP", "DATE", "WITH", "WITHOUT", "NORMALIZED", "OF", "DOCUMENT", "JSON", "OBJECT", "SCALAR",
            "VALUE", "KEYS", "UNIQUE", "DEFAULT", "ROW");

    /** Words that open a subquery right after a parenthesis. */
    private static boolean opensSubquery(SqlStatement st, int k) {
        return st.isWord(k, "SELECT") || st.isWord(k, "VALUES") || st.isWord(k, "WITH") || st.isWord(k, "TABLE");
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
                && !opensSubquery(st, from + 1)) {
            return or(st, from + 1, to - 1, scope, ev, nesting + 1);
        }
        return atom(st, from, to, scope, ev);
    }

    /** A predicate with no top-level AND, OR or NOT: a comparison, a test, a function call, a subquery. */
    private static Bound atom(SqlStatement st, int from, int to, Scope scope, Evaluation ev) {
        if (st.isWord(from, "EXISTS") && existsSelf(st, from + 1, to, scope, ev)) {
            return Bound.TRUE;
        }
        References refs = new References(scope);
        refs.scan(st, from, to, false, Set.of(), 0);
        if (refs.row) {
            return selfEvident(st, from, to, scope) ? Bound.TRUE : Bound.ROW;
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

    /**
     * Whether a predicate that names the target's columns still holds for every row: both sides of {@code =},
     * {@code >=}, {@code <=} or {@code IS NOT DISTINCT FROM} the same column ({@code id = id}), a column of the
     * target equal to the same column of a self-joined copy ({@code t.id = t2.id}), or a column in the same
     * column of the unrestricted target ({@code id IN (SELECT id FROM t)}).
     */
    private static boolean selfEvident(SqlStatement st, int from, int to, Scope scope) {
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
            } else if (op >= 0 && k == op + 1 && st.text(op).equals("=") && (st.isWord(k, "ANY") || st.isWord(k, "SOME"))
                    && st.is(k + 1, TokenType.LPAREN)) {
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
    private static boolean existsSelf(SqlStatement st, int open, int to, Scope scope, Evaluation ev) {
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
        return bound(st, where + 1, to - 1, self, ev) == Bound.TRUE;
    }

    /** {@code col IN (SELECT col FROM target)} with nothing restricting the subquery. */
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
        Cursor rel = new Cursor(st, fromWord + 1, to - 1);
        rel.word("ONLY");
        String name = rel.name();
        if (name == null || scope.relation == null || !Cursor.key(name).equals(Cursor.key(scope.relation))) {
            return false;
        }
        rel.word("AS");
        rel.name();
        return rel.atEnd();
    }

    /** The column key of a reference [from, to) qualified by one of {@code qualifiers}, or null. */
    private static String columnOf(SqlStatement st, int from, int to, Set<String> qualifiers) {
        if (to - from != 3 || !st.is(from + 1, TokenType.DOT) || !isName(st, from) || !isName(st, from + 2)) {
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

    /**
     * The column references of a predicate: whether any names the target's row. Inside a subquery, only a name
     * qualified with the target's name or alias does, unless the subquery brings a relation of that name itself.
     */
    private static final class References {
        private final Scope scope;
        boolean row;

        References(Scope scope) {
            this.scope = scope;
        }

        void scan(SqlStatement st, int from, int to, boolean inSubquery, Set<String> shadowed, int nesting) {
            if (nesting > MAX_NESTING) {
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
                if (st.is(k, TokenType.WORD)
                        && NON_COLUMN_WORDS.contains(st.text(k).toUpperCase(Locale.ROOT))) {
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
        FromList.read(st, fromWord + 1, fromItemsEnd(st, fromWord + 1, to),
                (name, alias, unrestricted) -> {
                    // An alias hides the relation's own name, as in the server.
                    if (alias != null) {
                        names.add(Cursor.key(alias));
                    } else if (name != null) {
                        names.add(Cursor.key(name));
                    }
                });
        return names;
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

    private static boolean isName(SqlStatement st, int k) {
        return st.is(k, TokenType.WORD) || st.is(k, TokenType.QUOTED_IDENT);
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
