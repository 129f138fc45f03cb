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
        Target target = fromAddress(pgUrl, info, config);
        if (config.declaredProduction()) {
            target = new Target(false, target.description(), "pgguard.environment=" + config.environment());
        } else if (!config.protect().isEmpty() && target.local()) {
            target = protect(target, config, raw);
        }
        LOG.info("pgguard: target {} is {} ({}); {}", target.description(), target.local() ? "local" : "non-local",
                target.reason(), target.local() ? "nothing is blocked" : "destructive and unknown statements are blocked");
        return target;
    }

    static Target fromAddress(String pgUrl, Properties info, GuardConfig config) {
        String socketFactory = property(pgUrl, info, "socketFactory");
        String socketArg = property(pgUrl, info, "socketFactoryArg");
        if (socketFactory != null && socketArg != null && socketArg.startsWith("/")) {
            return new Target(true, socketArg, "Unix socket " + socketArg + " through " + socketFactory);
        }
        if (property(pgUrl, info, "service") != null) {
            return new Target(false, "service " + property(pgUrl, info, "service"),
                    "service= takes its host from a service file pgguard does not read");
        }
        String url = pgUrl;
        String pgHost = info == null ? null : info.getProperty("PGHOST");
        if (pgHost != null && !hasAuthorityHost(pgUrl)) {
            url = pgUrl + (pgUrl.contains("?") ? "&" : "?") + "PGHOST=" + pgHost;
        }
        return Target.fromUrl(url, config.localHosts());
    }

    private static boolean hasAuthorityHost(String url) {
        int slashes = url.indexOf("//");
        return slashes >= 0 && slashes + 2 < url.length() && url.charAt(slashes + 2) != '/';
    }

    /** A connection parameter from the properties or the URL's query, or null; never logged. */
    private static String property(String url, Properties info, String key) {
        if (info != null && info.getProperty(key) != null) {
            return info.getProperty(key);
        }
        int q = url.indexOf('?');
        if (q < 0) {
            return null;
        }
        for (String param : url.substring(q + 1).split("&")) {
            int eq = param.indexOf('=');
            if (eq > 0 && param.substring(0, eq).equals(key)) {
                return java.net.URLDecoder.decode(param.substring(eq + 1), java.nio.charset.StandardCharsets.UTF_8);
            }
        }
        return null;
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
