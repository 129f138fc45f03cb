package io.pgguard.jdbc;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import io.pgguard.GuardBlockedException;
import io.pgguard.testkit.PgDatabase;
import io.pgguard.testkit.PostgresTest;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Properties;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@link GuardDataSource} decides from what the pool's connection says about itself: {@code pgguard.*} settings in
 * the pool's own URL count, the host pgjdbc connected to counts, and deciding leaves no transaction open.
 */
@PostgresTest
class GuardDataSourceIT {

    private static PgDatabase db;

    @BeforeAll
    static void schema(PgDatabase database) throws SQLException {
        db = database;
        db.execute("CREATE TABLE IF NOT EXISTS ds_items (id int PRIMARY KEY)",
                "INSERT INTO ds_items VALUES (1), (2), (3) ON CONFLICT DO NOTHING");
    }

    private static HikariDataSource pool(String url, boolean autoCommit) {
        HikariConfig config = new HikariConfig();
        config.setJdbcUrl(url);
        config.setMaximumPoolSize(1);
        config.setAutoCommit(autoCommit);
        if (db.user() != null) {
            config.setUsername(db.user());
        }
        if (db.password() != null) {
            config.setPassword(db.password());
        }
        return new HikariDataSource(config);
    }

    private static String withParameter(String url, String parameter) {
        return url + (url.contains("?") ? "&" : "?") + parameter;
    }

    private static long rows() throws SQLException {
        try (Connection c = db.connect(); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT count(*) FROM ds_items")) {
            rs.next();
            return rs.getLong(1);
        }
    }

    @Test
    void settingsInThePoolsOwnUrlCount() throws SQLException {
        try (HikariDataSource hikari = pool(withParameter(db.jdbcUrl(), "pgguard.environment=production"), true);
             Connection c = new GuardDataSource(hikari).getConnection()) {
            assertThrows(GuardBlockedException.class, () -> c.createStatement().execute("TRUNCATE ds_items"));
        }
        assertEquals(3, rows());
    }

    @Test
    void aMisspeltSettingInThePoolsUrlFailsTheConnection() {
        try (HikariDataSource hikari = pool(withParameter(db.jdbcUrl(), "pgguard.environment=prodution"), true)) {
            GuardDataSource guarded = new GuardDataSource(hikari);
            SQLException e = assertThrows(SQLException.class, guarded::getConnection);
            assertTrue(e.getMessage().contains("pgguard.environment"), e.getMessage());
        }
    }

    @Test
    void theHostPgjdbcConnectedToIsKnownUnlessASocketFactoryChoseIt() throws SQLException {
        try (Connection raw = db.connect()) {
            String url = raw.getMetaData().getURL();
            String expected = url.substring(url.indexOf("//") + 2).split("[:/?]", 2)[0];
            assertEquals(expected, Locality.connectedHost(raw, url));
            assertNull(Locality.connectedHost(raw, url + "?socketFactory=org.example.Tunnel"));
        }
    }

    /**
     * pgguard.protect reads the server's identity when a pooled connection is first seen; outside autocommit that
     * query opened a transaction, which the application would have inherited (its snapshot, its isolation level).
     */
    @Test
    void readingTheServersIdentityLeavesNoTransactionOpen() throws SQLException {
        Properties settings = new Properties();
        settings.setProperty("pgguard.protect", "1");
        try (HikariDataSource hikari = pool(db.jdbcUrl(), false);
             Connection c = new GuardDataSource(hikari, settings).getConnection()) {
            // Allowed only as a transaction's first statement.
            c.createStatement().execute("SET TRANSACTION ISOLATION LEVEL SERIALIZABLE");
            try (ResultSet rs = c.createStatement().executeQuery("SHOW transaction_isolation")) {
                rs.next();
                assertEquals("serializable", rs.getString(1));
            }
            c.rollback();
        }
    }
}
