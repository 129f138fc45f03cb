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
 *       {@code .sql}): its {@code include}, {@code includeAll}, {@code sqlFile} and {@code createProcedure} entries
 *       and, in XML, its {@code <sql>} elements' text, in order, nested changelogs followed, {@code includeAll}
 *       directories in path order as Liquibase sorts them; {@code <rollback>} blocks and changes for other
 *       databases ({@code dbms}) left out;</li>
 *   <li>a directory holding {@code db.changelog-master.*}: that changelog;</li>
 *   <li>a project directory with Flyway's default location ({@code src/main/resources/db/migration} or
 *       {@code db/migration}) or Spring Boot's default Liquibase changelog
 *       ({@code src/main/resources/db/changelog/db.changelog-master.*} or {@code db/changelog/...}): that; without
 *       one, the one module below it (three levels down at most) that has one;</li>
 *   <li>any other directory: a Flyway location, its {@code .sql} files with those of its subdirectories (Flyway
 *       scans locations recursively) in the order Flyway applies them ({@link MigrationOrder}); build output,
 *       hidden folders and folders named after other databases ({@code oracle}, {@code h2}, ...) left out.</li>
 * </ul>
 * Changes written as XML, YAML or JSON elements ({@code createTable}, ...) are not SQL and are not read.
 */
final class History {

    /** The files (and a changelog's inline SQL), in the order they were applied. */
    final List<SourceFile.Input> files;
    /** Whether the order is Flyway's (a new file takes its place by version) rather than a changelog's. */
    final boolean flyway;
    /**
     * What the user should know about how the history was read: the layout found, folders and includes left out,
     * changes that are not SQL. Printed on standard error; none of it fails the run.
     */
    final List<String> notes;

    private History(List<SourceFile.Input> files, boolean flyway, List<String> notes) {
        this.files = files;
        this.flyway = flyway;
        this.notes = notes;
    }

    /** One file of a lint run, in its turn: reported, or read only for what it leaves to the files after it. */
    record Step(SourceFile.Input input, boolean reported) {
    }

    /**
     * The files a lint run reads, in order: the histories' files, with the files named to be reported each in its
     * place (a file of the history where it is; a new Flyway migration where its version puts it; any other after
     * the history), and nothing after the last reported one.
     */
    static List<Step> plan(List<History> histories, List<SourceFile.Input> named, List<String> notes) {
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
            for (SourceFile.Input f : h.files) {
                if (f.path() == null) {
                    steps.add(new Step(f, false));
                } else if (!seen.add(key(f.path()))) {
                    continue;
                } else if (h.flyway) {
                    flywayOrder.add(f.path());
                } else {
                    steps.add(step(f.path(), byPath, placed));
                }
            }
        }
        if (!flywayOrder.isEmpty()) {
            // the history's migrations by what Flyway knows them by (version, or a repeatable's name)
            java.util.Map<String, Path> byIdentity = new java.util.HashMap<>();
            for (Path h : flywayOrder) {
                String id = MigrationOrder.identity(h);
                Path earlier = id == null ? null : byIdentity.putIfAbsent(id, h);
                if (earlier != null) {
                    notes.add("history: " + earlier + " and " + h + " are both migration " + id
                            + ", which Flyway refuses; both are read, in name order");
                }
            }
            Set<Path> replaced = new HashSet<>();
            List<Path> added = new ArrayList<>();
            for (SourceFile.Input input : named) {
                if (input.path() == null || !seen.add(key(input.path()))) {
                    continue;
                }
                String id = MigrationOrder.identity(input.path());
                if (id == null) {
                    continue;
                }
                // a named file that is a history migration as the pull request has it is read in its place, and
                // the history's copy is not (unless that copy is named too)
                Path h = byIdentity.get(id);
                if (h != null && byPath.get(key(h)) == null && replaced.add(h)) {
                    notes.add(input.name() + " is migration " + h.getFileName() + " of the history: read in its "
                            + "place, instead of " + h);
                }
                added.add(input.path());
            }
            List<Path> order = new ArrayList<>(flywayOrder.size() + added.size());
            for (Path h : flywayOrder) {
                if (!replaced.contains(h)) {
                    order.add(h);
                }
            }
            order.addAll(added);
            for (Path f : MigrationOrder.sorted(order)) {
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

    /** The file a path names: symbolic links and {@code ./} resolved. */
    static Path key(Path p) {
        try {
            return p.toRealPath();
        } catch (IOException e) {
            return p.toAbsolutePath().normalize();
        }
    }

    private static final String[] CHANGELOG_EXTENSIONS = {"yaml", "yml", "xml", "json", "sql"};
    private static final String[] FLYWAY_DEFAULTS = {"src/main/resources/db/migration", "db/migration"};
    private static final String[] LIQUIBASE_DEFAULTS = {"src/main/resources/db/changelog", "db/changelog", "."};

    static History of(String given) throws SourceFile.InputException {
        Path path = Path.of(given);
        if (Files.isRegularFile(path)) {
            return liquibase(path, new ArrayList<>());
        }
        if (!Files.isDirectory(path)) {
            throw new SourceFile.InputException(given + ": no such file or directory (--history)");
        }
        History layout = layout(path, new ArrayList<>());
        if (layout != null) {
            return layout;
        }
        // a multi-module project: the one module below it with a default layout
        List<Path> modules = new ArrayList<>();
        modules(path, 0, modules);
        if (modules.size() == 1) {
            List<String> notes = new ArrayList<>();
            notes.add("history: " + given + " has no migrations of its own; read those of module " + modules.get(0));
            return layout(modules.get(0), notes);
        }
        if (modules.size() > 1) {
            StringBuilder which = new StringBuilder();
            for (Path m : modules) {
                which.append(which.length() == 0 ? "" : ", ").append(m);
            }
            throw new SourceFile.InputException(given + ": several modules have migrations (" + which
                    + "); give --history the one the files belong to");
        }
        return flyway(path, new ArrayList<>());
    }

    /** The migrations of a project directory in a default layout (Liquibase's first), or null. */
    private static History layout(Path project, List<String> notes) throws SourceFile.InputException {
        for (String dir : LIQUIBASE_DEFAULTS) {
            Path master = master(project.resolve(dir));
            if (master != null) {
                return liquibase(master, notes);
            }
        }
        for (String dir : FLYWAY_DEFAULTS) {
            if (Files.isDirectory(project.resolve(dir))) {
                return flyway(project.resolve(dir), notes);
            }
        }
        return null;
    }

    /** Directories down to three levels below {@code dir} with a default layout (build output, hidden ones skipped). */
    private static void modules(Path dir, int depth, List<Path> found) throws SourceFile.InputException {
        if (depth > 3) {
            return;
        }
        try (java.nio.file.DirectoryStream<Path> listing = Files.newDirectoryStream(dir)) {
            for (Path sub : listing) {
                String name = sub.getFileName().toString();
                if (!Files.isDirectory(sub, java.nio.file.LinkOption.NOFOLLOW_LINKS) || notProjectFolder(name)
                        || name.equals("src")) {
                    continue;
                }
                if (Files.isDirectory(sub.resolve("src/main/resources/db/migration"))
                        || master(sub.resolve("src/main/resources/db/changelog")) != null) {
                    found.add(sub);
                } else {
                    modules(sub, depth + 1, found);
                }
            }
        } catch (IOException e) {
            throw new SourceFile.InputException(dir + ": cannot list directory: " + e.getMessage());
        }
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

    /** Folders a walk of a project does not enter: build output and installed packages. */
    private static final Set<String> BUILD_OUTPUT = Set.of("target", "build", "out", "bin", "node_modules");

    /** Build output, installed packages, version control and tools' caches: never a project's migrations. */
    private static boolean notProjectFolder(String name) {
        return BUILD_OUTPUT.contains(name) || name.startsWith(".");
    }

    /**
     * Folders that hold other databases' migrations beside PostgreSQL's ({@code db/migration/oracle}, the layout
     * of a project whose Flyway {@code locations} name {@code db/migration/{vendor}}): not PostgreSQL's history.
     */
    private static final Set<String> OTHER_DATABASES = Set.of("oracle", "sqlserver", "mssql", "mysql", "mariadb",
            "h2", "hsqldb", "hsql", "derby", "db2", "sqlite", "snowflake", "redshift", "informix", "sybase", "firebird",
            "saphana", "hana", "spanner", "bigquery", "synapse", "teradata", "clickhouse", "netezza", "impala", "hive");

    private static History flyway(Path location, List<String> notes) throws SourceFile.InputException {
        List<Path> sql = new ArrayList<>();
        List<String> skipped = new ArrayList<>();
        walk(location, false, sql, skipped);
        if (!skipped.isEmpty()) {
            skipped.sort(null);
            notes.add("history: " + location + ": other databases' folders not read: " + String.join(", ", skipped));
        }
        if (sql.isEmpty()) {
            throw new SourceFile.InputException(location + ": holds no .sql files (--history)");
        }
        List<SourceFile.Input> files = new ArrayList<>(sql.size());
        for (Path f : MigrationOrder.sorted(sql)) {
            files.add(new SourceFile.Input(f.toString(), f));
        }
        return new History(files, true, notes);
    }

    /**
     * The {@code .sql} files (with {@code changelogs}, Liquibase's changelog files too) under {@code dir}, its
     * subdirectories included. A loop, not {@code Files.walk}: that starts java.lang.invoke (see LintCommand).
     */
    private static void walk(Path dir, boolean changelogs, List<Path> found, List<String> skipped)
            throws SourceFile.InputException {
        try (java.nio.file.DirectoryStream<Path> listing = Files.newDirectoryStream(dir)) {
            for (Path f : listing) {
                String name = f.getFileName().toString();
                if (Files.isDirectory(f, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
                    if (notProjectFolder(name)) {
                        continue;
                    }
                    if (skipped != null && OTHER_DATABASES.contains(name.toLowerCase(java.util.Locale.ROOT))) {
                        skipped.add(name);
                    } else {
                        walk(f, changelogs, found, skipped);
                    }
                } else if ((changelogs ? ChangelogReader.changelogOrSql(name) : name.endsWith(".sql"))
                        && Files.isRegularFile(f)) {
                    found.add(f);
                }
            }
        } catch (IOException e) {
            throw new SourceFile.InputException(dir + ": cannot list directory: " + e.getMessage());
        }
    }

    private static History liquibase(Path changelog, List<String> notes) throws SourceFile.InputException {
        List<SourceFile.Input> files = new ArrayList<>();
        ChangelogReader reader = new ChangelogReader(files, notes);
        reader.read(changelog, 0);
        if (reader.changelogsWithChanges > 0) {
            int inline = 0;
            for (SourceFile.Input f : files) {
                inline += f.path() == null ? 1 : 0;
            }
            notes.add("history: " + changelog + ": changes written as XML, YAML or JSON elements (createTable, ...) "
                    + "in " + LintSummary.count(reader.changelogsWithChanges, "changelog") + " are not read; "
                    + LintSummary.count(files.size() - inline, "SQL file") + " and "
                    + LintSummary.count(inline, "<sql> element") + " are");
        }
        return new History(files, false, notes);
    }

    /** Follows a changelog's includes, depth first, as Liquibase does. */
    private static final class ChangelogReader {
        private static final Pattern XML_COMMENT = Pattern.compile("<!--.*?-->", Pattern.DOTALL);
        private static final Pattern XML_ENTRY = Pattern.compile(
                "<\\s*(?:\\w+:)?(include|includeAll|sqlFile|createProcedure|sql|rollback|changeSet)\\b([^>]*)>");
        private static final Pattern CHANGE_SET = Pattern.compile("\\bchangeSet\\b");
        /** A {@code <comment>} child of {@code <sql>}: words for people, not SQL. */
        private static final Pattern XML_INNER_COMMENT = Pattern.compile(
                "<\\s*(?:\\w+:)?comment\\b.*?</\\s*(?:\\w+:)?comment\\s*>", Pattern.DOTALL);
        private static final Pattern XML_ATTRIBUTE = Pattern.compile("(\\w+)\\s*=\\s*(?:\"([^\"]*)\"|'([^']*)')");
        private static final Pattern MAP_ENTRY = Pattern.compile(
                "\"?\\b(include|includeAll|sqlFile|createProcedure)\"?\\s*:");
        private static final Pattern MAP_VALUE = Pattern.compile(
                "\"?\\b(file|path|relativeToChangelogFile)\"?\\s*:\\s*(?:\"([^\"]*)\"|'([^']*)'|([^\\s,}\\]#]+))");

        private final List<SourceFile.Input> files;
        private final List<String> notes;
        private final Set<Path> reading = new HashSet<>();
        /** Changelogs read that hold changesets of their own (not only includes). */
        int changelogsWithChanges;

        ChangelogReader(List<SourceFile.Input> files, List<String> notes) {
            this.files = files;
            this.notes = notes;
        }

        void read(Path changelog, int depth) throws SourceFile.InputException {
            Path key = key(changelog);
            if (depth > 50) {
                notes.add("history: " + changelog + ": includes nested more than 50 deep; left out");
                return;
            }
            if (!reading.add(key)) {
                notes.add("history: " + changelog + " includes itself; the inner include left out");
                return;
            }
            String name = changelog.getFileName().toString();
            if (name.endsWith(".sql")) {
                files.add(new SourceFile.Input(changelog.toString(), changelog));
                reading.remove(key);
                return;
            }
            String text;
            try {
                text = Files.readString(changelog);
            } catch (IOException e) {
                notes.add("history: " + changelog + ": cannot read (" + e.getMessage() + "), left out");
                reading.remove(key);
                return;
            }
            if (CHANGE_SET.matcher(text).find()) {
                changelogsWithChanges++;
            }
            if (name.endsWith(".xml")) {
                xml(changelog, XML_COMMENT.matcher(text).replaceAll(""), depth);
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

        /**
         * An XML changelog in document order: includes, {@code sqlFile}s, and the SQL written in {@code <sql>} and
         * {@code <createProcedure>} elements; {@code <rollback>} blocks and changes for other databases
         * ({@code dbms}) are not part of the history.
         */
        private void xml(Path changelog, String text, int depth) throws SourceFile.InputException {
            Matcher m = XML_ENTRY.matcher(text);
            String changeSetDbms = null;
            int changeSetEnd = 0;
            int from = 0;
            int line = 1;
            int counted = 0;
            while (from < text.length() && m.find(from)) {
                String kind = m.group(1);
                String attributes = m.group(2).trim();
                boolean selfClosing = attributes.endsWith("/");
                from = m.end();
                if (m.start() >= changeSetEnd) {
                    changeSetDbms = null; // outside the changeSet it named
                }
                String file = null;
                String dbms = null;
                boolean relative = false;
                Matcher a = XML_ATTRIBUTE.matcher(attributes);
                while (a.find()) {
                    String value = a.group(2) != null ? a.group(2) : a.group(3);
                    switch (a.group(1)) {
                        case "file", "path" -> file = value;
                        case "relativeToChangelogFile" -> relative = Boolean.parseBoolean(value.trim());
                        case "dbms" -> dbms = value;
                        default -> {
                        }
                    }
                }
                switch (kind) {
                    case "changeSet" -> {
                        changeSetDbms = dbms;
                        changeSetEnd = selfClosing ? from : closing(text, from, kind);
                    }
                    case "rollback" -> from = selfClosing ? from : closing(text, from, kind);
                    case "sql", "createProcedure" -> {
                        int end = selfClosing ? from : closing(text, from, kind);
                        boolean here = forPostgres(changeSetDbms) && forPostgres(dbms);
                        if (file != null && kind.equals("createProcedure")) {
                            if (here) {
                                entry(changelog, kind, file, relative, depth);
                            }
                        } else if (here && !selfClosing) {
                            int close = text.lastIndexOf("</", end - 1);
                            String body = xmlText(XML_INNER_COMMENT.matcher(text.substring(from, close < from ? end
                                    : close)).replaceAll(""));
                            for (; counted < m.start(); counted++) {
                                line += text.charAt(counted) == '\n' ? 1 : 0;
                            }
                            files.add(SourceFile.Input.inline(changelog + ":" + line + " <" + kind + ">", body));
                        }
                        from = end;
                    }
                    default -> {
                        if (forPostgres(changeSetDbms) && forPostgres(dbms)) {
                            entry(changelog, kind, file, relative, depth);
                        }
                    }
                }
            }
        }

        /** Where the element opened before {@code from} ends: after its closing tag (or the end of the text). */
        private static int closing(String text, int from, String kind) {
            Matcher close = Pattern.compile("</\\s*(?:\\w+:)?" + kind + "\\s*>").matcher(text);
            return close.find(from) ? close.end() : text.length();
        }

        /** An element's text: CDATA sections as written, entities outside them replaced. */
        private static String xmlText(String raw) {
            StringBuilder sb = new StringBuilder(raw.length());
            int i = 0;
            while (i < raw.length()) {
                int cdata = raw.indexOf("<![CDATA[", i);
                String plain = raw.substring(i, cdata < 0 ? raw.length() : cdata);
                sb.append(plain.replace("&lt;", "<").replace("&gt;", ">").replace("&quot;", "\"")
                        .replace("&apos;", "'").replace("&amp;", "&"));
                if (cdata < 0) {
                    break;
                }
                int end = raw.indexOf("]]>", cdata + 9);
                sb.append(raw, cdata + 9, end < 0 ? raw.length() : end);
                i = end < 0 ? raw.length() : end + 3;
            }
            return sb.toString();
        }

        /** Whether a {@code dbms} attribute ({@code postgresql}, {@code !oracle}, {@code h2, postgresql}) takes it in. */
        static boolean forPostgres(String dbms) {
            if (dbms == null || dbms.isBlank()) {
                return true;
            }
            boolean onlyNegations = true;
            for (String d : dbms.split(",")) {
                String v = d.trim().toLowerCase(java.util.Locale.ROOT);
                if (v.equals("!postgresql")) {
                    return false;
                }
                if (v.equals("postgresql") || v.equals("all")) {
                    return true;
                }
                onlyNegations &= v.startsWith("!");
            }
            return onlyNegations;
        }

        private void entry(Path changelog, String kind, String file, boolean relative, int depth)
                throws SourceFile.InputException {
            if (file == null || file.isBlank()) {
                notes.add("history: " + changelog + ": " + kind + " without a file or path, left out");
                return;
            }
            Path target = resolve(changelog, file.trim(), relative);
            if (kind.equals("includeAll")) {
                if (!Files.isDirectory(target)) {
                    notes.add("history: " + changelog + ": includeAll " + file + " is not a directory here, left "
                            + "out");
                    return;
                }
                List<Path> all = new ArrayList<>();
                walk(target, true, all, null);
                // Liquibase orders what includeAll finds by its path
                all.sort(java.util.Comparator.comparing(p -> target.relativize(p).toString().replace('\\', '/')));
                for (Path f : all) {
                    read(f, depth + 1);
                }
            } else if (!Files.isRegularFile(target)) {
                notes.add("history: " + changelog + ": " + kind + " " + file + " not found here (a resource of a jar?),"
                        + " left out");
            } else if (!kind.equals("include")) {
                // sqlFile, createProcedure: SQL, whatever the file is called
                files.add(new SourceFile.Input(target.toString(), target));
            } else if (changelogOrSql(target.getFileName().toString())) {
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
