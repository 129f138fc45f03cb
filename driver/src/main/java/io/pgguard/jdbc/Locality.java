package io.pgguard.jdbc;

import io.pgguard.policy.GuardConfig;
import io.pgguard.policy.Target;
import org.postgresql.core.BaseConnection;
import org.postgresql.core.TransactionState;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Properties;

/**
 * Decides once per connection whether its target is local: from the URL and properties (every host loopback or a
 * Unix socket), then overridden by {@code pgguard.environment=production} and by {@code pgguard.protect}, which
 * compares the server's system identifier so that a tunnel to production on localhost is still production.
 */
final class Locality {

    static final GuardLog LOG = GuardLog.named("io.pgguard.target");

    private Locality() {
    }

    /**
     * The target of a new connection ({@code raw} null when only its query executor is known). When {@code connectedHost} is known (a data source's connection, whose
     * properties pgguard does not see), a target is local only if that host is too.
     */
    static Target decide(String pgUrl, Properties info, GuardConfig config, Connection raw, String connectedHost) {
        Target target = Target.of(pgUrl, info, config);
        if (target.local() && connectedHost != null && !Target.isLocalHost(connectedHost, config.localHosts())) {
            target = new Target(false, connectedHost, "connected to host " + connectedHost + ", which is not local");
        }
        if (!config.protect().isEmpty() && target.local()) {
            target = raw == null ? new Target(false, target.description(), "pgguard.protect is set and the "
                    + "server's system identifier was not read (the agent saw a COPY first); treated as protected")
                    : protect(target, config, raw);
        }
        LOG.info("pgguard: target " + target.description() + " is " + (target.local() ? "local" : "non-local") + " ("
                + target.reason() + "); " + (target.local() ? "nothing is blocked"
                : "destructive and unknown statements are blocked"));
        return target;
    }

    /**
     * The host pgjdbc connected to, or null when it cannot be told: a socket factory in the URL connects where it
     * likes, whatever host pgjdbc was given, and a connection that is not pgjdbc's does not say.
     */
    static String connectedHost(Connection raw, String pgUrl) {
        if (pgUrl.contains("socketFactory=")) {
            return null;
        }
        try {
            if (raw.isWrapperFor(BaseConnection.class)) {
                return raw.unwrap(BaseConnection.class).getQueryExecutor().getHostSpec().getHost();
            }
            LOG.warn("pgguard: " + raw.getClass().getName()
                    + " does not say which host it connected to; the URL alone decides the target");
        } catch (SQLException | RuntimeException | LinkageError e) {
            LOG.warn("pgguard: the host pgjdbc connected to cannot be read (" + e
                    + "); the URL alone decides the target");
        }
        return null;
    }

    private static Target protect(Target target, GuardConfig config, Connection raw) {
        if (inTransaction(raw)) {
            return new Target(false, target.description(), "pgguard.protect is set and the server's system "
                    + "identifier was not read: the connection was inside a transaction when pgguard first saw it "
                    + "(the agent attached late); treated as protected");
        }
        String id;
        try (Statement st = raw.createStatement();
             ResultSet rs = st.executeQuery("SELECT system_identifier FROM pg_control_system()")) {
            rs.next();
            id = rs.getString(1);
        } catch (SQLException e) {
            endTransaction(raw);
            return new Target(false, target.description(), "pgguard.protect is set and the server's system "
                    + "identifier cannot be read (" + e.getSQLState() + "): treated as protected");
        }
        endTransaction(raw);
        if (config.protect().contains(id)) {
            return new Target(false, target.description(), "system identifier " + id + " is listed in pgguard.protect");
        }
        return new Target(true, target.description(), target.reason() + ", system identifier " + id
                + " is not protected");
    }

    /** Whether the connection has a transaction open, which the protect query must not join or end. */
    private static boolean inTransaction(Connection raw) {
        try {
            return raw.isWrapperFor(BaseConnection.class)
                    && raw.unwrap(BaseConnection.class).getTransactionState() != TransactionState.IDLE;
        } catch (SQLException | RuntimeException | LinkageError e) {
            return true;
        }
    }

    /**
     * Outside autocommit the query opened a transaction (an aborted one if it failed); the application has not
     * used the connection yet, so it gets it without one.
     */
    private static void endTransaction(Connection raw) {
        try {
            if (!raw.getAutoCommit()) {
                raw.rollback();
            }
        } catch (SQLException e) {
            LOG.warn("pgguard: could not end the transaction of the pgguard.protect query (" + e.getSQLState() + ")");
        }
    }
}
