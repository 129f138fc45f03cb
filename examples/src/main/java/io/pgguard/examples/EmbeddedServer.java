package io.pgguard.examples;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import io.zonky.test.db.postgres.util.LinuxUtils;

import java.io.IOException;
import java.time.Duration;

/** The demos' PostgreSQL: zonky's embedded server, PostgreSQL 17 from Maven Central. */
final class EmbeddedServer {

    private EmbeddedServer() {
    }

    static EmbeddedPostgres start() throws IOException {
        // PostgreSQL refuses to run as root; zonky then starts it through 'unshare -U' when it can.
        if ("root".equals(System.getProperty("user.name")) && !LinuxUtils.isUnshareAvailable()) {
            throw new IllegalStateException("Running as root and 'unshare -U' is not available: PostgreSQL refuses"
                    + " to run as root. Run the demo as another user.");
        }
        return EmbeddedPostgres.builder()
                .setPGStartupWait(Duration.ofSeconds(60))
                .setLocaleConfig("locale", "C")
                .setServerConfig("listen_addresses", "localhost")
                .setServerConfig("lc_messages", "C")
                .setServerConfig("fsync", "off")
                .start();
    }
}
