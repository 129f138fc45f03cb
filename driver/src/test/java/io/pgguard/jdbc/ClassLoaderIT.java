package io.pgguard.jdbc;

import io.pgguard.GuardBlockedException;
import io.pgguard.testkit.PgDatabase;
import io.pgguard.testkit.PostgresTest;
import org.junit.jupiter.api.Test;

import java.net.URL;
import java.net.URLClassLoader;
import java.sql.Connection;
import java.sql.Driver;
import java.sql.SQLException;
import java.util.Properties;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * pgguard loaded by a class loader that cannot see pgjdbc (as in Flyway's or Spring Boot's launchers, where the
 * driver jar and the application's libraries sit in different loaders) still finds pgjdbc through the thread's
 * context class loader, and never through a DriverManager scan that could return itself.
 */
@PostgresTest
class ClassLoaderIT {

    private static Driver isolatedGuardDriver() throws Exception {
        URL guard = GuardDriver.class.getProtectionDomain().getCodeSource().getLocation();
        URL slf4j = org.slf4j.LoggerFactory.class.getProtectionDomain().getCodeSource().getLocation();
        ClassLoader isolated = new URLClassLoader(new URL[] {guard, slf4j}, ClassLoader.getPlatformClassLoader());
        Class<?> type = Class.forName(GuardDriver.class.getName(), true, isolated);
        assertThrows(ClassNotFoundException.class, () -> Class.forName("org.postgresql.Driver", false, isolated));
        return (Driver) type.getDeclaredConstructor().newInstance();
    }

    @Test
    void pgjdbcIsFoundThroughTheContextClassLoader(PgDatabase db) throws Exception {
        Driver driver = isolatedGuardDriver();
        Thread thread = Thread.currentThread();
        ClassLoader before = thread.getContextClassLoader();
        Properties props = db.properties();
        props.setProperty("pgguard.environment", "production");
        try {
            thread.setContextClassLoader(ClassLoaderIT.class.getClassLoader());
            try (Connection c = driver.connect(db.pgguardUrl(), props)) {
                assertNotNull(c);
                assertEquals("io.pgguard.jdbc.GuardConnection", c.getClass().getName());
                assertTrue(c.createStatement().execute("SELECT 1"));
                SQLException blocked = assertThrows(SQLException.class,
                        () -> c.createStatement().execute("DROP TABLE IF EXISTS anything"));
                assertEquals(GuardBlockedException.SQLSTATE, blocked.getSQLState());
            }
        } finally {
            thread.setContextClassLoader(before);
        }
    }

    @Test
    void withoutPgjdbcAnywhereTheErrorSaysWhatIsMissing(PgDatabase db) throws Exception {
        Driver driver = isolatedGuardDriver();
        Thread thread = Thread.currentThread();
        ClassLoader before = thread.getContextClassLoader();
        try {
            thread.setContextClassLoader(ClassLoader.getPlatformClassLoader());
            SQLException e = assertThrows(SQLException.class, () -> driver.connect(db.pgguardUrl(), db.properties()));
            assertTrue(e.getMessage().contains("org.postgresql:postgresql"), e.getMessage());
        } finally {
            thread.setContextClassLoader(before);
        }
    }
}
