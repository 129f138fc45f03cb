package io.pgguard.agentit;

import io.pgguard.testkit.DestructiveCalls;
import io.pgguard.testkit.PgDatabase;
import io.pgguard.testkit.PostgresTest;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.File;
import java.sql.Connection;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code java -javaagent:agent/target/pgguard-agent.jar} in front of plain pgjdbc, against a real server declared
 * production by a {@code pgguard.*} parameter of the application's own URL: the wrapping driver's list of destructive
 * calls, in every preferQueryMode and autocommit setting, blocked with the data untouched.
 */
@PostgresTest
class AgentIT {

    static PgDatabase db;

    @BeforeAll
    static void database(PgDatabase database) throws Exception {
        db = database;
        db.execute("CREATE TABLE IF NOT EXISTS orders (id bigint PRIMARY KEY, state text NOT NULL)");
    }

    static String local() {
        return db.jdbcUrlWithCredentials();
    }

    static String production() {
        String url = db.jdbcUrlWithCredentials();
        return url + (url.contains("?") ? "&" : "?") + "pgguard.environment=production";
    }

    static Stream<Arguments> modes() {
        List<Arguments> out = new ArrayList<>();
        for (String mode : List.of("simple", "extendedForPrepared", "extended", "extendedCacheEverything")) {
            out.add(Arguments.of(mode, true));
            out.add(Arguments.of(mode, false));
        }
        return out.stream();
    }

    static AgentJvm.Result probe(String agentOptions, String... args) throws Exception {
        return AgentJvm.run(agentOptions, List.of(), AgentJvm.applicationClassPath(), Probe.class.getName(), args);
    }

    /** The OUTCOME lines: name, outcome, rows. */
    static List<String[]> outcomes(AgentJvm.Result r) {
        return r.lines().stream().filter(l -> l.startsWith("OUTCOME ")).map(l -> l.substring(8).split(" "))
                .toList();
    }

    /**
     * Each call of the list, run without the agent and then with it: what destroyed rows without the agent is
     * blocked with it; what pgjdbc itself refuses before sending (generated keys by column index, a query string on a
     * prepared statement) or never sends ({@code nativeSQL}) does the same or is blocked; no call leaves fewer rows.
     */
    @ParameterizedTest(name = "{0}, autocommit {1}")
    @MethodSource("modes")
    void everyDestructiveCallIsBlockedAndTouchesNothing(String mode, boolean autocommit) throws Exception {
        compareCalls(AgentJvm.applicationClassPath(), mode, autocommit);
    }

    /** pgjdbc 42.2.8 (no internalExecuteBatch yet), 42.2, 42.5, 42.6 (a lock instead of synchronized) and 42.7. */
    @ParameterizedTest(name = "{0}")
    @MethodSource("pgjdbcJars")
    void everyPgjdbcLineIsGuarded(Path jar) throws Exception {
        String cp = withPgjdbc(jar);
        compareCalls(cp, "extended", true);
        compareCalls(cp, "simple", false);
        AgentJvm.Result r = AgentJvm.run("", List.of(), cp, Probe.class.getName(), "batches", local(), production());
        assertBatches(r);
    }

    /** The OUTCOME lines as "name outcome rows". */
    static List<String> joined(AgentJvm.Result r) {
        return outcomes(r).stream().map(o -> String.join(" ", o)).toList();
    }

    /** A Probe scenario that loads our newest pgjdbc in a loader of its own, against the production URL. */
    static AgentJvm.Result withPgjdbcInItsOwnLoader(String agentOptions, String scenario) throws Exception {
        Path newest = pgjdbcJars().filter(p -> p.toString().contains("42.7")).findFirst().orElseThrow();
        return AgentJvm.run(agentOptions, List.of(), withoutPgjdbc(), Probe.class.getName(), scenario, production(),
                newest.toString());
    }

    static Stream<Path> bootLoaders() throws IOException {
        try (Stream<Path> jars = Files.list(Path.of(System.getProperty("pgguard.test.pgjdbcDir", "target/pgjdbc")))) {
            return jars.filter(p -> p.getFileName().toString().startsWith("spring-boot-loader")).sorted().toList()
                    .stream();
        }
    }

    static Stream<Path> pgjdbcJars() throws IOException {
        try (Stream<Path> jars = Files.list(Path.of(System.getProperty("pgguard.test.pgjdbcDir", "target/pgjdbc")))) {
            return jars.filter(p -> p.getFileName().toString().startsWith("postgresql-")).sorted().toList().stream();
        }
    }

    /** The application class path with another pgjdbc in place of ours. */
    static String withPgjdbc(Path jar) {
        return Arrays.stream(AgentJvm.applicationClassPath().split(File.pathSeparator))
                .map(e -> Path.of(e).getFileName().toString().startsWith("postgresql-") ? jar.toString() : e)
                .collect(Collectors.joining(File.pathSeparator));
    }

    static String withoutPgjdbc() {
        return Arrays.stream(AgentJvm.applicationClassPath().split(File.pathSeparator))
                .filter(e -> !Path.of(e).getFileName().toString().startsWith("postgresql-"))
                .collect(Collectors.joining(File.pathSeparator));
    }

    static void compareCalls(String classPath, String mode, boolean autocommit) throws Exception {
        compareCalls(AgentJvm.JAVA, classPath, mode, autocommit);
    }

    static void compareCalls(Path java, String classPath, String mode, boolean autocommit) throws Exception {
        String[] args = {"calls", local(), production(), mode, String.valueOf(autocommit)};
        AgentJvm.Result without = AgentJvm.run(java, null, List.of(), classPath, Probe.class.getName(), args);
        AgentJvm.Result with = AgentJvm.run(java, "", List.of(), classPath, Probe.class.getName(), args);
        assertEquals(0, without.exit(), without::toString);
        assertEquals(0, with.exit(), with::toString);
        List<String[]> before = outcomes(without);
        List<String[]> after = outcomes(with);
        assertEquals(DestructiveCalls.all().size(), after.size(), with::toString);
        assertEquals(after.size(), before.size(), without::toString);
        List<String> failures = new ArrayList<>();
        int destroyedWithout = 0;
        for (int i = 0; i < after.size(); i++) {
            String[] b = before.get(i);
            String[] a = after.get(i);
            boolean destroyed = !b[2].equals("10");
            destroyedWithout += destroyed ? 1 : 0;
            if (destroyed || b[1].equals("ran") && !a[1].equals("ran")) {
                if (!a[1].startsWith("blocked:")) {
                    failures.add("call " + i + " destroyed rows without the agent and with it: " + a[1]);
                }
            } else if (!a[1].startsWith("blocked:") && !a[1].equals(b[1])) {
                failures.add("call " + i + ": " + b[1] + " without the agent, " + a[1] + " with it");
            }
            if (!a[2].equals("10")) {
                failures.add("call " + i + " left " + a[2] + " rows with the agent");
            }
        }
        assertEquals(List.of(), failures, with::toString);
        assertTrue(destroyedWithout >= after.size() / 2, "the calls must destroy data without the agent: "
                + without);
        assertTrue(with.out().contains("pgguard blocked a destructive statement against non-local target"),
                with::toString);
        assertTrue(with.err().contains("pgguard agent") && with.err().contains("installed"), with::toString);
    }

    private static void assertBatches(AgentJvm.Result r) {
        assertEquals(0, r.exit(), r::toString);
        List<String> got = joined(r);
        assertEquals(List.of(
                "insert-batch-rewrite-false ran 20", "delete-batch-rewrite-false blocked:unbounded-delete 20",
                "statement-batch-rewrite-false blocked:unbounded-delete 20",
                "insert-batch-rewrite-true ran 20", "delete-batch-rewrite-true blocked:unbounded-delete 20",
                "statement-batch-rewrite-true blocked:unbounded-delete 20"), got, r::toString);
    }

    @Test
    void batchesWithAndWithoutReWriteBatchedInserts() throws Exception {
        assertBatches(probe("", "batches", local(), production()));
    }

    /** CopyManager reaches pgjdbc's executor directly: no JDBC wrapper sees it, the agent does. */
    @Test
    void copyThroughCopyManager() throws Exception {
        AgentJvm.Result r = probe("", "copy", local(), production());
        assertEquals(0, r.exit(), r::toString);
        List<String> got = joined(r);
        assertEquals(List.of("copy-in-2 ran 12", "copy-out-12 ran 12", "copy-delete blocked:unbounded-delete 12",
                "after-block-select ran 12"), got, r::toString);
    }

    /** Safe statements return under the agent exactly what they return without it. */
    @ParameterizedTest(name = "{0}, autocommit {1}")
    @MethodSource("modes")
    void safeStatementsReturnWhatTheyReturnWithoutTheAgent(String mode, boolean autocommit) throws Exception {
        if (!autocommit) {
            return; // the queries are read-only: the mode is what matters
        }
        String[] args = {"query", production(), mode,
            "SELECT id, state FROM orders WHERE id <= 3 ORDER BY id",
            "SELECT 'DROP TABLE orders' AS not_run /* a comment; with ; */, E'it''s\\n' AS e, $$dollar; quoted$$ AS d",
            "SELECT count(*) AS n FROM pg_class WHERE relname = 'orders'"};
        AgentJvm.Result without = probe(null, args);
        AgentJvm.Result with = probe("", args);
        assertEquals(0, with.exit(), with::toString);
        List<String> rows = without.lines().stream().filter(l -> l.startsWith("ROW")).toList();
        assertEquals(10, rows.size(), without::toString);
        assertEquals(rows, with.lines().stream().filter(l -> l.startsWith("ROW")).toList(), with::toString);
    }

    /** The application's own jdbc:pgguard: URL and the agent together: each statement is decided once. */
    @Test
    void stackedOnTheWrappingDriverEachStatementIsDecidedOnce() throws Exception {
        // a table with rows: a lock on an empty one is not worth a warning
        db.execute("TRUNCATE orders", "INSERT INTO orders SELECT g, 'new' FROM generate_series(1, 10) g");
        String url = production().replace("jdbc:postgresql:", "jdbc:pgguard:postgresql:");
        AgentJvm.Result r = probe("", "statements", url, "CREATE INDEX orders_state_once ON orders (state)",
                "DROP INDEX orders_state_once", "DELETE FROM orders");
        assertEquals(0, r.exit(), r::toString);
        assertEquals(List.of("ran", "ran", "blocked:unbounded-delete"),
                outcomes(r).stream().map(o -> o[1]).toList(), r::toString);
        assertEquals(1, count(r.out(), "unsafe statement against non-local target localhost: CREATE INDEX "
                + "orders_state_once"), r::toString);
        assertEquals(1, count(r.out(), "ERROR [main] io.pgguard.guard - pgguard blocked"), r::toString);
        assertEquals(1, count(r.out(), "is non-local (pgguard.environment=production)"), r::toString);
    }

    /**
     * The agent asks the database as the wrapping driver does: a routine is judged by the body pg_proc holds,
     * pgguard.largeTable blocks, pgguard.lockTimeout ends a wait behind another session's lock and is restored.
     */
    @Test
    void theAgentAsksTheDatabaseAsTheDriverDoes() throws Exception {
        db.execute("TRUNCATE orders", "INSERT INTO orders SELECT g, 'new' FROM generate_series(1, 10) g",
                "ANALYZE orders",
                "CREATE OR REPLACE FUNCTION agent_purge() RETURNS void LANGUAGE sql AS 'DELETE FROM orders'");
        try (Connection blocker = db.connect()) {
            blocker.setAutoCommit(false);
            blocker.createStatement().executeUpdate("UPDATE orders SET state = state WHERE id = 1");
            AgentJvm.Result r = probe("", "statements", production() + "&pgguard.lockTimeout=300ms"
                            + "&pgguard.largeTable=5rows", "SELECT agent_purge()",
                    "CREATE INDEX orders_state_large ON orders (state)",
                    "/* pgguard:allow require-concurrent-index reason=\"test\" */ CREATE INDEX orders_state_large "
                            + "ON orders (state)", "SHOW lock_timeout");
            blocker.rollback();
            assertEquals(0, r.exit(), r::toString);
            assertEquals(List.of("blocked:unbounded-delete", "blocked:require-concurrent-index", "failed:55P03",
                    "value:0"), outcomes(r).stream().map(o -> o[1]).toList(), r::toString);
        } finally {
            db.execute("DROP FUNCTION IF EXISTS agent_purge()", "DROP INDEX IF EXISTS orders_state_large");
        }
        try (Connection raw = db.connect(); java.sql.ResultSet rs = raw.createStatement().executeQuery(
                "SELECT count(*) FROM orders")) {
            rs.next();
            assertEquals(10, rs.getInt(1));
        }
    }

    static int count(String text, String part) {
        int n = 0;
        for (int at = text.indexOf(part); at >= 0; at = text.indexOf(part, at + 1)) {
            n++;
        }
        return n;
    }

    /**
     * pgjdbc in class loaders of its own, child-first as a web container's (Tomcat's WebappClassLoader), two versions
     * in one JVM: each copy gets its own guard, logging through the application's SLF4J.
     */
    @Test
    void pgjdbcInItsOwnClassLoadersTwoVersionsInOneJvm() throws Exception {
        List<Path> jars = pgjdbcJars().toList();
        Path oldest = jars.stream().filter(p -> p.toString().contains("42.2.29")).findFirst().orElseThrow();
        Path newest = jars.stream().filter(p -> p.toString().contains("42.7")).findFirst().orElseThrow();
        AgentJvm.Result r = AgentJvm.run("", List.of(), withoutPgjdbc(), Probe.class.getName(), "loaders", local(),
                production(), oldest.toString(), newest.toString());
        assertEquals(0, r.exit(), r::toString);
        assertEquals(List.of(oldest.getFileName() + "-delete blocked:unbounded-delete 10",
                newest.getFileName() + "-delete blocked:unbounded-delete 10"),
                joined(r), r::toString);
        assertEquals(2, count(r.out(), "pgguard agent: guarding pgjdbc"), r::toString);
    }

    @Test
    void hikariPool() throws Exception {
        AgentJvm.Result r = frameworks("hikari", local(), production());
        assertEquals(List.of("hikari-delete-0 blocked:unbounded-delete 10", "hikari-select-0 ran 5",
                "hikari-delete-1 blocked:unbounded-delete 10", "hikari-select-1 ran 5"),
                joined(r), r::toString);
    }

    @Test
    void flywayMigrateWarnsAndCleanIsBlocked() throws Exception {
        String location = Path.of(System.getProperty("pgguard.test.flywayDir", "src/test/resources/flyway"))
                .toAbsolutePath().toString();
        db.execute("DROP SCHEMA IF EXISTS agent_flyway CASCADE");
        AgentJvm.Result r = frameworks("flyway", local(), production(), location);
        // Flyway logs the failed DROP SCHEMA ("cleaned instead"), tries the tables, and reports success: nothing went
        assertEquals(List.of("flyway-migrate ran 5", "flyway-clean ran 5"),
                joined(r), r::toString);
        assertTrue(r.out().contains("pgguard blocked a destructive statement against non-local target localhost: "
                + "drop-schema"), r::toString);
        assertTrue(r.out().contains("require-concurrent-index"), r::toString);
    }

    @Test
    void hibernateCreateDropLeavesTheTable() throws Exception {
        AgentJvm.Result r = frameworks("hibernate", local(), production());
        assertEquals(List.of("hibernate-started ran 3", "hibernate-closed ran 3"),
                joined(r), r::toString);
        assertTrue(count(r.out(), "pgguard blocked a destructive statement") >= 2, r::toString);
    }

    static AgentJvm.Result frameworks(String... args) throws Exception {
        AgentJvm.Result r = AgentJvm.run("", List.of(), AgentJvm.applicationClassPath(), Frameworks.class.getName(),
                args);
        assertEquals(0, r.exit(), r::toString);
        return r;
    }

    /**
     * pgjdbc in a loader that cannot see the agent: the hooks cannot be applied, which is logged loudly once; then
     * every statement is refused (onHookFailure=block, the default) or passes (warn).
     */
    @Test
    void aHookThatCannotBeAppliedRefusesOrPassesAsConfigured() throws Exception {
        AgentJvm.Result blocks = withPgjdbcInItsOwnLoader("", "isolated");
        assertEquals(0, blocks.exit(), blocks::toString);
        assertEquals(List.of("isolated-select refused 0"),
                joined(blocks), blocks::toString);
        assertTrue(blocks.err().contains("SEVERE: pgguard agent: cannot guard org.postgresql.jdbc.PgStatement"),
                blocks::toString);
        AgentJvm.Result warns = withPgjdbcInItsOwnLoader("agent.onHookFailure=warn", "isolated");
        assertEquals(List.of("isolated-select ran 0"),
                joined(warns), warns::toString);
        assertTrue(warns.err().contains("its calls pass UNGUARDED (pgguard.agent.onHookFailure=warn)"),
                warns::toString);
    }

    /** Options on the -javaagent: line are pgguard settings; a bad one makes connections production, loudly. */
    @Test
    void agentOptionsAreSettings() throws Exception {
        AgentJvm.Result declared = probe("environment=production,allow=truncate", "statements", local(),
                "TRUNCATE orders_none_such", "DELETE FROM orders");
        assertEquals(List.of("failed:42P01", "blocked:unbounded-delete"),
                outcomes(declared).stream().map(o -> o[1]).toList(), declared::toString);
        AgentJvm.Result bad = probe("onDestructive=allwo", "statements", local(), "DELETE FROM orders");
        assertEquals(List.of("blocked:unbounded-delete"), outcomes(bad).stream().map(o -> o[1]).toList(),
                bad::toString);
        assertTrue(bad.out().contains("bad value 'allwo' for pgguard.onDestructive"), bad::toString);
        AgentJvm.Result overridden = AgentJvm.run("environment=production", List.of("-Dpgguard.environment=dev"),
                AgentJvm.applicationClassPath(), Probe.class.getName(), "statements", local(),
                "CREATE TABLE IF NOT EXISTS orders (id bigint PRIMARY KEY, state text NOT NULL)",
                "DELETE FROM orders WHERE false");
        assertEquals(List.of("ran", "ran"), outcomes(overridden).stream().map(o -> o[1]).toList(),
                overridden::toString);
    }

    /**
     * Attached to a running JVM through the Attach API: the connection it already had open, inside a transaction,
     * is guarded from its next statement on (its system identifier is not read mid-transaction).
     */
    @Test
    void lateAttachGuardsConnectionsAlreadyOpen() throws Exception {
        String out = lateAttach(AgentJvm.JAVA, production(), "");
        assertTrue(out.contains("is non-local (pgguard.environment=production)"), out);
    }

    /**
     * With pgguard.protect, a connection first seen inside the application's transaction is not asked for its
     * system identifier (the query would run inside that transaction, and ending it would end the application's):
     * it is treated as protected.
     */
    @Test
    void lateAttachNeverQueriesInsideTheApplicationsTransaction() throws Exception {
        String id;
        try (java.sql.Connection c = db.connect(); java.sql.ResultSet rs = c.createStatement()
                .executeQuery("SELECT system_identifier FROM pg_control_system()")) {
            rs.next();
            id = rs.getString(1);
        }
        String out = lateAttach(AgentJvm.JAVA, local(), "protect=" + id);
        assertTrue(out.contains("the connection was inside a transaction when pgguard first saw it"), out);
    }

    private static String lateAttach(Path javaBin, String url, String agentOptions) throws Exception {
        List<String> cmd = List.of(javaBin.toString(), "-cp",
                AgentJvm.applicationClassPath(), Probe.class.getName(), "late", local(), url);
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        StringBuilder out = new StringBuilder();
        try (java.io.BufferedReader r = new java.io.BufferedReader(new java.io.InputStreamReader(p.getInputStream()));
             java.io.Writer w = new java.io.OutputStreamWriter(p.getOutputStream())) {
            String line;
            while ((line = r.readLine()) != null && !line.startsWith("READY ")) {
                out.append(line).append('\n');
            }
            assertTrue(line != null, out::toString);
            com.sun.tools.attach.VirtualMachine vm = com.sun.tools.attach.VirtualMachine.attach(line.substring(6));
            try {
                vm.loadAgent(AgentJvm.AGENT_JAR.toAbsolutePath().toString(), agentOptions);
            } finally {
                vm.detach();
            }
            w.write("go\n");
            w.flush();
            while ((line = r.readLine()) != null) {
                out.append(line).append('\n');
            }
        } finally {
            p.waitFor(60, java.util.concurrent.TimeUnit.SECONDS);
        }
        List<String> got = out.toString().lines().filter(l -> l.startsWith("OUTCOME ")).toList();
        assertEquals(List.of("OUTCOME late-delete blocked:unbounded-delete -1", "OUTCOME late-truncate blocked:truncate -1",
                "OUTCOME late-end ran 10"), got, out::toString);
        assertTrue(out.toString().contains("installed (attached late)"), out::toString);
        return out.toString();
    }

    @Test
    void pgjdbcsOwnStatementsPass() throws Exception {
        AgentJvm.Result r = probe("", "internal", local(), production());
        assertEquals(0, r.exit(), r::toString);
        assertEquals(List.of("valid-true ran 0", "metadata-columns-2 ran 0", "deleteRow ran 9"),
                joined(r), r::toString);
        assertTrue(!r.out().contains("against non-local target"), r::toString);
    }

    /**
     * A Spring Boot fat jar started with {@code java -jar}: pgjdbc in {@code BOOT-INF/lib}, loaded from a nested jar
     * by Boot's {@code LaunchedClassLoader} (3.2 and later) or {@code LaunchedURLClassLoader} (before); the guard is
     * loaded beside it and logs through the SLF4J packed with it.
     */
    @ParameterizedTest(name = "{0}")
    @MethodSource("bootLoaders")
    void springBootFatJarLaunchedWithJavaJar(Path bootLoader) throws Exception {
        db.execute("TRUNCATE orders", "INSERT INTO orders SELECT g, 'new' FROM generate_series(1, 10) g");
        List<Path> libs = Arrays.stream(AgentJvm.applicationClassPath().split(File.pathSeparator)).map(Path::of)
                .filter(p -> {
                    String n = p.getFileName().toString();
                    return n.startsWith("postgresql-") || n.startsWith("slf4j-api") || n.startsWith("logback-");
                }).toList();
        assertEquals(4, libs.size(), libs::toString);
        Path jar = Files.createTempFile("pgguard-fat", ".jar");
        try {
            Path classes = Path.of(FatJarApp.class.getProtectionDomain().getCodeSource().getLocation().toURI());
            FatJar.write(jar, bootLoader, classes, List.of(FatJarApp.class), libs);
            List<String> cmd = List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                    "-javaagent:" + AgentJvm.AGENT_JAR.toAbsolutePath(), "-jar", jar.toString(), production());
            AgentJvm.Result r = AgentJvm.exec(cmd);
            assertEquals(0, r.exit(), r::toString);
            String loader = FatJar.launcher(bootLoader).contains(".launch.")
                    ? "org.springframework.boot.loader.launch.LaunchedClassLoader"
                    : "org.springframework.boot.loader.LaunchedURLClassLoader";
            assertTrue(r.out().contains("LOADER " + loader), r::toString);
            assertEquals(List.of("fat-jar-delete refused 0", "fat-jar-select ran 10"),
                    joined(r), r::toString);
            assertTrue(r.out().contains("ERROR io.pgguard.guard -- pgguard blocked a destructive statement"),
                    r::toString);
        } finally {
            Files.deleteIfExists(jar);
        }
    }

    /**
     * JDK 21 and later where the machine has one (skipped where it has none): the same calls, batches, 32 virtual
     * threads at once, and a late attach.
     */
    @Test
    void newerJdks() throws Exception {
        List<Path> jdks = AgentJvm.newerJdks();
        org.junit.jupiter.api.Assumptions.assumeFalse(jdks.isEmpty(), "no JDK 21+ on this machine");
        for (Path java : jdks) {
            compareCalls(java, AgentJvm.applicationClassPath(), "extended", false);
            assertBatches(AgentJvm.run(java, "", List.of(), AgentJvm.applicationClassPath(), Probe.class.getName(),
                    "batches", local(), production()));
            AgentJvm.Result v = AgentJvm.run(java, "", List.of(), AgentJvm.applicationClassPath(),
                    Probe.class.getName(), "virtual", local(), production(), "32");
            assertEquals(List.of("virtual-[blocked:unbounded-delete] ran 10"),
                    joined(v), v::toString);
            lateAttach(java, production(), "");
        }
    }

    /** Behind p6spy's spying driver (jdbc:p6spy:postgresql:) the agent still sees every statement pgjdbc runs. */
    @Test
    void behindP6spy() throws Exception {
        db.execute("TRUNCATE orders", "INSERT INTO orders SELECT g, 'new' FROM generate_series(1, 10) g");
        String url = production().replace("jdbc:postgresql:", "jdbc:p6spy:postgresql:");
        AgentJvm.Result r = AgentJvm.run("", List.of("-Dp6spy.config.appender=com.p6spy.engine.spy.appender.StdoutLogger",
                "-Dp6spy.config.driverlist=org.postgresql.Driver"), AgentJvm.applicationClassPath(),
                Probe.class.getName(), "statements", url, "DELETE FROM orders", "SELECT count(*) FROM orders");
        assertEquals(0, r.exit(), r::toString);
        assertEquals(List.of("blocked:unbounded-delete", "ran"), outcomes(r).stream().map(o -> o[1]).toList(),
                r::toString);
        assertEquals(10, Probe.rows(local()), r::toString);
    }

    /** Where pgjdbc's loader has no SLF4J, the guard logs through java.util.logging: the block is still said. */
    @Test
    void withoutSlf4jTheGuardLogsThroughJavaUtilLogging() throws Exception {
        db.execute("TRUNCATE orders", "INSERT INTO orders SELECT g, 'new' FROM generate_series(1, 10) g");
        AgentJvm.Result r = withPgjdbcInItsOwnLoader("", "withoutSlf4j");
        assertEquals(0, r.exit(), r::toString);
        assertEquals(List.of("no-slf4j-delete refused 10"),
                joined(r), r::toString);
        assertTrue(r.err().contains("SEVERE: pgguard blocked a destructive statement against non-local target"),
                r::toString);
        assertTrue(r.err().contains("INFO: pgguard: target localhost is non-local"), r::toString);
    }
}
