package io.pgguard.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * {@code lint --history PATH}: the migrations already applied, in the order the migration tool applies them, read for
 * the schema and types they leave and not reported. {@code PATH} is one of
 * <ul>
 *   <li>a Liquibase changelog file ({@code .xml}, {@code .yaml}, {@code .yml}, {@code .json}, or formatted
 *       {@code .sql}): its {@code include}, {@code includeAll} and {@code sqlFile} entries in order, nested
 *       changelogs followed, {@code includeAll} directories in path order as Liquibase sorts them;</li>
 *   <li>a directory holding {@code db.changelog-master.*}: that changelog;</li>
 *   <li>a project directory with Flyway's default location ({@code src/main/resources/db/migration} or
 *       {@code db/migration}) or Spring Boot's default Liquibase changelog
 *       ({@code src/main/resources/db/changelog/db.changelog-master.*} or {@code db/changelog/...}): that;</li>
 *   <li>any other directory: a Flyway location, its {@code .sql} files with those of its subdirectories (Flyway
 *       scans locations recursively) in the order Flyway applies them ({@link MigrationOrder}).</li>
 * </ul>
 * Only the {@code .sql} files of a Liquibase history are read: changes written as XML or YAML elements
 * ({@code createTable}, ...) are not SQL.
 */
final class History {

    /** The files, in the order they were applied. */
    final List<Path> files;
    /** Whether the order is Flyway's (a new file takes its place by version) rather than a changelog's. */
    final boolean flyway;
    /** What was read as the history, for the report: "Flyway location db/migration". */
    final String description;

    private History(List<Path> files, boolean flyway, String description) {
        this.files = files;
        this.flyway = flyway;
        this.description = description;
    }

    /** One file of a lint run, in its turn: reported, or read only for what it leaves to the files after it. */
    record Step(SourceFile.Input input, boolean reported) {
    }

    /**
     * The files a lint run reads, in order: the histories' files, with the files named to be reported each in its
     * place (a file of the history where it is; a new Flyway migration where its version puts it; any other after
     * the history), and nothing after the last reported one.
     */
    static List<Step> plan(List<History> histories, List<SourceFile.Input> named) {
        List<Step> steps = new ArrayList<>(named.size());
        if (histories.isEmpty()) {
            for (SourceFile.Input input : named) {
                steps.add(new Step(input, true));
            }
            return steps;
        }
        java.util.Map<Path, SourceFile.Input> byPath = new java.util.HashMap<>();
        for (SourceFile.Input input : named) {
            if (input.path() != null) {
                byPath.putIfAbsent(key(input.path()), input);
            }
        }
        // by identity: a record's hashCode would start java.lang.invoke
        Set<SourceFile.Input> placed = java.util.Collections.newSetFromMap(new java.util.IdentityHashMap<>());
        Set<Path> seen = new HashSet<>();
        List<Path> flywayOrder = new ArrayList<>();
        for (History h : histories) {
            for (Path f : h.files) {
                if (!seen.add(key(f))) {
                    continue;
                }
                if (h.flyway) {
                    flywayOrder.add(f);
                } else {
                    steps.add(step(f, byPath, placed));
                }
            }
        }
        if (!flywayOrder.isEmpty()) {
            for (SourceFile.Input input : named) {
                String name = input.path() == null ? "" : input.path().getFileName().toString();
                if (input.path() != null && seen.add(key(input.path()))
                        && (MigrationOrder.version(name) != null || name.startsWith("R__"))) {
                    flywayOrder.add(input.path());
                }
            }
            for (Path f : MigrationOrder.sorted(flywayOrder)) {
                steps.add(step(f, byPath, placed));
            }
        }
        for (SourceFile.Input input : named) {
            if (!placed.contains(input)) {
                steps.add(new Step(input, true));
            }
        }
        int last = steps.size();
        while (last > 0 && !steps.get(last - 1).reported()) {
            last--;
        }
        return steps.subList(0, last);
    }

    private static Step step(Path f, java.util.Map<Path, SourceFile.Input> named, Set<SourceFile.Input> placed) {
        SourceFile.Input input = named.get(key(f));
        if (input != null && placed.add(input)) {
            return new Step(input, true);
        }
        return new Step(new SourceFile.Input(f.toString(), f), false);
    }

    private static Path key(Path p) {
        return p.toAbsolutePath().normalize();
    }

    private static final String[] CHANGELOG_EXTENSIONS = {"yaml", "yml", "xml", "json", "sql"};
    private static final String[] FLYWAY_DEFAULTS = {"src/main/resources/db/migration", "db/migration"};
    private static final String[] LIQUIBASE_DEFAULTS = {"src/main/resources/db/changelog", "db/changelog", "."};

    static History of(String given) throws SourceFile.InputException {
        Path path = Path.of(given);
        if (Files.isRegularFile(path)) {
            return liquibase(path, given);
        }
        if (!Files.isDirectory(path)) {
            throw new SourceFile.InputException(given + ": no such file or directory (--history)");
        }
        for (String dir : LIQUIBASE_DEFAULTS) {
            Path master = master(path.resolve(dir));
            if (master != null) {
                return liquibase(master, master.toString());
            }
        }
        for (String dir : FLYWAY_DEFAULTS) {
            if (Files.isDirectory(path.resolve(dir))) {
                return flyway(path.resolve(dir));
            }
        }
        return flyway(path);
    }

    private static Path master(Path dir) {
        for (String ext : CHANGELOG_EXTENSIONS) {
            Path p = dir.resolve("db.changelog-master." + ext);
            if (Files.isRegularFile(p)) {
                return p;
            }
        }
        return null;
    }

    private static History flyway(Path location) throws SourceFile.InputException {
        List<Path> sql = new ArrayList<>();
        walk(location, false, sql);
        if (sql.isEmpty()) {
            throw new SourceFile.InputException(location + ": holds no .sql files (--history)");
        }
        return new History(MigrationOrder.sorted(sql), true, "Flyway location " + location);
    }

    /**
     * The {@code .sql} files (with {@code changelogs}, Liquibase's changelog files too) under {@code dir}, its
     * subdirectories included. A loop, not {@code Files.walk}: that starts java.lang.invoke (see LintCommand).
     */
    private static void walk(Path dir, boolean changelogs, List<Path> found) throws SourceFile.InputException {
        try (java.nio.file.DirectoryStream<Path> listing = Files.newDirectoryStream(dir)) {
            for (Path f : listing) {
                String name = f.getFileName().toString();
                if (Files.isDirectory(f, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
                    walk(f, changelogs, found);
                } else if ((changelogs ? ChangelogReader.changelogOrSql(name) : name.endsWith(".sql"))
                        && Files.isRegularFile(f)) {
                    found.add(f);
                }
            }
        } catch (IOException e) {
            throw new SourceFile.InputException(dir + ": cannot list directory: " + e.getMessage());
        }
    }

    private static History liquibase(Path changelog, String given) throws SourceFile.InputException {
        List<Path> files = new ArrayList<>();
        new ChangelogReader(files).read(changelog, 0);
        return new History(files, false, "Liquibase changelog " + given);
    }

    /** Follows a changelog's includes, depth first, as Liquibase does. */
    private static final class ChangelogReader {
        private static final Pattern XML_COMMENT = Pattern.compile("<!--.*?-->", Pattern.DOTALL);
        private static final Pattern XML_ENTRY = Pattern.compile("<\\s*(?:\\w+:)?(include|includeAll|sqlFile)\\b([^>]*)>");
        private static final Pattern XML_ATTRIBUTE = Pattern.compile("(\\w+)\\s*=\\s*(?:\"([^\"]*)\"|'([^']*)')");
        private static final Pattern MAP_ENTRY = Pattern.compile("\"?\\b(include|includeAll|sqlFile)\"?\\s*:");
        private static final Pattern MAP_VALUE = Pattern.compile(
                "\"?\\b(file|path|relativeToChangelogFile)\"?\\s*:\\s*(?:\"([^\"]*)\"|'([^']*)'|([^\\s,}\\]#]+))");

        private final List<Path> files;
        private final Set<Path> reading = new HashSet<>();

        ChangelogReader(List<Path> files) {
            this.files = files;
        }

        void read(Path changelog, int depth) throws SourceFile.InputException {
            Path key = changelog.toAbsolutePath().normalize();
            if (depth > 50 || !reading.add(key)) {
                throw new SourceFile.InputException(changelog + ": includes itself (--history)");
            }
            String name = changelog.getFileName().toString();
            if (name.endsWith(".sql")) {
                files.add(changelog);
                reading.remove(key);
                return;
            }
            String text;
            try {
                text = Files.readString(changelog);
            } catch (IOException e) {
                throw new SourceFile.InputException(changelog + ": cannot read: " + e.getMessage());
            }
            if (name.endsWith(".xml")) {
                Matcher m = XML_ENTRY.matcher(XML_COMMENT.matcher(text).replaceAll(""));
                while (m.find()) {
                    String file = null;
                    boolean relative = false;
                    Matcher a = XML_ATTRIBUTE.matcher(m.group(2));
                    while (a.find()) {
                        String value = a.group(2) != null ? a.group(2) : a.group(3);
                        switch (a.group(1)) {
                            case "file", "path" -> file = value;
                            case "relativeToChangelogFile" -> relative = Boolean.parseBoolean(value.trim());
                            default -> {
                            }
                        }
                    }
                    entry(changelog, m.group(1), file, relative, depth);
                }
            } else {
                Matcher m = MAP_ENTRY.matcher(text);
                List<int[]> entries = new ArrayList<>();
                while (m.find()) {
                    entries.add(new int[] {m.start(), m.end()});
                }
                for (int i = 0; i < entries.size(); i++) {
                    int end = i + 1 < entries.size() ? entries.get(i + 1)[0] : text.length();
                    String kind = text.substring(entries.get(i)[0], entries.get(i)[1]).replace("\"", "")
                            .replace(":", "").trim();
                    String file = null;
                    boolean relative = false;
                    Matcher v = MAP_VALUE.matcher(text.substring(entries.get(i)[1], end));
                    while (v.find()) {
                        String value = v.group(2) != null ? v.group(2) : v.group(3) != null ? v.group(3) : v.group(4);
                        if (v.group(1).equals("relativeToChangelogFile")) {
                            relative = Boolean.parseBoolean(value.trim());
                        } else if (file == null) {
                            file = value;
                        }
                    }
                    entry(changelog, kind, file, relative, depth);
                }
            }
            reading.remove(key);
        }

        private void entry(Path changelog, String kind, String file, boolean relative, int depth)
                throws SourceFile.InputException {
            if (file == null || file.isBlank()) {
                throw new SourceFile.InputException(changelog + ": " + kind + " without a file or path (--history)");
            }
            Path target = resolve(changelog, file.trim(), relative);
            if (kind.equals("includeAll")) {
                if (!Files.isDirectory(target)) {
                    throw new SourceFile.InputException(changelog + ": includeAll path " + file
                            + " is not a directory (--history)");
                }
                List<Path> all = new ArrayList<>();
                walk(target, true, all);
                // Liquibase orders what includeAll finds by its path
                all.sort(java.util.Comparator.comparing(p -> target.relativize(p).toString().replace('\\', '/')));
                for (Path f : all) {
                    read(f, depth + 1);
                }
            } else if (!Files.isRegularFile(target)) {
                throw new SourceFile.InputException(changelog + ": " + kind + " " + file + " not found (--history)");
            } else if (kind.equals("sqlFile") || changelogOrSql(target.getFileName().toString())) {
                read(target, depth + 1);
            }
        }

        private static boolean changelogOrSql(String name) {
            for (String ext : CHANGELOG_EXTENSIONS) {
                if (name.endsWith("." + ext)) {
                    return true;
                }
            }
            return false;
        }

        /**
         * A changelog's path to another file: beside the changelog when {@code relativeToChangelogFile}, otherwise on
         * the classpath, here the changelog's directory or the first directory above it where the path exists
         * ({@code src/main/resources} for {@code db/changelog/changes/001.sql}).
         */
        private static Path resolve(Path changelog, String file, boolean relative) {
            String f = file.startsWith("classpath:") ? file.substring("classpath:".length()) : file;
            while (f.startsWith("/")) {
                f = f.substring(1);
            }
            Path dir = changelog.toAbsolutePath().getParent();
            if (relative) {
                return dir.resolve(f).normalize();
            }
            for (Path d = dir; d != null; d = d.getParent()) {
                Path p = d.resolve(f);
                if (Files.exists(p)) {
                    return p.normalize();
                }
            }
            return Path.of(f);
        }
    }
}
