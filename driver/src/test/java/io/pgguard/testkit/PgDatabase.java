package io.pgguard.testkit;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Properties;

/**
 * One database on the shared test server ({@link TestDatabase}): its URL, credentials and connections.
 * Obtain one with {@link TestDatabase#database()}, {@link TestDatabase#createDatabase(String)}, or by parameter
 * injection from {@link PostgresExtension} (a fresh database per test class).
 */
public final class PgDatabase {

    private final TestDatabase server;
    private final String name;
    private final String jdbcUrl;
    private final String user;
    private final String password;

    PgDatabase(TestDatabase server, String name, String jdbcUrl, String user, String password) {
        this.server = server;
        this.name = name;
        this.jdbcUrl = jdbcUrl;
        this.user = user;
        this.password = password;
    }

    /** The server this database lives on. */
    public TestDatabase server() {
        return server;
    }

    /** The database name. */
    public String name() {
        return name;
    }

    /** {@code jdbc:postgresql://host:port/name[?params]}, without credentials (unless PGGUARD_TEST_URL had them). */
    public String jdbcUrl() {
        return jdbcUrl;
    }

    /** {@link #jdbcUrl()} with {@code user} and {@code password} added as URL parameters (for the CLI's --url). */
    public String jdbcUrlWithCredentials() {
        return PgUrls.withCredentials(jdbcUrl, user, password);
    }

    /** {@link #jdbcUrl()} as a pgguard URL: {@code jdbc:pgguard:postgresql://...}. */
    public String pgguardUrl() {
        return PgUrls.toPgguard(jdbcUrl);
    }

    /** {@link #jdbcUrlWithCredentials()} as a pgguard URL. */
    public String pgguardUrlWithCredentials() {
        return PgUrls.toPgguard(jdbcUrlWithCredentials());
    }

    /** User name (null: pgjdbc's default). */
    public String user() {
        return user;
    }

    /** Password (null: none). */
    public String password() {
        return password;
    }

    /** A copy of the connection properties (user, password) to pass with {@link #jdbcUrl()}. */
    public Properties properties() {
        Properties p = new Properties();
        if (user != null) {
            p.setProperty("user", user);
        }
        if (password != null) {
            p.setProperty("password", password);
        }
        return p;
    }

    /** A new pgjdbc connection (the caller closes it). */
    public Connection connect() throws SQLException {
        return connect(new Properties());
    }

    /**
     * A new pgjdbc connection with extra properties (e.g. {@code preferQueryMode=simple},
     * {@code currentSchema=s1}, {@code ApplicationName=x}); they override user and password when given.
     */
    public Connection connect(Properties extra) throws SQLException {
        Properties p = properties();
        if (extra != null) {
            p.putAll(extra);
        }
        return DriverManager.getConnection(jdbcUrl, p);
    }

    /** {@link #connect(Properties)} with name, value pairs: {@code connect("preferQueryMode", "simple")}. */
    public Connection connect(String... namesAndValues) throws SQLException {
        return connect(pairs(namesAndValues));
    }

    /**
     * Opens a connection through an arbitrary URL (e.g. {@link #pgguardUrl()} once the pgguard driver is on the
     * class path) with this database's credentials plus {@code extra}.
     */
    public Connection connect(String url, Properties extra) throws SQLException {
        Properties p = properties();
        if (extra != null) {
            p.putAll(extra);
        }
        return DriverManager.getConnection(url, p);
    }

    /** The first column of the first row a query returns, as text, on a new connection. */
    public String scalar(String sql) throws SQLException {
        try (Connection c = connect(); Statement s = c.createStatement(); java.sql.ResultSet rs = s.executeQuery(sql)) {
            if (!rs.next()) {
                throw new SQLException("no row from " + sql);
            }
            return rs.getString(1);
        }
    }

    /** A query's single number ({@code SELECT count(*) ...}), on a new connection. */
    public long count(String sql) throws SQLException {
        return Long.parseLong(scalar(sql));
    }

    /** Runs each statement in autocommit mode on a new connection. */
    public void execute(String... statements) throws SQLException {
        try (Connection c = connect(); Statement s = c.createStatement()) {
            for (String sql : statements) {
                s.execute(sql);
            }
        }
    }

    /**
     * A fresh, empty schema in this database (dropped with CASCADE first if it exists); returns its name.
     * Connect into it with {@code connect("currentSchema", name)}.
     */
    public String createSchema(String schema) throws SQLException {
        TestDatabase.checkIdentifier(schema);
        execute("DROP SCHEMA IF EXISTS " + schema + " CASCADE", "CREATE SCHEMA " + schema);
        return schema;
    }

    static Properties pairs(String... namesAndValues) {
        if (namesAndValues.length % 2 != 0) {
            throw new IllegalArgumentException("expected name, value pairs");
        }
        Properties p = new Properties();
        for (int i = 0; i < namesAndValues.length; i += 2) {
            p.setProperty(namesAndValues[i], namesAndValues[i + 1]);
        }
        return p;
    }

    @Override
    public String toString() {
        return "PgDatabase[" + name + " @ " + jdbcUrl + "]";
    }
}
