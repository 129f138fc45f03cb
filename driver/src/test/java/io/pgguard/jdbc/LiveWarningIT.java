package io.pgguard.jdbc;

import io.pgguard.GuardBlockedException;
import io.pgguard.testkit.LogCapture;
import io.pgguard.testkit.PgDatabase;
import io.pgguard.testkit.PostgresTest;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.List;
import java.util.Properties;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A warning about a lock-taking statement against a non-local target names what the server knows: the table's size,
 * and the session holding a lock the statement would wait behind. The question is asked on the connection itself,
 * without touching its transaction.
 */
@PostgresTest
class LiveWarningIT {

    private static PgDatabase db;

    @BeforeAll
    static void table(PgDatabase database) throws SQLException {
        db = database;
        db.execute("DROP TABLE IF EXISTS live_t", "CREATE TABLE live_t (id int PRIMARY KEY, v text)",
                "INSERT INTO live_t SELECT g, 'v' FROM generate_series(1, 1000) g", "ANALYZE live_t");
    }

    private static Connection production(boolean autocommit, String... extra) throws SQLException {
        Properties p = new Properties();
        p.setProperty("pgguard.environment", "production");
        for (int i = 0; i + 1 < extra.length; i += 2) {
            p.setProperty(extra[i], extra[i + 1]);
        }
        Connection c = db.connect(db.pgguardUrl(), p);
        c.setAutoCommit(autocommit);
        return c;
    }

    private static int pid(Connection c) throws SQLException {
        try (ResultSet rs = c.createStatement().executeQuery("SELECT pg_backend_pid()")) {
            rs.next();
            return rs.getInt(1);
        }
    }

    @Test
    void theWarningNamesTheTablesSizeAndTheSessionItWouldWaitBehind() throws Exception {
        try (Connection blocker = db.connect("ApplicationName", "nightly-report");
             LogCapture log = new LogCapture("io.pgguard.guard");
             Connection c = production(true, "options", "-c lock_timeout=300ms")) {
            blocker.setAutoCommit(false);
            blocker.createStatement().executeQuery("SELECT count(*) FROM live_t").close();
            int holder = pid(blocker);
            SQLException timedOut = assertThrows(SQLException.class,
                    () -> c.createStatement().execute("ALTER TABLE live_t ALTER COLUMN v SET NOT NULL"));
            assertEquals("55P03", timedOut.getSQLState(), "the statement was sent after the warning, and waited");
            blocker.rollback();
            List<String> warnings = log.messages("WARN");
            assertEquals(1, warnings.size(), warnings::toString);
            String w = warnings.get(0);
            assertTrue(w.contains("| live_t: about 1,000 rows, "), w);
            assertTrue(w.contains("it would wait behind pid " + holder + " (nightly-report, idle in transaction, "
                    + "transaction open "), w);
            assertTrue(!w.contains("lock_timeout is 0"), "this session has a lock_timeout: " + w);
        }
    }

    @Test
    void insideATransactionTheQuestionLeavesTheTransactionAsItWas() throws Exception {
        try (LogCapture log = new LogCapture("io.pgguard.guard"); Connection c = production(false)) {
            c.createStatement().execute("CREATE TEMP TABLE before_it (id int)");
            c.createStatement().execute("CREATE INDEX live_t_v ON live_t (v)");
            // the transaction is the one the application opened: both statements are in it, and it rolls back
            c.rollback();
            String w = log.messages("WARN").get(0);
            assertTrue(w.contains("| live_t: about 1,000 rows, "), w);
            assertTrue(!w.contains("wait behind"), w);
            assertTrue(w.contains("lock_timeout is 0, so it would wait for its lock without limit"), w);
        }
        try (Connection raw = db.connect(); ResultSet rs = raw.createStatement().executeQuery(
                "SELECT count(*) FROM pg_class WHERE relname = 'live_t_v'")) {
            rs.next();
            assertEquals(0, rs.getInt(1), "the index was rolled back with the application's transaction");
        }
    }

    @Test
    void aLocalTargetIsNotAsked() throws Exception {
        Properties p = new Properties();
        try (LogCapture log = new LogCapture("io.pgguard.guard"); Connection c = db.connect(db.pgguardUrl(), p)) {
            c.createStatement().execute("CREATE INDEX live_t_local ON live_t (v)");
            c.createStatement().execute("DROP INDEX live_t_local");
            assertTrue(log.messages("WARN").stream().noneMatch(m -> m.contains("about 1,000 rows")),
                    log.messages("WARN")::toString);
        }
    }

    @Test
    void aLockOnAnEmptyTableOrOneTheTransactionCreatedIsNotWorthAWarning() throws Exception {
        db.execute("DROP TABLE IF EXISTS live_empty", "CREATE TABLE live_empty (id int, v text)");
        try (LogCapture log = new LogCapture("io.pgguard.guard"); Connection c = production(true)) {
            c.createStatement().execute("CREATE INDEX live_empty_v ON live_empty (v)");
            assertEquals(List.of(), log.messages("WARN"), "not a page in the table, nobody holding a lock on it");
            c.createStatement().execute("DROP INDEX live_empty_v");
            c.setAutoCommit(false);
            c.createStatement().execute("CREATE TABLE live_new (id int, v text)");
            c.createStatement().execute("INSERT INTO live_new SELECT g, 'v' FROM generate_series(1, 100) g");
            c.createStatement().execute("CREATE INDEX live_new_v ON live_new (v)");
            c.rollback();
            assertEquals(List.of(), log.messages("WARN"), "a table of the open transaction is nobody else's");
            // the same statement on a table with rows warns: the empty table's silence was not remembered
            db.execute("INSERT INTO live_empty VALUES (1, 'a')");
            c.setAutoCommit(true);
            c.createStatement().execute("CREATE INDEX live_empty_v ON live_empty (v)");
            List<String> warnings = log.messages("WARN");
            assertEquals(1, warnings.size(), warnings::toString);
            assertTrue(warnings.get(0).contains("require-concurrent-index"), warnings.get(0));
        } finally {
            db.execute("DROP TABLE IF EXISTS live_empty");
        }
    }

    @Test
    void largeTableTurnsTheWarningIntoABlockWithTheSize() throws Exception {
        try (LogCapture log = new LogCapture("io.pgguard.guard");
             Connection c = production(true, "pgguard.largeTable", "500 rows")) {
            GuardBlockedException e = assertThrows(GuardBlockedException.class,
                    () -> c.createStatement().execute("CREATE INDEX live_t_large ON live_t (v)"));
            assertEquals("require-concurrent-index", e.ruleId());
            assertTrue(e.getMessage().startsWith("pgguard blocked an unsafe statement"), e.getMessage());
            assertTrue(e.getMessage().contains("live_t: about 1,000 rows, "), e.getMessage());
            assertTrue(e.getMessage().contains("at or above pgguard.largeTable=500 rows"), e.getMessage());
            assertEquals(0, db.count("SELECT count(*) FROM pg_class WHERE relname = 'live_t_large'"),
                    "nothing was sent");
            // allowed deliberately, it runs, and the override is logged
            c.createStatement().execute("/* pgguard:allow require-concurrent-index reason=\"off-peak\" */ "
                    + "CREATE INDEX live_t_large ON live_t (v)");
            assertTrue(log.messages("WARN").stream().anyMatch(m -> m.startsWith("pgguard override: ")
                    && m.contains("off-peak")), log.messages("WARN")::toString);
            db.execute("DROP INDEX live_t_large");
        }
        try (Connection bytes = production(true, "pgguard.largeTable", "8kB");
             Connection small = production(true, "pgguard.largeTable", "1GB")) {
            assertThrows(GuardBlockedException.class,
                    () -> bytes.createStatement().execute("CREATE INDEX live_t_large ON live_t (v)"));
            small.createStatement().execute("CREATE INDEX live_t_large ON live_t (v)");
            db.execute("DROP INDEX live_t_large");
        }
    }

    @Test
    void aBadLargeTableOrLockTimeoutFailsTheConnection() {
        SQLException size = assertThrows(SQLException.class, () -> production(true, "pgguard.largeTable", "big"));
        assertTrue(size.getMessage().contains("pgguard.largeTable"), size.getMessage());
        SQLException time = assertThrows(SQLException.class, () -> production(true, "pgguard.lockTimeout", "0"));
        assertTrue(time.getMessage().contains("pgguard.lockTimeout"), time.getMessage());
    }

    @Test
    void lockTimeoutIsSetForTheStatementAndRestoredAfterwardsAlsoWhenItFails() throws Exception {
        try (Connection blocker = db.connect("ApplicationName", "long-report");
             Connection c = production(true, "pgguard.lockTimeout", "300ms")) {
            assertEquals("0", show(c));
            blocker.setAutoCommit(false);
            blocker.createStatement().executeQuery("SELECT count(*) FROM live_t").close();
            long started = System.nanoTime();
            SQLException e = assertThrows(SQLException.class,
                    () -> c.createStatement().execute("ALTER TABLE live_t ADD COLUMN lt_extra int"));
            assertEquals("55P03", e.getSQLState(), "the session's lock_timeout is 0: pgguard's 300ms ended the wait");
            assertTrue(System.nanoTime() - started < 30_000_000_000L);
            assertEquals("0", show(c), "restored after the failure");
            // inside a transaction: the failure aborts it, and its rollback undoes the change with it
            c.setAutoCommit(false);
            try (java.sql.PreparedStatement ps = c.prepareStatement("ALTER TABLE live_t ADD COLUMN lt_extra int")) {
                assertEquals("55P03", assertThrows(SQLException.class, ps::execute).getSQLState());
            }
            c.rollback();
            assertEquals("0", show(c));
            c.setAutoCommit(true);
            blocker.rollback();
            // it runs, and the session's value is back after it
            c.createStatement().execute("ALTER TABLE live_t ADD COLUMN lt_extra int");
            assertEquals("0", show(c));
            db.execute("ALTER TABLE live_t DROP COLUMN lt_extra");
            // a SET LOCAL of the application's transaction stays its own: 10s inside, the session's 0 after it
            c.setAutoCommit(false);
            c.createStatement().execute("SET LOCAL lock_timeout = '10s'");
            c.createStatement().execute("ALTER TABLE live_t ADD COLUMN lt_extra int");
            assertEquals("10s", show(c));
            c.rollback();
            assertEquals("0", show(c));
            c.setAutoCommit(true);
            // a string that sets lock_timeout itself keeps what it set
            c.createStatement().execute("SET lock_timeout = '1s'; ALTER TABLE live_t ADD COLUMN lt_extra int");
            assertEquals("1s", show(c));
            db.execute("ALTER TABLE live_t DROP COLUMN lt_extra");
            c.createStatement().execute("RESET lock_timeout");
            // a shorter value of the session's own is left alone
            c.createStatement().execute("SET lock_timeout = '100ms'");
            blocker.createStatement().executeQuery("SELECT count(*) FROM live_t").close();
            assertEquals("55P03", assertThrows(SQLException.class,
                    () -> c.createStatement().execute("ALTER TABLE live_t ADD COLUMN lt_extra int")).getSQLState());
            assertEquals("100ms", show(c));
            blocker.rollback();
        }
    }

    @Test
    void aCalledRoutineIsJudgedByTheBodyTheCatalogHolds() throws Exception {
        db.execute("DROP TABLE IF EXISTS live_r", "CREATE TABLE live_r (id int)",
                "INSERT INTO live_r SELECT generate_series(1, 10)",
                "CREATE OR REPLACE FUNCTION live_purge() RETURNS void LANGUAGE sql AS 'DELETE FROM live_r'",
                "CREATE OR REPLACE PROCEDURE live_wipe() LANGUAGE plpgsql AS $$ BEGIN TRUNCATE live_r; END $$",
                "CREATE OR REPLACE FUNCTION live_outer() RETURNS void LANGUAGE plpgsql AS "
                        + "$$ BEGIN PERFORM live_purge(); END $$",
                "CREATE OR REPLACE FUNCTION live_add(i int) RETURNS int LANGUAGE sql AS 'SELECT i + 1'");
        try (Connection c = production(true)) {
            GuardBlockedException purge = assertThrows(GuardBlockedException.class,
                    () -> c.createStatement().executeQuery("SELECT live_purge()"));
            assertEquals("destructive", purge.risk());
            assertTrue(purge.getMessage().contains("calls live_purge"), purge.getMessage());
            assertThrows(GuardBlockedException.class, () -> c.createStatement().execute("CALL live_wipe()"));
            assertThrows(GuardBlockedException.class,
                    () -> c.prepareStatement("SELECT * FROM public.live_outer()").executeQuery());
            assertEquals(10, db.count("SELECT count(*) FROM live_r"), "nothing ran");
            try (ResultSet rs = c.createStatement().executeQuery("SELECT live_add(41)")) {
                rs.next();
                assertEquals(42, rs.getInt(1));
            }
            // the connection's own DDL makes it look again: the body is harmless now
            c.createStatement().execute("CREATE OR REPLACE FUNCTION live_purge() RETURNS void LANGUAGE sql "
                    + "AS 'SELECT 1'");
            c.createStatement().executeQuery("SELECT live_purge()").close();
            assertEquals(10, db.count("SELECT count(*) FROM live_r"));
        } finally {
            db.execute("DROP FUNCTION IF EXISTS live_purge()", "DROP PROCEDURE IF EXISTS live_wipe()",
                    "DROP FUNCTION IF EXISTS live_outer()", "DROP FUNCTION IF EXISTS live_add(int)",
                    "DROP TABLE IF EXISTS live_r");
        }
    }

    @Test
    void aTypeChangeIsJudgedFromTheTypeTheColumnHas() throws Exception {
        db.execute("DROP TABLE IF EXISTS live_ty", "CREATE TABLE live_ty (id int, name varchar(50), n int)",
                "INSERT INTO live_ty SELECT g, 'x', g FROM generate_series(1, 100) g");
        try (LogCapture log = new LogCapture("io.pgguard.guard"); Connection c = production(false)) {
            c.createStatement().execute("ALTER TABLE live_ty ALTER COLUMN name TYPE varchar(100)");
            assertTrue(log.messages("WARN").stream().noneMatch(m -> m.contains("change-column-type")),
                    "varchar(50) to varchar(100) is binary-coercible: " + log.messages("WARN"));
            c.createStatement().execute("ALTER TABLE live_ty ALTER COLUMN n TYPE bigint");
            List<String> warnings = log.messages("WARN");
            assertEquals(1, warnings.size(), warnings::toString);
            assertTrue(warnings.get(0).contains("ALTER COLUMN n TYPE integer -> bigint rewrites live_ty"),
                    warnings.get(0));
            c.rollback();
        } finally {
            db.execute("DROP TABLE IF EXISTS live_ty");
        }
    }

    private static String show(Connection c) throws SQLException {
        try (ResultSet rs = c.createStatement().executeQuery("SHOW lock_timeout")) {
            rs.next();
            return rs.getString(1);
        }
    }

    /** The forms a review found passing: each runs a DELETE of every row through a routine the catalog holds. */
    @Test
    void routineCallsInEveryFormAreJudgedAndALookupThatFailedIsNotRemembered() throws Exception {
        db.execute("DROP TABLE IF EXISTS live_v", "CREATE TABLE live_v (id int)",
                "INSERT INTO live_v SELECT generate_series(1, 5)",
                "CREATE OR REPLACE FUNCTION live_d4() RETURNS int LANGUAGE sql AS 'DELETE FROM live_v RETURNING 1'",
                "CREATE OR REPLACE FUNCTION live_d3() RETURNS int LANGUAGE sql AS 'SELECT live_d4()'",
                "CREATE OR REPLACE FUNCTION live_d2() RETURNS int LANGUAGE sql AS 'SELECT live_d3()'",
                "CREATE OR REPLACE FUNCTION live_d1() RETURNS int LANGUAGE sql AS 'SELECT live_d2()'",
                "CREATE OR REPLACE FUNCTION key() RETURNS int LANGUAGE sql AS 'DELETE FROM live_v RETURNING 1'",
                "CREATE OR REPLACE FUNCTION live_sfunc(s int, v int) RETURNS int LANGUAGE plpgsql AS "
                        + "$$ BEGIN DELETE FROM live_v; RETURN s; END $$",
                "DROP AGGREGATE IF EXISTS live_agg(int)",
                "CREATE AGGREGATE live_agg(int) (SFUNC = live_sfunc, STYPE = int, INITCOND = '0')");
        try (Connection c = production(true)) {
            for (String sql : new String[] {"SELECT live_d1()", "SELECT key()", "SELECT public.key()",
                "SELECT 1 FROM live_v a JOIN live_v b ON live_d4() >= 0", "SELECT U&\"live_d\\0034\"()",
                "SELECT live_agg(id) FROM live_v", "MERGE INTO live_v t USING (SELECT live_d4() AS x) s ON false "
                        + "WHEN NOT MATCHED THEN INSERT VALUES (1)"}) {
                assertThrows(GuardBlockedException.class, () -> c.createStatement().execute(sql), sql);
            }
            // asked in a failed transaction, the catalog cannot answer: the name is asked again, not taken as safe
            c.setAutoCommit(false);
            assertThrows(SQLException.class, () -> c.createStatement().execute("SELECT 1/0"));
            assertThrows(SQLException.class, () -> c.createStatement().execute("SELECT live_d2()"));
            c.rollback();
            assertThrows(GuardBlockedException.class, () -> c.createStatement().execute("SELECT live_d2()"));
            c.rollback();
        } finally {
            db.execute("DROP AGGREGATE IF EXISTS live_agg(int)", "DROP FUNCTION IF EXISTS live_sfunc(int, int)",
                    "DROP FUNCTION IF EXISTS key()", "DROP FUNCTION IF EXISTS live_d1()",
                    "DROP FUNCTION IF EXISTS live_d2()", "DROP FUNCTION IF EXISTS live_d3()",
                    "DROP FUNCTION IF EXISTS live_d4()");
        }
        assertEquals(5, db.count("SELECT count(*) FROM live_v"), "nothing was deleted");
        db.execute("DROP TABLE live_v");
    }

    /** The questions never begin the application's transaction, nor leave a lock_timeout behind a BEGIN it sent. */
    @Test
    void theQuestionsLeaveTheSessionAsTheyFoundIt() throws Exception {
        db.execute("CREATE OR REPLACE FUNCTION live_inc(i int) RETURNS int LANGUAGE sql AS 'SELECT i + 1'");
        try (Connection c = production(false, "pgguard.lockTimeout", "300ms");
             Connection blocker = db.connect()) {
            c.commit();
            // a lookup at prepare time opens no transaction: the isolation level can still be set
            c.prepareStatement("SELECT live_inc(1)").close();
            c.prepareStatement("CREATE INDEX live_t_q ON live_t (v)").close();
            c.setTransactionIsolation(Connection.TRANSACTION_SERIALIZABLE);
            c.setReadOnly(true);
            c.setReadOnly(false);
            c.setTransactionIsolation(Connection.TRANSACTION_READ_COMMITTED);
            // autocommit, and a BEGIN of the application's: the lock_timeout is the transaction's, gone with it
            c.setAutoCommit(true);
            blocker.setAutoCommit(false);
            blocker.createStatement().executeQuery("SELECT count(*) FROM live_t").close();
            c.createStatement().execute("BEGIN");
            assertEquals("55P03", assertThrows(SQLException.class,
                    () -> c.createStatement().execute("ALTER TABLE live_t ADD COLUMN lt_q int")).getSQLState());
            c.createStatement().execute("ROLLBACK");
            assertEquals("0", show(c));
            blocker.rollback();
            // a string that opens and ends its own transaction is left to itself
            c.createStatement().execute("BEGIN; ALTER TABLE live_t ADD COLUMN lt_q int; COMMIT");
            assertEquals("0", show(c));
            db.execute("ALTER TABLE live_t DROP COLUMN lt_q");
        } finally {
            db.execute("DROP FUNCTION IF EXISTS live_inc(int)");
        }
    }

    /** A lock held to the end of a transaction is worth a warning whatever the table's size. */
    @Test
    void anEmptyTableIsNotQuietWhenTheLockOutlivesTheStatement() throws Exception {
        db.execute("DROP TABLE IF EXISTS live_e2", "CREATE TABLE live_e2 (id int, v text)");
        try (LogCapture log = new LogCapture("io.pgguard.guard"); Connection c = production(false)) {
            c.createStatement().execute("CREATE INDEX live_e2_v ON live_e2 (v)");
            c.rollback();
            assertEquals(1, log.messages("WARN").size(), "inside a transaction the lock lasts until it ends");
        } finally {
            db.execute("DROP TABLE IF EXISTS live_e2");
        }
    }
}
