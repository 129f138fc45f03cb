package io.pgguard.cli;

import io.pgguard.classify.Classifier;
import io.pgguard.classify.Risk;
import io.pgguard.policy.Guard;
import io.pgguard.policy.GuardConfig;
import io.pgguard.policy.Target;

import java.io.InputStream;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;

/** The {@code lint} command: options, inputs in order, one report, the exit status. */
final class LintCommand {

    private final InputStream in;
    private final PrintStream out;
    private final PrintStream err;

    LintCommand(InputStream in, PrintStream out, PrintStream err) {
        this.in = in;
        this.out = out;
        this.err = err;
    }

    int run(String[] args) {
        String url = null;
        int pgMajor = Classifier.DEFAULT_PG_MAJOR;
        String format = "text";
        Risk failOn = null;
        boolean advice = false;
        boolean quiet = false;
        List<String> paths = new ArrayList<>();
        List<String> history = new ArrayList<>();
        try {
            for (int i = 0; i < args.length; i++) {
                String arg = args[i];
                String value = null;
                int eq = arg.indexOf('=');
                if (arg.startsWith("--") && eq > 0) {
                    value = arg.substring(eq + 1);
                    arg = arg.substring(0, eq);
                }
                switch (arg) {
                    case "--url" -> url = value != null ? value : next(args, ++i, arg);
                    case "--pg-version" -> pgMajor = parseVersion(value != null ? value : next(args, ++i, arg));
                    case "--format" -> format = parseFormat(value != null ? value : next(args, ++i, arg));
                    case "--fail-on" -> failOn = parseFailOn(value != null ? value : next(args, ++i, arg));
                    case "--history" -> {
                        String h = value != null ? value : next(args, ++i, arg);
                        if (h.isBlank()) {
                            throw new UsageException("--history needs a directory or a changelog");
                        }
                        history.add(h);
                    }
                    case "--advice" -> advice = true;
                    case "--quiet", "-q" -> quiet = true;
                    default -> {
                        if (arg.startsWith("--") || arg.startsWith("-") && arg.length() > 1) {
                            throw new UsageException("unknown option " + arg);
                        }
                        paths.add(arg);
                    }
                }
            }
            if (paths.isEmpty()) {
                throw new UsageException("no input: give SQL files, directories or - for standard input");
            }
            if (url != null && CommandLine.pgjdbcUrl(url) == null) {
                throw new UsageException("--url must start with jdbc:postgresql: or jdbc:pgguard:postgresql:");
            }
        } catch (UsageException e) {
            err.println("pgguard lint: " + e.getMessage());
            err.println("usage: pgguard lint [--url URL] [--pg-version N] [--format text|json|markdown|sarif] "
                    + "[--fail-on unsafe|breaking|destructive] [--history DIR|CHANGELOG] [--advice] [--quiet] "
                    + "PATH...|-");
            return Main.ERROR;
        }

        // The same settings and locality rules as the driver, from the URL's pgguard.* parameters, -D, the
        // environment and pgguard.properties; pgguard.protect cannot be checked without connecting: fail closed.
        Map<String, String> settings = new LinkedHashMap<>();
        String pgUrl = url == null ? null : GuardConfig.settingsFromUrl(CommandLine.pgjdbcUrl(url), settings);
        GuardConfig config;
        try {
            config = GuardConfig.load(settings, System.getProperties(), System.getenv(), false);
        } catch (GuardConfig.ConfigException e) {
            err.println("pgguard lint: " + e.getMessage());
            return Main.ERROR;
        }
        Target target = pgUrl == null ? Target.production("no --url given") : Target.of(pgUrl, new Properties(), config);
        if (target.local() && !config.protect().isEmpty()) {
            target = new Target(false, target.description(), "pgguard.protect is set and lint does not connect");
        }
        List<SourceFile.Input> inputs;
        List<History> histories = new ArrayList<>(history.size());
        try {
            inputs = SourceFile.list(paths);
            for (String h : history) {
                histories.add(History.of(h));
            }
        } catch (SourceFile.InputException e) {
            err.println("pgguard lint: " + e.getMessage());
            return Main.ERROR;
        }
        List<String> notes = new ArrayList<>();
        for (History h : histories) {
            notes.addAll(h.notes);
        }
        List<History.Step> steps = History.plan(histories, inputs, notes);
        for (String note : notes) {
            err.println("pgguard lint: " + note);
        }
        LintSummary summary = new LintSummary(target, pgMajor, failOn, advice);
        LintReport report = switch (format) {
            case "json" -> JsonReport.streaming(out);
            case "markdown" -> new MarkdownReport(out, summary.targetText());
            case "sarif" -> new SarifReport(out, advice);
            default -> quiet ? new QuietReport(out, advice) : new TextReport(out, System.console() != null
                    && System.getenv("NO_COLOR") == null
                    && out == System.out, advice);
        };
        boolean toErr = !format.equals("text");
        // classes, not lambdas: a short run never starts java.lang.invoke (its first lambda costs more than the lint)
        Linter linter = new Linter(new Guard(new Classifier(pgMajor), target, config.policy()),
                new java.util.function.Consumer<Problem>() {
                    @Override
                    public void accept(Problem p) {
                        summary.add(p);
                        report.problem(p);
                        if (toErr || p.inputError()) {
                            err.println("pgguard lint: " + p);
                        }
                    }
                });
        java.util.function.Consumer<LintedStatement> statements = new java.util.function.Consumer<>() {
            @Override
            public void accept(LintedStatement s) {
                summary.add(s);
                report.statement(s);
            }
        };
        // one file at a time, one statement at a time: the run holds one file's text and one statement's tokens
        for (History.Step step : steps) {
            SourceFile.Input input = step.input();
            if (!step.reported()) {
                try {
                    for (Problem p : linter.read(input.read(in))) {
                        err.println("pgguard lint: history file " + p + " (what follows it there is not known to "
                                + "the files after it)");
                    }
                    summary.historyFiles++;
                } catch (SourceFile.InputException e) {
                    err.println("pgguard lint: history file " + SourceFile.problem(input.name(), e)
                            + " (not read; what it makes is unknown to the files after it)");
                }
                continue;
            }
            summary.files++;
            report.file(input.name());
            SourceFile source;
            try {
                source = input.read(in);
            } catch (SourceFile.InputException e) {
                linter.add(SourceFile.problem(input.name(), e));
                continue;
            }
            linter.lint(source, statements);
        }
        report.finish(summary);
        out.flush();
        String failure = summary.failure();
        if (failure != null && toErr) {
            err.println("pgguard lint: " + failure);
        }
        return summary.exitStatus();
    }

    private static String next(String[] args, int i, String option) throws UsageException {
        if (i >= args.length) {
            throw new UsageException(option + " needs a value");
        }
        return args[i];
    }

    private static int parseVersion(String v) throws UsageException {
        try {
            int major = Integer.parseInt(v.trim());
            if (major >= Classifier.MIN_PG_MAJOR && major <= Classifier.MAX_PG_MAJOR) {
                return major;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw new UsageException("--pg-version must be a PostgreSQL major version from " + Classifier.MIN_PG_MAJOR
                + " to " + Classifier.MAX_PG_MAJOR + ", not '" + v + "'");
    }

    private static String parseFormat(String f) throws UsageException {
        return switch (f) {
            case "text", "json", "markdown", "sarif" -> f;
            default -> throw new UsageException("--format must be text, json, markdown or sarif, not '" + f + "'");
        };
    }

    private static Risk parseFailOn(String r) throws UsageException {
        Risk risk = Risk.parse(r);
        if (risk == null || risk == Risk.SAFE || risk == Risk.UNKNOWN) {
            throw new UsageException("--fail-on must be unsafe, breaking or destructive, not '" + r + "'");
        }
        return risk;
    }

    /** A command line that cannot be run. */
    private static final class UsageException extends Exception {
        UsageException(String message) {
            super(message);
        }
    }
}
