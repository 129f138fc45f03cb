package io.pgguard.jdbc;

import io.pgguard.GuardBlockedException;
import io.pgguard.testkit.DestructiveCalls;
import io.pgguard.testkit.LogCapture;
import io.pgguard.testkit.PgDatabase;
import io.pgguard.testkit.PostgresTest;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.postgresql.PGConnection;
import org.postgresql.PGNotification;
import org.postgresql.jdbc.AutoSave;
import org.postgresql.copy.CopyManager;
import org.postgresql.largeobject.LargeObject;
import org.postgresql.largeobject.LargeObjectManager;

import java.io.StringReader;
import java.sql.CallableStatement;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * The guard in every JDBC call path, under every preferQueryMode and autocommit setting, against a real server
 * declared production (pgguard.environment) or recognised by its system identifier (pgguard.protect).
 */
@PostgresTest
class GuardDriverIT {

    private static PgDatabase db;

    @BeforeAll
    static void schema(PgDatabase database) throws SQLException {
        db = database;
        db.execute("CREATE TABLE IF NOT EXISTS orders (id bigint PRIMARY KEY, state text NOT NULL)",
                "CREATE OR REPLACE FUNCTION order_count() RETURNS bigint LANGUAGE sql AS 'SELECT count(*) FROM orders'",
                "CREATE OR REPLACE FUNCTION open_orders() RETURNS refcursor LANGUAGE plpgsql AS "
                        + "'DECLARE c refcursor; BEGIN OPEN c FOR SELECT id FROM orders ORDER BY id; RETURN c; END'");
    }

    static Stream<String> queryModes() {
        return Stream.of("simple", "extendedForPrepared", "extended", "extendedCacheEverything");
    }

    static Stream<Arguments> modes() {
        List<Arguments> out = new ArrayList<>();
        for (String mode : queryModes().toList()) {
            out.add(Arguments.of(mode, true));
            out.add(Arguments.of(mode, false));
        }
        return out.stream();
    }

    private static Connection guarded(String mode, boolean autocommit, String... settings) throws SQLException {
        Properties p = new Properties();
        p.setProperty("preferQueryMode", mode);
        for (int i = 0; i + 1 < settings.length; i += 2) {
            p.setProperty(settings[i], settings[i + 1]);
        }
        Connection c = db.connect(db.pgguardUrl(), p);
        c.setAutoCommit(autocommit);
        return c;
    }

    private static Connection production(String mode, boolean autocommit) throws SQLException {
        return guarded(mode, autocommit, "pgguard.environment", "production");
    }

    private static void reset() throws SQLException {
        db.execute("DROP TABLE IF EXISTS orders_copy",
                "CREATE TABLE IF NOT EXISTS orders (id bigint PRIMARY KEY, state text NOT NULL)", "TRUNCATE orders",
                "INSERT INTO orders SELECT g, 'new' FROM generate_series(1, 10) g");
    }

    private static long rows() throws SQLException {
        try (Connection c = db.connect(); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT count(*) FROM orders")) {
            rs.next();
            return rs.getLong(1);
        }
    }

    /** The rows of orders, or -1 when the table is gone. */
    private static long rowsOrMinusOne() {
        try {
            return rows();
        } catch (SQLException gone) {
            return -1;
        }
    }

    @ParameterizedTest(name = "{0}, autocommit {1}")
    @MethodSource("modes")
    void destructiveStatementsAreBlockedInEveryCallPathAndTouchNothing(String mode, boolean autocommit)
            throws SQLException {
        reset();
        List<DestructiveCalls.Call> paths = DestructiveCalls.all();
        List<String> failures = new ArrayList<>();
        for (int i = 0; i < paths.size(); i++) {
            try (Connection c = production(mode, autocommit)) {
                try {
                    paths.get(i).run(c);
                    failures.add("call path " + i + " was not blocked");
                } catch (GuardBlockedException e) {
                    assertEquals("42501", e.getSQLState());
                    assertTrue(e.getMessage().contains("pgguard:allow " + e.ruleId()), e.getMessage());
                } catch (SQLException | AssertionError e) {
                    failures.add("call path " + i + " was not blocked: " + e);
                }
                if (!autocommit) {
                    c.rollback();
                }
            }
            long left = rowsOrMinusOne();
            if (left != 10) {
                failures.add("call path " + i + " changed data: " + left + " rows left");
                reset();
            }
        }
        assertEquals(List.of(), failures);
        try (Connection raw = db.connect(); ResultSet rs = raw.createStatement().executeQuery(
                "SELECT count(*) FROM pg_tables WHERE tablename = 'orders'")) {
            rs.next();
            assertEquals(1, rs.getInt(1));
        }
    }

    @ParameterizedTest(name = "{0}, autocommit {1}")
    @MethodSource("modes")
    void safeStatementsReturnWhatRawPgjdbcReturns(String mode, boolean autocommit) throws SQLException {
        reset();
        String[] queries = {
            "SELECT id, state FROM orders WHERE id <= 3 ORDER BY id",
            "SELECT current_query() AS q, 'DROP TABLE orders' AS not_run /* a comment; with ; */",
            "SELECT E'it''s\\n', $$dollar; quoted$$, U&'d\\0061ta', \"state\" FROM orders WHERE id = 1",
        };
        Properties p = new Properties();
        p.setProperty("preferQueryMode", mode);
        try (Connection raw = db.connect(p); Connection g = production(mode, autocommit)) {
            raw.setAutoCommit(autocommit);
            for (String q : queries) {
                assertEquals(table(raw.createStatement().executeQuery(q)), table(g.createStatement().executeQuery(q)), q);
                assertEquals(table(raw.prepareStatement(q).executeQuery()), table(g.prepareStatement(q).executeQuery()), q);
            }
            PreparedStatement ps = g.prepareStatement("UPDATE orders SET state = ? WHERE id = ?");
            ps.setString(1, "paid");
            ps.setLong(2, 4);
            assertEquals(1, ps.executeUpdate());
            if (!mode.equals("simple")) {
                // pgjdbc cannot bind OUT parameters in the simple protocol, guard or not.
                CallableStatement call = g.prepareCall("{? = call order_count()}");
                call.registerOutParameter(1, java.sql.Types.BIGINT);
                call.execute();
                assertEquals(10, call.getLong(1));
            }
            if (!autocommit) {
                g.commit();
                raw.commit();
            }
        }
        try (Connection c = db.connect(); ResultSet rs = c.createStatement().executeQuery(
                "SELECT state FROM orders WHERE id = 4")) {
            rs.next();
            assertEquals("paid", rs.getString(1));
        }
    }

    /**
     * A table created in the open transaction is new, so statements on it are not held against it; once the
     * transaction commits it is a table like any other, and a statement prepared while it was new is decided again.
     */
    @ParameterizedTest(name = "{0}")
    @MethodSource("queryModes")
    void aTableIsNewOnlyWhileTheTransactionThatCreatedItIsOpen(String mode) throws SQLException {
        db.execute("DROP TABLE IF EXISTS scratch");
        try (Connection c = production(mode, false)) {
            c.createStatement().execute("CREATE TABLE scratch (id bigint)");
            PreparedStatement truncate = c.prepareStatement("TRUNCATE scratch");
            PreparedStatement drop = c.prepareStatement("DROP TABLE scratch");
            PreparedStatement batched = c.prepareStatement("DELETE FROM scratch WHERE id > ? OR true");
            truncate.execute();
            batched.setInt(1, 0);
            batched.addBatch();
            c.commit();
            c.createStatement().execute("INSERT INTO scratch VALUES (1), (2)");
            c.commit();
            assertThrows(GuardBlockedException.class, truncate::execute);
            assertThrows(GuardBlockedException.class, drop::execute);
            assertThrows(GuardBlockedException.class, batched::executeBatch, "rows added while scratch was new");
            assertThrows(GuardBlockedException.class, () -> c.createStatement().execute("DROP TABLE scratch"));
            c.rollback();
        }
        try (Connection c = db.connect(); ResultSet rs = c.createStatement().executeQuery(
                "SELECT count(*) FROM scratch")) {
            rs.next();
            assertEquals(2, rs.getInt(1));
        }
        db.execute("DROP TABLE scratch");
    }

    private static List<List<String>> table(ResultSet rs) throws SQLException {
        List<List<String>> rows = new ArrayList<>();
        int n = rs.getMetaData().getColumnCount();
        while (rs.next()) {
            List<String> row = new ArrayList<>();
            for (int i = 1; i <= n; i++) {
                row.add(rs.getString(i));
            }
            rows.add(row);
        }
        return rows;
    }

    @Test
    void aRefcursorResultSetStaysBehindTheGuardAndPgjdbcTypesAreReachable() throws SQLException {
        reset();
        try (Connection c = production("extended", false); Statement s = c.createStatement();
             ResultSet outer = s.executeQuery("SELECT open_orders()")) {
            assertTrue(outer.next());
            ResultSet cursor = (ResultSet) outer.getObject(1);
            List<Long> ids = new ArrayList<>();
            while (cursor.next()) {
                ids.add(cursor.getLong(1));
            }
            assertEquals(10, ids.size());
            assertThrows(GuardBlockedException.class, () -> cursor.getStatement().execute("DELETE FROM orders"));
            assertSame(s, outer.getStatement());
            assertTrue(outer.isWrapperFor(org.postgresql.jdbc.PgResultSet.class));
            assertNotNull(outer.unwrap(org.postgresql.jdbc.PgResultSet.class));
            assertSame(outer, outer.unwrap(ResultSet.class));
            c.rollback();
        }
        assertEquals(10, rows());
    }

    @Test
    void aLocalTargetOnlyWarnsAndAWarnedStatementRunsUnchanged() throws SQLException {
        reset();
        try (LogCapture log = new LogCapture(); Connection c = guarded("extended", true)) {
            c.createStatement().execute("CREATE INDEX IF NOT EXISTS orders_state_idx ON orders (state)");
            c.createStatement().execute("DELETE FROM orders");
            assertEquals(0, rows());
            List<String> warnings = log.messages("WARN");
            assertEquals(2, warnings.size(), log.all());
            assertTrue(warnings.get(0).contains("require-concurrent-index"), warnings.get(0));
            assertTrue(warnings.get(0).contains("lock ShareLock on orders"), warnings.get(0));
            assertTrue(log.messages("INFO").stream().anyMatch(m -> m.contains("is local")), log.all());
        }
        db.execute("DROP INDEX orders_state_idx");
    }

    @Test
    void aTunnelToAProtectedServerOnLocalhostIsProduction() throws SQLException {
        reset();
        String id;
        try (Connection raw = db.connect(); ResultSet rs = raw.createStatement().executeQuery(
                "SELECT system_identifier FROM pg_control_system()")) {
            rs.next();
            id = rs.getString(1);
        }
        try (Connection c = guarded("extended", true, "pgguard.protect", "1," + id)) {
            assertThrows(GuardBlockedException.class, () -> c.createStatement().execute("TRUNCATE orders"));
        }
        try (Connection c = guarded("extended", true, "pgguard.protect", "12345")) {
            c.createStatement().execute("DELETE FROM orders WHERE id = 1");
            assertEquals(9, rows());
        }
    }

    @Test
    void anOverrideInTheStatementRunsItAndIsLogged() throws SQLException {
        reset();
        try (LogCapture log = new LogCapture(); Connection c = production("extended", true)) {
            c.createStatement().execute("/* pgguard:allow truncate reason=\"reset test data\" */ TRUNCATE orders");
            assertEquals(0, rows());
            assertTrue(log.messages("WARN").stream().anyMatch(m -> m.startsWith("pgguard override: truncate")
                    && m.contains("reason=\"reset test data\"")), log.all());
        }
    }

    @Test
    void aHotWarnedStatementIsLoggedOncePerConnectionAndABlockEveryTime() throws SQLException {
        reset();
        try (LogCapture log = new LogCapture(); Connection c = production("extended", true)) {
            for (int i = 0; i < 50; i++) {
                PreparedStatement ps = c.prepareStatement("LOCK TABLE orders IN SHARE MODE");
                c.setAutoCommit(false);
                ps.execute();
                c.rollback();
                c.setAutoCommit(true);
                assertThrows(GuardBlockedException.class,
                        () -> c.createStatement().execute("DROP TABLE orders"));
            }
            assertEquals(1, log.messages("WARN").size(), log.all());
            assertEquals(50, log.messages("ERROR").size());
        }
    }

    @Test
    void logsCarryFingerprintsNeverLiteralsOrPasswords() throws SQLException {
        reset();
        try (LogCapture log = new LogCapture();
             Connection c = DriverManager.getConnection(db.pgguardUrlWithCredentials()
                     + (db.pgguardUrlWithCredentials().contains("?") ? "&" : "?") + "pgguard.environment=production")) {
            assertThrows(GuardBlockedException.class,
                    () -> c.createStatement().execute("DELETE FROM orders WHERE state = state -- 's3cr3t-literal'"));
            assertThrows(GuardBlockedException.class,
                    () -> c.createStatement().execute("UPDATE orders SET state = 's3cr3t-literal'"));
            String all = log.all();
            assertFalse(all.contains("s3cr3t-literal"), all);
            if (db.password() != null && !db.password().isEmpty()) {
                assertFalse(all.contains(db.password()), "password in the log");
            }
            assertTrue(all.contains("UPDATE orders SET state = ?"), all);
        }
    }

    @Test
    void pgjdbcFeaturesKeepWorkingThroughUnwrap() throws Exception {
        reset();
        try (Connection c = production("extended", false)) {
            assertTrue(c.isWrapperFor(PGConnection.class));
            PGConnection pg = c.unwrap(PGConnection.class);
            assertFalse(((Object) pg) instanceof GuardConnection);
            assertInstanceOf(GuardConnection.class, c.unwrap(Connection.class));
            CopyManager copy = pg.getCopyAPI();
            long copied = copy.copyIn("COPY orders (id, state) FROM STDIN WITH (FORMAT csv)",
                    new StringReader("100,copied\n101,copied\n"));
            assertEquals(2, copied);
            LargeObjectManager lom = pg.getLargeObjectAPI();
            long oid = lom.createLO();
            try (LargeObject lo = lom.open(oid, LargeObjectManager.WRITE)) {
                lo.write(new byte[] {1, 2, 3});
            }
            c.createStatement().execute("LISTEN pgguard_it");
            c.commit();
            try (Connection other = db.connect()) {
                other.createStatement().execute("NOTIFY pgguard_it, 'hello'");
            }
            c.createStatement().execute("SELECT 1");
            PGNotification[] notes = pg.getNotifications(2000);
            assertEquals("hello", notes[0].getParameter());
            c.commit();
        }
        assertEquals(12, rows());
    }

    @Test
    void configurationMistakesFailTheConnectionWithAClearMessage() {
        SQLException typo = assertThrows(SQLException.class,
                () -> guarded("extended", true, "pgguard.onDestrutive", "warn"));
        assertTrue(typo.getMessage().contains("unknown pgguard setting 'pgguard.onDestrutive'"), typo.getMessage());
        SQLException bad = assertThrows(SQLException.class,
                () -> guarded("extended", true, "pgguard.onDestructive", "maybe"));
        assertTrue(bad.getMessage().contains("bad value 'maybe' for pgguard.onDestructive"), bad.getMessage());
        SQLException inUrl = assertThrows(SQLException.class,
                () -> DriverManager.getConnection(db.pgguardUrl() + (db.pgguardUrl().contains("?") ? "&" : "?")
                        + "pgguard.allow=not-a-rule", db.properties()));
        assertTrue(inUrl.getMessage().contains("pgguard.allow"), inUrl.getMessage());
    }

    @Test
    void theDriverAcceptsOnlyItsOwnUrlsAndPgjdbcStillServesItsOwn() throws SQLException {
        GuardDriver driver = new GuardDriver();
        assertNull(driver.connect(db.jdbcUrl(), db.properties()));
        assertFalse(driver.acceptsURL("jdbc:postgresql://localhost/x"));
        assertTrue(driver.acceptsURL("jdbc:pgguard:postgresql://localhost/x"));
        try (Connection raw = DriverManager.getConnection(db.jdbcUrl(), db.properties())) {
            assertFalse(raw instanceof GuardConnection);
        }
        assertTrue(java.util.Arrays.stream(driver.getPropertyInfo(db.pgguardUrl(), new Properties()))
                .anyMatch(p -> p.name.equals("pgguard.onDestructive")));
        assertTrue(java.util.Arrays.stream(driver.getPropertyInfo(db.pgguardUrl(), new Properties()))
                .anyMatch(p -> p.name.equals("preferQueryMode")));
        assertEquals(0, driver.getMajorVersion());
        assertEquals(1, driver.getMinorVersion());
        assertFalse(driver.jdbcCompliant());
        // Credentials kept as the Properties' defaults reach pgjdbc, as they do when pgjdbc is called directly.
        Properties credentials = db.properties();
        credentials.setProperty("user", db.user() == null ? System.getProperty("user.name") : db.user());
        try (Connection c = driver.connect(db.pgguardUrl(), new Properties(credentials));
             ResultSet rs = c.createStatement().executeQuery("SELECT current_user")) {
            rs.next();
            assertEquals(credentials.getProperty("user"), rs.getString(1));
        }
    }
}
