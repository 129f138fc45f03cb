package io.pgguard.cli;

import java.io.InputStream;
import java.io.PrintStream;

/** {@code java -jar pgguard-cli.jar <command>}: exit 0 clean, 1 findings or blocks, 2 usage, input or connection error. */
public final class Main {

    static final int CLEAN = 0;
    static final int FINDINGS = 1;
    static final int ERROR = 2;

    private static final String USAGE = """
            usage: java -jar pgguard-cli.jar <command> [options]

            commands:
              lint [--url URL] [--pg-version N] [--format text|json|markdown|sarif]
                   [--fail-on unsafe|breaking|destructive] PATH...|-
                  classify every statement of the given SQL files (a directory: its *.sql files in name
                  order; -: standard input) and decide them for the target (no --url: production)
              exec --url URL [--dry-run] [--format text|json] FILE...
                  run SQL files against the database through the guard, statement by statement; stop at the
                  first blocked or failed statement and run nothing after it (--dry-run: in one transaction
                  that is rolled back)
              trace --url URL [--format text|json|markdown] [--lock-timeout D] [--allow-remote] FILE...
                  run SQL files in one transaction that is always rolled back and report per statement the
                  locks the server took, the relations it rewrote, rows and time (a non-local URL is
                  refused without --allow-remote)
              preflight --url URL [--backup FILE] [--format text|json]
                  go / no-go before a production migration: a backup less than an hour old, long
                  transactions and idle lock holders, lock_timeout, standbys' lag (exit 0 go, 1 no-go,
                  2 cannot tell)
              rules      print the rule catalogue as a Markdown table
              --version  print the version

            exit status: 0 clean (exec: everything ran), 1 findings at or above --fail-on (default:
            anything that would be blocked; exec: a statement was blocked or failed), 2 usage, input or
            connection error
            """;

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
