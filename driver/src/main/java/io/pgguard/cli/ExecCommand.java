package io.pgguard.cli;

import io.pgguard.GuardBlockedException;
import io.pgguard.jdbc.GuardDriver;
import io.pgguard.sql.Lexer;
import io.pgguard.sql.SqlStatement;
import org.postgresql.core.BaseConnection;
import org.postgresql.core.TransactionState;

import java.io.InputStream;
import java.io.PrintStream;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Savepoint;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.Set;

/**
 * The {@code exec} command: runs SQL files against a live database through the same guard as the driver, statement
 * by statement, in the files' own transaction structure; stops at the first statement that is blocked or fails,
 * naming it as {@code file:line:column}, and runs nothing after it. {@code --dry-run} runs everything inside one
 * transaction that is rolled back.
 */
final class ExecCommand {

    private final InputStream in;
    private final PrintStream out;
    private final PrintStream err;

    ExecCommand(InputStream in, PrintStream out, PrintStream err) {
        this.in = in;
        this.out = out;
        this.err = err;
    }

    /** What happened to one statement. */
    record Outcome(String file, int index, int line, int column, String sql, String status, long rows,
                   long durationMs, String rule, String sqlState, String message) {
    }

    int run(String[] args) {
        CommandLine line;
        try {
            line = CommandLine.parse(args, Set.of("--url", "--format"), Set.of("--dry-run"));
        } catch (CommandLine.UsageException e) {
            return usage(e.getMessage());
        }
        String url = line.get("--url", null);
        boolean dryRun = line.has("--dry-run");
        String format = line.get("--format", "text");
        List<String> paths = line.rest();
        String pgUrl = CommandLine.pgjdbcUrl(url);
        if (pgUrl == null) {
            return usage("exec needs --url jdbc:postgresql://... (or jdbc:pgguard:postgresql://...)");
        }
        if (!"text".equals(format) && !"json".equals(format)) {
            return usage("--format is text or json");
        }
        if (paths.isEmpty()) {
            return usage("exec needs at least one FILE");
        }
        List<SourceFile> files;
        try {
            files = SourceFile.readAll(paths, in);
        } catch (SourceFile.InputException e) {
            err.println("pgguard: " + e.getMessage());
            return Main.ERROR;
        }
        for (SourceFile f : files) {
            String meta = metaCommand(f);
            if (meta != null) {
                err.println("pgguard: " + meta + "; exec sends SQL only (run the file with psql, or remove the "
                        + "meta-command); nothing was run");
                return Main.ERROR;
            }
        }
        String guardUrl = CommandLine.GUARD_URL + pgUrl.substring(CommandLine.PG_URL.length());
        List<Outcome> outcomes = new ArrayList<>();
        boolean stopped;
        String ending;
        try (Connection c = new GuardDriver().connect(guardUrl, new Properties())) {
            if (dryRun) {
                c.setAutoCommit(false);
            }
            stopped = runAll(c, files, dryRun, outcomes);
            ending = end(c, dryRun);
        } catch (SQLException e) {
            err.println("pgguard: cannot connect or run: " + e.getMessage() + " (SQLState " + e.getSQLState() + ")");
            report(outcomes, format, dryRun, null);
            return Main.ERROR;
        }
        report(outcomes, format, dryRun, ending);
        return stopped ? Main.FINDINGS : Main.CLEAN;
    }

    /** Runs the statements in order; true when one was blocked or failed (nothing after it ran). */
    private boolean runAll(Connection c, List<SourceFile> files, boolean dryRun, List<Outcome> outcomes)
            throws SQLException {
        for (SourceFile f : files) {
            int index = 0;
            for (SqlStatement st : Lexer.split(f.text())) {
                if (st.size() == 0) {
                    continue;
                }
                Outcome o = runOne(c, f.name(), index++, st, dryRun);
                outcomes.add(o);
                if (o.status().equals("blocked") || o.status().equals("failed")) {
                    return true;
                }
            }
        }
        return false;
    }

    private Outcome runOne(Connection c, String file, int index, SqlStatement st, boolean dryRun)
            throws SQLException {
        String sql = ScriptStatements.sent(st);
        if (dryRun && ScriptStatements.controlsTransaction(st)) {
            return outcome(file, index, st, "skipped", -1, 0, null, null,
                    "transaction control: a dry run keeps everything in its own transaction");
        }
        Savepoint sp = dryRun ? c.setSavepoint() : null;
        long start = System.nanoTime();
        try (Statement s = c.createStatement()) {
            boolean results = s.execute(sql);
            long rows = results ? -1 : s.getUpdateCount();
            long ms = (System.nanoTime() - start) / 1_000_000;
            if (sp != null) {
                c.releaseSavepoint(sp);
            }
            return outcome(file, index, st, "ran", rows, ms, null, null, null);
        } catch (GuardBlockedException e) {
            if (sp != null) {
                c.rollback(sp);
            }
            return outcome(file, index, st, "blocked", -1, 0, e.ruleId(), e.getSQLState(), e.getMessage());
        } catch (SQLException e) {
            long ms = (System.nanoTime() - start) / 1_000_000;
            if (sp != null) {
                c.rollback(sp);
                if (ScriptStatements.CANNOT_RUN_IN_TRANSACTION.equals(e.getSQLState())) {
                    return outcome(file, index, st, "skipped", -1, ms, null, e.getSQLState(),
                            "cannot run inside a transaction block, so not in a dry run: " + e.getMessage());
                }
            }
            return outcome(file, index, st, "failed", -1, ms, null, e.getSQLState(), e.getMessage());
        }
    }

    private static Outcome outcome(String file, int index, SqlStatement st, String status, long rows, long ms,
                                   String rule, String sqlState, String message) {
        return new Outcome(file, index, st.line(), st.column(), st.text(), status, rows, ms, rule, sqlState,
                message);
    }

    /**
     * How the run ended: a dry run is rolled back; a run that stopped inside a transaction the files opened has it
     * rolled back (nothing of it is committed); else null.
     */
    private static String end(Connection c, boolean dryRun) throws SQLException {
        if (dryRun) {
            c.rollback();
            return "dry run: everything was rolled back";
        }
        if (c.isWrapperFor(BaseConnection.class)
                && c.unwrap(BaseConnection.class).getTransactionState() != TransactionState.IDLE) {
            c.unwrap(BaseConnection.class).execSQLUpdate("ROLLBACK");
            return "the transaction the files opened was rolled back: nothing of it was committed";
        }
        return null;
    }

    /** The first psql meta-command (a line starting with a backslash outside strings and comments), or null. */
    static String metaCommand(SourceFile f) {
        String text = f.text();
        for (SqlStatement st : Lexer.split(text)) {
            for (int i = 0; i < st.size(); i++) {
                int at = st.token(i).start();
                if (text.charAt(at) != '\\') {
                    continue;
                }
                int lineStart = text.lastIndexOf('\n', at - 1) + 1;
                if (text.substring(lineStart, at).isBlank()) {
                    int line = 1;
                    for (int k = 0; k < at; k++) {
                        if (text.charAt(k) == '\n') {
                            line++;
                        }
                    }
                    int lineEnd = text.indexOf('\n', at);
                    String command = text.substring(at, lineEnd < 0 ? text.length() : lineEnd).strip();
                    return f.name() + ":" + line + ":" + (at - lineStart + 1) + ": psql meta-command "
                            + command.split("\\s+")[0] + " is not SQL";
                }
            }
        }
        return null;
    }

    private void report(List<Outcome> outcomes, String format, boolean dryRun, String ending) {
        if (format.equals("json")) {
            StringBuilder sb = new StringBuilder("[");
            for (int i = 0; i < outcomes.size(); i++) {
                Outcome o = outcomes.get(i);
                sb.append(i == 0 ? "\n" : ",\n").append("  {\"file\":").append(Json.str(o.file()))
                        .append(",\"statement_index\":").append(o.index()).append(",\"line\":").append(o.line())
                        .append(",\"column\":").append(o.column()).append(",\"sql\":").append(Json.str(o.sql()))
                        .append(",\"status\":").append(Json.str(o.status())).append(",\"rows\":")
                        .append(o.rows() < 0 ? "null" : String.valueOf(o.rows())).append(",\"duration_ms\":")
                        .append(o.durationMs()).append(",\"rule\":").append(Json.str(o.rule()))
                        .append(",\"sqlstate\":").append(Json.str(o.sqlState())).append(",\"message\":")
                        .append(Json.str(o.message())).append('}');
            }
            out.println(sb.append(outcomes.isEmpty() ? "]" : "\n]"));
            return;
        }
        for (Outcome o : outcomes) {
            StringBuilder line = new StringBuilder();
            line.append(o.file()).append(':').append(o.line()).append(':').append(o.column()).append(' ')
                    .append(o.status());
            if (o.rows() >= 0) {
                line.append(", ").append(o.rows()).append(o.rows() == 1 ? " row" : " rows");
            }
            if (o.status().equals("ran") || o.status().equals("failed")) {
                line.append(", ").append(o.durationMs()).append(" ms");
            }
            line.append(": ").append(ScriptStatements.firstLine(o.sql()));
            out.println(line);
            if (o.message() != null) {
                out.println("    " + (o.rule() != null ? o.rule() + ": " : "")
                        + (o.sqlState() != null && o.rule() == null ? "SQLState " + o.sqlState() + ": " : "")
                        + o.message());
            }
        }
        long ran = outcomes.stream().filter(o -> o.status().equals("ran")).count();
        Outcome last = outcomes.isEmpty() ? null : outcomes.get(outcomes.size() - 1);
        boolean stopped = last != null && (last.status().equals("blocked") || last.status().equals("failed"));
        out.println((dryRun ? "dry run: " : "") + ran + (ran == 1 ? " statement ran" : " statements ran")
                + (stopped ? "; stopped at " + last.file() + ":" + last.line() + ":" + last.column() + " ("
                + last.status() + "), nothing after it was run" : "")
                + (ending == null ? "" : "; " + ending));
    }

    private int usage(String message) {
        err.println("pgguard: " + message);
        err.println("usage: java -jar pgguard-cli.jar exec --url URL [--dry-run] [--format text|json] FILE...");
        return Main.ERROR;
    }
}
