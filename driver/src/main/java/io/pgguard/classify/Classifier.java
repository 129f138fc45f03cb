package io.pgguard.classify;

import io.pgguard.sql.SqlStatement;
import io.pgguard.sql.TokenType;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Classifies statements for one PostgreSQL major version: reads the command, hands it to its rule family, then
 * applies the rules that hold for every statement (identifier length, mixed DDL and DML). Never throws: a
 * statement it cannot analyse is {@link Risk#UNKNOWN}.
 */
public final class Classifier {

    public static final int DEFAULT_PG_MAJOR = 17;
    public static final int MIN_PG_MAJOR = 11;
    public static final int MAX_PG_MAJOR = 18;

    /** How deep DO bodies, CTEs and EXECUTE strings may nest before the statement counts as unreadable. */
    private static final int MAX_NESTING = 16;

    private final int pgMajor;

    public Classifier(int pgMajor) {
        if (pgMajor < MIN_PG_MAJOR || pgMajor > MAX_PG_MAJOR) {
            throw new IllegalArgumentException("PostgreSQL " + pgMajor + " is not supported; use "
                    + MIN_PG_MAJOR + " to " + MAX_PG_MAJOR);
        }
        this.pgMajor = pgMajor;
    }

    public int pgMajor() {
        return pgMajor;
    }

    /**
     * Classifies the statements of one migration file in order, each seeing what the earlier ones did; then drops
     * findings that a later statement of the file makes moot (an explicit identity insert followed by setval).
     */
    public List<Classification> classifyFile(List<SqlStatement> statements, Context context) {
        context.startFile();
        List<Classification> out = new ArrayList<>(statements.size());
        for (SqlStatement st : statements) {
            out.add(classify(st, context));
        }
        finishFile(out);
        return out;
    }

    /** What the whole of a migration file tells about its statements, once each was classified in order. */
    public void finishFile(List<Classification> file) {
        DataRules.dropMootIdentityInserts(file);
    }

    /**
     * Where the last statement of a migration file that calls {@code setval} starts, or -1: an explicit identity
     * insert before it is moot ({@link #afterFile}). Lexes the file only when its text mentions setval at all.
     */
    public static int lastSetvalCall(String file) {
        return DataRules.lastSetvalCall(file);
    }

    /**
     * A classification of a migration file's statement, with what the rest of the file makes moot taken out, given
     * {@link #lastSetvalCall} of the file: the same as {@link #finishFile} does to a list, one statement at a time.
     */
    public Classification afterFile(Classification c, int lastSetvalCall) {
        return DataRules.mootIdentityInsert(c, lastSetvalCall);
    }

    /** Classifies one statement in a context. A classifier is immutable; a context belongs to one run. */
    public Classification classify(SqlStatement statement, Context context) {
        return classify(statement, context, 0);
    }

    /** Classifies a statement found inside the one {@code parent} analyses (a CTE, a DO body, EXPLAIN's target). */
    Classification nested(Analysis parent, SqlStatement statement) {
        return classify(statement, parent.context, parent.depth + 1);
    }

    private Classification classify(SqlStatement statement, Context context, int depth) {
        Analysis a = new Analysis(statement, context, this, depth);
        if (!statement.readable()) {
            a.kind = statement.is(0, TokenType.WORD) ? statement.text(0).toUpperCase(Locale.ROOT) : "UNKNOWN";
            ProceduralRules.unreadable(a, statement.error().message() + " at line "
                    + statement.error().line() + ", column " + statement.error().column());
            return a.build();
        }
        if (depth > MAX_NESTING) {
            ProceduralRules.unreadable(a, "statements nested more than " + MAX_NESTING + " deep");
            return a.build();
        }
        if (continuesAString(statement)) {
            // 'a'<newline>'b' is one literal to the server, read in the first part's mode (E'' escapes go on into
            // the continuation): pgguard and pgjdbc read the parts apart, so what the statement holds is uncertain.
            ProceduralRules.unreadable(a, "a string literal continues on a new line ('...'<newline>'...'), which "
                    + "the server joins into one literal; write it as one literal");
        }
        if (context.stringsUncertain() && statement.readsBackslashes()) {
            ProceduralRules.unreadable(a, "a '...' string holds a backslash, and the server may read it with or "
                    + "without backslash escapes here (standard_conforming_strings "
                    + (context.standardStrings() == null ? "cannot be told" : "changed earlier in the same string")
                    + "); use E'...' for escapes or $$...$$ for text");
        }
        try {
            dispatch(a, new Cursor(statement));
            boolean defines = a.kind.equals("CREATE FUNCTION") || a.kind.equals("CREATE PROCEDURE");
            if (a.context.knowsRoutines() && !defines) {
                Routines.calls(a);
            }
            if (!defines) {
                Routines.recordCalls(a);
                Routines.sqlTextArguments(a);
                SessionRules.setConfig(a);
            }
            if (a.kind != null && (a.kind.startsWith("CREATE") || a.kind.startsWith("ALTER"))) {
                TypeRules.checkIdentifierLengths(a);
            }
            DataRules.checkMixed(a);
        } catch (RuntimeException | StackOverflowError e) {
            // Fail closed: whatever could not be analysed is unknown, never safe.
            ProceduralRules.unreadable(a, "statement could not be analysed: " + e.getClass().getSimpleName());
        }
        return a.build();
    }

    private void dispatch(Analysis a, Cursor c) {
        if (c.peek(TokenType.LPAREN)) {
            DataRules.select(a, c);
            return;
        }
        if (c.peek(TokenType.OTHER) && c.st.text(c.i).equals("{")) {
            // JDBC escape: {call f(?)} or {? = call f(?)}.
            a.kind = "CALL";
            return;
        }
        if (!c.peek(TokenType.WORD)) {
            a.kind = "UNKNOWN";
            ProceduralRules.unrecognized(a, null);
            return;
        }
        String command = c.st.text(c.i).toUpperCase(Locale.ROOT);
        c.i++;
        switch (command) {
            case "SELECT", "VALUES", "TABLE" -> {
                c.i--;
                DataRules.select(a, c);
            }
            case "PERFORM" -> DataRules.select(a, c);
            case "WITH" -> DataRules.with(a, c, this);
            case "INSERT" -> DataRules.insert(a, c);
            case "UPDATE" -> DataRules.update(a, c);
            case "DELETE" -> DataRules.delete(a, c);
            case "MERGE" -> DataRules.merge(a, c);
            case "COPY" -> DataRules.copy(a, c, this);
            case "TRUNCATE" -> DropRules.truncate(a, c);
            case "DROP" -> {
                if (c.peek("FUNCTION") || c.peek("PROCEDURE") || c.peek("ROUTINE")) {
                    Routines.dropped(a, new Cursor(c.st, c.i + 1, c.end));
                }
                DropRules.drop(a, c);
            }
            case "CREATE" -> {
                c.words("OR", "REPLACE");
                if (c.peek("FUNCTION") || c.peek("PROCEDURE")) {
                    Routines.create(a, c, this);
                } else {
                    CreateStatements.create(a, c);
                }
            }
            case "ALTER" -> {
                if (c.peek("FUNCTION") || c.peek("PROCEDURE") || c.peek("ROUTINE")) {
                    Routines.renamed(a, new Cursor(c.st, c.i + 1, c.end));
                }
                if (c.word("TABLE") || c.words("FOREIGN", "TABLE")) {
                    AlterStatements.alterTable(a, c);
                } else {
                    AlterStatements.alterOther(a, c);
                }
            }
            case "REINDEX" -> IndexRules.reindex(a, c);
            case "VACUUM" -> MaintenanceRules.vacuum(a, c);
            case "CLUSTER" -> MaintenanceRules.cluster(a, c);
            case "LOCK" -> MaintenanceRules.lock(a, c);
            case "ANALYZE", "ANALYSE" -> {
                a.kind = "ANALYZE";
                c.skipGroup();
                c.word("VERBOSE");
                a.table = c.name();
                a.lock(LockMode.SHARE_UPDATE_EXCLUSIVE);
            }
            case "REFRESH" -> {
                c.words("MATERIALIZED", "VIEW");
                MaintenanceRules.refresh(a, c);
            }
            case "DO" -> ProceduralRules.doBlock(a, c, this);
            case "EXPLAIN" -> ProceduralRules.explain(a, c, this);
            case "PREPARE" -> {
                if (c.peek("TRANSACTION")) {
                    a.kind = "PREPARE TRANSACTION";
                } else {
                    ProceduralRules.prepare(a, c, this);
                }
            }
            case "COMMENT" -> AlterStatements.comment(a, c);
            case "DEALLOCATE" -> {
                a.kind = "DEALLOCATE";
                c.word("PREPARE");
                String name = c.name();
                if (name != null) {
                    a.context.undefined(Context.preparedKey(name));
                }
            }
            case "SET" -> SessionRules.set(a, c);
            case "RESET" -> SessionRules.reset(a, c);
            case "BEGIN", "START" -> {
                a.kind = "BEGIN";
                a.context.transactionBegan();
            }
            case "COMMIT", "END", "ROLLBACK", "ABORT" -> {
                a.kind = command.equals("END") ? "COMMIT" : command.equals("ABORT") ? "ROLLBACK" : command;
                if (!c.peek("PREPARED") && !c.peek("TO")) {
                    boolean chain = new Cursor(c.st, c.i, c.end).findTopLevelWord(c.i, "CHAIN") >= 0
                            && !c.contains(c.i, c.end, "NO");
                    a.context.transactionEnded(a.kind.equals("COMMIT"));
                    if (chain) {
                        a.context.transactionBegan();
                    }
                }
            }
            default -> {
                if (KNOWN_COMMANDS.contains(command)) {
                    a.kind = command;
                } else {
                    a.kind = "UNKNOWN";
                    ProceduralRules.unrecognized(a, "Unrecognised command " + shorten(command));
                }
            }
        }
    }

    /** Whether a string literal is followed, across whitespace holding a newline, by a {@code '...'} literal. */
    private static boolean continuesAString(SqlStatement st) {
        for (int k = 0; k + 1 < st.size(); k++) {
            if (st.is(k, io.pgguard.sql.TokenType.STRING) && st.is(k + 1, io.pgguard.sql.TokenType.STRING)
                    && st.source().charAt(st.token(k + 1).start()) == '\''
                    && st.source().substring(st.token(k).end(), st.token(k + 1).start()).indexOf('\n') >= 0) {
                return true;
            }
        }
        return false;
    }

    /** Commands that take no table lock worth reporting and carry no rule. */
    private static final java.util.Set<String> KNOWN_COMMANDS = java.util.Set.of("SHOW", "SAVEPOINT", "RELEASE",
            "GRANT", "REVOKE", "SECURITY", "LISTEN", "NOTIFY", "UNLISTEN", "LOAD", "DISCARD", "DECLARE",
            "FETCH", "MOVE", "CLOSE", "CHECKPOINT", "REASSIGN", "IMPORT", "CALL", "EXECUTE");

    /** Whether the cursor stands at a SQL command word (used inside PL/pgSQL bodies). */
    static boolean isCommand(Cursor c) {
        if (!c.peek(TokenType.WORD)) {
            return c.peek(TokenType.LPAREN);
        }
        String w = c.st.text(c.i).toUpperCase(Locale.ROOT);
        return switch (w) {
            case "SELECT", "PERFORM", "VALUES", "TABLE", "WITH", "INSERT", "UPDATE", "DELETE", "MERGE", "COPY", "TRUNCATE",
                    "DROP", "CREATE", "ALTER", "REINDEX", "VACUUM", "CLUSTER", "LOCK", "ANALYZE", "REFRESH",
                    "EXPLAIN", "SET", "RESET", "GRANT", "REVOKE", "COMMENT", "CALL" -> true;
            default -> false;
        };
    }


    private static String shorten(String s) {
        return s.length() <= 30 ? s : s.substring(0, 27) + "...";
    }
}
