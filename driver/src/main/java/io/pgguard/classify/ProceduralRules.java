package io.pgguard.classify;

import io.pgguard.sql.SqlStatement;
import io.pgguard.sql.Token;
import io.pgguard.sql.TokenType;

import java.util.List;

/**
 * Statements that hide others: DO blocks (their static SQL and the literal SQL given to EXECUTE), EXPLAIN ANALYZE
 * and PREPARE; and what cannot be read at all, which is {@link Risk#UNKNOWN} so that it fails closed.
 */
final class ProceduralRules {

    static final Rule UNREADABLE_SQL = new Rule("unreadable-sql", Risk.UNKNOWN,
            "The statement could not be read (unterminated string, comment or body), so what it does is unknown",
            "Fix the SQL; an unreadable statement is blocked against non-local databases",
            "-- close every ', \", $tag$ and /* so the statement ends where PostgreSQL would end it");
    static final Rule DYNAMIC_SQL = new Rule("dynamic-sql", Risk.UNKNOWN,
            "EXECUTE of a computed string (format(), concatenation, a variable) cannot be checked before it runs",
            "Write the statements statically, or run them from a reviewed migration with an explicit override",
            "/* pgguard:allow dynamic-sql reason=\"partition maintenance, reviewed in PR 1234\" */ DO $$ ... $$;");
    static final Rule UNRECOGNIZED_STATEMENT = new Rule("unrecognized-statement", Risk.UNKNOWN,
            "The statement does not start with a PostgreSQL command pgguard knows",
            "Check the SQL; if it is valid PostgreSQL, report it so pgguard learns it",
            "-- for example a psql meta-command such as \\i cannot be sent through JDBC");

    static final List<Rule> RULES = List.of(UNREADABLE_SQL, DYNAMIC_SQL, UNRECOGNIZED_STATEMENT);

    private ProceduralRules() {
    }

    /** The statement could not be read or analysed: unknown, so that it fails closed. */
    static void unreadable(Analysis a, String why) {
        a.find(UNREADABLE_SQL, why);
    }

    /** The statement is no PostgreSQL command pgguard knows; {@code why} may be null for the rule's message. */
    static void unrecognized(Analysis a, String why) {
        if (why == null) {
            a.find(UNRECOGNIZED_STATEMENT);
        } else {
            a.find(UNRECOGNIZED_STATEMENT, why);
        }
    }

    /** What a statement runs cannot be read before it runs (computed SQL, a body in another language). */
    static void dynamic(Analysis a, String why) {
        a.find(DYNAMIC_SQL, why);
    }

    /** DO [LANGUAGE l] body [LANGUAGE l]; the cursor stands after DO. */
    static void doBlock(Analysis a, Cursor c, Classifier classifier) {
        a.kind = "DO";
        String language = "plpgsql";
        Token body = null;
        while (!c.atEnd()) {
            if (c.word("LANGUAGE")) {
                language = c.atEnd() ? language : Routines.languageName(c.st, c.i);
                c.i++;
            } else {
                Token t = c.st.token(c.i++);
                if (t.type() == TokenType.STRING || t.type() == TokenType.DOLLAR_STRING) {
                    body = t;
                }
            }
        }
        if (body == null) {
            return;
        }
        if (!language.equals("plpgsql")) {
            a.find(DYNAMIC_SQL, "DO block in language " + language + " cannot be read");
            return;
        }
        plpgsql(a, unquote(c.st, body), classifier);
    }

    /** Classifies the SQL a PL/pgSQL body runs, statement by statement, and folds it into the analysis. */
    static void plpgsql(Analysis a, String body, Classifier classifier) {
        for (SqlStatement chunk : a.split(body)) {
            if (!chunk.readable()) {
                a.find(UNREADABLE_SQL, "DO body: " + chunk.error());
                continue;
            }
            Cursor c = new Cursor(chunk);
            if (!skipControl(a, c, classifier)) {
                continue;
            }
            if (c.word("EXECUTE")) {
                execute(a, c, classifier);
            } else if (!c.atEnd() && Classifier.isCommand(c) && !isAssignment(c)) {
                a.fold(classifier.nested(a, DataRules.sub(chunk, c.i, c.end)), false);
            }
        }
    }

    /**
     * Skips PL/pgSQL control words in front of a statement ({@code BEGIN}, labels, {@code IF ... THEN},
     * {@code WHILE ... LOOP}, {@code FOR r IN query LOOP}, whose query is classified). Returns false when the
     * chunk holds no SQL statement (a declaration, {@code END IF}).
     */
    private static boolean skipControl(Analysis a, Cursor c, Classifier classifier) {
        while (!c.atEnd()) {
            if (c.peek(TokenType.OPERATOR) && c.st.text(c.i).equals("<<")) {
                c.i = Math.min(c.end, c.i + 3);
            } else if (c.word("DECLARE") || c.peek("END")) {
                return false;
            } else if (c.word("BEGIN") || c.word("ELSE") || c.word("LOOP") || c.word("EXCEPTION")
                    || c.words("RETURN", "QUERY")) {
                // block and branch starts
            } else if (c.word("IF") || c.word("ELSIF") || c.word("ELSEIF") || c.word("WHEN") || c.word("CASE")) {
                int then = skipTo(c, "THEN");
                if (then < 0) {
                    return false;
                }
                c.i = then + 1;
            } else if (c.word("WHILE")) {
                int loop = skipTo(c, "LOOP");
                if (loop < 0) {
                    return false;
                }
                c.i = loop + 1;
            } else if (c.word("FOR") || c.word("FOREACH")) {
                // IN is searched only up to this FOR's LOOP, so a body of many FORs stays linear.
                int loop = skipTo(c, "LOOP");
                int in = loop < 0 ? -1 : new Cursor(c.st, c.i, loop).findTopLevelWord(c.i, "IN");
                if (in < 0 || loop < 0) {
                    return false;
                }
                Cursor query = new Cursor(c.st, in + 1, loop);
                if (query.word("EXECUTE")) {
                    execute(a, query, classifier);
                } else if (Classifier.isCommand(query)) {
                    a.fold(classifier.nested(a, DataRules.sub(c.st, query.i, loop)), false);
                }
                c.i = loop + 1;
            } else {
                return true;
            }
        }
        return false;
    }

    /** The next top-level {@code word} outside SQL CASE ... END, or -1. */
    private static int skipTo(Cursor c, String word) {
        int caseDepth = 0;
        int depth = 0;
        for (int k = c.i; k < c.end; k++) {
            TokenType t = c.st.type(k);
            if (t == TokenType.LPAREN) {
                depth++;
            } else if (t == TokenType.RPAREN) {
                depth--;
            } else if (depth == 0 && c.st.isWord(k, "CASE")) {
                caseDepth++;
            } else if (depth == 0 && caseDepth > 0 && c.st.isWord(k, "END")) {
                caseDepth--;
            } else if (depth == 0 && caseDepth == 0 && c.st.isWord(k, word)) {
                return k;
            }
        }
        return -1;
    }

    /** EXECUTE expr [INTO ...] [USING ...]: literal SQL is classified, anything computed is unknown. */
    private static void execute(Analysis a, Cursor c, Classifier classifier) {
        int end = c.end;
        int into = c.findTopLevelWord(c.i, "INTO");
        int using = c.findTopLevelWord(c.i, "USING");
        if (into >= 0) {
            end = Math.min(end, into);
        }
        if (using >= 0) {
            end = Math.min(end, using);
        }
        StringBuilder sql = new StringBuilder();
        for (int k = c.i; k < end; k++) {
            Token t = c.st.token(k);
            boolean literal = t.type() == TokenType.STRING || t.type() == TokenType.DOLLAR_STRING;
            boolean concat = t.type() == TokenType.OPERATOR && c.st.text(k).equals("||");
            if (literal) {
                sql.append(unquote(c.st, t));
            } else if (!concat) {
                a.find(DYNAMIC_SQL);
                return;
            }
        }
        if (sql.length() == 0) {
            a.find(DYNAMIC_SQL);
            return;
        }
        for (SqlStatement inner : a.split(sql.toString())) {
            a.fold(classifier.nested(a, inner), false);
        }
    }

    private static boolean isAssignment(Cursor c) {
        return c.st.is(c.i + 1, TokenType.COLON)
                || c.st.is(c.i + 1, TokenType.OPERATOR) && c.st.text(c.i + 1).startsWith("=");
    }

    /** The text of a string or dollar-quoted literal, with quotes removed and escapes resolved. */
    static String unquote(SqlStatement st, Token t) {
        String src = st.source();
        if (t.type() == TokenType.DOLLAR_STRING) {
            return src.substring(t.bodyStart(), t.bodyEnd());
        }
        if (t.type() != TokenType.STRING) {
            return src.substring(t.start(), t.end());
        }
        int open = src.indexOf('\'', t.start());
        boolean escapes = open > t.start() && Character.toLowerCase(src.charAt(t.start())) == 'e';
        int close = t.end() - 1;
        if (close <= open || src.charAt(close) != '\'') {
            close = t.end();
        }
        StringBuilder out = new StringBuilder(close - open);
        for (int i = open + 1; i < close; i++) {
            char ch = src.charAt(i);
            if (ch == '\'' && i + 1 < close && src.charAt(i + 1) == '\'') {
                out.append('\'');
                i++;
            } else if (escapes && ch == '\\' && i + 1 < close) {
                char n = src.charAt(++i);
                out.append(switch (n) {
                    case 'n' -> '\n';
                    case 't' -> '\t';
                    case 'r' -> '\r';
                    case 'b' -> '\b';
                    case 'f' -> '\f';
                    default -> n;
                });
            } else {
                out.append(ch);
            }
        }
        return out.toString();
    }

    /** EXPLAIN [ANALYZE] [VERBOSE] statement or EXPLAIN (options) statement; the cursor stands after EXPLAIN. */
    static void explain(Analysis a, Cursor c, Classifier classifier) {
        boolean analyze = false;
        if (c.peek(TokenType.LPAREN)) {
            int close = c.closing(c.i);
            for (int k = c.i + 1; k < close; k++) {
                if ((c.st.isWord(k, "ANALYZE") || c.st.isWord(k, "ANALYSE")) && !Cursor.isFalse(c.st, k + 1)) {
                    analyze = true;
                }
            }
            c.i = close + 1;
        } else {
            while (true) {
                // Options in the old syntax.
                if (c.word("ANALYZE") || c.word("ANALYSE")) {
                    analyze = true;
                } else if (!c.word("VERBOSE")) {
                    break;
                }
            }
        }
        if (!analyze) {
            a.kind = "EXPLAIN";
            return;
        }
        a.kind = "EXPLAIN ANALYZE";
        a.fold(classifier.nested(a, DataRules.sub(c.st, c.i, c.end)), false);
    }

    /** PREPARE name [(types)] AS statement: classified as the statement it will run. */
    static void prepare(Analysis a, Cursor c, Classifier classifier) {
        a.kind = "PREPARE";
        String name = c.name();
        c.skipGroup();
        c.word("AS");
        Classification prepared = classifier.nested(a, DataRules.sub(c.st, c.i, c.end));
        a.fold(prepared, false);
        if (name != null) {
            a.context.defined(Context.preparedKey(name), prepared);
        }
    }
}
