package io.pgguard.cli;

import java.io.InputStream;
import java.io.PrintStream;

/** {@code java -jar pgguard-cli.jar <command>}: exit 0 clean, 1 findings or blocks, 2 usage, input or connection error. */
public final class Main {

    static final int CLEAN = 0;
    static final int FINDINGS = 1;
    static final int ERROR = 2;

    /** Each command's usage, as {@code <command> --help} prints it and the top-level help lists it. */
    private static final java.util.Map<String, String> COMMANDS = new java.util.LinkedHashMap<>();

    static {
        COMMANDS.put("lint", """
                  lint [--url URL] [--pg-version N] [--format text|json|markdown|sarif]
                       [--fail-on unsafe|breaking|destructive] [--history DIR|CHANGELOG] [--advice] [--quiet]
                       PATH...|-
                      classify every statement of the given SQL files (a directory: its *.sql files in the
                      order Flyway applies them; -: standard input) and decide them for the target (no
                      --url: production); never connects. --history reads a project's migrations (a Flyway
                      location, a Liquibase changelog, or a project directory) for the schema they leave and
                      reports only the files named. --advice also reports advice (safe findings such as
                      prefer-if-not-exists) in text and sarif; --quiet prints one line per finding,
                      file:line:column: risk rule: message. Exit 0 clean, 1 a statement would be blocked (or is
                      at or above --fail-on, or a suppression is unused), 2 usage or input error.
                """);
        COMMANDS.put("exec", """
                  exec --url URL [--dry-run] [--format text|json] FILE...
                      run SQL files against the database through the guard, statement by statement; stop at the
                      first blocked or failed statement and run nothing after it (--dry-run: in one transaction
                      that is rolled back). Exit 0 everything ran, 1 a statement was blocked or failed, 2 usage,
                      input or connection error.
                """);
        COMMANDS.put("trace", """
                  trace --url URL [--format text|json|markdown] [--lock-timeout D] [--allow-remote] FILE...
                      run SQL files in one transaction that is always rolled back and report per statement the
                      locks the server took, the relations it rewrote, rows and time (a non-local URL is
                      refused without --allow-remote). Exit 0 traced, 1 a statement failed, 2 usage, input or
                      connection error.
                """);
        COMMANDS.put("preflight", """
                  preflight --url URL [--backup FILE] [--format text|json]
                      go / no-go before a production migration: a backup less than an hour old, long
                      transactions and idle lock holders, lock_timeout, standbys' lag. Exit 0 go, 1 no-go,
                      2 cannot tell (usage or connection error).
                """);
        COMMANDS.put("rules", """
                  rules
                      print the rule catalogue as a Markdown table. Exit 0.
                """);
    }

    private static final String USAGE = "usage: java -jar pgguard-cli.jar <command> [options]   (or driver/target/pgguard)\n"
            + "\ncommands:\n" + String.join("", COMMANDS.values())
            + "  --version\n      print the version\n"
            + "\n<command> --help prints one command's usage.\n";

    private Main() {
    }

    public static void main(String[] args) {
        System.exit(run(args, System.in, System.out, System.err));
    }

    /** Runs a command with the given streams and returns the exit status. */
    public static int run(String[] args, InputStream in, PrintStream out, PrintStream err) {
        if (args.length == 0 || args[0].equals("-h") || args[0].equals("--help") || args[0].equals("help")) {
            (args.length == 0 ? err : out).print(USAGE);
            return args.length == 0 ? ERROR : CLEAN;
        }
        String[] rest = java.util.Arrays.copyOfRange(args, 1, args.length);
        String usage = COMMANDS.get(args[0]);
        if (usage != null && (java.util.Arrays.asList(rest).contains("--help")
                || java.util.Arrays.asList(rest).contains("-h"))) {
            out.println("usage (java -jar pgguard-cli.jar, or driver/target/pgguard):");
            out.print(usage);
            return CLEAN;
        }
        switch (args[0]) {
            case "lint":
                return new LintCommand(in, out, err).run(rest);
            case "exec":
                return new ExecCommand(in, out, err).run(rest);
            case "rules":
                out.print(RuleTable.markdown());
                return CLEAN;
            case "--version":
            case "version":
                out.println("pgguard " + version());
                return CLEAN;
            case "trace":
                return new TraceCommand(in, out, err).run(rest);
            case "preflight":
                return new PreflightCommand(in, out, err).run(rest);
            default:
                err.println("pgguard: unknown command '" + args[0] + "'");
                err.print(USAGE);
                return ERROR;
        }
    }

    static String version() {
        String v = Main.class.getPackage().getImplementationVersion();
        return v == null ? "dev" : v;
    }
}
