package io.pgguard.jdbc;

import io.pgguard.policy.GuardConfig;

import java.io.PrintWriter;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.SQLFeatureNotSupportedException;
import java.util.Collections;
import java.util.Map;
import java.util.Properties;
import java.util.WeakHashMap;
import java.util.logging.Logger;
import javax.sql.DataSource;

/**
 * Wraps any PostgreSQL {@link DataSource} (HikariCP, pgjdbc's own) so that its connections are guarded. The
 * target is decided once per physical connection, from the URL pgjdbc reports, so a pool's borrow costs a map
 * lookup, not a new decision.
 */
public final class GuardDataSource implements DataSource {

    private final DataSource delegate;
    private final GuardConfig config;
    /** The guard of each physical connection, keyed weakly by pgjdbc's connection object. */
    private final Map<Object, ConnectionGuard> guards = Collections.synchronizedMap(new WeakHashMap<>());

    /** Guards {@code delegate} with settings from system properties, the environment and pgguard.properties. */
    public GuardDataSource(DataSource delegate) {
        this(delegate, new Properties());
    }

    /**
     * Guards {@code delegate} with the given {@code pgguard.*} settings first.
     *
     * @throws IllegalArgumentException when a setting is unknown or its value is bad
     */
    public GuardDataSource(DataSource delegate, Properties settings) {
        this.delegate = delegate;
        try {
            this.config = GuardConfig.load(settings);
        } catch (GuardConfig.ConfigException e) {
            throw new IllegalArgumentException("pgguard: " + e.getMessage(), e);
        }
    }

    @Override
    public Connection getConnection() throws SQLException {
        return guard(delegate.getConnection());
    }

    @Override
    public Connection getConnection(String username, String password) throws SQLException {
        return guard(delegate.getConnection(username, password));
    }

    private Connection guard(Connection raw) throws SQLException {
        try {
            Object physical = raw.isWrapperFor(org.postgresql.PGConnection.class)
                    ? raw.unwrap(org.postgresql.PGConnection.class) : raw;
            ConnectionGuard guard = guards.get(physical);
            if (guard == null) {
                guard = Guards.forConnection(raw, raw.getMetaData().getURL(), new Properties(), config);
                guards.put(physical, guard);
            }
            return new GuardConnection(raw, guard);
        } catch (SQLException | RuntimeException e) {
            raw.close();
            throw e;
        }
    }

    @Override
    public <T> T unwrap(Class<T> iface) throws SQLException {
        if (iface.isInstance(this)) {
            return iface.cast(this);
        }
        return delegate.unwrap(iface);
    }

    @Override
    public boolean isWrapperFor(Class<?> iface) throws SQLException {
        return iface.isInstance(this) || delegate.isWrapperFor(iface);
    }

    @Override
    public PrintWriter getLogWriter() throws SQLException {
        return delegate.getLogWriter();
    }

    @Override
    public void setLogWriter(PrintWriter out) throws SQLException {
        delegate.setLogWriter(out);
    }

    @Override
    public void setLoginTimeout(int seconds) throws SQLException {
        delegate.setLoginTimeout(seconds);
    }

    @Override
    public int getLoginTimeout() throws SQLException {
        return delegate.getLoginTimeout();
    }

    @Override
    public Logger getParentLogger() throws SQLFeatureNotSupportedException {
        return delegate.getParentLogger();
    }
}
