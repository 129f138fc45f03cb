package io.pgguard.jdbc;

import java.sql.Driver;
import java.sql.SQLException;

/**
 * Finds pgjdbc's {@code org.postgresql.Driver} by name, never through DriverManager (whose scan can return this
 * guard itself and filters drivers by the caller's class loader): first in the loader that loaded pgguard, then in
 * the thread's context loader, as Flyway's and Spring Boot's launchers need.
 */
final class PgDriverLocator {

    static final String PGJDBC_DRIVER = "org.postgresql.Driver";

    private static volatile Driver found;

    private PgDriverLocator() {
    }

    static Driver driver() throws SQLException {
        Driver d = found;
        if (d != null) {
            return d;
        }
        ClassLoader[] loaders = {PgDriverLocator.class.getClassLoader(), Thread.currentThread().getContextClassLoader()};
        for (ClassLoader loader : loaders) {
            if (loader == null) {
                continue;
            }
            try {
                Class<?> type = Class.forName(PGJDBC_DRIVER, true, loader);
                d = (Driver) type.getDeclaredConstructor().newInstance();
                found = d;
                return d;
            } catch (ClassNotFoundException e) {
                // try the next loader
            } catch (ReflectiveOperationException | ClassCastException e) {
                throw new SQLException("pgguard: cannot load the PostgreSQL JDBC driver: " + e, "08001", e);
            }
        }
        throw new SQLException("pgguard: the PostgreSQL JDBC driver (org.postgresql:postgresql) is not on the "
                + "classpath; pgguard guards it and needs it next to pgguard-driver", "08001");
    }
}
