package io.pgguard.cli;

import com.fasterxml.jackson.databind.JsonNode;
import io.pgguard.testkit.PgDatabase;
import io.pgguard.testkit.PostgresTest;
import io.pgguard.testkit.TestDatabase;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.sql.Connection;
import java.sql.ResultSet;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code preflight} against real servers: the shared one (no archiving, no lock_timeout: no-go), one with WAL
 * archiving to a local directory and a lock_timeout (go), a session idle in a transaction that holds a lock, and a
 * real {@code pg_dump -Fc} file, fresh and stale.
 */
@PostgresTest
class PreflightCommandIT {

    private static PgDatabase db;

    @TempDir
    Path dir;

    @BeforeAll
    static void database(PgDatabase database) throws Exception {
        db = database;
        db.execute("CREATE TABLE IF NOT EXISTS preflight_t (id int PRIMARY KEY)");
    }

    private static CliRun preflight(String... args) {
        return CliRun.command("preflight", args);
    }

    /** One check of a JSON report: "status: evidence". */
    private static String check(CliRun r, String name) throws Exception {
        for (JsonNode c : r.json().get("checks")) {
            if (c.get("check").asText().equals(name)) {
                return c.get("status").asText() + ": " + c.get("evidence").asText();
            }
        }
        throw new AssertionError("no check " + name + " in " + r.out());
    }

    @Test
    void withoutArchivingOrALockTimeoutItIsNoGoAndSaysWhy() throws Exception {
        CliRun r = preflight("--url", db.jdbcUrlWithCredentials(), "--format", "json");
        assertEquals(1, r.status(), r::toString);
        assertEquals("no-go", r.json().get("decision").asText(), r::toString);
        assertTrue(check(r, "server").startsWith("pass: PostgreSQL"), r::toString);
        assertTrue(check(r, "backup").startsWith("fail: no evidence") && check(r, "backup").contains("archive_mode is off"),
                r::toString);
        assertTrue(check(r, "timeouts").startsWith("fail: lock_timeout 0"), r::toString);
        assertTrue(check(r, "replication").equals("pass: no standbys"), r::toString);
        CliRun text = preflight("--url", db.jdbcUrlWithCredentials());
        assertTrue(text.out().contains("FAIL    backup") && text.out().strip().endsWith("NO-GO"), text::toString);
    }

    @Test
    void aSessionIdleInATransactionHoldingALockIsNamed() throws Exception {
        try (Connection holder = db.connect()) {
            holder.setAutoCommit(false);
            holder.createStatement().executeQuery("SELECT count(*) FROM preflight_t").close();
            int pid;
            try (ResultSet rs = holder.createStatement().executeQuery("SELECT pg_backend_pid()")) {
                rs.next();
                pid = rs.getInt(1);
            }
            CliRun r = preflight("--url", db.jdbcUrlWithCredentials(), "--format", "json");
            holder.rollback();
            assertTrue(check(r, "lock holders").startsWith("fail: an AccessExclusiveLock would queue behind: pid "
                    + pid + " ("), r::toString);
            assertTrue(check(r, "lock holders").contains("AccessShareLock on public.preflight_t"), r::toString);
        }
        CliRun after = preflight("--url", db.jdbcUrlWithCredentials(), "--format", "json");
        assertTrue(check(after, "lock holders").startsWith("pass"), after::toString);
    }

    /** WAL archiving to a local directory, a segment archived just now, and a lock_timeout: go. */
    @Test
    void withRecentWalArchivingAndALockTimeoutItIsGo() throws Exception {
        Path archive = Files.createDirectories(dir.resolve("archive"));
        TestDatabase server = TestDatabase.embedded(17, Map.of("archive_mode", "on", "wal_level", "replica",
                "archive_command", "'cp %p " + archive + "/%f'", "archive_timeout", "0"));
        try {
            try (Connection c = server.connect()) {
                c.createStatement().execute("CREATE TABLE archived (id int)");
                c.createStatement().execute("SELECT pg_switch_wal()");
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
                while (System.nanoTime() < deadline) {
                    try (ResultSet rs = c.createStatement().executeQuery(
                            "SELECT archived_count FROM pg_stat_archiver")) {
                        rs.next();
                        if (rs.getLong(1) > 0) {
                            break;
                        }
                    }
                    Thread.sleep(100);
                }
            }
            String url = server.database().jdbcUrlWithCredentials();
            url += (url.contains("?") ? "&" : "?") + "options=-c%20lock_timeout%3D2s";
            CliRun r = preflight("--url", url, "--format", "json");
            assertEquals(0, r.status(), r::toString);
            assertEquals("go", r.json().get("decision").asText());
            assertTrue(check(r, "backup").startsWith("pass: WAL archiving (archive_mode on): 1 segments archived"),
                    r::toString);
            assertTrue(check(r, "timeouts").startsWith("pass: lock_timeout 2s"), r::toString);
        } finally {
            server.stop();
        }
    }

    /** A real pg_dump -Fc archive (of a PostgreSQL 15, which the pg_dump on this machine can read), fresh and stale. */
    @Test
    void aFreshPgDumpIsEvidenceAndAStaleOneIsNot() throws Exception {
        Assumptions.assumeTrue(onPath("pg_dump") && onPath("pg_restore"), "pg_dump and pg_restore on the PATH");
        TestDatabase old = TestDatabase.embedded(15, Map.of());
        Path dump = dir.resolve("app.dump");
        try {
            try (Connection c = old.connect()) {
                c.createStatement().execute("CREATE TABLE dumped (id int PRIMARY KEY)");
            }
            URI uri = URI.create(old.jdbcUrl().substring("jdbc:".length()));
            Process p = new ProcessBuilder("pg_dump", "-Fc", "-h", uri.getHost(), "-p", String.valueOf(uri.getPort()),
                    "-U", old.user(), "-f", dump.toString(), uri.getPath().substring(1)).redirectErrorStream(true)
                    .start();
            String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertTrue(p.waitFor(60, TimeUnit.SECONDS) && p.exitValue() == 0, output);
        } finally {
            old.stop();
        }
        CliRun fresh = preflight("--url", db.jdbcUrlWithCredentials(), "--backup", dump.toString(), "--format", "json");
        assertTrue(check(fresh, "backup").startsWith("pass: " + dump + " written") && check(fresh, "backup")
                .contains("pg_restore --list reads"), fresh::toString);
        Files.setLastModifiedTime(dump, FileTime.from(Instant.now().minusSeconds(2 * 3600)));
        CliRun stale = preflight("--url", db.jdbcUrlWithCredentials(), "--backup", dump.toString(), "--format", "json");
        assertTrue(check(stale, "backup").startsWith("fail: " + dump + " was written 120 min ago"), stale::toString);
        Path notADump = Files.writeString(dir.resolve("notes.dump"), "not a dump\n");
        CliRun bad = preflight("--url", db.jdbcUrlWithCredentials(), "--backup", notADump.toString(), "--format", "json");
        assertTrue(check(bad, "backup").startsWith("fail: " + notADump + ": pg_restore --list cannot read it"),
                bad::toString);
    }

    private static boolean onPath(String tool) {
        for (String d : System.getenv().getOrDefault("PATH", "").split(java.io.File.pathSeparator)) {
            if (Files.isExecutable(Path.of(d, tool))) {
                return true;
            }
        }
        return false;
    }

    @Test
    void usageErrors() {
        assertEquals(2, preflight().status());
        assertEquals(2, preflight("--url", "jdbc:mysql://h/db").status());
        assertEquals(2, preflight("--url", db.jdbcUrlWithCredentials(), "--format", "xml").status());
    }

    /**
     * The README's preflight sample is what preflight prints against the shared test server (no WAL archiving, no
     * lock_timeout), but for the server's version line, which depends on the server the tests found.
     */
    @Test
    void theReadmesSampleIsRealOutput() throws Exception {
        java.util.List<DocSamples> samples = new java.util.ArrayList<>();
        for (DocSamples s : DocSamples.of(DocSamples.root().resolve("README.md"))) {
            if (s.args().get(0).equals("preflight")) {
                samples.add(new DocSamples(s.file(), s.line(), s.args(),
                        s.expected().stream().filter(l -> !l.startsWith("PASS    server")).toList()));
            }
        }
        assertEquals(1, samples.size(), samples::toString);
        CliRun r = CliRun.command("preflight", "--url", db.jdbcUrlWithCredentials());
        String output = String.join("\n", r.out().lines().filter(l -> !l.startsWith("PASS    server")).toList());
        org.junit.jupiter.api.Assertions.assertNull(samples.get(0).mismatch(output));
    }
}
