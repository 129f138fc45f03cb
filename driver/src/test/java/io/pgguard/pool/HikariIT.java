package io.pgguard.pool;

import ch.qos.logback.classic.Level;
import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import com.zaxxer.hikari.HikariPoolMXBean;
import io.pgguard.GuardBlockedException;
import io.pgguard.jdbc.GuardConnection;
import io.pgguard.jdbc.GuardDataSource;
import io.pgguard.testkit.PgDatabase;
import io.pgguard.testkit.PostgresTest;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadInfo;
import java.lang.management.ThreadMXBean;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.Properties;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;
import java.util.stream.Stream;
import javax.sql.DataSource;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * The guard behind HikariCP, in both adoption paths (the {@code jdbc:pgguard:} URL as Hikari's jdbcUrl, and
 * {@link GuardDataSource} around a Hikari pool on the plain pgjdbc URL), against a target declared production:
 * Hikari's validation still finds dead connections, and 32 threads sharing a small pool for 10,000 mixed
 * statements each end with every thread finished, every destructive attempt blocked and logged, nothing changed by
 * them, no connection leaked, and one warning per warned statement per physical connection.
 */
@PostgresTest
class HikariIT {

    private static final int THREADS = 32;
    /** Statements per thread; {@code -Dpgguard.test.hikariStatements=N} shortens a local run. */
    private static final int STATEMENTS = Integer.getInteger("pgguard.test.hikariStatements", 10_000);
    private static final int POOL_SIZE = 8;
    private static final int ACCOUNTS = 1_000;
    /** Far above a normal run on 2 cores; reaching it means a deadlock or a pool starved by a leak. */
    private static final Duration RUN_LIMIT = Duration.ofMinutes(5);

    private static final String GUARD_LOGGER = "io.pgguard.guard";
    private static final String TARGET_LOGGER = "io.pgguard.target";

    private static final String READ = "SELECT balance FROM accounts WHERE id = ?";
    private static final String INSERT = "INSERT INTO events (thread, seq) VALUES (?, ?)";
    private static final String UPDATE = "UPDATE accounts SET balance = balance + 1 WHERE id = ?";
    /** Unsafe (lock-table): warned against production, runs unchanged. */
    private static final String LOCK = "LOCK TABLE accounts IN SHARE MODE";
    /** Destructive (unbounded-delete, truncate): blocked against production, every time. */
    private static final String DELETE_ALL = "DELETE FROM accounts";
    private static final String TRUNCATE = "TRUNCATE events";

    private static PgDatabase db;

    @BeforeAll
    static void database(PgDatabase database) {
        db = database;
    }

    /** How the application adopts the guard. */
    enum Adoption {
        /** {@code jdbcUrl=jdbc:pgguard:postgresql://...?pgguard.environment=production}: Hikari pools guarded connections. */
        URL_PREFIX,
        /** {@code new GuardDataSource(hikari, {pgguard.environment=production})}: each borrowed connection is guarded. */
        GUARD_DATA_SOURCE
    }

    /** How Hikari checks a connection before lending it. */
    enum Validation { CONNECTION_TEST_QUERY, IS_VALID }

    /** A Hikari pool and the data source the application borrows from (the pool itself, or the guard around it). */
    record Pool(HikariDataSource hikari, DataSource dataSource) implements AutoCloseable {

        static Pool open(Adoption adoption, Validation validation, int size, String name) {
            HikariConfig config = new HikariConfig();
            config.setPoolName(name);
            config.setMaximumPoolSize(size);
            config.setMinimumIdle(size);
            config.setConnectionTimeout(30_000);
            if (db.user() != null) {
                config.setUsername(db.user());
            }
            if (db.password() != null) {
                config.setPassword(db.password());
            }
            if (validation == Validation.CONNECTION_TEST_QUERY) {
                config.setConnectionTestQuery("SELECT 1");
            }
            if (adoption == Adoption.URL_PREFIX) {
                String url = db.pgguardUrl();
                config.setJdbcUrl(url + (url.contains("?") ? "&" : "?") + "pgguard.environment=production");
                HikariDataSource hikari = new HikariDataSource(config);
                return new Pool(hikari, hikari);
            }
            config.setJdbcUrl(db.jdbcUrl());
            HikariDataSource hikari = new HikariDataSource(config);
            Properties settings = new Properties();
            settings.setProperty("pgguard.environment", "production");
            return new Pool(hikari, new GuardDataSource(hikari, settings));
        }

        HikariPoolMXBean mx() {
            return hikari.getHikariPoolMXBean();
        }

        @Override
        public void close() {
            hikari.close();
        }
    }

    static Stream<Arguments> adoptionsAndValidations() {
        List<Arguments> out = new ArrayList<>();
        for (Adoption a : Adoption.values()) {
            for (Validation v : Validation.values()) {
                out.add(Arguments.of(a, v));
            }
        }
        return out.stream();
    }

    private static void resetTables() throws SQLException {
        db.execute("DROP TABLE IF EXISTS accounts, events",
                "CREATE TABLE accounts (id bigint PRIMARY KEY, balance bigint NOT NULL)",
                "CREATE TABLE events (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, thread int NOT NULL,"
                        + " seq int NOT NULL)",
                "INSERT INTO accounts SELECT g, 0 FROM generate_series(1, " + ACCOUNTS + ") g");
    }

    private static long scalar(String sql) throws SQLException {
        try (Connection c = db.connect(); Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
            rs.next();
            return rs.getLong(1);
        }
    }

    private static int backendPid(Connection c) throws SQLException {
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SELECT pg_backend_pid()")) {
            rs.next();
            return rs.getInt(1);
        }
    }

    private static void assertGuarded(Connection c) throws SQLException {
        assertTrue(c.isWrapperFor(GuardConnection.class), "the borrowed connection is not behind the guard");
        GuardBlockedException e = assertThrows(GuardBlockedException.class,
                () -> c.createStatement().executeUpdate(DELETE_ALL));
        assertEquals("42501", e.getSQLState());
        assertEquals("unbounded-delete", e.ruleId());
    }

    /**
     * Validation through the guard: Hikari lends a connection only after its test query or {@code isValid} said it
     * is alive, so a connection the server closed while it was idle is replaced, not lent.
     */
    @ParameterizedTest(name = "{0}, {1}")
    @MethodSource("adoptionsAndValidations")
    void validationReplacesAConnectionTheServerClosed(Adoption adoption, Validation validation) throws Exception {
        resetTables();
        try (Pool pool = Pool.open(adoption, validation, 1, "validation-" + adoption + "-" + validation)) {
            int first;
            try (Connection c = pool.dataSource().getConnection()) {
                assertTrue(c.isValid(5), "isValid through the guarded connection");
                assertGuarded(c);
                first = backendPid(c);
            }
            try (Connection raw = db.connect(); PreparedStatement ps = raw.prepareStatement(
                    "SELECT pg_terminate_backend(?)")) {
                ps.setInt(1, first);
                try (ResultSet rs = ps.executeQuery()) {
                    rs.next();
                    assertTrue(rs.getBoolean(1), "could not terminate the pooled backend " + first);
                }
            }
            // Hikari validates a connection idle for longer than its alive-bypass window (500 ms).
            Thread.sleep(1_000);
            try (Connection c = pool.dataSource().getConnection()) {
                int second = backendPid(c);
                assertNotEquals(first, second, "Hikari lent the connection whose backend was terminated");
                assertTrue(c.isValid(5));
                assertGuarded(c);
            }
            assertEquals(0, pool.mx().getActiveConnections());
            assertTrue(pool.mx().getTotalConnections() <= 1, "total " + pool.mx().getTotalConnections());
        }
    }

    /**
     * An override is an audit event: "every override is logged at WARN" (DESIGN.md, Policy). A pool lends the same
     * physical connection to request after request, so each request's override must be logged, not only the
     * first one the connection ever saw.
     */
    @ParameterizedTest
    @EnumSource(Adoption.class)
    void everyOverrideIsLoggedAlsoOnAReusedPooledConnection(Adoption adoption) throws Exception {
        resetTables();
        int requests = 3;
        try (Pool pool = Pool.open(adoption, Validation.IS_VALID, 1, "override-" + adoption);
             LogCounter log = new LogCounter()) {
            Integer pid = null;
            for (int r = 1; r <= requests; r++) {
                try (Connection c = pool.dataSource().getConnection(); Statement s = c.createStatement()) {
                    int now = backendPid(c);
                    assertTrue(pid == null || pid == now, "the pool of one lent another physical connection");
                    pid = now;
                    s.executeUpdate("/* pgguard:allow unbounded-delete reason=\"request " + r + "\" */ DELETE FROM events");
                }
            }
            List<LogCounter.Line> overrides = log.lines(GUARD_LOGGER, Level.WARN).stream()
                    .filter(l -> l.message().contains("override")).toList();
            assertEquals(requests, overrides.size(), "WARN lines for " + requests + " overrides on one pooled"
                    + " connection: " + overrides);
        }
    }

    /** What the worker threads did, summed over all of them. */
    static final class Tally {
        final LongAdder reads = new LongAdder();
        final LongAdder inserts = new LongAdder();
        final LongAdder updates = new LongAdder();
        final LongAdder locks = new LongAdder();
        final LongAdder deleteAttempts = new LongAdder();
        final LongAdder truncateAttempts = new LongAdder();
        final LongAdder deletesBlocked = new LongAdder();
        final LongAdder truncatesBlocked = new LongAdder();
        /** Destructive statements that were not blocked, or blocked with the wrong rule or SQLState. */
        final LongAdder wrongDecisions = new LongAdder();
        final Queue<Throwable> failures = new ConcurrentLinkedQueue<>();
        final AtomicInteger finished = new AtomicInteger();

        long statements() {
            return reads.sum() + inserts.sum() + updates.sum() + locks.sum() + deleteAttempts.sum()
                    + truncateAttempts.sum();
        }

        long destructiveAttempts() {
            return deleteAttempts.sum() + truncateAttempts.sum();
        }

        long blocked() {
            return deletesBlocked.sum() + truncatesBlocked.sum();
        }
    }

    /**
     * One thread's statements, each on a connection borrowed for it (as a request handler would). Out of every 20:
     * 9 prepared point reads, 4 inserts, 4 updates with a WHERE, 1 LOCK TABLE in a short transaction (warned),
     * 1 DELETE without WHERE and 1 TRUNCATE (blocked). The slot is shifted per thread so the kinds interleave.
     */
    private static void work(DataSource ds, int thread, Tally tally) throws SQLException {
        for (int i = 0; i < STATEMENTS; i++) {
            int slot = (i + thread) % 20;
            long account = 1 + (i * 31L + thread * 97L) % ACCOUNTS;
            if (slot < 9) {
                try (Connection c = ds.getConnection(); PreparedStatement ps = c.prepareStatement(READ)) {
                    ps.setLong(1, account);
                    try (ResultSet rs = ps.executeQuery()) {
                        if (!rs.next()) {
                            throw new AssertionError("account " + account + " is gone");
                        }
                    }
                }
                tally.reads.increment();
            } else if (slot < 13) {
                try (Connection c = ds.getConnection(); PreparedStatement ps = c.prepareStatement(INSERT)) {
                    ps.setInt(1, thread);
                    ps.setInt(2, i);
                    assertEquals(1, ps.executeUpdate());
                }
                tally.inserts.increment();
            } else if (slot < 17) {
                try (Connection c = ds.getConnection(); PreparedStatement ps = c.prepareStatement(UPDATE)) {
                    ps.setLong(1, account);
                    assertEquals(1, ps.executeUpdate());
                }
                tally.updates.increment();
            } else if (slot == 17) {
                try (Connection c = ds.getConnection()) {
                    c.setAutoCommit(false);
                    try (Statement s = c.createStatement()) {
                        s.execute(LOCK);
                    }
                    c.commit();
                }
                tally.locks.increment();
            } else if (slot == 18) {
                tally.deleteAttempts.increment();
                try (Connection c = ds.getConnection(); Statement s = c.createStatement()) {
                    s.executeUpdate(DELETE_ALL);
                    tally.wrongDecisions.increment();
                } catch (GuardBlockedException e) {
                    if ("unbounded-delete".equals(e.ruleId()) && "42501".equals(e.getSQLState())) {
                        tally.deletesBlocked.increment();
                    } else {
                        tally.wrongDecisions.increment();
                    }
                }
            } else {
                tally.truncateAttempts.increment();
                try (Connection c = ds.getConnection(); PreparedStatement ps = c.prepareStatement(TRUNCATE)) {
                    ps.execute();
                    tally.wrongDecisions.increment();
                } catch (GuardBlockedException e) {
                    if ("truncate".equals(e.ruleId()) && "42501".equals(e.getSQLState())) {
                        tally.truncatesBlocked.increment();
                    } else {
                        tally.wrongDecisions.increment();
                    }
                }
            }
        }
    }

    @ParameterizedTest
    @EnumSource(Adoption.class)
    void thirtyTwoThreadsShareASmallPoolAndEveryDecisionIsMade(Adoption adoption) throws Exception {
        resetTables();
        // The URL pool validates with a test query (it runs through the guard), the other with isValid.
        Validation validation = adoption == Adoption.URL_PREFIX ? Validation.CONNECTION_TEST_QUERY : Validation.IS_VALID;
        Tally tally = new Tally();
        long nanos;
        try (LogCounter log = new LogCounter();
             Pool pool = Pool.open(adoption, validation, POOL_SIZE, "load-" + adoption)) {
            ExecutorService executor = Executors.newFixedThreadPool(THREADS);
            CountDownLatch start = new CountDownLatch(1);
            for (int t = 0; t < THREADS; t++) {
                int thread = t;
                executor.execute(() -> {
                    try {
                        start.await();
                        work(pool.dataSource(), thread, tally);
                        tally.finished.incrementAndGet();
                    } catch (Throwable e) {
                        tally.failures.add(e);
                    }
                });
            }
            executor.shutdown();
            long t0 = System.nanoTime();
            start.countDown();
            if (!executor.awaitTermination(RUN_LIMIT.toMillis(), TimeUnit.MILLISECONDS)) {
                String dump = threadDump();
                executor.shutdownNow();
                fail("the run did not end within " + RUN_LIMIT + " (deadlock or starved pool): " + tally.finished
                        + " of " + THREADS + " threads finished, " + tally.statements() + " statements; pool active "
                        + pool.mx().getActiveConnections() + ", waiting " + pool.mx().getThreadsAwaitingConnection()
                        + "\n" + dump);
            }
            nanos = System.nanoTime() - t0;

            HikariPoolMXBean mx = pool.mx();
            int active = mx.getActiveConnections();
            int total = mx.getTotalConnections();
            int waiting = mx.getThreadsAwaitingConnection();
            long errors = log.count(GUARD_LOGGER, Level.ERROR);
            List<LogCounter.Line> warnings = log.lines(GUARD_LOGGER, Level.WARN);
            List<LogCounter.Line> targets = log.lines(TARGET_LOGGER, Level.INFO);
            double seconds = nanos / 1e9;
            System.out.printf("HikariIT %s: %d threads x %d statements = %d in %.1f s (%.0f statements/s);"
                            + " blocked %d of %d destructive (%d DELETE, %d TRUNCATE); %d LOCK TABLE; guard ERROR lines %d,"
                            + " WARN lines %d; target INFO lines %d; pool total %d, active %d%n",
                    adoption, THREADS, STATEMENTS, tally.statements(), seconds, tally.statements() / seconds,
                    tally.blocked(), tally.destructiveAttempts(), tally.deletesBlocked.sum(),
                    tally.truncatesBlocked.sum(), tally.locks.sum(), errors, warnings.size(), targets.size(), total,
                    active);
            warnings.forEach(w -> System.out.println("  " + w));

            // Every thread finished, with nothing but the blocks going wrong.
            if (!tally.failures.isEmpty()) {
                Throwable first = tally.failures.peek();
                AssertionError e = new AssertionError(tally.failures.size() + " threads failed; the first: " + first,
                        first);
                tally.failures.stream().skip(1).limit(5).forEach(e::addSuppressed);
                throw e;
            }
            assertEquals(THREADS, tally.finished.get(), "threads finished");
            assertEquals((long) THREADS * STATEMENTS, tally.statements(), "statements run");
            ThreadMXBean threads = ManagementFactory.getThreadMXBean();
            assertNull(threads.findDeadlockedThreads(), "deadlocked threads");

            // Every decision made: each destructive attempt was blocked, with its rule, and logged once at ERROR.
            assertEquals(0, tally.wrongDecisions.sum(), "destructive statements not blocked (or with a wrong rule)");
            assertEquals(tally.deleteAttempts.sum(), tally.deletesBlocked.sum(), "DELETE attempts blocked");
            assertEquals(tally.truncateAttempts.sum(), tally.truncatesBlocked.sum(), "TRUNCATE attempts blocked");
            assertEquals(tally.destructiveAttempts(), errors, "one ERROR line per blocked statement");
            LogCounter.Line anError = log.lines(GUARD_LOGGER, Level.ERROR).get(0);
            assertEquals("destructive", anError.mdc().get("pgguard.risk"), anError.toString());
            assertTrue(Set.of("unbounded-delete", "truncate").contains(anError.mdc().get("pgguard.rule")),
                    anError.toString());

            // No leak: every connection is back in the pool, and the pool never grew past its size.
            assertEquals(0, active, "active connections after the run");
            assertEquals(0, waiting, "threads awaiting a connection after the run");
            assertTrue(total <= POOL_SIZE, "total connections " + total + " > " + POOL_SIZE);

            // The target was decided once per physical connection, not per borrow.
            assertFalse(targets.isEmpty(), "no target decision logged");
            assertTrue(targets.size() <= POOL_SIZE, "target decided " + targets.size() + " times for a pool of "
                    + POOL_SIZE + ": " + targets);
            targets.forEach(t -> assertTrue(t.message().contains("non-local"), t.toString()));

            // The warned statement: logged at WARN once per physical connection that ran it, never more.
            assertFalse(warnings.isEmpty(), "LOCK TABLE was never warned about");
            assertTrue(warnings.size() <= POOL_SIZE, warnings.size() + " WARN lines for a pool of " + POOL_SIZE
                    + ": " + warnings);
            for (LogCounter.Line w : warnings) {
                assertTrue(w.message().contains("LOCK TABLE accounts IN SHARE MODE"), w.toString());
                assertEquals("unsafe", w.mdc().get("pgguard.risk"), w.toString());
                assertEquals("lock-table", w.mdc().get("pgguard.rule"), w.toString());
                assertFalse(w.mdc().getOrDefault("pgguard.target", "").isEmpty(), w.toString());
            }
        }

        // The data: the blocked statements changed nothing, every other write is there exactly once.
        assertEquals(ACCOUNTS, scalar("SELECT count(*) FROM accounts"), "accounts (DELETE FROM accounts was blocked)");
        assertEquals(tally.updates.sum(), scalar("SELECT sum(balance) FROM accounts"), "one increment per UPDATE");
        assertEquals(tally.inserts.sum(), scalar("SELECT count(*) FROM events"), "events (TRUNCATE events was blocked)");
        assertEquals(0, scalar("SELECT count(*) FROM (SELECT thread, seq FROM events GROUP BY 1, 2 HAVING count(*) > 1) d"),
                "an INSERT ran twice");
    }

    private static String threadDump() {
        StringBuilder sb = new StringBuilder();
        ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        long[] deadlocked = threads.findDeadlockedThreads();
        if (deadlocked != null) {
            sb.append("deadlocked threads:\n");
            for (ThreadInfo info : threads.getThreadInfo(deadlocked, true, true)) {
                sb.append(info);
            }
        }
        for (ThreadInfo info : threads.dumpAllThreads(true, true)) {
            if (info.getThreadName().startsWith("pool-")) {
                sb.append(info);
            }
        }
        return sb.toString();
    }
}
