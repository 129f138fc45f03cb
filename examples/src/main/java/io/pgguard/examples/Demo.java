package io.pgguard.examples;

import io.pgguard.GuardBlockedException;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;

/**
 * Starts an embedded PostgreSQL, connects to it through {@code jdbc:pgguard:} declared production, and shows what
 * pgguard logs for a warned statement, a blocked one and an explicit override.
 *
 * <p>Run it with {@code ./mvnw -q -pl examples -am -Pdemo -DskipTests package} (see examples/README.md). The log
 * format comes from src/main/resources/logback.xml.
 */
public final class Demo {

    private static final Logger LOG = LoggerFactory.getLogger(Demo.class);

    private Demo() {
    }

    public static void main(String[] args) throws IOException, SQLException {
        LOG.info("Starting an embedded PostgreSQL (the first run unpacks its binaries)...");
        try (EmbeddedPostgres pg = EmbeddedServer.start()) {
            // A local server, declared production: what the guard does against a real production database.
            String url = "jdbc:pgguard:postgresql://localhost:" + pg.getPort()
                    + "/postgres?pgguard.environment=production";
            LOG.info("Connecting to {}", url);
            try (Connection c = DriverManager.getConnection(url, "postgres", "postgres");
                 Statement s = c.createStatement()) {
                setUp(s);
                warning(s);
                block(s);
                override(s);
            }
            LOG.info("Stopping the embedded PostgreSQL.");
        }
    }

    /** Safe statements: the guard lets them through without a word. */
    private static void setUp(Statement s) throws SQLException {
        s.execute("CREATE TABLE orders (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, customer text NOT NULL,"
                + " status text NOT NULL, created_at timestamptz NOT NULL DEFAULT now())");
        s.execute("INSERT INTO orders (customer, status, created_at) SELECT 'customer ' || g,"
                + " CASE WHEN g % 3 = 0 THEN 'shipped' ELSE 'new' END, now() - g * interval '1 hour'"
                + " FROM generate_series(1, 100) g");
        LOG.info("Created table orders with {} rows (safe statements: nothing logged).", count(s));
    }

    /** An unsafe statement: it runs unchanged, and pgguard logs one WARN line with the safe alternative. */
    private static void warning(Statement s) throws SQLException {
        LOG.info("1. A warning: CREATE INDEX without CONCURRENTLY blocks writes while the index is built.");
        s.execute("CREATE INDEX orders_created_at_idx ON orders (created_at)");
        LOG.info("   The index was created; the statement ran unchanged.");
    }

    /** A destructive statement: pgguard throws before anything reaches the server. */
    private static void block(Statement s) throws SQLException {
        LOG.info("2. A block: DELETE without WHERE against production.");
        try {
            s.executeUpdate("DELETE FROM orders");
            throw new IllegalStateException("pgguard did not block DELETE FROM orders");
        } catch (GuardBlockedException e) {
            LOG.info("   The application caught {} (SQLState {}, rule {}): {}", e.getClass().getSimpleName(),
                    e.getSQLState(), e.ruleId(), e.getMessage());
        }
        LOG.info("   orders still has {} rows.", count(s));
    }

    /** The same statement with an explicit override naming the rule and a reason: it runs, logged at WARN. */
    private static void override(Statement s) throws SQLException {
        LOG.info("3. An override: the same DELETE, deliberately, with /* pgguard:allow unbounded-delete reason=... */.");
        int deleted = s.executeUpdate("/* pgguard:allow unbounded-delete reason=\"reset the demo table, TICKET-42\" */"
                + " DELETE FROM orders");
        LOG.info("   Deleted {} rows; orders now has {} rows.", deleted, count(s));
    }

    private static long count(Statement s) throws SQLException {
        try (ResultSet rs = s.executeQuery("SELECT count(*) FROM orders")) {
            rs.next();
            return rs.getLong(1);
        }
    }
}
