package io.pgguard.testkit;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalInt;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.testcontainers.DockerClientFactory;
import org.testcontainers.postgresql.PostgreSQLContainer;

/**
 * A {@code postgres:<major>-alpine} container, used when a Docker engine is actually running. Testcontainers is
 * asked only when a Docker socket or {@code DOCKER_HOST} (or a Testcontainers config) is there, so that on a
 * machine without an engine the check is quick and prints nothing.
 */
final class TestcontainersBackend {

    private static final Logger LOG = LoggerFactory.getLogger(TestcontainersBackend.class);

    private TestcontainersBackend() {
    }

    static boolean dockerAvailable() {
        if (!dockerHintsPresent()) {
            return false;
        }
        ExecutorService ex = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "pgguard-docker-check");
            t.setDaemon(true);
            return t;
        });
        try {
            Future<Boolean> f = ex.submit(() -> DockerClientFactory.instance().isDockerAvailable());
            return f.get(30, TimeUnit.SECONDS);
        } catch (Throwable e) {
            LOG.debug("no usable Docker engine: {}", e.toString());
            return false;
        } finally {
            ex.shutdownNow();
        }
    }

    private static boolean dockerHintsPresent() {
        if (TestDatabase.setting("docker.host", "DOCKER_HOST") != null) {
            return true;
        }
        String home = System.getProperty("user.home", "");
        List<Path> candidates = new ArrayList<>(List.of(
                Paths.get("/var/run/docker.sock"),
                Paths.get("/run/docker.sock"),
                Paths.get(home, ".docker", "run", "docker.sock"),
                Paths.get(home, ".docker", "desktop", "docker.sock"),
                Paths.get(home, ".colima", "default", "docker.sock"),
                Paths.get(home, ".rd", "docker.sock")));
        String xdg = System.getenv("XDG_RUNTIME_DIR");
        if (xdg != null && !xdg.isBlank()) {
            candidates.add(Paths.get(xdg, "docker.sock"));
            candidates.add(Paths.get(xdg, "podman", "podman.sock"));
        }
        for (Path p : candidates) {
            if (Files.exists(p)) {
                return true;
            }
        }
        Path tcProps = Paths.get(home, ".testcontainers.properties");
        try {
            return Files.isRegularFile(tcProps) && Files.readString(tcProps).contains("docker.host");
        } catch (Exception e) {
            return false;
        }
    }

    @SuppressWarnings("resource") // stopped by the shutdown hook (and by Testcontainers' Ryuk)
    static TestDatabase start(int major, OptionalInt requested) throws SQLException {
        PostgreSQLContainer pg = new PostgreSQLContainer("postgres:" + major + "-alpine");
        pg.start();
        Runtime.getRuntime().addShutdownHook(new Thread(pg::stop, "pgguard-testcontainers-stop"));
        return new TestDatabase(TestDatabase.Backend.TESTCONTAINERS, pg.getJdbcUrl(), pg.getUsername(),
                pg.getPassword(), OptionalInt.of(major), pg::stop);
    }
}
