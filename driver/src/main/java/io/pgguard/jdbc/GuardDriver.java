package io.pgguard.jdbc;

import io.pgguard.policy.GuardConfig;

import java.sql.Connection;
import java.sql.Driver;
import java.sql.DriverManager;
import java.sql.DriverPropertyInfo;
import java.sql.SQLException;
import java.sql.SQLFeatureNotSupportedException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.logging.Logger;

/**
 * {@code jdbc:pgguard:postgresql://...}: strips {@code pgguard:} and the {@code pgguard.*} settings, connects with
 * pgjdbc, and returns the connection behind the guard. Returns null for any other URL, as JDBC requires.
 */
public final class GuardDriver implements Driver {

    public static final String URL_PREFIX = "jdbc:pgguard:postgresql:";
    private static final String PG_PREFIX = "jdbc:postgresql:";

    /** The driver's version: the major and minor of pgguard's own release. */
    static final int MAJOR_VERSION = 0;
    static final int MINOR_VERSION = 1;

    static {
        try {
            DriverManager.registerDriver(new GuardDriver());
        } catch (SQLException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    @Override
    public Connection connect(String url, Properties info) throws SQLException {
        if (!acceptsURL(url)) {
            return null;
        }
        Properties props = new Properties();
        if (info != null) {
            // stringPropertyNames, not putAll: the caller's Properties may keep values (a password) as defaults
            for (String name : info.stringPropertyNames()) {
                props.setProperty(name, info.getProperty(name));
            }
        }
        Map<String, String> settings = new LinkedHashMap<>();
        String pgUrl = GuardConfig.settingsFromUrl(toPgjdbcUrl(url), settings);
        for (String name : props.stringPropertyNames()) {
            if (name.startsWith(GuardConfig.PREFIX)) {
                settings.putIfAbsent(name, props.getProperty(name));
                props.remove(name);
            }
        }
        GuardConfig config = ConnectionSetup.config(settings);
        Driver pgjdbc = PgDriverLocator.driver();
        Connection raw = pgjdbc.connect(pgUrl, props);
        if (raw == null) {
            throw new SQLException("pgguard: pgjdbc did not accept the URL after the pgguard: prefix was removed",
                    "08001");
        }
        try {
            return new GuardConnection(raw, ConnectionSetup.forConnection(raw, pgUrl, props, config, null));
        } catch (SQLException | RuntimeException e) {
            raw.close();
            throw e;
        }
    }

    @Override
    public boolean acceptsURL(String url) {
        return url != null && url.startsWith(URL_PREFIX);
    }

    /** {@code jdbc:pgguard:postgresql:rest} to {@code jdbc:postgresql:rest}; only the leading prefix changes. */
    static String toPgjdbcUrl(String url) {
        return PG_PREFIX + url.substring(URL_PREFIX.length());
    }

    @Override
    public DriverPropertyInfo[] getPropertyInfo(String url, Properties info) throws SQLException {
        if (!acceptsURL(url)) {
            return new DriverPropertyInfo[0];
        }
        Map<String, String> settings = new LinkedHashMap<>();
        String pgUrl = GuardConfig.settingsFromUrl(toPgjdbcUrl(url), settings);
        List<DriverPropertyInfo> out = new ArrayList<>(Arrays.asList(PgDriverLocator.driver().getPropertyInfo(pgUrl,
                info)));
        for (String key : GuardConfig.keys()) {
            String value = settings.get(key);
            if (value == null && info != null) {
                value = info.getProperty(key);
            }
            DriverPropertyInfo p = new DriverPropertyInfo(key, value);
            p.description = "pgguard setting; see the README's configuration table";
            out.add(p);
        }
        return out.toArray(new DriverPropertyInfo[0]);
    }

    @Override
    public int getMajorVersion() {
        return MAJOR_VERSION;
    }

    @Override
    public int getMinorVersion() {
        return MINOR_VERSION;
    }

    /** Not JDBC compliant in the sense of the JDBC test suite, as pgjdbc itself reports. */
    @Override
    public boolean jdbcCompliant() {
        return false;
    }

    @Override
    public Logger getParentLogger() throws SQLFeatureNotSupportedException {
        throw new SQLFeatureNotSupportedException("pgguard logs through SLF4J, not java.util.logging");
    }
}
