package io.pgguard.jdbc;

import io.pgguard.policy.GuardConfig;

import java.io.PrintWriter;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.SQLFeatureNotSupportedException;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Properties;
import java.util.WeakHashMap;
import java.util.logging.Logger;
import javax.sql.DataSource;

/**
 * Wraps any PostgreSQL {@link DataSource} (HikariCP, pgjdbc's own) so that its connections are guarded. The
 * target is decided once per physical connection, from the URL pgjdbc reports and the host it connected to, so a
 * pool's borrow costs a map lookup, not a new decision.
 */
public final class GuardDataSource implements DataSource {

    private final DataSource delegate;
    /** The settings given to the constructor. */
    private final Map<String, String> settings = new LinkedHashMap<>();
    private final GuardConfig config;
    /** The enforcer of each physical connection, keyed weakly by pgjdbc's connection object. */
    private final Map<Object, Enforcer> enforcers = Collections.synchronizedMap(new WeakHashMap<>());

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
        for (String name : settings.stringPropertyNames()) {
            this.settings.put(name, settings.getProperty(name));
        }
        try {
            this.config = GuardConfig.load(this.settings, System.getProperties(), System.getenv());
        } catch (GuardConfig.ConfigException e) {
            throw new IllegalArgumentException("pgguard: " + e.getMessage(), e);
        }
    }

    /** The settings this data source decides with (no secrets: pgguard's settings hold none). */
    public GuardConfig config() {
        return config;
    }

    /** The targets of the connections it has handed out so far, each with its locality and the reason for it. */
    public java.util.Set<io.pgguard.policy.Target> targets() {
        java.util.Set<io.pgguard.policy.Target> out = new java.util.LinkedHashSet<>();
        synchronized (enforcers) {
            for (Enforcer e : enforcers.values()) {
                out.add(e.target());
            }
        }
        return out;
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
            Enforcer enforcer = enforcers.get(physical);
            if (enforcer == null) {
                enforcer = decide(raw);
                enforcers.put(physical, enforcer);
            }
            return new GuardConnection(raw, enforcer);
        } catch (SQLException | RuntimeException e) {
            raw.close();
            throw e;
        }
    }

    /**
     * The enforcer of a physical connection seen for the first time. The URL pgjdbc reports may lack what the pool
     * passed as properties (a {@code PGHOST}), so the host pgjdbc actually connected to counts too; {@code
     * pgguard.*} parameters in that URL are settings, ahead of this data source's, as in the driver's URL.
     */
    private Enforcer decide(Connection raw) throws SQLException {
        Map<String, String> settings = new LinkedHashMap<>();
        String pgUrl = GuardConfig.settingsFromUrl(raw.getMetaData().getURL(), settings);
        GuardConfig effective = config;
        if (!settings.isEmpty()) {
            this.settings.forEach(settings::putIfAbsent);
            effective = ConnectionSetup.config(settings);
        }
        return ConnectionSetup.forConnection(raw, pgUrl, new Properties(), effective, Locality.connectedHost(raw, pgUrl));
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
