package io.pgguard.cli;

import io.pgguard.classify.Classification;
import io.pgguard.classify.Classifier;
import io.pgguard.classify.LockMode;
import io.pgguard.policy.Action;
import io.pgguard.policy.Guard;
import io.pgguard.policy.GuardConfig;
import io.pgguard.policy.Target;

import java.io.InputStream;
import java.io.PrintStream;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Savepoint;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeMap;

/**
 * The {@code trace} command, a dry run: runs the files against a live database inside one transaction that is never
 * committed (rolled back at the end, and by the server if the client dies), and reports per statement the table
 * locks its backend newly took ({@code pg_locks}), the relations it rewrote ({@code relfilenode} changed), rows and
 * time, beside what the static classification said. Refuses a non-local target unless {@code --allow-remote}, and
 * sets {@code lock_timeout} so that it never queues traffic behind it.
 */
final class TraceCommand {


    /** Relation locks this backend holds: schema-qualified name and mode, a row per mode. */
    private static final String LOCKS = """
            SELECT n.nspname || '.' || c.relname, l.mode
            FROM pg_locks l JOIN pg_class c ON c.oid = l.relation JOIN pg_namespace n ON n.oid = c.relnamespace
            WHERE l.pid = pg_backend_pid() AND l.locktype = 'relation' AND l.granted
              AND n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname NOT LIKE 'pg_toast%'""";

    /** The storage file of every user relation, to see which ones a statement rewrote. */
    private static final String FILENODES = """
            SELECT c.oid, n.nspname || '.' || c.relname, c.relfilenode
            FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
            WHERE c.relkind IN ('r', 'm', 't', 'i', 'p') AND c.relfilenode <> 0
              AND n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname NOT LIKE 'pg_toast%'""";

    private final InputStream in;
    private final PrintStream out;
    private final PrintStream err;

    TraceCommand(InputStream in, PrintStream out, PrintStream err) {
        this.in = in;
        this.out = out;
        this.err = err;
    }

    /** One statement as traced: its lint line, what the server did, and how it went. */
    record Traced(LintedStatement lint, String status, Map<String, String> locks, List<String> rewritten,
                  long rows, long durationMs, String message) {
    }

    int run(String[] args) {
        CommandLine line;
        try {
            line = CommandLine.parse(args, Set.of("--url", "--format", "--lock-timeout"), Set.of("--allow-remote"));
        } catch (CommandLine.UsageException e) {
            return usage(e.getMessage());
        }
        String url = line.get("--url", null);
        String format = line.get("--format", "text");
        String lockTimeout = line.get("--lock-timeout", "2s");
        boolean allowRemote = line.has("--allow-remote");
        List<String> paths = line.rest();
        if (CommandLine.pgjdbcUrl(url) == null) {
            return usage("trace needs --url jdbc:postgresql://... (or jdbc:pgguard:postgresql://...)");
        }
        if (!List.of("text", "json", "markdown").contains(format)) {
            return usage("--format is text, json or markdown");
        }
        if (lockTimeout == null || !lockTimeout.matches("\\d+(ms|s|min)?")) {
            return usage("--lock-timeout is a duration such as 2s, 500ms or 1min");
        }
        if (paths.isEmpty()) {
            return usage("trace needs at least one FILE");
        }
        Map<String, String> settings = new LinkedHashMap<>();
        String pgUrl = GuardConfig.settingsFromUrl(CommandLine.pgjdbcUrl(url), settings);
        GuardConfig config;
        List<SourceFile> files;
        try {
            config = GuardConfig.load(settings, System.getProperties(), System.getenv(), false);
            files = SourceFile.readAll(paths, in);
        } catch (GuardConfig.ConfigException | SourceFile.InputException e) {
            err.println("pgguard trace: " + e.getMessage());
            return Main.ERROR;
        }
        Target target = Target.of(pgUrl, new Properties(), config);
        if (!target.local() && !allowRemote) {
            err.println("pgguard trace: " + target.description() + " is not local (" + target.reason() + "): trace "
                    + "runs every statement, rolled back; pass --allow-remote to trace it anyway");
            return Main.ERROR;
        }
        List<Traced> traced = new ArrayList<>();
        try (Connection c = DriverManager.getConnection(pgUrl)) {
            c.setAutoCommit(false);
            int major = c.getMetaData().getDatabaseMajorVersion();
            Guard guard = new Guard(new Classifier(Math.max(Classifier.MIN_PG_MAJOR,
                    Math.min(Classifier.MAX_PG_MAJOR, major))), target, config.policy());
            Linter linter = new Linter(guard);
            try (Statement s = c.createStatement()) {
                // the transaction's own: a lock queue fails fast instead of holding traffic behind the trace
                s.execute("SET LOCAL lock_timeout = '" + lockTimeout + "'");
            }
            try {
                traceAll(c, files, linter, traced);
            } finally {
                c.rollback();
            }
        } catch (SQLException e) {
            err.println("pgguard trace: cannot connect or trace: " + e.getMessage() + " (SQLState "
                    + e.getSQLState() + ")");
            return Main.ERROR;
        }
        report(traced, format);
        boolean blocked = traced.stream().anyMatch(t -> t.lint().decision().action() == Action.BLOCK);
        boolean failed = traced.stream().anyMatch(t -> t.status().equals("failed"));
        return blocked || failed ? Main.FINDINGS : Main.CLEAN;
    }

    private void traceAll(Connection c, List<SourceFile> files, Linter linter, List<Traced> traced)
            throws SQLException {
        java.util.Set<String> held = locks(c);
        Map<Long, Node> nodes = filenodes(c);
        for (SourceFile f : files) {
            for (LintedStatement ls : linter.lint(f)) {
                if (ls.statement().size() == 0) {
                    continue;
                }
                Classification cl = ls.classification();
                if (ScriptStatements.controlsTransaction(ls.statement())) {
                    traced.add(new Traced(ls, "skipped", Map.of(), List.of(), -1, 0,
                            "transaction control: a trace keeps everything in its own transaction"));
                    continue;
                }
                Savepoint sp = c.setSavepoint();
                long start = System.nanoTime();
                long rows;
                try (Statement s = c.createStatement()) {
                    boolean results = s.execute(ScriptStatements.sent(ls.statement()));
                    rows = results ? -1 : s.getUpdateCount();
                } catch (SQLException e) {
                    long ms = (System.nanoTime() - start) / 1_000_000;
                    c.rollback(sp);
                    if (ScriptStatements.CANNOT_RUN_IN_TRANSACTION.equals(e.getSQLState())) {
                        traced.add(new Traced(ls, "skipped", Map.of(), List.of(), -1, ms,
                                "cannot run inside a transaction block; its documented lock: "
                                        + (cl.lock() == null ? "none" : cl.lock().pgName())));
                        continue;
                    }
                    traced.add(new Traced(ls, "failed", Map.of(), List.of(), -1, ms,
                            "SQLState " + e.getSQLState() + ": " + e.getMessage()));
                    return;
                }
                long ms = (System.nanoTime() - start) / 1_000_000;
                c.releaseSavepoint(sp);
                java.util.Set<String> now = locks(c);
                Map<String, String> taken = new TreeMap<>();
                for (String lock : now) {
                    if (held.contains(lock)) {
                        continue;
                    }
                    int cut = lock.indexOf('\u0000');
                    String rel = lock.substring(0, cut);
                    String mode = lock.substring(cut + 1);
                    String before = taken.get(rel);
                    if (before == null || LockMode.fromPgName(mode).compareTo(LockMode.fromPgName(before)) > 0) {
                        taken.put(rel, mode);
                    }
                }
                held.addAll(now);
                Map<Long, Node> after = filenodes(c);
                // a new file under the same relation, or the relation dropped and made again under its name (an
                // index of a column whose type changed is rebuilt so)
                java.util.Set<String> namesBefore = new java.util.HashSet<>();
                nodes.values().forEach(n -> namesBefore.add(n.name()));
                List<String> rewritten = new ArrayList<>();
                after.forEach((oid, node) -> {
                    Node was = nodes.get(oid);
                    if (was != null ? was.filenode() != node.filenode() : namesBefore.contains(node.name())) {
                        rewritten.add(node.name());
                    }
                });
                rewritten.sort(null);
                nodes.clear();
                nodes.putAll(after);
                traced.add(new Traced(ls, "ran", taken, rewritten, rows, ms, differences(cl, taken, rewritten)));
            }
        }
    }

    /** Where the server did not do what the classification said: null when it agrees. */
    private static String differences(Classification cl, Map<String, String> taken, List<String> rewritten) {
        List<String> out = new ArrayList<>();
        if (cl.table() != null && cl.lock() != null) {
            String observed = null;
            for (Map.Entry<String, String> e : taken.entrySet()) {
                if (e.getKey().equals(cl.table()) || e.getKey().endsWith("." + cl.table())) {
                    observed = e.getValue();
                }
            }
            if (observed != null && !observed.equals(cl.lock().pgName())) {
                out.add("classified " + cl.lock().pgName() + " on " + cl.table() + ", observed " + observed);
            }
        }
        boolean tableRewritten = cl.table() != null && rewritten.stream()
                .anyMatch(r -> r.equals(cl.table()) || r.endsWith("." + cl.table()));
        if (cl.table() != null && cl.rewrite() != tableRewritten) {
            out.add(cl.rewrite() ? "classified as rewriting " + cl.table() + ", which kept its storage"
                    : cl.table() + " was rewritten, which the classification did not say");
        }
        return out.isEmpty() ? null : String.join("; ", out);
    }

    private record Node(String name, long filenode) {
    }

    /**
     * The relation locks this backend holds, as "relation NUL mode": PostgreSQL lists each mode a backend holds on a
     * relation apart, so a mode is new to a statement even where a stronger one was held before it.
     */
    private static java.util.Set<String> locks(Connection c) throws SQLException {
        java.util.Set<String> out = new java.util.HashSet<>();
        try (PreparedStatement ps = c.prepareStatement(LOCKS); ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
                if (LockMode.fromPgName(rs.getString(2)) != null) {
                    out.add(rs.getString(1) + '\u0000' + rs.getString(2));
                }
            }
        }
        return out;
    }

    private static Map<Long, Node> filenodes(Connection c) throws SQLException {
        Map<Long, Node> out = new HashMap<>();
        try (PreparedStatement ps = c.prepareStatement(FILENODES); ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
                out.put(rs.getLong(1), new Node(rs.getString(2), rs.getLong(3)));
            }
        }
        return out;
    }

    private void report(List<Traced> traced, String format) {
        switch (format) {
            case "json" -> {
                StringBuilder sb = new StringBuilder("[");
                for (int i = 0; i < traced.size(); i++) {
                    Traced t = traced.get(i);
                    sb.append(i == 0 ? "\n  " : ",\n  ");
                    JsonReport.fields(sb, t.lint());
                    sb.append(",\"status\":").append(Json.str(t.status())).append(",\"observed_locks\":{");
                    int k = 0;
                    for (Map.Entry<String, String> e : t.locks().entrySet()) {
                        sb.append(k++ == 0 ? "" : ",").append(Json.str(e.getKey())).append(':')
                                .append(Json.str(e.getValue()));
                    }
                    sb.append("},\"rewritten\":[");
                    for (int j = 0; j < t.rewritten().size(); j++) {
                        sb.append(j == 0 ? "" : ",").append(Json.str(t.rewritten().get(j)));
                    }
                    sb.append("],\"rows\":").append(t.rows() < 0 ? "null" : String.valueOf(t.rows()))
                            .append(",\"duration_ms\":").append(t.durationMs()).append(",\"note\":")
                            .append(Json.str(t.message())).append('}');
                }
                out.println(sb.append(traced.isEmpty() ? "]" : "\n]"));
            }
            case "markdown" -> {
                out.println("| Statement | Status | Locks taken | Rewritten | Rows | ms | Note |");
                out.println("|---|---|---|---|---:|---:|---|");
                for (Traced t : traced) {
                    out.println("| `" + cell(t.lint().statement().text()) + "` (" + t.lint().file() + ":"
                            + t.lint().statement().line() + ") | " + t.status() + " | " + cell(locks(t.locks()))
                            + " | " + String.join(", ", t.rewritten()) + " | " + (t.rows() < 0 ? "" : t.rows())
                            + " | " + t.durationMs() + " | " + cell(t.message() == null ? "" : t.message()) + " |");
                }
            }
            default -> {
                for (Traced t : traced) {
                    Classification cl = t.lint().classification();
                    out.println(t.lint().file() + ":" + t.lint().statement().line() + " " + t.status() + " "
                            + cl.risk().id() + " " + t.lint().decision().action().id() + ": "
                            + ScriptStatements.firstLine(t.lint().statement().text()));
                    if (t.status().equals("ran")) {
                        out.println("    locks " + (t.locks().isEmpty() ? "none" : locks(t.locks()))
                                + (t.rewritten().isEmpty() ? "" : " | rewrote " + String.join(", ", t.rewritten()))
                                + (t.rows() >= 0 ? " | " + t.rows() + (t.rows() == 1 ? " row" : " rows") : "") + " | " + t.durationMs() + " ms");
                    }
                    if (t.message() != null) {
                        out.println("    " + t.message());
                    }
                }
                out.println("trace: " + traced.size() + (traced.size() == 1 ? " statement" : " statements") + ", rolled back");
            }
        }
    }

    private static String locks(Map<String, String> locks) {
        StringBuilder sb = new StringBuilder();
        locks.forEach((rel, mode) -> sb.append(sb.length() == 0 ? "" : ", ").append(mode).append(" on ").append(rel));
        return sb.toString();
    }

    private static String cell(String s) {
        return s.replace("|", "\\|").replace("\n", " ");
    }

    private int usage(String message) {
        err.println("pgguard trace: " + message);
        err.println("usage: java -jar pgguard-cli.jar trace --url URL [--format text|json|markdown] "
                + "[--lock-timeout D] [--allow-remote] FILE...");
        return Main.ERROR;
    }
}
