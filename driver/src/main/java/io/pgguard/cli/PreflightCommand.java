package io.pgguard.cli;

import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * The {@code preflight} command: go / no-go before a production migration, one line per check with its evidence.
 * Go only when every check passed; a check that could not be made (a privilege, a missing view) is "cannot tell".
 */
final class PreflightCommand {

    /** A backup older than this is no evidence. */
    static final Duration BACKUP_AGE = Duration.ofHours(1);
    /** A transaction open longer than this is one a migration's lock would queue behind for long. */
    static final Duration TRANSACTION_AGE = Duration.ofMinutes(5);
    /** Standbys further behind than this. */
    static final Duration REPLICATION_LAG = Duration.ofMinutes(1);

    private final PrintStream out;
    private final PrintStream err;

    PreflightCommand(InputStream in, PrintStream out, PrintStream err) {
        this.out = out;
        this.err = err;
    }

    enum Status { PASS, FAIL, UNKNOWN }

    record Check(String name, Status status, String evidence) {
    }

    int run(String[] args) {
        CommandLine line;
        try {
            line = CommandLine.parse(args, Set.of("--url", "--backup", "--format"), Set.of());
        } catch (CommandLine.UsageException e) {
            return usage(e.getMessage());
        }
        if (!line.rest().isEmpty()) {
            return usage("unexpected argument " + line.rest().get(0));
        }
        String url = line.get("--url", null);
        String backup = line.get("--backup", null);
        String format = line.get("--format", "text");
        String pgUrl = CommandLine.pgjdbcUrl(url);
        if (pgUrl == null) {
            return usage("preflight needs --url jdbc:postgresql://...");
        }
        if (!"text".equals(format) && !"json".equals(format)) {
            return usage("--format is text or json");
        }
        List<Check> checks = new ArrayList<>();
        try (Connection c = DriverManager.getConnection(pgUrl)) {
            c.setReadOnly(true);
            checks.add(server(c));
            checks.add(backup == null ? walArchiving(c) : backupFile(Path.of(backup)));
            checks.add(longTransactions(c));
            checks.add(lockHolders(c));
            checks.add(timeouts(c));
            checks.add(replication(c));
        } catch (SQLException e) {
            err.println("pgguard preflight: cannot connect: " + e.getMessage() + " (SQLState " + e.getSQLState() + ")");
            return Main.ERROR;
        }
        boolean fail = checks.stream().anyMatch(ch -> ch.status() == Status.FAIL);
        boolean unknown = checks.stream().anyMatch(ch -> ch.status() == Status.UNKNOWN);
        String decision = fail ? "no-go" : unknown ? "cannot-tell" : "go";
        report(checks, decision, format);
        return fail ? Main.FINDINGS : unknown ? Main.ERROR : Main.CLEAN;
    }

    private static Check server(Connection c) {
        return query(c, "server", "SELECT version()", rs -> {
            rs.next();
            return new Check("server", Status.PASS, rs.getString(1));
        });
    }

    /** WAL archiving that archived a segment within the hour, with no failure since. */
    private static Check walArchiving(Connection c) {
        return query(c, "backup", """
                SELECT current_setting('archive_mode'), archived_count, last_archived_wal, last_archived_time,
                       failed_count, last_failed_time, now(),
                       last_failed_time IS NOT NULL AND last_failed_time > coalesce(last_archived_time, '-infinity')
                FROM pg_stat_archiver""", rs -> {
            rs.next();
            String mode = rs.getString(1);
            java.sql.Timestamp last = rs.getTimestamp(4);
            java.sql.Timestamp now = rs.getTimestamp(7);
            if ("off".equals(mode)) {
                return new Check("backup", Status.FAIL, "no evidence of a restorable backup less than "
                        + BACKUP_AGE.toMinutes() + " minutes old: archive_mode is off; pass --backup FILE (a pg_dump)");
            }
            if (rs.getBoolean(8)) {
                return new Check("backup", Status.FAIL, "WAL archiving is failing: " + rs.getLong(5)
                        + " failures, the last at " + rs.getTimestamp(6) + ", after the last success " + last);
            }
            if (last == null) {
                return new Check("backup", Status.FAIL, "archive_mode is " + mode + " but no WAL segment was "
                        + "archived yet");
            }
            Duration age = Duration.between(last.toInstant(), now.toInstant());
            String evidence = "WAL archiving (archive_mode " + mode + "): " + rs.getLong(2) + " segments archived, "
                    + "the last (" + rs.getString(3) + ") " + minutes(age) + " ago";
            return new Check("backup", age.compareTo(BACKUP_AGE) < 0 ? Status.PASS : Status.FAIL, evidence);
        });
    }

    /** A backup file: its age, and that pg_restore reads its table of contents (when pg_restore is on the PATH). */
    static Check backupFile(Path file) {
        if (!Files.isRegularFile(file)) {
            return new Check("backup", Status.FAIL, file + " is not a file");
        }
        Duration age;
        byte[] head;
        try {
            age = Duration.between(Files.getLastModifiedTime(file).toInstant(), Instant.now());
            try (InputStream in = Files.newInputStream(file)) {
                head = in.readNBytes(5);
            }
        } catch (IOException e) {
            return new Check("backup", Status.FAIL, file + " cannot be read: " + e.getMessage());
        }
        if (age.compareTo(BACKUP_AGE) >= 0) {
            return new Check("backup", Status.FAIL, file + " was written " + minutes(age) + " ago: older than "
                    + BACKUP_AGE.toMinutes() + " minutes");
        }
        String restore = pgRestoreList(file);
        if (restore == null) {
            boolean custom = new String(head, StandardCharsets.US_ASCII).equals("PGDMP");
            return new Check("backup", custom ? Status.PASS : Status.FAIL, file + " written " + minutes(age)
                    + " ago; " + (custom ? "a pg_dump custom-format archive (pg_restore is not on the PATH to read it)"
                    : "not a pg_dump custom-format archive, and pg_restore is not on the PATH to read it"));
        }
        if (restore.startsWith("error:")) {
            return new Check("backup", Status.FAIL, file + ": pg_restore --list cannot read it: "
                    + restore.substring(6).strip());
        }
        return new Check("backup", Status.PASS, file + " written " + minutes(age) + " ago; pg_restore --list reads "
                + restore);
    }

    /** What {@code pg_restore --list} says of the file ("N entries", or "error: ..."), or null without pg_restore. */
    private static String pgRestoreList(Path file) {
        Process p;
        try {
            p = new ProcessBuilder("pg_restore", "--list", file.toString()).redirectErrorStream(true).start();
        } catch (IOException notOnPath) {
            return null;
        }
        try {
            String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!p.waitFor(60, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                return "error: pg_restore --list did not finish in 60 s";
            }
            if (p.exitValue() != 0) {
                return "error: " + output.lines().findFirst().orElse("exit " + p.exitValue());
            }
            long entries = output.lines().filter(l -> !l.isBlank() && !l.startsWith(";")).count();
            return entries + " entries";
        } catch (IOException | InterruptedException e) {
            return "error: " + e.getMessage();
        }
    }

    private static Check longTransactions(Connection c) {
        return query(c, "transactions", """
                SELECT pid, coalesce(application_name, ''), coalesce(state, ''), now() - xact_start
                FROM pg_stat_activity
                WHERE xact_start IS NOT NULL AND pid <> pg_backend_pid()
                  AND now() - xact_start > make_interval(secs => %d)
                ORDER BY xact_start""".formatted(TRANSACTION_AGE.toSeconds()), rs -> {
            List<String> found = new ArrayList<>();
            while (rs.next()) {
                found.add("pid " + rs.getInt(1) + " (" + rs.getString(2) + ", " + rs.getString(3) + ", open for "
                        + rs.getString(4) + ")");
            }
            return found.isEmpty()
                    ? new Check("transactions", Status.PASS, "no transaction open longer than "
                    + TRANSACTION_AGE.toMinutes() + " minutes")
                    : new Check("transactions", Status.FAIL, "open longer than " + TRANSACTION_AGE.toMinutes()
                    + " minutes: " + String.join("; ", found));
        });
    }

    /**
     * Sessions idle inside a transaction that holds table locks: an AccessExclusiveLock would queue behind them for
     * as long as they stay idle, and everything else behind it.
     */
    private static Check lockHolders(Connection c) {
        return query(c, "lock holders", """
                SELECT a.pid, coalesce(a.application_name, ''), a.state, now() - a.xact_start,
                       string_agg(DISTINCT l.mode || ' on ' || n.nspname || '.' || r.relname, ', ')
                FROM pg_locks l
                JOIN pg_stat_activity a ON a.pid = l.pid
                JOIN pg_class r ON r.oid = l.relation
                JOIN pg_namespace n ON n.oid = r.relnamespace
                WHERE l.locktype = 'relation' AND l.granted AND l.pid <> pg_backend_pid()
                  AND n.nspname NOT IN ('pg_catalog', 'information_schema')
                  AND a.state LIKE 'idle in transaction%'
                GROUP BY a.pid, a.application_name, a.state, a.xact_start
                ORDER BY a.xact_start""", rs -> {
            List<String> found = new ArrayList<>();
            while (rs.next()) {
                found.add("pid " + rs.getInt(1) + " (" + rs.getString(2) + ", " + rs.getString(3) + " for "
                        + rs.getString(4) + ") holds " + rs.getString(5));
            }
            return found.isEmpty()
                    ? new Check("lock holders", Status.PASS, "no session idle in a transaction holds a table lock")
                    : new Check("lock holders", Status.FAIL, "an AccessExclusiveLock would queue behind: "
                    + String.join("; ", found));
        });
    }

    private static Check timeouts(Connection c) {
        return query(c, "timeouts", "SELECT current_setting('lock_timeout'), current_setting('statement_timeout')",
                rs -> {
                    rs.next();
                    String lock = rs.getString(1);
                    String statement = rs.getString(2);
                    String evidence = "lock_timeout " + lock + ", statement_timeout " + statement;
                    return "0".equals(lock)
                            ? new Check("timeouts", Status.FAIL, evidence + ": with no lock_timeout a migration's "
                            + "lock waits forever and queues all traffic behind it; set one for the migration's "
                            + "role or session (SET lock_timeout = '2s')")
                            : new Check("timeouts", Status.PASS, evidence);
                });
    }

    private static Check replication(Connection c) {
        return query(c, "replication", """
                SELECT coalesce(application_name, ''), coalesce(client_addr::text, 'local'), state,
                       coalesce(extract(epoch FROM replay_lag), 0)
                FROM pg_stat_replication""", rs -> {
            List<String> standbys = new ArrayList<>();
            boolean behind = false;
            while (rs.next()) {
                double lag = rs.getDouble(4);
                behind |= lag > REPLICATION_LAG.toSeconds();
                standbys.add(rs.getString(1) + "@" + rs.getString(2) + " " + rs.getString(3) + ", replay lag "
                        + Math.round(lag) + " s");
            }
            if (standbys.isEmpty()) {
                return new Check("replication", Status.PASS, "no standbys");
            }
            return new Check("replication", behind ? Status.FAIL : Status.PASS, String.join("; ", standbys));
        });
    }

    private interface Reader {
        Check read(ResultSet rs) throws SQLException;
    }

    /** Runs one check's query; a query that fails (a privilege, a view this server lacks) cannot tell. */
    private static Check query(Connection c, String name, String sql, Reader reader) {
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
            return reader.read(rs);
        } catch (SQLException e) {
            return new Check(name, Status.UNKNOWN, "cannot tell: " + e.getMessage() + " (SQLState "
                    + e.getSQLState() + ")");
        }
    }

    private static String minutes(Duration d) {
        long m = d.toMinutes();
        return m == 0 ? d.toSeconds() + " s" : m + " min";
    }

    private void report(List<Check> checks, String decision, String format) {
        if (format.equals("json")) {
            StringBuilder sb = new StringBuilder("{\"decision\":").append(Json.str(decision)).append(",\"checks\":[");
            for (int i = 0; i < checks.size(); i++) {
                Check ch = checks.get(i);
                sb.append(i == 0 ? "\n  " : ",\n  ").append("{\"check\":").append(Json.str(ch.name()))
                        .append(",\"status\":").append(Json.str(ch.status().name().toLowerCase(java.util.Locale.ROOT)))
                        .append(",\"evidence\":").append(Json.str(ch.evidence())).append('}');
            }
            out.println(sb.append("\n]}"));
            return;
        }
        for (Check ch : checks) {
            out.println(String.format("%-7s %-13s %s", ch.status(), ch.name(), ch.evidence()));
        }
        out.println(decision.toUpperCase(java.util.Locale.ROOT));
    }

    private int usage(String message) {
        err.println("pgguard preflight: " + message);
        err.println("usage: java -jar pgguard-cli.jar preflight --url URL [--backup FILE] [--format text|json]");
        return Main.ERROR;
    }
}
