package io.pgguard.jdbc;

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
}
