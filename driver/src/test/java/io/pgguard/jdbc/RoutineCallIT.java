package io.pgguard.jdbc;

import io.pgguard.GuardBlockedException;
import io.pgguard.testkit.PgDatabase;
import io.pgguard.testkit.PostgresTest;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Properties;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/**
 * A routine defined through the guard and called later on the same connection is judged by the body it runs: the
 * call deletes every row through raw pgjdbc, and is blocked with the rows intact through pgguard, in every query
 * mode and whether the call is a plain statement, a statement prepared before the definition, or a later item of
 * the batch that defines it.
 */
@PostgresTest
class RoutineCallIT {

    private static PgDatabase db;

    @BeforeAll
    static void schema(PgDatabase database) {
        db = database;
    }

    @BeforeEach
    void reset() throws SQLException {
        db.execute("DROP FUNCTION IF EXISTS rc_purge()", "DROP PROCEDURE IF EXISTS rc_wipe()",
                "DROP FUNCTION IF EXISTS rc_one(int)", "DROP TABLE IF EXISTS rc_items",
                "CREATE TABLE rc_items (id int PRIMARY KEY)", "INSERT INTO rc_items SELECT generate_series(1, 10)");
    }

    static Stream<String> queryModes() {
        return Stream.of("simple", "extendedForPrepared", "extended", "extendedCacheEverything");
    }

    private static final String PURGE = "CREATE FUNCTION rc_purge() RETURNS void LANGUAGE plpgsql AS "
            + "$$BEGIN DELETE FROM rc_items; END$$";
    private static final String WIPE = "CREATE PROCEDURE rc_wipe() LANGUAGE sql BEGIN ATOMIC DELETE FROM rc_items; END";

    private static Connection production(String mode) throws SQLException {
        Properties p = new Properties();
        p.setProperty("preferQueryMode", mode);
        p.setProperty("pgguard.environment", "production");
        return db.connect(db.pgguardUrl(), p);
    }

    private static long rows() throws SQLException {
        try (Connection c = db.connect(); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT count(*) FROM rc_items")) {
            rs.next();
            return rs.getLong(1);
        }
    }

    @ParameterizedTest
    @MethodSource("queryModes")
    void theCallDeletesEveryRowThroughRawPgjdbc(String mode) throws SQLException {
        try (Connection c = db.connect("preferQueryMode", mode); Statement s = c.createStatement()) {
            s.execute(PURGE);
            s.execute("SELECT rc_purge()");
        }
        assertEquals(0, rows());
    }

    @ParameterizedTest
    @MethodSource("queryModes")
    void aCallInALaterStringOnTheConnectionIsBlocked(String mode) throws SQLException {
        try (Connection c = production(mode); Statement s = c.createStatement()) {
            s.execute(PURGE);
            s.execute(WIPE);
            GuardBlockedException e = assertThrows(GuardBlockedException.class, () -> s.execute("SELECT rc_purge()"));
            assertEquals("unbounded-delete", e.ruleId());
            assertThrows(GuardBlockedException.class, () -> s.execute("CALL rc_wipe()"));
            assertThrows(GuardBlockedException.class, () -> c.prepareStatement("SELECT * FROM RC_PURGE()").execute());
            assertThrows(GuardBlockedException.class, () -> c.prepareCall("{call rc_wipe()}").execute());
        }
        assertEquals(10, rows());
    }

    @ParameterizedTest
    @MethodSource("queryModes")
    void aStatementPreparedBeforeTheDefinitionDecidesAgain(String mode) throws SQLException {
        try (Connection c = production(mode); Statement s = c.createStatement()) {
            s.execute("CREATE FUNCTION rc_purge() RETURNS void LANGUAGE sql AS 'SELECT 1'");
            PreparedStatement call = c.prepareStatement("SELECT rc_purge()");
            call.execute();
            s.execute(PURGE.replace("CREATE", "CREATE OR REPLACE"));
            assertThrows(GuardBlockedException.class, call::execute);
            assertThrows(GuardBlockedException.class, call::addBatch);
        }
        assertEquals(10, rows());
    }

    @ParameterizedTest
    @MethodSource("queryModes")
    void aLaterItemOfTheBatchThatDefinesTheRoutineIsBlocked(String mode) throws SQLException {
        try (Connection c = production(mode); Statement s = c.createStatement()) {
            s.addBatch(PURGE);
            assertThrows(GuardBlockedException.class, () -> s.addBatch("SELECT rc_purge()"));
        }
        assertEquals(10, rows());
    }

    @ParameterizedTest
    @MethodSource("queryModes")
    void aBoundedBodyAndADroppedRoutineStayAllowed(String mode) throws SQLException {
        try (Connection c = production(mode); Statement s = c.createStatement()) {
            s.execute("CREATE FUNCTION rc_one(i int) RETURNS void LANGUAGE sql AS 'DELETE FROM rc_items WHERE id = i'");
            s.execute("SELECT rc_one(3)");
            s.execute(PURGE);
            s.execute("DROP FUNCTION rc_purge()");
            s.execute("CREATE FUNCTION rc_purge() RETURNS int LANGUAGE sql AS 'SELECT 1'");
            s.execute("SELECT rc_purge()");
        }
        assertEquals(9, rows());
    }
}
