package io.pgguard.cli;

import io.pgguard.sql.SqlStatement;

import java.util.Locale;

/** The statements of a SQL file as {@code exec} and {@code trace} run them against a live database. */
final class ScriptStatements {

    /** SQLSTATE 25001, active_sql_transaction: the statement cannot run inside a transaction block. */
    static final String CANNOT_RUN_IN_TRANSACTION = "25001";

    private ScriptStatements() {
    }

    /**
     * What is sent for a statement: its text with the comments that belong to it (a {@code pgguard:allow} comment
     * before it is an override), without the terminating semicolon.
     */
    static String sent(SqlStatement st) {
        int from = st.start();
        for (io.pgguard.sql.Comment comment : st.comments()) {
            from = Math.min(from, comment.start());
        }
        return st.source().substring(from, st.end());
    }

    /** BEGIN, START TRANSACTION, COMMIT, END, ROLLBACK (not TO a savepoint), ABORT and the two-phase commands. */
    static boolean controlsTransaction(SqlStatement st) {
        String first = st.size() > 0 ? st.text(0).toUpperCase(Locale.ROOT) : "";
        return switch (first) {
            case "BEGIN", "COMMIT", "END", "ABORT" -> true;
            case "START" -> st.isWords(0, "START", "TRANSACTION");
            case "ROLLBACK" -> !st.isWords(1, "TO");
            case "PREPARE" -> st.isWords(1, "TRANSACTION");
            default -> false;
        };
    }

    /** The statement's first line, for a report line. */
    static String firstLine(String sql) {
        String s = sql.strip();
        int nl = s.indexOf('\n');
        return nl < 0 ? s : s.substring(0, nl) + " ...";
    }
}
