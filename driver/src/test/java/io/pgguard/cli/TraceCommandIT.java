package io.pgguard.cli;

import com.fasterxml.jackson.databind.JsonNode;
import io.pgguard.testkit.PgDatabase;
import io.pgguard.testkit.PostgresTest;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code trace} against a real server: the locks and rewrites it reports are the server's own (the expected modes
 * are PostgreSQL's documented ones), nothing it ran is left behind, and a non-local target needs --allow-remote.
 */
@PostgresTest
class TraceCommandIT {

    private static PgDatabase db;

    @TempDir
    Path dir;

    @BeforeAll
    static void database(PgDatabase database) {
        db = database;
    }

    @BeforeEach
    void table() throws SQLException {
        db.execute("DROP TABLE IF EXISTS trace_t, trace_new",
                "CREATE TABLE trace_t (id int PRIMARY KEY, v text NOT NULL)",
                "INSERT INTO trace_t SELECT g, 'v' || g FROM generate_series(1, 100) g");
    }

    private static CliRun trace(String... args) {
        return CliRun.command("trace", args);
    }

    private Path file(String sql) throws Exception {
        Path p = dir.resolve("001.sql");
        Files.writeString(p, sql);
        return p;
    }

    @Test
    void reportsTheLocksAndRewritesTheServerTookAndLeavesNothingBehind() throws Exception {
        Path f = file("""
                BEGIN;
                CREATE INDEX trace_t_v ON trace_t (v);
                UPDATE trace_t SET v = 'x' WHERE id <= 3;
                ALTER TABLE trace_t ALTER COLUMN id TYPE bigint;
                ALTER TABLE trace_t ADD COLUMN w int DEFAULT 1;
                CREATE TABLE trace_new (id int);
                CREATE INDEX CONCURRENTLY trace_t_w ON trace_t (w);
                COMMIT;
                """);
        CliRun r = trace("--url", db.jdbcUrlWithCredentials(), "--format", "json", f.toString());
        assertEquals(0, r.status(), r::toString);
        JsonNode json = r.json();
        assertEquals(8, json.size(), r::toString);
        assertEquals("skipped", json.get(0).get("status").asText());
        // the server's own answer: ShareLock on the table, and the new index locked while it is built
        assertEquals("{\"public.trace_t\":\"ShareLock\",\"public.trace_t_v\":\"AccessExclusiveLock\"}",
                json.get(1).get("observed_locks").toString(), r::toString);
        assertEquals(0, json.get(1).get("rewritten").size(), r::toString);
        JsonNode update = json.get(2);
        assertEquals("RowExclusiveLock", update.get("observed_locks").get("public.trace_t").asText(), r::toString);
        assertEquals(3, update.get("rows").asInt(), r::toString);
        JsonNode type = json.get(3);
        assertEquals("AccessExclusiveLock", type.get("observed_locks").get("public.trace_t").asText(), r::toString);
        assertEquals("[\"public.trace_t\",\"public.trace_t_pkey\",\"public.trace_t_v\"]",
                type.get("rewritten").toString(), "the table and its indexes get new files: " + r);
        JsonNode add = json.get(4);
        assertEquals("{}", add.get("observed_locks").toString(), "AccessExclusiveLock was held already: " + r);
        assertEquals(0, add.get("rewritten").size(), "a constant default rewrites nothing (PostgreSQL 11+)");
        assertEquals("{\"public.trace_new\":\"AccessExclusiveLock\"}", json.get(5).get("observed_locks").toString(),
                r::toString);
        assertTrue(type.get("note").isNull(), "the classification said AccessExclusiveLock and a rewrite: " + r);
        assertEquals("skipped", json.get(6).get("status").asText(), r::toString);
        assertTrue(json.get(6).get("note").asText().contains("ShareUpdateExclusiveLock"), r::toString);
        assertEquals("skipped", json.get(7).get("status").asText());
        assertEquals("ALTER TABLE ADD COLUMN", add.get("kind").asText(), "the lint fields are there too");
        // rolled back: the table is as it was
        assertEquals("integer", db.scalar("SELECT format_type(atttypid, atttypmod) FROM pg_attribute "
                + "WHERE attrelid = 'trace_t'::regclass AND attname = 'id'"));
        assertEquals("0", db.scalar("SELECT count(*) FROM pg_attribute WHERE attrelid = 'trace_t'::regclass "
                + "AND attname = 'w'"));
        assertEquals("0", db.scalar("SELECT count(*) FROM trace_t WHERE v = 'x'"));
        assertEquals("0", db.scalar("SELECT count(*) FROM pg_class WHERE relname IN ('trace_new', 'trace_t_v')"));
    }

    @Test
    void aFreshLockPerStatementIsReportedInTextToo() throws Exception {
        Path f = file("CREATE INDEX trace_t_v ON trace_t (v);\n");
        CliRun r = trace("--url", db.jdbcUrlWithCredentials(), f.toString());
        assertEquals(0, r.status(), r::toString);
        assertTrue(r.out().contains(f + ":1 ran unsafe warn: CREATE INDEX trace_t_v ON trace_t (v)"), r::toString);
        assertTrue(r.out().contains("locks ShareLock on public.trace_t"), r::toString);
        assertTrue(r.out().contains("trace: 1 statement, rolled back"), r::toString);
    }

    @Test
    void aNonLocalTargetNeedsAllowRemoteAndABlockedStatementFailsTheTrace() throws Exception {
        Path f = file("DELETE FROM trace_t;\n");
        String production = db.jdbcUrlWithCredentials() + "&pgguard.environment=production";
        CliRun refused = trace("--url", production, f.toString());
        assertEquals(2, refused.status(), refused::toString);
        assertTrue(refused.err().contains("--allow-remote"), refused::toString);
        CliRun r = trace("--url", production, "--allow-remote", "--format", "json", f.toString());
        assertEquals(1, r.status(), r::toString);
        assertEquals("block", r.json().get(0).get("decision").asText());
        assertEquals(100, r.json().get(0).get("rows").asInt(), "it ran, inside the rolled-back transaction");
        assertEquals("100", db.scalar("SELECT count(*) FROM trace_t"));
    }

    @Test
    void aFailedStatementEndsTheTrace() throws Exception {
        Path f = file("UPDATE trace_t SET nope = 1;\nDELETE FROM trace_t WHERE id = 1;\n");
        CliRun r = trace("--url", db.jdbcUrlWithCredentials(), "--format", "json", f.toString());
        assertEquals(1, r.status(), r::toString);
        assertEquals(1, r.json().size(), r::toString);
        assertEquals("failed", r.json().get(0).get("status").asText());
        assertTrue(r.json().get(0).get("note").asText().contains("42703"), r::toString);
        assertEquals("100", db.scalar("SELECT count(*) FROM trace_t"));
    }

    /**
     * Another session holds a lock the traced statement would queue behind: the trace's lock_timeout makes it fail
     * fast (55P03) instead of waiting, and so instead of making everything behind it wait too.
     */
    @Test
    void itsLockTimeoutKeepsItFromQueuingBehindAnotherSession() throws Exception {
        Path f = file("ALTER TABLE trace_t ADD COLUMN w int;\n");
        try (Connection holder = db.connect()) {
            holder.setAutoCommit(false);
            holder.createStatement().executeQuery("SELECT count(*) FROM trace_t").close();
            long start = System.nanoTime();
            CliRun r = trace("--url", db.jdbcUrlWithCredentials(), "--lock-timeout", "300ms", "--format", "json",
                    f.toString());
            long ms = (System.nanoTime() - start) / 1_000_000;
            holder.rollback();
            assertEquals(1, r.status(), r::toString);
            assertEquals("failed", r.json().get(0).get("status").asText(), r::toString);
            assertTrue(r.json().get(0).get("note").asText().contains("55P03"), r::toString);
            assertTrue(ms < 10_000, "it gave up after its lock_timeout, not after " + ms + " ms");
        }
        assertEquals("0", db.scalar("SELECT count(*) FROM pg_attribute WHERE attrelid = 'trace_t'::regclass "
                + "AND attname = 'w'"));
    }

    /** The README's trace sample is what trace prints, run against a real server. */
    @Test
    void theReadmesSampleIsRealOutput() throws Exception {
        db.execute("DROP TABLE IF EXISTS orders", "CREATE TABLE orders (id int PRIMARY KEY, status text)",
                "INSERT INTO orders SELECT g, 'new' FROM generate_series(1, 100) g");
        try {
            Path f = dir.resolve("V7__orders_status.sql");
            Files.writeString(f, """
                    ALTER TABLE orders ADD COLUMN shipped_at timestamptz;
                    CREATE INDEX orders_status_idx ON orders (status);
                    UPDATE orders SET status = 'shipped' WHERE id <= 10;
                    ALTER TABLE orders ALTER COLUMN id TYPE bigint;
                    """);
            java.util.List<DocSamples> samples = new java.util.ArrayList<>();
            for (DocSamples s : DocSamples.of(DocSamples.root().resolve("README.md"))) {
                if (s.args().get(0).equals("trace")) {
                    samples.add(s);
                }
            }
            assertEquals(1, samples.size(), samples::toString);
            CliRun r = trace("--url", db.jdbcUrlWithCredentials(), f.toString());
            org.junit.jupiter.api.Assertions.assertNull(samples.get(0).mismatch(r.out().replace(dir + "/", "")));
        } finally {
            db.execute("DROP TABLE IF EXISTS orders");
        }
    }
}
