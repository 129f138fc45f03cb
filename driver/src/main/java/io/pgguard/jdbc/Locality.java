package io.pgguard.jdbc;

import io.pgguard.policy.GuardConfig;
import io.pgguard.policy.Target;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

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

    static final Logger LOG = LoggerFactory.getLogger("io.pgguard.target");

    private Locality() {
    }

    static Target decide(String pgUrl, Properties info, GuardConfig config, Connection raw) {
        Target target = Target.of(pgUrl, info, config);
        if (!config.protect().isEmpty() && target.local()) {
            target = protect(target, config, raw);
        }
        LOG.info("pgguard: target {} is {} ({}); {}", target.description(), target.local() ? "local" : "non-local",
                target.reason(), target.local() ? "nothing is blocked" : "destructive and unknown statements are blocked");
        return target;
    }

    private static Target protect(Target target, GuardConfig config, Connection raw) {
        String id;
        try (Statement st = raw.createStatement();
             ResultSet rs = st.executeQuery("SELECT system_identifier FROM pg_control_system()")) {
            rs.next();
            id = rs.getString(1);
        } catch (SQLException e) {
            return new Target(false, target.description(), "pgguard.protect is set and the server's system "
                    + "identifier cannot be read (" + e.getSQLState() + "): treated as protected");
        }
        if (config.protect().contains(id)) {
            return new Target(false, target.description(), "system identifier " + id + " is listed in pgguard.protect");
        }
        return new Target(true, target.description(), target.reason() + ", system identifier " + id
                + " is not protected");
    }
}
