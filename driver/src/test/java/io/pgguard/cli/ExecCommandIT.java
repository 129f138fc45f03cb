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
import java.util.List;
import java.sql.SQLException;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code exec} against a real server declared production: it runs files through the guard statement by statement,
 * stops at the first blocked or failed statement with nothing after it run, keeps the files' transactions, and in
 * a dry run leaves nothing behind.
 */
@PostgresTest
class ExecCommandIT {

    private static PgDatabase db;

    @TempDir
    Path dir;

    @BeforeAll
    static void database(PgDatabase database) {
        db = database;
    }

    @BeforeEach
    void clean() throws SQLException {
        db.execute("DROP TABLE IF EXISTS exec_a, exec_after, exec_dry");
    }

    private static String production() {
        String url = db.jdbcUrlWithCredentials();
        return url + (url.contains("?") ? "&" : "?") + "pgguard.environment=production";
    }

    private static CliRun exec(String... args) {
        return CliRun.command("exec", args);
    }

    private Path file(String name, String sql) throws Exception {
        Path p = dir.resolve(name);
        Files.writeString(p, sql);
        return p;
    }

    private static boolean exists(String table) throws SQLException {
        return db.count("SELECT count(*) FROM pg_tables WHERE tablename = '" + table + "'") == 1;
    }

    @Test
    void stopsAtTheFirstBlockedStatementNamingItAndRunsNothingAfterIt() throws Exception {
        Path f = file("001.sql", """
                CREATE TABLE exec_a (id int PRIMARY KEY);
                INSERT INTO exec_a SELECT generate_series(1, 3);
                  DELETE FROM exec_a;
                CREATE TABLE exec_after (id int);
                """);
        CliRun r = exec("--url", production(), f.toString());
        assertEquals(1, r.status(), r::toString);
        assertTrue(r.out().contains(f + ":2:1 ran, 3 rows"), r::toString);
        assertTrue(r.out().contains(f + ":3:3 blocked: DELETE FROM exec_a\n"), r::toString);
        assertTrue(r.out().contains("unbounded-delete: pgguard blocked") && r.out().contains("pgguard:allow"), r::toString);
        assertTrue(r.out().contains("2 statements ran; stopped at " + f + ":3:3 (blocked), nothing after it was run"),
                r::toString);
        assertEquals(3, db.count("SELECT count(*) FROM exec_a"));
        assertTrue(!exists("exec_after"), "nothing after the blocked statement runs");
    }

    @Test
    void anOverrideInTheFileRunsTheStatement() throws Exception {
        Path f = file("001.sql", """
                CREATE TABLE exec_a (id int PRIMARY KEY);
                INSERT INTO exec_a SELECT generate_series(1, 3);
                /* pgguard:allow unbounded-delete reason="emptying a scratch table" */ DELETE FROM exec_a;
                """);
        CliRun r = exec("--url", production(), f.toString());
        assertEquals(0, r.status(), r::toString);
        assertTrue(r.out().contains(f + ":3:72 ran, 3 rows"), r::toString);
        assertEquals(0, db.count("SELECT count(*) FROM exec_a"));
    }

    @Test
    void aFailedStatementStopsTheRunAndTheFilesTransactionIsRolledBack() throws Exception {
        Path one = file("001.sql", "CREATE TABLE exec_a (id int PRIMARY KEY);\n");
        Path two = file("002.sql", """
                BEGIN;
                INSERT INTO exec_a VALUES (1);
                INSERT INTO exec_a VALUES (1);
                COMMIT;
                """);
        Path three = file("003.sql", "CREATE TABLE exec_after (id int);\n");
        CliRun r = exec("--url", production(), dir.toString());
        assertEquals(1, r.status(), r::toString);
        assertTrue(r.out().contains(two + ":3:1 failed"), r::toString);
        assertTrue(r.out().contains("SQLState 23505"), r::toString);
        assertTrue(r.out().contains("the transaction the files opened was rolled back"), r::toString);
        assertTrue(exists("exec_a") && !exists("exec_after"), r::toString);
        assertEquals(0, db.count("SELECT count(*) FROM exec_a"), "the file's transaction did not commit");
        assertTrue(one.toString().length() > 0 && three.toString().length() > 0);
    }

    @Test
    void aDryRunReportsRowsSkipsWhatCannotRunInATransactionAndLeavesNothing() throws Exception {
        Path f = file("001.sql", """
                BEGIN;
                CREATE TABLE exec_dry (id int PRIMARY KEY, v text);
                INSERT INTO exec_dry SELECT g, 'x' FROM generate_series(1, 5) g;
                CREATE INDEX CONCURRENTLY exec_dry_v ON exec_dry (v);
                UPDATE exec_dry SET v = 'y' WHERE id <= 2;
                COMMIT;
                """);
        CliRun r = exec("--url", production(), "--dry-run", "--format", "json", f.toString());
        assertEquals(0, r.status(), r::toString);
        JsonNode json = r.json();
        assertEquals(6, json.size(), r::toString);
        assertEquals("skipped", json.get(0).get("status").asText());
        assertEquals("ran", json.get(1).get("status").asText());
        assertEquals(5, json.get(2).get("rows").asInt());
        assertEquals("skipped", json.get(3).get("status").asText(), r::toString);
        assertEquals("25001", json.get(3).get("sqlstate").asText(), r::toString);
        assertEquals(2, json.get(4).get("rows").asInt(), "the rows of the table the dry run created");
        assertEquals("skipped", json.get(5).get("status").asText());
        assertEquals(5, json.get(2).get("line").asInt() + 2);
        assertTrue(!exists("exec_dry"), "a dry run is rolled back");
    }

    @Test
    void aPsqlMetaCommandIsAnErrorNamingItsLineAndNothingRuns() throws Exception {
        Path f = file("001.sql", """
                CREATE TABLE exec_a (id int);
                -- a comment with \\i in it is fine, and so is a string:
                SELECT '\\set not a command';
                  \\set ON_ERROR_STOP on
                SELECT 1;
                """);
        CliRun r = exec("--url", production(), f.toString());
        assertEquals(2, r.status(), r::toString);
        assertTrue(r.err().contains(f + ":4:3: psql meta-command \\set is not SQL"), r::toString);
        assertTrue(!exists("exec_a"), "nothing runs when a file holds a meta-command");
    }

    @Test
    void usageErrors() {
        assertEquals(2, exec("x.sql").status());
        assertEquals(2, exec("--url", "jdbc:mysql://h/db", "x.sql").status());
        assertEquals(2, exec("--url", production(), "--format", "xml", "x.sql").status());
        assertEquals(2, exec("--url", production(), dir.resolve("missing.sql").toString()).status());
    }

    /** The README's exec sample is what exec prints, run against a real server. */
    @Test
    void theReadmesSampleIsRealOutput() throws Exception {
        db.execute("DROP TABLE IF EXISTS orders", "CREATE TABLE orders (id int PRIMARY KEY, status text)",
                "INSERT INTO orders SELECT g, 'new' FROM generate_series(1, 50) g");
        try {
            Path fix = file("fix.sql", "UPDATE orders SET status = 'cancelled' WHERE id = 42;\nDELETE FROM orders;\n"
                    + "UPDATE orders SET status = 'done' WHERE id = 7;\n");
            List<DocSamples> samples = new java.util.ArrayList<>();
            for (DocSamples s : DocSamples.of(DocSamples.root().resolve("README.md"))) {
                if (s.args().get(0).equals("exec")) {
                    samples.add(s);
                }
            }
            assertEquals(1, samples.size(), samples::toString);
            CliRun r = exec("--url", production(), fix.toString());
            assertNull(samples.get(0).mismatch(r.out().replace(dir + "/", "")));
            assertEquals(50, db.count("SELECT count(*) FROM orders"));
        } finally {
            db.execute("DROP TABLE IF EXISTS orders");
        }
    }
}
