package io.pgguard.classify;

import io.pgguard.sql.SqlStatement;
import io.pgguard.sql.Token;
import io.pgguard.sql.TokenType;

import java.util.List;
import java.util.Locale;

/**
 * Routines and prepared statements pgguard saw defined, judged where they are called: {@code CREATE FUNCTION f()
 * ... AS 'DELETE FROM t'} creates nothing dangerous, but a later {@code SELECT f()} or {@code CALL f()} in the same
 * run (the same string, an earlier string on the same connection, an earlier migration file) deletes every row, and
 * is classified so. The body is read as the server will run it: SQL (a string, {@code BEGIN ATOMIC ... END} or
 * {@code RETURN expr}) and PL/pgSQL; a body in another procedural language cannot be read, so calling it is
 * {@link Risk#UNKNOWN}. A routine pgguard did not see defined is judged by the call as written.
 */
final class Routines {

    private Routines() {
    }

    /** CREATE [OR REPLACE] FUNCTION | PROCEDURE name (args) ...; the cursor stands on FUNCTION or PROCEDURE. */
    static void create(Analysis a, Cursor c, Classifier classifier) {
        a.kind = "CREATE " + c.st.text(c.i).toUpperCase(Locale.ROOT);
        c.i++;
        String name = c.name();
        if (name == null) {
            return;
        }
        c.skipGroup();
        String language = null;
        Token body = null;
        int bodyFrom = -1;
        int bodyTo = -1;
        int depth = 0;
        for (int k = c.i; k < c.end; k++) {
            depth += Conditions.step(c.st, k);
            if (depth != 0) {
                continue;
            }
            if (c.st.isWord(k, "LANGUAGE") && k + 1 < c.end) {
                language = languageName(c.st, k + 1);
            } else if (c.st.isWord(k, "AS") && body == null && isString(c.st, k + 1)) {
                body = c.st.token(k + 1);
            } else if (c.st.isWords(k, "BEGIN", "ATOMIC")) {
                bodyFrom = k + 2;
                bodyTo = c.st.isWord(c.end - 1, "END") ? c.end - 1 : c.end;
                break;
            } else if (c.st.isWord(k, "RETURN")) {
                bodyFrom = k + 1;
                bodyTo = c.end;
                break;
            }
        }
        Analysis routine = new Analysis(a.statement, a.context.forRoutineBody(), classifier, a.depth + 1);
        if (bodyFrom >= 0) {
            atomic(routine, c.st, bodyFrom, bodyTo, classifier);
        } else if (body != null) {
            String text = ProceduralRules.unquote(c.st, body);
            String lang = language == null ? "sql" : language;
            switch (lang) {
                case "sql" -> {
                    for (SqlStatement st : routine.split(text)) {
                        routine.fold(classifier.nested(routine, st), false);
                    }
                }
                case "plpgsql" -> ProceduralRules.plpgsql(routine, text, classifier);
                case "c", "internal" -> {
                    // Compiled code an extension installs: judged by the call as written.
                }
                default -> ProceduralRules.dynamic(routine, "the body of " + name + " is in language "
                        + lang + ", which pgguard cannot read");
            }
        }
        a.context.defined(Context.callKey(name), routine.build());
    }

    /** The statements of a BEGIN ATOMIC body, or a RETURN expression, in [from, to). */
    private static void atomic(Analysis routine, SqlStatement st, int from, int to, Classifier classifier) {
        if (from > 0 && st.isWord(from - 1, "RETURN")) {
            calls(routine, st, from, to);
            return;
        }
        int start = from;
        for (int k = from; k <= to; k++) {
            if (k == to || st.is(k, TokenType.SEMICOLON)) {
                if (k > start) {
                    routine.fold(classifier.nested(routine, DataRules.sub(st, start, k)), false);
                }
                start = k + 1;
            }
        }
    }

    /** DROP FUNCTION | PROCEDURE | ROUTINE [IF EXISTS] name [(args)] [, ...]: forgets each; after the object word. */
    static void dropped(Analysis a, Cursor c) {
        c.ifExists();
        while (!c.atEnd()) {
            String name = c.name();
            if (name == null) {
                return;
            }
            a.context.undefined(Context.callKey(name));
            c.skipGroup();
            if (!c.take(TokenType.COMMA)) {
                return;
            }
        }
    }

    /** ALTER FUNCTION | PROCEDURE | ROUTINE name [(args)] RENAME TO new: the body goes with the name. */
    static void renamed(Analysis a, Cursor c) {
        String name = c.name();
        c.skipGroup();
        if (name != null && c.words("RENAME", "TO")) {
            String to = c.name();
            Classification body = a.context.routine(Context.callKey(name));
            if (to != null && body != null) {
                a.context.undefined(Context.callKey(name));
                a.context.defined(Context.callKey(to), body);
            }
        }
    }

    /**
     * Functions that run SQL text given as an argument (extensions' included): {@code dblink_exec('DELETE FROM t')}
     * runs the DELETE, in this database or another, and {@code query_to_xml} and {@code ts_stat} run their query.
     */
    private static final java.util.Set<String> RUN_SQL_TEXT = java.util.Set.of("dblink", "dblink_exec",
            "dblink_send_query", "dblink_open", "query_to_xml", "query_to_xmlschema", "query_to_xml_and_xmlschema",
            "ts_stat", "crosstab", "connectby");

    /**
     * The SQL text a statement hands to a function that runs it: a literal is classified as the statements it
     * holds; text computed at run time (a parameter, a column, a concatenation) cannot be checked.
     */
    static void sqlTextArguments(Analysis a) {
        SqlStatement st = a.statement;
        for (int k = 0; k + 1 < st.size(); k++) {
            if (!st.is(k, TokenType.WORD) || !st.is(k + 1, TokenType.LPAREN) || st.is(k - 1, TokenType.CAST)
                    || !RUN_SQL_TEXT.contains(Cursor.key(st.text(k)))) {
                continue;
            }
            // The verdict depends on the text of the literals: statements of one template do not share it.
            a.readsLiterals = true;
            Cursor args = new Cursor(st, k + 2, new Cursor(st, k + 1, st.size()).closing(k + 1));
            boolean sql = false;
            boolean computed = false;
            while (!args.atEnd()) {
                int end = args.nextTopLevel(args.i, TokenType.COMMA);
                if (end == args.i + 1 && isString(st, args.i)) {
                    String text = ProceduralRules.unquote(st, st.token(args.i));
                    List<SqlStatement> inner = a.split(text);
                    if (!inner.isEmpty() && Classifier.isCommand(new Cursor(inner.get(0)))) {
                        sql = true;
                        for (SqlStatement statement : inner) {
                            a.fold(a.classifier.nested(a, statement), false);
                        }
                    }
                } else if (end > args.i && !isConstant(st, args.i, end)) {
                    computed = true;
                }
                args.i = end + 1;
            }
            if (!sql && computed) {
                ProceduralRules.dynamic(a, Cursor.key(st.text(k)) + "() runs SQL text computed at run "
                        + "time, which cannot be checked before it runs");
            }
        }
    }

    /** Whether tokens [from, to) are a literal, a boolean or a number: not SQL text computed at run time. */
    private static boolean isConstant(SqlStatement st, int from, int to) {
        return to == from + 1 && (st.is(from, TokenType.NUMBER) || st.isWord(from, "TRUE")
                || st.isWord(from, "FALSE") || st.isWord(from, "NULL"));
    }

    /**
     * Words before a parenthesis that cannot be a call of a routine the user defined: SQL's reserved words and
     * constructs (a function of such a name can only be called qualified, and a qualified name is always recorded).
     */
    private static final java.util.Set<String> NOT_CALLS = java.util.Set.of("values", "in", "exists", "any", "all",
            "some", "array", "row", "as", "over", "filter", "within", "cast", "not", "and", "or", "select", "where",
            "when", "then", "else", "returns", "check", "unique", "primary", "foreign", "default", "case");
    /** Words after which a name before a parenthesis is a relation's ({@code INSERT INTO t (a)}), not a call. */
    private static final java.util.Set<String> NAMES_A_RELATION = java.util.Set.of("into", "table", "references",
            "index", "only", "view", "sequence", "domain", "extension", "schema", "constraint", "type");

    /**
     * Records the names the statement calls as routines ({@code name(}), so that a connection can look up what the
     * ones it did not see defined do ({@code pg_proc}). Errs towards recording: a name that is not a routine costs
     * one lookup per connection.
     */
    static void recordCalls(Analysis a) {
        SqlStatement st = a.statement;
        for (int k = 0; k + 1 < st.size(); k++) {
            if ((st.is(k, TokenType.WORD) || st.is(k, TokenType.QUOTED_IDENT)) && st.is(k + 1, TokenType.LPAREN)
                    && !st.is(k - 1, TokenType.CAST)) {
                boolean qualified = st.is(k - 1, TokenType.DOT);
                String key = Context.callKey(st.text(k));
                if (!qualified && st.is(k, TokenType.WORD) && NOT_CALLS.contains(key)) {
                    continue;
                }
                int before = k - 1;
                while (before >= 0 && st.is(before, TokenType.DOT)) {
                    before -= 2;
                }
                if (before >= 0 && st.is(before, TokenType.WORD)
                        && NAMES_A_RELATION.contains(st.text(before).toLowerCase(java.util.Locale.ROOT))) {
                    continue;
                }
                a.context.calls(st.text(k));
            }
        }
    }

    /** Every call in the statement of a routine or prepared statement known not to be safe: it does what it runs. */
    static void calls(Analysis a) {
        SqlStatement st = a.statement;
        if (st.isWord(0, "EXECUTE") && st.size() > 1) {
            called(a, st.text(1), a.context.routine(Context.preparedKey(st.text(1))));
        }
        calls(a, st, 0, st.size());
    }

    private static void calls(Analysis a, SqlStatement st, int from, int to) {
        for (int k = from; k < to; k++) {
            if ((st.is(k, TokenType.WORD) || st.is(k, TokenType.QUOTED_IDENT)) && st.is(k + 1, TokenType.LPAREN)) {
                called(a, st.text(k), a.context.routine(Context.callKey(st.text(k))));
            }
        }
    }

    private static void called(Analysis a, String name, Classification body) {
        if (body == null) {
            return;
        }
        for (Finding f : body.findings()) {
            a.find(f.rule().finding(f.risk(), "calls " + name + ", which runs: " + f.message()));
        }
        if (body.lock() != null) {
            a.lock(body.lock());
            if (a.table == null) {
                a.table = body.table();
            }
        }
        a.rewrite |= body.rewrite();
    }

    private static boolean isString(SqlStatement st, int k) {
        return st.is(k, TokenType.STRING) || st.is(k, TokenType.DOLLAR_STRING);
    }

    /** The language named at token k: a word, a quoted identifier or a string, folded as the server folds it. */
    static String languageName(SqlStatement st, int k) {
        if (st.is(k, TokenType.STRING) || st.is(k, TokenType.DOLLAR_STRING)) {
            return ProceduralRules.unquote(st, st.token(k)).toLowerCase(Locale.ROOT);
        }
        return Cursor.key(st.text(k));
    }
}
