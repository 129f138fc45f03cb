package io.pgguard.jdbc;

import io.pgguard.GuardBlockedException;
import io.pgguard.testkit.CallPaths;
import io.pgguard.testkit.PgDatabase;
import io.pgguard.testkit.PostgresTest;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The guard reads a string as the session's server does. With standard_conforming_strings off (set by SET,
 * set_config, or at connect time), {@code SELECT 'a\' , ' ; DROP TABLE t; -- '} is a SELECT and a DROP TABLE: the
 * table is gone through raw pgjdbc, and through pgguard the string is blocked and the table stays, in every query
 * mode and call path; with the setting back on, the same text is one harmless SELECT.
 */
@PostgresTest
class StandardConformingStringsIT {

    private static final String HIDDEN = "SELECT 'a\\' , ' ; DROP TABLE scs_items; -- '";

    private static PgDatabase db;

    @BeforeAll
    static void schema(PgDatabase database) {
        db = database;
    }

    @BeforeEach
    void reset() throws SQLException {
        db.execute("DROP TABLE IF EXISTS scs_items", "CREATE TABLE scs_items (id int PRIMARY KEY, note text)",
                "INSERT INTO scs_items SELECT g, 'n' FROM generate_series(1, 5) g");
    }

    static Stream<String> queryModes() {
        return Stream.of("simple", "extendedForPrepared", "extended", "extendedCacheEverything");
    }

    /** How the session turned the setting off. */
    static List<String> ways() {
        return List.of("SET standard_conforming_strings = off",
                "SELECT set_config('standard_conforming_strings', 'off', false)", "connect");
    }

    static Stream<Arguments> modesAndWays() {
        List<Arguments> out = new ArrayList<>();
        for (String mode : queryModes().toList()) {
            for (String way : ways()) {
                out.add(Arguments.of(mode, way));
            }
        }
        return out.stream();
    }

    private static Connection open(String url, String mode, String way, boolean production) throws SQLException {
        Properties p = new Properties();
        p.setProperty("preferQueryMode", mode);
        if (production) {
            p.setProperty("pgguard.environment", "production");
        }
        if (way.equals("connect")) {
            p.setProperty("options", "-c standard_conforming_strings=off");
        }
        Connection c = db.connect(url, p);
        if (!way.equals("connect")) {
            try (Statement s = c.createStatement()) {
                s.execute(way);
            }
        }
        return c;
    }

    private static boolean tableExists() throws SQLException {
        try (Connection c = db.connect(); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT to_regclass('scs_items') IS NOT NULL")) {
            rs.next();
            return rs.getBoolean(1);
        }
    }

    @ParameterizedTest(name = "{0}, {1}")
    @MethodSource("modesAndWays")
    void theHiddenDropRunsThroughRawPgjdbc(String mode, String way) throws SQLException {
        try (Connection c = open(db.jdbcUrl(), mode, way, false)) {
            c.createStatement().execute(HIDDEN);
        } catch (SQLException e) {
            // pgjdbc may complain about the SELECT's result in a batch; what matters is what the server did.
        }
        assertEquals(false, tableExists(), "the server read a DROP TABLE in " + HIDDEN);
    }

    @ParameterizedTest(name = "{0}, {1}")
    @MethodSource("modesAndWays")
    void throughPgguardTheStringIsBlockedInEveryCallPath(String mode, String way) throws SQLException {
        try (Connection c = open(db.pgguardUrl(), mode, way, true)) {
            for (CallPaths.CallPath path : CallPaths.ALL) {
                GuardBlockedException e = assertThrows(GuardBlockedException.class, () -> path.run(c, HIDDEN));
                assertEquals("drop-table", e.ruleId());
            }
            // A string that is only harmless text under this reading runs.
            c.createStatement().execute("INSERT INTO scs_items VALUES (6, 'it\\'s')");
            try (ResultSet rs = c.createStatement().executeQuery("SELECT note FROM scs_items WHERE id = 6")) {
                assertTrue(rs.next());
                assertEquals("it's", rs.getString(1));
            }
        }
        assertTrue(tableExists());
    }

    @ParameterizedTest
    @MethodSource("queryModes")
    void withTheSettingBackOnTheSameTextIsOneSelect(String mode) throws SQLException {
        try (Connection c = open(db.pgguardUrl(), mode, "SET standard_conforming_strings = off", true)) {
            c.setAutoCommit(false);
            c.createStatement().execute("SET LOCAL standard_conforming_strings = on");
            c.createStatement().execute(HIDDEN);
            c.rollback();
            assertThrows(GuardBlockedException.class, () -> c.createStatement().execute(HIDDEN));
            c.createStatement().execute("RESET standard_conforming_strings");
            c.createStatement().execute(HIDDEN);
            c.commit();
        }
        assertTrue(tableExists());
    }

    @ParameterizedTest
    @MethodSource("queryModes")
    void aBatchThatChangesTheSettingCannotHideAStatementInALaterItem(String mode) throws SQLException {
        try (Connection c = open(db.pgguardUrl(), mode, "SET standard_conforming_strings = on", true)) {
            Statement s = c.createStatement();
            s.addBatch("SET standard_conforming_strings = off");
            GuardBlockedException e = assertThrows(GuardBlockedException.class, () -> s.addBatch(HIDDEN));
            assertEquals("unreadable-sql", e.ruleId());
            s.executeBatch();
        }
        assertTrue(tableExists());
    }

    @Test
    void aPreparedStatementIsReadAgainWhenTheSettingChangesBeforeItRuns() throws SQLException {
        try (Connection c = open(db.pgguardUrl(), "simple", "SET standard_conforming_strings = on", true)) {
            var prepared = c.prepareStatement(HIDDEN);
            c.createStatement().execute("SET standard_conforming_strings = off");
            assertThrows(GuardBlockedException.class, prepared::execute);
        }
        assertTrue(tableExists());
    }
}
