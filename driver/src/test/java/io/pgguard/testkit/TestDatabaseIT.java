package io.pgguard.testkit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.OptionalInt;

import org.junit.jupiter.api.Test;

/** The test kit itself: a real server of the requested major, fresh databases, connection properties. */
@PostgresTest
class TestDatabaseIT {

    @Test
    void connectsToTheRequestedMajor(TestDatabase pg) throws SQLException {
        String version;
        try (Connection c = pg.connect(); Statement s = c.createStatement();
                ResultSet rs = s.executeQuery("select version()")) {
            assertTrue(rs.next());
            version = rs.getString(1);
        }
        System.out.println("[testkit] " + pg.backend() + ": " + version);
        assertTrue(version.startsWith("PostgreSQL " + pg.majorVersion() + "."), version);

        OptionalInt requested = pg.requestedMajor();
        if (requested.isPresent()) {
            assertEquals(requested.getAsInt(), pg.majorVersion(),
                    "PostgreSQL major (pgguard.test.pgMajor) requested vs running: " + version);
        }
        if (pg.backend() == TestDatabase.Backend.EMBEDDED) {
            int expected = Integer.parseInt(System.getProperty("pgguard.test.pgMajor", "").isBlank()
                    ? String.valueOf(TestDatabase.DEFAULT_MAJOR) : System.getProperty("pgguard.test.pgMajor").trim());
            assertEquals(expected, pg.majorVersion());
        }
    }

    @Test
    void embeddedServerIsOnLoopbackAndNotRunAsRoot(TestDatabase pg) throws SQLException {
        if (pg.backend() != TestDatabase.Backend.EMBEDDED) {
            return;
        }
        assertTrue(pg.jdbcUrl().startsWith("jdbc:postgresql://localhost:"), pg.jdbcUrl());
        try (Connection c = pg.connect(); Statement s = c.createStatement();
                ResultSet rs = s.executeQuery("select current_setting('listen_addresses'), current_user")) {
            assertTrue(rs.next());
            assertEquals("localhost", rs.getString(1));
            assertEquals("postgres", rs.getString(2));
        }
    }

    @Test
    void classDatabaseIsFreshAndInjected(PgDatabase db, Connection c) throws SQLException {
        assertNotEquals("postgres", db.name());
        try (Statement s = c.createStatement()) {
            try (ResultSet rs = s.executeQuery("select current_database(), count(*) from pg_class c "
                    + "join pg_namespace n on n.oid = c.relnamespace where n.nspname = 'public'")) {
                assertTrue(rs.next());
                assertEquals(db.name(), rs.getString(1));
                assertEquals(0, rs.getInt(2), "a fresh database has no tables in public");
            }
            s.execute("create table probe(id int primary key)");
        }
    }

    @Test
    void extraConnectionPropertiesAreApplied(PgDatabase db) throws SQLException {
        try (Connection c = db.connect("preferQueryMode", "simple", "ApplicationName", "pgguard-testkit");
                Statement s = c.createStatement();
                ResultSet rs = s.executeQuery("select current_setting('application_name')")) {
            assertTrue(rs.next());
            assertEquals("pgguard-testkit", rs.getString(1));
            assertEquals("SIMPLE", c.unwrap(org.postgresql.PGConnection.class).getPreferQueryMode().name());
        }
    }

    @Test
    void createDatabaseAndSchema(TestDatabase pg) throws SQLException {
        String name = TestDatabase.uniqueName("TestDatabaseIT explicit");
        PgDatabase db = pg.createDatabase(name);
        try {
            assertEquals(name, db.name());
            assertTrue(db.jdbcUrl().contains("/" + name), db.jdbcUrl());
            assertTrue(db.pgguardUrl().startsWith("jdbc:pgguard:postgresql://"), db.pgguardUrl());
            db.execute("create table t(id int)");
            // dropping and re-creating gives an empty database again
            db = pg.createDatabase(name);
            String schema = db.createSchema("s1");
            try (Connection c = db.connect("currentSchema", schema); Statement s = c.createStatement()) {
                s.execute("create table in_s1(id int)");
                try (ResultSet rs = s.executeQuery("select count(*) from pg_tables where tablename = 't'")) {
                    assertTrue(rs.next());
                    assertEquals(0, rs.getInt(1));
                }
                try (ResultSet rs = s.executeQuery("select schemaname from pg_tables where tablename = 'in_s1'")) {
                    assertTrue(rs.next());
                    assertEquals("s1", rs.getString(1));
                }
            }
        } finally {
            pg.dropDatabase(name);
        }
        try (Connection c = pg.connect(); Statement s = c.createStatement();
                ResultSet rs = s.executeQuery("select count(*) from pg_database where datname = '" + name + "'")) {
            assertTrue(rs.next());
            assertEquals(0, rs.getInt(1));
        }
    }

    @Test
    void credentialsUrlConnects(PgDatabase db) throws SQLException {
        String url = db.jdbcUrlWithCredentials();
        assertFalse(url.contains(" "));
        try (Connection c = java.sql.DriverManager.getConnection(url)) {
            assertTrue(c.isValid(5));
        }
    }
}
