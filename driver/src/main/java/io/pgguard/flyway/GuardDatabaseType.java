package io.pgguard.flyway;

import io.pgguard.jdbc.GuardDriver;
import org.flywaydb.database.postgresql.PostgreSQLDatabaseType;

import java.sql.Connection;

/**
 * Lets Flyway take {@code jdbc:pgguard:postgresql://...} in its own URL setting ({@code flyway.url},
 * {@code spring.flyway.url}, the build plugins): PostgreSQL support as Flyway has it, through the guarding driver.
 * Registered as a Flyway plugin; loaded only when Flyway and flyway-database-postgresql are on the classpath.
 */
public final class GuardDatabaseType extends PostgreSQLDatabaseType {

    @Override
    public String getName() {
        return "PostgreSQL (pgguard)";
    }

    @Override
    public boolean handlesJDBCUrl(String url) {
        return url != null && url.startsWith(GuardDriver.URL_PREFIX);
    }

    @Override
    public String getDriverClass(String url, ClassLoader classLoader) {
        return GuardDriver.class.getName();
    }

    /** Connections are recognised by URL only; by product name they are Flyway's own PostgreSQL type. */
    @Override
    public boolean handlesDatabaseProductNameAndVersion(String databaseProductName, String databaseProductVersion,
                                                        Connection connection) {
        return false;
    }
}
