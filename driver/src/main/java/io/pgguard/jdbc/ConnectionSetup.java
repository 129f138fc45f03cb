package io.pgguard.jdbc;

import io.pgguard.classify.Classifier;
import io.pgguard.policy.Guard;
import io.pgguard.policy.GuardConfig;
import io.pgguard.policy.Policy;
import io.pgguard.policy.Target;
import org.postgresql.core.BaseConnection;
import org.postgresql.core.QueryExecutor;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Makes the {@link Enforcer} of a new connection: the server's major version, the target's locality, and
 * a {@link Guard} shared by every connection with the same version, target and policy, so their decision cache is
 * shared too.
 */
final class ConnectionSetup {

    private static final GuardLog LOG = GuardLog.named("io.pgguard.target");

    private record Key(int pgMajor, Target target, Policy policy) {
    }

    /** Distinct (version, target, policy) combinations kept; a process normally has a handful. */
    private static final int LIMIT = 64;

    private static final ConcurrentHashMap<Key, Guard> SHARED = new ConcurrentHashMap<>();

    private ConnectionSetup() {
    }

    /**
     * The enforcer of a new connection; {@code connectedHost} is the host pgjdbc connected to when the URL and
     * properties may not tell it (a data source's connection), else null.
     */
    static Enforcer forConnection(Connection raw, String pgUrl, Properties info, GuardConfig config,
                                         String connectedHost) throws SQLException {
        int major = raw.getMetaData().getDatabaseMajorVersion();
        int classifiedAs = Math.max(Classifier.MIN_PG_MAJOR, Math.min(Classifier.MAX_PG_MAJOR, major));
        if (classifiedAs != major) {
            LOG.info("pgguard: server major version " + major + " is classified as " + classifiedAs);
        }
        Target target = Locality.decide(pgUrl, info, config, raw, connectedHost);
        return new Enforcer(shared(classifiedAs, target, config), pgjdbc(raw),
                target.local() ? null : new LiveProbe(raw));
    }

    /**
     * The enforcer of a connection known only by pgjdbc's query executor (the agent saw a COPY first): its host and
     * the process's settings decide; the server's system identifier, which {@code pgguard.protect} compares, is not
     * read, so with {@code pgguard.protect} set the target is protected.
     */
    static Enforcer forExecutor(QueryExecutor executor, String pgUrl, GuardConfig config) {
        int major = executor.getServerVersionNum() / 10000;
        int classifiedAs = Math.max(Classifier.MIN_PG_MAJOR, Math.min(Classifier.MAX_PG_MAJOR, major));
        Target target = Locality.decide(pgUrl, new Properties(), config, null, null);
        return new Enforcer(shared(classifiedAs, target, config), executor);
    }

    private static Guard shared(int classifiedAs, Target target, GuardConfig config) {
        Key key = new Key(classifiedAs, target, config.policy());
        Guard guard = SHARED.get(key);
        if (guard == null) {
            if (SHARED.size() >= LIMIT) {
                SHARED.clear();
            }
            guard = SHARED.computeIfAbsent(key, k -> new Guard(new Classifier(k.pgMajor()), k.target(), k.policy()));
        }
        return guard;
    }

    /** pgjdbc's query executor under {@code raw} (a pool's proxy, say), or null when it cannot be reached. */
    private static QueryExecutor pgjdbc(Connection raw) {
        try {
            return raw.isWrapperFor(BaseConnection.class) ? raw.unwrap(BaseConnection.class).getQueryExecutor() : null;
        } catch (SQLException | LinkageError e) {
            LOG.warn("pgguard: pgjdbc's connection cannot be reached (" + e.getClass().getSimpleName()
                    + "): a string whose '...' literals hold a backslash is treated as unknown");
            return null;
        }
    }

    /** The configuration of a new connection from its {@code pgguard.*} settings; a mistake fails the connection. */
    static GuardConfig config(Map<String, String> settings) throws SQLException {
        return config(settings, System.getProperties());
    }

    /** As {@link #config(Map)}, with {@code system} in place of the system properties (the agent adds its options). */
    static GuardConfig config(Map<String, String> settings, Properties system) throws SQLException {
        try {
            return GuardConfig.load(settings, system, System.getenv());
        } catch (GuardConfig.ConfigException e) {
            throw new SQLException("pgguard: " + e.getMessage(), "08001");
        }
    }
}
