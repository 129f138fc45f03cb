package io.pgguard.maven;

import io.pgguard.cli.Main;
import org.apache.maven.plugin.AbstractMojo;
import org.apache.maven.plugin.MojoExecutionException;
import org.apache.maven.plugin.MojoFailureException;
import org.apache.maven.plugins.annotations.LifecyclePhase;
import org.apache.maven.plugins.annotations.Mojo;
import org.apache.maven.plugins.annotations.Parameter;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code mvn pgguard:lint}: the command-line tool's {@code lint} over the project's migrations, in the build. By
 * default it reads Flyway's location ({@code src/main/resources/db/migration}) and Liquibase's formatted SQL
 * changelogs ({@code src/main/resources/db/changelog}), writes the report to the build log and SARIF to
 * {@code target/pgguard.sarif} (for GitHub code scanning), and fails the build as the CLI's exit status says: a
 * statement that would be blocked, or one at or above {@code failOn}, fails it; input it cannot read is an error.
 * Bound to {@code verify} when declared with an execution.
 */
@Mojo(name = "lint", defaultPhase = LifecyclePhase.VERIFY, threadSafe = true, requiresProject = false)
public class LintMojo extends AbstractMojo {

    /** Migration files or directories (a directory: its {@code *.sql} files); the defaults that exist are read. */
    @Parameter(property = "pgguard.migrations")
    private List<File> migrations;

    @Parameter(defaultValue = "${project.basedir}", readonly = true)
    private File basedir;

    /** The target whose locality decides block or warn (nothing is connected); none: production. */
    @Parameter(property = "pgguard.url")
    private String url;

    /** The PostgreSQL major version the migrations will run on. */
    @Parameter(property = "pgguard.pgVersion")
    private Integer pgVersion;

    /** unsafe, breaking or destructive: fail the build at or above this risk; none: on what would be blocked. */
    @Parameter(property = "pgguard.failOn")
    private String failOn;

    /** Also report advice (safe findings). */
    @Parameter(property = "pgguard.advice", defaultValue = "false")
    private boolean advice;

    /** Where the SARIF report goes; empty: none. */
    @Parameter(property = "pgguard.sarif", defaultValue = "${project.build.directory}/pgguard.sarif")
    private File sarif;

    /**
     * The migrations already applied, read for the schema and types they leave and not reported (the CLI's
     * {@code --history}): a Flyway location, a Liquibase changelog, or a project directory with either default
     * layout. With {@code <migrations>} naming a pull request's new files, only those are reported and fail the
     * build.
     */
    @Parameter(property = "pgguard.history")
    private List<File> history;

    @Parameter(property = "pgguard.skip", defaultValue = "false")
    private boolean skip;

    @Override
    public void execute() throws MojoExecutionException, MojoFailureException {
        if (skip) {
            getLog().info("pgguard: lint skipped (pgguard.skip)");
            return;
        }
        List<String> inputs = new ArrayList<>();
        if (migrations != null && !migrations.isEmpty()) {
            for (File f : migrations) {
                inputs.add(shown(f));
            }
        } else {
            for (String dir : new String[] {"src/main/resources/db/migration", "src/main/resources/db/changelog"}) {
                File d = new File(basedir, dir);
                if (d.isDirectory() && hasSql(d)) {
                    inputs.add(shown(d));
                }
            }
            if (inputs.isEmpty()) {
                getLog().info("pgguard: no migrations in src/main/resources/db/migration or db/changelog; "
                        + "nothing to lint (set <migrations>)");
                return;
            }
        }
        List<String> options = new ArrayList<>();
        if (url != null && !url.isBlank()) {
            options.add("--url=" + url);
        }
        if (pgVersion != null) {
            options.add("--pg-version=" + pgVersion);
        }
        if (failOn != null && !failOn.isBlank()) {
            options.add("--fail-on=" + failOn);
        }
        if (advice) {
            options.add("--advice");
        }
        if (history != null) {
            for (File h : history) {
                options.add("--history=" + shown(h));
            }
        }
        ByteArrayOutputStream text = new ByteArrayOutputStream();
        ByteArrayOutputStream errors = new ByteArrayOutputStream();
        int status = run("text", options, inputs, text, errors);
        for (String line : text.toString(StandardCharsets.UTF_8).split("\n")) {
            if (!line.isEmpty()) {
                getLog().info(line);
            }
        }
        for (String line : errors.toString(StandardCharsets.UTF_8).split("\n")) {
            if (!line.isEmpty()) {
                getLog().warn(line);
            }
        }
        if (sarif != null && !sarif.getPath().isEmpty()) {
            writeSarif(options, inputs);
        }
        if (status == 2) {
            throw new MojoExecutionException("pgguard lint could not read its input or options (see above)");
        }
        if (status == 1) {
            throw new MojoFailureException("pgguard lint failed the build: " + failure(text) + ". To run a "
                    + "blocked statement deliberately, put /* pgguard:allow <rule> reason=\"...\" */ in it; <failOn> "
                    + "sets the risk that fails the build");
        }
    }

    private void writeSarif(List<String> options, List<String> inputs) throws MojoExecutionException {
        try {
            Files.createDirectories(sarif.toPath().toAbsolutePath().getParent());
            try (OutputStream out = Files.newOutputStream(sarif.toPath())) {
                run("sarif", options, inputs, out, OutputStream.nullOutputStream());
            }
            getLog().info("pgguard: SARIF report in " + sarif);
        } catch (IOException e) {
            throw new MojoExecutionException("pgguard: cannot write " + sarif + ": " + e.getMessage(), e);
        }
    }

    /** The CLI, in this JVM: {@code lint --format F [options] inputs...}; its exit status. */
    private static int run(String format, List<String> options, List<String> inputs, OutputStream out,
                           OutputStream err) {
        List<String> args = new ArrayList<>();
        args.add("lint");
        args.add("--format=" + format);
        args.addAll(options);
        args.addAll(inputs);
        PrintStream o = new PrintStream(out, true, StandardCharsets.UTF_8);
        PrintStream e = new PrintStream(err, true, StandardCharsets.UTF_8);
        int status = Main.run(args.toArray(String[]::new), new ByteArrayInputStream(new byte[0]), o, e);
        o.flush();
        e.flush();
        return status;
    }

    /** The report's last line that says why the run fails ("exit 1: ..."), without "exit 1: ". */
    private static String failure(ByteArrayOutputStream text) {
        String[] lines = text.toString(StandardCharsets.UTF_8).split("\n");
        for (int i = lines.length - 1; i >= 0; i--) {
            if (lines[i].startsWith("exit 1: ")) {
                return lines[i].substring("exit 1: ".length());
            }
        }
        return "see the report above";
    }

    /**
     * A path as the report shows it: relative to the directory Maven runs in (a repository's root, usually, which is
     * what SARIF's locations want), else absolute.
     */
    private static String shown(File f) {
        java.nio.file.Path here = java.nio.file.Path.of("").toAbsolutePath();
        java.nio.file.Path path = f.toPath().toAbsolutePath().normalize();
        return path.startsWith(here) && !path.equals(here) ? here.relativize(path).toString() : path.toString();
    }

    private static boolean hasSql(File dir) {
        File[] files = dir.listFiles((d, name) -> name.endsWith(".sql"));
        return files != null && files.length > 0;
    }
}
