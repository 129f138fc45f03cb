package io.pgguard.cli;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * require-lock-timeout and require-statement-timeout are about the transaction a migration runs in: reported once
 * per transaction, at its first lock-taking statement with how many after it they hold for, not on every statement;
 * the JSON keeps the per-statement fact in {@code repeats}.
 */
class PerTransactionFindingTest {

    private static final String SCHEMA = "CREATE TABLE orders (id bigint PRIMARY KEY, note varchar(10));\n"
            + "CREATE TABLE items (id bigint PRIMARY KEY);\n";

    @TempDir
    Path dir;

    private String lint(String... args) throws Exception {
        Files.writeString(dir.resolve("V1__schema.sql"), SCHEMA);
        List<String> all = new ArrayList<>(List.of("lint"));
        all.addAll(List.of(args));
        return CliRun.of("", all.toArray(new String[0])).out();
    }

    /** {@code lint --quiet} over the schema file and {@code migration}. */
    private String quiet(Path migration) throws Exception {
        return lint("--quiet", dir.resolve("V1__schema.sql").toString(), migration.toString());
    }

    private Path migration(String sql) throws Exception {
        return Files.writeString(dir.resolve("V2__change.sql"), sql);
    }

    private static List<String> lines(String out, String rule) {
        List<String> found = new ArrayList<>();
        for (String line : out.split("\n")) {
            if (line.contains(" " + rule + ": ")) {
                found.add(line);
            }
        }
        return found;
    }

    @Test
    void aFileWithoutTimeoutsGetsOneFindingAtItsFirstLockTakingStatement() throws Exception {
        Path v2 = migration("ALTER TABLE orders ADD COLUMN a int;\n"
                + "SELECT 1;\n"
                + "ALTER TABLE orders ADD COLUMN b int;\n"
                + "ALTER TABLE items ADD COLUMN c int;\n"
                + "CREATE INDEX items_c ON items (c);\n"
                + "ALTER TABLE orders ADD COLUMN d int;\n");
        String quiet = quiet(v2);
        List<String> lock = lines(quiet, "require-lock-timeout");
        assertEquals(1, lock.size(), quiet);
        assertTrue(lock.get(0).startsWith(v2 + ":1:1: unsafe require-lock-timeout: "), lock.get(0));
        assertTrue(lock.get(0).endsWith("; so do 4 more statements of this transaction, to line 6 (warn)"), lock.get(0));
        assertEquals(1, lines(quiet, "require-statement-timeout").size(), quiet);
        // what is not about the transaction is still reported on its own statement
        assertEquals(1, lines(quiet, "require-concurrent-index").size(), quiet);

        JsonNode json = CliRun.of("", "lint", "--format", "json", dir.resolve("V1__schema.sql").toString(),
                v2.toString()).json();
        JsonNode first = json.get(2);
        assertEquals(1, first.get("line").asInt());
        assertTrue(first.get("rules").toString().contains("require-lock-timeout"), first.toString());
        assertEquals("[]", first.get("repeats").toString());
        for (int i : new int[] {4, 5, 6, 7}) {
            JsonNode later = json.get(i);
            assertTrue(!later.get("rules").toString().contains("timeout"), later.toString());
            assertEquals("[{\"rule\":\"require-lock-timeout\",\"line\":1},"
                    + "{\"rule\":\"require-statement-timeout\",\"line\":1}]", later.get("repeats").toString());
        }
        assertEquals("allow", json.get(4).get("decision").asText(), "an instant ADD COLUMN has nothing else");
        assertEquals("warn", json.get(6).get("decision").asText(), "the index keeps its own finding");
        assertEquals("[]", json.get(3).get("repeats").toString(), "SELECT takes no such lock");
    }

    @Test
    void eachTransactionAndEachLiquibaseChangesetGetsItsOwn() throws Exception {
        Path v2 = migration("BEGIN;\nALTER TABLE orders ADD COLUMN a int;\nALTER TABLE orders ADD COLUMN b int;\n"
                + "COMMIT;\nBEGIN;\nALTER TABLE items ADD COLUMN c int;\nCOMMIT;\n");
        String quiet = quiet(v2);
        List<String> lock = lines(quiet, "require-lock-timeout");
        assertEquals(2, lock.size(), quiet);
        assertTrue(lock.get(0).startsWith(v2 + ":2:1:") && lock.get(0).contains("so do 1 more statement of this"
                + " transaction, to line 3"), lock.get(0));
        assertTrue(lock.get(1).startsWith(v2 + ":6:1:") && !lock.get(1).contains("so do"), lock.get(1));

        Path changelog = migration("--liquibase formatted sql\n\n"
                + "--changeset ann:1\nALTER TABLE orders ADD COLUMN a int;\nALTER TABLE orders ADD COLUMN b int;\n"
                + "--rollback ALTER TABLE orders DROP COLUMN b;\n--rollback ALTER TABLE orders DROP COLUMN a;\n\n"
                + "--changeset ann:2 runInTransaction:false\nALTER TABLE items ADD COLUMN c int;\n");
        quiet = quiet(changelog);
        lock = lines(quiet, "require-lock-timeout");
        assertEquals(2, lock.size(), quiet);
        assertTrue(lock.get(0).startsWith(changelog + ":4:1:") && lock.get(0).contains("so do 1 more"), lock.get(0));
        assertTrue(lock.get(1).startsWith(changelog + ":10:1:"), lock.get(1));
        // --rollback lines are comments: Liquibase does not run them, nor does the lint read them as statements
        assertTrue(!quiet.contains("drop-column"), quiet);
        assertTrue(quiet.contains("5 statements in 2 files"), quiet);
    }

    @Test
    void aTimeoutSetHalfwayEndsItsRepeatsButNotTheOtherRules() throws Exception {
        Path v2 = migration("ALTER TABLE orders ADD COLUMN a int;\nSET lock_timeout = '5s';\n"
                + "ALTER TABLE orders ADD COLUMN b int;\nALTER TABLE orders ADD COLUMN c int;\n");
        String quiet = quiet(v2);
        assertEquals(1, lines(quiet, "require-lock-timeout").size(), quiet);
        assertTrue(!lines(quiet, "require-lock-timeout").get(0).contains("so do"), quiet);
        assertTrue(lines(quiet, "require-statement-timeout").get(0).contains("so do 2 more statements"), quiet);
    }

    @Test
    void aSuppressionProblemInsideTheTransactionStaysInItsPlace() throws Exception {
        Path v2 = migration("ALTER TABLE orders ADD COLUMN a int;\n"
                + "-- pgguard:ignore drop-table reason=\"not here\"\nALTER TABLE orders ADD COLUMN b int;\n"
                + "ALTER TABLE orders ADD COLUMN c int;\n");
        String quiet = quiet(v2);
        String[] out = quiet.split("\n");
        assertTrue(out[0].contains(":1:1: unsafe require-lock-timeout") && out[0].contains("so do 2 more"), quiet);
        assertTrue(out[1].contains(":1:1: unsafe require-statement-timeout"), quiet);
        assertTrue(out[2].contains(":2:1: unused suppression: drop-table"), quiet);
    }

    @Test
    void aVeryLongTransactionIsReportedWithoutHoldingAllOfIt() throws Exception {
        StringBuilder sql = new StringBuilder();
        int n = Linter.MAX_HELD + 50;
        for (int i = 0; i < n; i++) {
            sql.append("ALTER TABLE orders ADD COLUMN c").append(i).append(" int;\n");
        }
        Path v2 = migration(sql.toString());
        String quiet = quiet(v2);
        List<String> lock = lines(quiet, "require-lock-timeout");
        // the first finding is reported with what was held, and the rest of the transaction gets its own
        assertEquals(2, lock.size(), quiet.substring(0, Math.min(2_000, quiet.length())));
        assertTrue(lock.get(0).endsWith("so do " + (Linter.MAX_HELD - 1) + " more statements of this transaction,"
                + " to line " + Linter.MAX_HELD + " (warn)"), lock.get(0));
        assertTrue(lock.get(1).contains(":" + (Linter.MAX_HELD + 1) + ":1: ")
                && lock.get(1).endsWith("so do " + (n - Linter.MAX_HELD - 1) + " more statements of this "
                + "transaction, to line " + n + " (warn)"), lock.get(1));
        assertTrue(quiet.contains((n + 2) + " statements in 2 files"), quiet.substring(quiet.length() - 200));
    }

    @Test
    void aSavepointIsNotATransactionAndAnIgnoreCoversOnlyItsStatement() throws Exception {
        Path v2 = migration("BEGIN;\nALTER TABLE orders ADD COLUMN a int;\nSAVEPOINT s;\n"
                + "ALTER TABLE orders ADD COLUMN b int;\nROLLBACK TO SAVEPOINT s;\nROLLBACK WORK TO s;\n"
                + "ALTER TABLE orders ADD COLUMN c int;\nCOMMIT;\n");
        String quiet = quiet(v2);
        List<String> lock = lines(quiet, "require-lock-timeout");
        assertEquals(1, lock.size(), quiet);
        assertTrue(lock.get(0).contains("so do 2 more statements of this transaction, to line 7"), lock.get(0));

        // an ignore is scoped to its statement: the next one reports the finding for the rest of the transaction
        Path ignored = migration("-- pgguard:ignore require-lock-timeout reason=\"a quiet table, checked\"\n"
                + "ALTER TABLE orders ADD COLUMN a int;\nALTER TABLE items ADD COLUMN b int;\n"
                + "ALTER TABLE items ADD COLUMN c int;\n");
        CliRun run = CliRun.of("", "lint", "--format", "json", dir.resolve("V1__schema.sql").toString(),
                ignored.toString());
        JsonNode first = run.json().get(2);
        JsonNode second = run.json().get(3);
        assertTrue(!first.get("rules").toString().contains("require-lock-timeout"), first.toString());
        assertTrue(second.get("rules").toString().contains("require-lock-timeout"), second.toString());
        assertTrue(run.json().get(4).get("repeats").toString().contains("{\"rule\":\"require-lock-timeout\","
                + "\"line\":3}"), run.json().get(4).toString());
        assertTrue(quiet(ignored).contains(":3:1: unsafe require-lock-timeout: A lock-taking statement without "
                + "lock_timeout waits behind any long transaction, and every query on the table queues behind it; "
                + "so do 1 more statement of this transaction, to line 4"), quiet(ignored));
    }

    @Test
    void largeStatementsAfterTheFirstAreHeldOnlyUpToATokenBudget() throws Exception {
        StringBuilder sql = new StringBuilder("ALTER TABLE orders ADD COLUMN a int;\n");
        StringBuilder values = new StringBuilder("INSERT INTO items (id) VALUES (0)");
        for (int v = 1; v < 2_000; v++) {
            values.append(", (").append(v).append(')');
        }
        // each INSERT is about 8,000 tokens: the budget is reached long before MAX_HELD statements
        int inserts = Linter.MAX_HELD_TOKENS / 8_000 + 5;
        for (int i = 0; i < inserts; i++) {
            sql.append(values).append(";\n");
        }
        sql.append("ALTER TABLE orders ADD COLUMN b int;\n");
        Path v2 = migration(sql.toString());
        String quiet = quiet(v2);
        List<String> lock = lines(quiet, "require-lock-timeout");
        assertEquals(2, lock.size(), quiet);
        assertTrue(lock.get(0).startsWith(v2 + ":1:1: ") && !lock.get(0).contains("so do"), lock.get(0));
        assertTrue(lock.get(1).startsWith(v2 + ":" + (inserts + 2) + ":1: "), lock.get(1));
    }

    @Test
    void aChangesetCommentOutsideALiquibaseChangelogIsJustAComment() throws Exception {
        Path v2 = migration("ALTER TABLE orders ADD COLUMN a int;\n/* changeset 2 of the refactoring */\n"
                + "ALTER TABLE orders ADD COLUMN b int;\n-- changeset x:y\nALTER TABLE orders ADD COLUMN c int;\n");
        List<String> lock = lines(quiet(v2), "require-lock-timeout");
        assertEquals(1, lock.size(), quiet(v2));
        assertTrue(lock.get(0).contains("so do 2 more statements"), lock.get(0));
    }
}
