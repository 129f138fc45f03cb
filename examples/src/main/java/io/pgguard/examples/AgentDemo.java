package io.pgguard.examples;

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
 * Plain JDBC that knows nothing of pgguard (a {@code jdbc:postgresql:} URL, no pgguard class named), run under
 * {@code -javaagent:agent/target/pgguard-agent.jar}: the agent warns about a lock-risky statement and blocks a
 * destructive one. Without the agent it refuses to run, rather than delete its rows.
 *
 * <p>See examples/README.md: {@code ./mvnw -q -DskipTests package}, then
 * {@code java -javaagent:agent/target/pgguard-agent.jar -cp "$(cat examples/target/classpath.txt)"
 * io.pgguard.examples.AgentDemo}.
 */
public final class AgentDemo {

    private static final Logger LOG = LoggerFactory.getLogger(AgentDemo.class);

    private AgentDemo() {
    }

    public static void main(String[] args) throws IOException, SQLException {
        LOG.info("Starting an embedded PostgreSQL (the first run unpacks its binaries)...");
        try (EmbeddedPostgres pg = EmbeddedServer.start()) {
            // pgjdbc ignores the pgguard.* parameter; the agent reads it: this target is production
            String url = "jdbc:postgresql://localhost:" + pg.getPort() + "/postgres?pgguard.environment=production";
            LOG.info("Connecting to {} with plain pgjdbc", url);
            try (Connection c = DriverManager.getConnection(url, "postgres", "postgres");
                 Statement s = c.createStatement()) {
                s.execute("CREATE TABLE orders (id bigint PRIMARY KEY, status text NOT NULL)");
                s.execute("INSERT INTO orders SELECT g, 'new' FROM generate_series(1, 100) g");
                LOG.info("1. A warning: CREATE INDEX without CONCURRENTLY.");
                s.execute("CREATE INDEX orders_status_idx ON orders (status)");
                LOG.info("2. A block: DELETE without WHERE against production.");
                try {
                    s.executeUpdate("DELETE FROM orders");
                    throw new IllegalStateException("DELETE FROM orders ran: start the demo with "
                            + "-javaagent:agent/target/pgguard-agent.jar");
                } catch (SQLException e) {
                    if (!"42501".equals(e.getSQLState())) {
                        throw e;
                    }
                    LOG.info("   The application caught {} (SQLState {}).", e.getClass().getName(), e.getSQLState());
                }
                try (ResultSet rs = s.executeQuery("SELECT count(*) FROM orders")) {
                    rs.next();
                    LOG.info("   orders still has {} rows.", rs.getLong(1));
                }
            }
        }
    }
}
