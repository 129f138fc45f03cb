package io.pgguard.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class LintCommandTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;

    private static CliRun run(String stdin, String... args) {
        return CliRun.of(stdin, args);
    }

    private Path file(String name, String sql) throws Exception {
        Path p = dir.resolve(name);
        Files.writeString(p, sql);
        return p;
    }

    @Test
    void jsonHasOneElementPerTopLevelStatementWithTheDesignFields() throws Exception {
        Path f = file("V1__x.sql", "-- header\nCREATE TABLE t (id bigint);;\n\nDELETE FROM t;\n"
                + "DO $$ BEGIN DELETE FROM orders; END $$;\n");
        CliRun r = run("", "lint", "--format", "json", f.toString());
        assertEquals(1, r.status(), r.err());
        JsonNode arr = r.json();
        assertEquals(3, arr.size());
        JsonNode create = arr.get(0);
        List<String> fields = new ArrayList<>();
        create.fieldNames().forEachRemaining(fields::add);
        assertEquals(List.of("file", "statement_index", "line", "sql", "kind", "risk", "table", "lock", "rewrite",
                "rules", "repeats", "decision"), fields);
        assertEquals(f.toString(), create.get("file").asText());
        assertEquals(0, create.get("statement_index").asInt());
        assertEquals(2, create.get("line").asInt());
        assertEquals("CREATE TABLE t (id bigint)", create.get("sql").asText());
        assertEquals("safe", create.get("risk").asText());
        assertEquals("AccessExclusiveLock", create.get("lock").asText());
        assertEquals("allow", create.get("decision").asText());
        // The DELETE is on a table created in the same file: empty, nothing lost.
        JsonNode delete = arr.get(1);
        assertEquals(1, delete.get("statement_index").asInt());
        assertEquals(4, delete.get("line").asInt());
        assertEquals("safe", delete.get("risk").asText());
        JsonNode doBlock = arr.get(2);
        assertEquals("DO", doBlock.get("kind").asText());
        assertEquals("destructive", doBlock.get("risk").asText());
        assertEquals("orders", doBlock.get("table").asText());
        assertEquals("unbounded-delete", doBlock.get("rules").get(0).asText());
        assertEquals("block", doBlock.get("decision").asText());
        assertTrue(doBlock.get("table").isTextual() && create.get("rewrite").isBoolean());
    }

    @Test
    void exitStatusFollowsBlocksByDefaultAndTheThresholdWithFailOn() throws Exception {
        Path unsafe = file("unsafe.sql", "CREATE INDEX i ON orders (a);");
        Path destructive = file("destructive.sql", "TRUNCATE orders;");
        assertEquals(0, run("", "lint", unsafe.toString()).status());
        assertEquals(1, run("", "lint", "--fail-on", "unsafe", unsafe.toString()).status());
        assertEquals(0, run("", "lint", "--fail-on=breaking", unsafe.toString()).status());
        assertEquals(1, run("", "lint", destructive.toString()).status());
        // Against a local target nothing is blocked, but the threshold still holds.
        assertEquals(0, run("", "lint", "--url", "jdbc:postgresql://localhost/app", destructive.toString()).status());
        assertEquals(1, run("", "lint", "--url", "jdbc:pgguard:postgresql://db.prod.internal/app",
                destructive.toString()).status());
        assertEquals(1, run("", "lint", "--url", "jdbc:postgresql://127.0.0.1/app", "--fail-on", "destructive",
                destructive.toString()).status());
    }

    @Test
    void theUrlsPgguardSettingsDecideAsTheDriverWould() throws Exception {
        Path destructive = file("d.sql", "TRUNCATE orders;");
        assertEquals(1, run("", "lint", "--url", "jdbc:postgresql://localhost/app?pgguard.environment=production",
                destructive.toString()).status(), "a tunnel declared production");
        assertEquals(0, run("", "lint", "--url", "jdbc:pgguard:postgresql://db.prod/app?pgguard.onDestructive=warn",
                destructive.toString()).status());
        assertEquals(1, run("", "lint", "--url", "jdbc:postgresql://localhost/app?pgguard.protect=123",
                destructive.toString()).status(), "protect cannot be checked offline: fail closed");
        assertEquals(0, run("", "lint", "--url", "jdbc:postgresql://compose-db/app?pgguard.localHosts=compose-db",
                destructive.toString()).status());
        CliRun typo = run("", "lint", "--url", "jdbc:postgresql://localhost/app?pgguard.enviroment=production",
                destructive.toString());
        assertEquals(2, typo.status());
        assertTrue(typo.err().contains("unknown pgguard setting 'pgguard.enviroment'"), typo.err());
    }

    @Test
    void directoryIsReadInNameOrderAndRemembersEarlierFiles() throws Exception {
        file("V2__type.sql", "SET lock_timeout = '1s'; SET statement_timeout = '1min';\n"
                + "ALTER TABLE t ALTER COLUMN name TYPE varchar(200);");
        file("V1__create.sql", "CREATE TABLE IF NOT EXISTS t (id bigint, name varchar(100));");
        file("notes.txt", "DROP TABLE t;");
        CliRun r = run("", "lint", "--format", "json", dir.toString());
        JsonNode arr = r.json();
        assertEquals(4, arr.size());
        assertTrue(arr.get(0).get("file").asText().endsWith("V1__create.sql"));
        JsonNode alter = arr.get(3);
        assertEquals(false, alter.get("rewrite").asBoolean(), "varchar widening is known from V1");
        assertEquals("safe", alter.get("risk").asText());
    }

    @Test
    void suppressionNeedsAReasonAndAnUnusedOneIsReported() throws Exception {
        Path ok = file("ok.sql", "-- pgguard:ignore drop-column reason=\"contract step, app v2 no longer reads it\"\n"
                + "ALTER TABLE orders DROP COLUMN IF EXISTS status;");
        CliRun okRun = run("", "lint", "--format", "json", ok.toString());
        assertEquals(0, okRun.status(), okRun.err());
        assertEquals("[]", okRun.json().get(0).get("rules").toString().replace("\"require-lock-timeout\",", "")
                .replace("\"require-statement-timeout\"", "").replace(",", ""));

        Path noReason = file("noreason.sql", "-- pgguard:ignore drop-column\nALTER TABLE orders DROP COLUMN status;");
        CliRun nr = run("", "lint", "--format", "json", noReason.toString());
        assertEquals(1, nr.status());
        assertTrue(nr.json().get(0).get("rules").toString().contains("drop-column"), "not applied without reason");
        assertTrue(nr.err().contains("noreason.sql:1:1: pgguard:ignore drop-column has no reason"), nr.err());

        Path unused = file("unused.sql", "SELECT 1; -- pgguard:ignore truncate reason=\"copied from elsewhere\"");
        CliRun ur = run("", "lint", unused.toString());
        assertEquals(1, ur.status());
        assertTrue(ur.out().contains("unused suppression: truncate does not fire on this statement"), ur.out());

        Path unknownRule = file("unknown.sql", "-- pgguard:ignore no-such-rule reason=\"x\"\nSELECT 1;");
        assertTrue(run("", "lint", unknownRule.toString()).out().contains("unknown rule no-such-rule"));
    }

    @Test
    void anAllowCommentWithAReasonTurnsTheBlockIntoAWarning() throws Exception {
        Path f = file("allow.sql",
                "/* pgguard:allow truncate reason=\"reset the staging copy\" */ TRUNCATE staging_orders;");
        CliRun r = run("", "lint", "--format", "json", f.toString());
        assertEquals(0, r.status(), r.out());
        assertEquals("warn", r.json().get(0).get("decision").asText());
        assertEquals("destructive", r.json().get(0).get("risk").asText());
        Path noReason = file("allow2.sql", "/* pgguard:allow truncate */ TRUNCATE staging_orders;");
        assertEquals("block", run("", "lint", "--format", "json", noReason.toString()).json().get(0)
                .get("decision").asText());
    }

    @Test
    void badInputIsAClearErrorWithPosition() throws Exception {
        CliRun missing = run("", "lint", dir.resolve("nope.sql").toString());
        assertEquals(2, missing.status());
        assertTrue(missing.err().contains("nope.sql: no such file"), missing.err());

        Path latin1 = dir.resolve("latin1.sql");
        Files.write(latin1, "SELECT 1;\nSELECT 'caf\u00e9';".getBytes(StandardCharsets.ISO_8859_1));
        CliRun enc = run("", "lint", latin1.toString());
        assertEquals(2, enc.status());
        assertTrue(enc.err().contains("latin1.sql:2:12: not valid UTF-8"), enc.err());

        Path open = file("open.sql", "SELECT 1;\nCREATE FUNCTION f() RETURNS int AS $body$\n SELECT 1;\n");
        CliRun unterminated = run("", "lint", "--format", "json", open.toString());
        assertEquals(2, unterminated.status());
        assertTrue(unterminated.err().contains("open.sql:2:36: unterminated dollar-quoted string $body$"),
                unterminated.err());
        JsonNode last = unterminated.json().get(1);
        assertEquals("unknown", last.get("risk").asText());
        assertEquals("block", last.get("decision").asText());
        assertTrue(last.get("sql").asText().contains("SELECT 1;"), "nothing of the input is lost");

        assertEquals(2, run("", "lint").status());
        assertEquals(2, run("", "lint", "--pg-version", "9", open.toString()).status());
        assertEquals(2, run("", "lint", "--format", "xml", open.toString()).status());
        assertEquals(2, run("", "lint", "--url", "postgres://x/y", open.toString()).status());
        assertEquals(2, run("", "frobnicate").status());
    }

    @Test
    void standardInputIsLintedAsFileDash() throws Exception {
        CliRun r = run("DROP TABLE orders;", "lint", "--format", "json", "-");
        assertEquals(1, r.status());
        assertEquals("-", r.json().get(0).get("file").asText());
        assertEquals("drop-table", r.json().get(0).get("rules").get(0).asText());
    }

    @Test
    void pgVersionChangesTheVerdict() throws Exception {
        Path f = file("enum.sql", "ALTER TYPE mood ADD VALUE IF NOT EXISTS 'meh';");
        assertEquals("unsafe", run("", "lint", "--pg-version", "11", "--format", "json", f.toString()).json().get(0)
                .get("risk").asText());
        assertEquals("safe", run("", "lint", "--pg-version", "17", "--format", "json", f.toString()).json().get(0)
                .get("risk").asText());
    }

    @Test
    void markdownHasTheReviewTablePerFileWithLocksAndAlternatives() throws Exception {
        file("V1__a.sql", "SET lock_timeout = '1s'; SET statement_timeout = '1min';\n"
                + "CREATE INDEX IF NOT EXISTS i ON orders (created_at);");
        file("V2__b.sql", "ALTER TABLE orders DROP COLUMN IF EXISTS legacy;");
        CliRun r = run("", "lint", "--format", "markdown", dir.toString());
        String md = r.out();
        assertTrue(md.contains("### " + dir.resolve("V1__a.sql")), md);
        assertTrue(md.contains("### " + dir.resolve("V2__b.sql")), md);
        assertEquals(2, md.split("\\| Statement \\| Risk \\| Reason \\|", -1).length - 1);
        assertTrue(md.contains("| `CREATE INDEX IF NOT EXISTS i ON orders (created_at)` (line 2) | **unsafe** |"), md);
        assertTrue(md.contains("CREATE INDEX takes ShareLock on orders"), md);
        assertTrue(md.contains("`require-concurrent-index` (unsafe): CREATE INDEX CONCURRENTLY"), md);
        assertTrue(md.contains("**blocked**"), md);
    }

    @Test
    void sarifIsVersion210WithRulesAndResultsOnTheirLines() throws Exception {
        Path f = file("V3__c.sql", "SELECT 1;\n\n  TRUNCATE orders;");
        JsonNode sarif = JSON.readTree(run("", "lint", "--format", "sarif", f.toString()).out());
        assertEquals("2.1.0", sarif.get("version").asText());
        JsonNode run = sarif.get("runs").get(0);
        assertEquals("pgguard", run.get("tool").get("driver").get("name").asText());
        assertTrue(run.get("tool").get("driver").get("rules").size() >= 40);
        JsonNode result = run.get("results").get(0);
        assertEquals("truncate", result.get("ruleId").asText());
        assertEquals("error", result.get("level").asText());
        JsonNode region = result.get("locations").get(0).get("physicalLocation").get("region");
        assertEquals(3, region.get("startLine").asInt());
        assertEquals(3, region.get("startColumn").asInt());
    }

    @Test
    void textIsPlainWhenNotATerminal() throws Exception {
        Path f = file("t.sql", "DELETE FROM orders;");
        CliRun r = run("", "lint", f.toString());
        assertFalse(r.out().contains("\u001b["), "no colour codes into a pipe");
        assertTrue(r.out().contains("1:1  destructive DELETE  [RowExclusiveLock on orders]  -> block"), r.out());
        assertTrue(r.out().contains("unbounded-delete: DELETE FROM orders without WHERE deletes every row"), r.out());
        assertTrue(r.out().contains("1 would be blocked for a non-local target"), r.out());
    }

    @Test
    void everyCommandTakesHelp() {
        for (String command : new String[] {"lint", "exec", "trace", "preflight", "rules"}) {
            for (String flag : new String[] {"--help", "-h"}) {
                CliRun r = run("", command, flag);
                assertEquals(0, r.status(), command + " " + flag + ": " + r);
                assertTrue(r.out().startsWith("usage") && r.out().contains("  " + command), r.out());
                assertEquals("", r.err());
            }
        }
        CliRun top = run("", "--help");
        assertTrue(top.out().contains("lint [--url URL]") && top.out().contains("never\n      connects")
                || top.out().contains("never connects"), top.out());
    }

    @Test
    void theSummarySaysWhatFailsTheRun() throws Exception {
        Path f = file("unsafe.sql", "CREATE INDEX orders_state ON orders (state);");
        CliRun plain = run("", "lint", f.toString());
        assertEquals(0, plain.status(), plain.toString());
        assertTrue(plain.out().contains("1 statement in 1 file, 1 unsafe; 0 would be blocked"), plain.out());
        assertFalse(plain.out().contains("exit 1"), plain.out());
        CliRun failing = run("", "lint", "--fail-on", "unsafe", f.toString());
        assertEquals(1, failing.status());
        assertTrue(failing.out().contains("exit 1: 1 statement at or above --fail-on unsafe"), failing.out());
        CliRun json = run("", "lint", "--format", "json", "--fail-on", "unsafe", f.toString());
        assertTrue(json.err().contains("pgguard lint: exit 1: 1 statement at or above --fail-on unsafe"), json.err());
        Path unused = file("unused2.sql", "SELECT 1; -- pgguard:ignore truncate reason=\"copied\"");
        CliRun u = run("", "lint", unused.toString());
        assertEquals(1, u.status());
        assertTrue(u.out().contains("exit 1: 1 suppression problem"), u.out());
    }

    @Test
    void sarifCarriesSuppressionProblemsAndInputErrors() throws Exception {
        Path unused = file("unused3.sql", "SELECT 1;\nSELECT 2; -- pgguard:ignore truncate reason=\"copied\"");
        CliRun u = run("", "lint", "--format", "sarif", unused.toString());
        assertEquals(1, u.status());
        JsonNode run = u.json().get("runs").get(0);
        JsonNode result = run.get("results").get(0);
        assertEquals("pgguard-suppression", result.get("ruleId").asText(), u.out());
        assertEquals(2, result.at("/locations/0/physicalLocation/region/startLine").asInt());
        assertTrue(result.at("/message/text").asText().contains("unused suppression: truncate"));
        assertTrue(run.at("/invocations/0/executionSuccessful").asBoolean());

        Path latin1 = dir.resolve("latin1b.sql");
        Files.write(latin1, "SELECT 1;\nSELECT 'caf\u00e9';".getBytes(StandardCharsets.ISO_8859_1));
        CliRun enc = run("", "lint", "--format", "sarif", latin1.toString());
        assertEquals(2, enc.status());
        JsonNode inv = enc.json().at("/runs/0/invocations/0");
        assertFalse(inv.get("executionSuccessful").asBoolean(), enc.out());
        JsonNode note = inv.get("toolExecutionNotifications").get(0);
        assertEquals("error", note.get("level").asText());
        assertTrue(note.at("/message/text").asText().contains("not valid UTF-8"), enc.out());
        assertEquals(2, note.at("/locations/0/physicalLocation/region/startLine").asInt());
        assertEquals(12, note.at("/locations/0/physicalLocation/region/startColumn").asInt());

        Path open = file("open2.sql", "SELECT 1;\nSELECT 'never closed");
        CliRun unterminated = run("", "lint", "--format", "sarif", open.toString());
        assertEquals(2, unterminated.status());
        assertFalse(unterminated.json().at("/runs/0/invocations/0/executionSuccessful").asBoolean());
        assertTrue(unterminated.json().at("/runs/0/invocations/0/toolExecutionNotifications/0/message/text")
                .asText().contains("unterminated"), unterminated.out());
    }

    @Test
    void adviceIsShownOnlyWithAdvice() throws Exception {
        Path f = file("advice.sql", "CREATE TABLE fresh (id bigint);");
        CliRun text = run("", "lint", f.toString());
        assertFalse(text.out().contains("prefer-if-not-exists"), text.out());
        assertTrue(text.out().contains("1 advice finding not shown (--advice shows them)"), text.out());
        assertTrue(run("", "lint", "--advice", f.toString()).out().contains("hint prefer-if-not-exists"));
        CliRun sarif = run("", "lint", "--format", "sarif", f.toString());
        assertEquals(0, sarif.json().at("/runs/0/results").size(), sarif.out());
        CliRun sarifAdvice = run("", "lint", "--format", "sarif", "--advice", f.toString());
        assertEquals("prefer-if-not-exists", sarifAdvice.json().at("/runs/0/results/0/ruleId").asText());
        assertTrue(run("", "lint", "--format", "json", f.toString()).out().contains("prefer-if-not-exists"),
                "json keeps every rule");
    }

    /** --quiet: a line per finding that a CI log parser reads as file:line:column. */
    @Test
    void quietPrintsOneParsableLinePerFinding() throws Exception {
        Path f = file("quiet.sql", "SELECT 1;\n  CREATE INDEX orders_state ON orders (state);\nDELETE FROM orders;");
        CliRun r = run("", "lint", "--quiet", f.toString());
        assertEquals(1, r.status(), r.toString());
        java.util.regex.Pattern finding = java.util.regex.Pattern.compile(
                "(.+):(\\d+):(\\d+): (\\w+) ([a-z0-9-]+): (.+) \\((allow|warn|block|override)\\)");
        List<String[]> parsed = new ArrayList<>();
        for (String line : r.out().split("\n")) {
            java.util.regex.Matcher m = finding.matcher(line);
            if (m.matches()) {
                parsed.add(new String[] {m.group(1), m.group(2), m.group(3), m.group(4), m.group(5), m.group(7)});
            }
        }
        // the index: its lock, and the file sets neither lock_timeout nor statement_timeout; the DELETE
        assertEquals(4, parsed.size(), r.out());
        assertEquals(List.of(f.toString(), "2", "3", "unsafe", "require-concurrent-index", "warn"),
                List.of(parsed.get(0)));
        assertEquals(List.of(f.toString(), "3", "1", "destructive", "unbounded-delete", "block"),
                List.of(parsed.get(3)));
        assertTrue(r.out().endsWith("3 statements in 1 file, 1 would be blocked\nexit 1: 1 statement would be "
                + "blocked\n"), r.out());
        assertEquals(r.status(), run("", "lint", "-q", f.toString()).status());
    }

    /** A long run's text ends with the files that would block first, and the findings counted by rule. */
    @Test
    void theTextSummaryListsBlockingFilesFirstAndCountsByRule() throws Exception {
        for (int k = 1; k <= 25; k++) {
            file("V" + k + "__step.sql", k <= 22 ? "CREATE INDEX i" + k + " ON orders (c" + k + ");\n"
                    + "CREATE INDEX j" + k + " ON orders (d" + k + ");\n" : "DROP TABLE old" + k + ";\n");
        }
        CliRun r = run("", "lint", dir.toString());
        assertEquals(1, r.status(), r.toString());
        List<String> lines = List.of(r.out().split("\n"));
        int files = lines.indexOf("Files that block or warn, blocking first:");
        assertTrue(files > 0, r.out());
        for (int k = 0; k < 3; k++) {
            assertTrue(lines.get(files + 1 + k).matches("  \\S+V" + (23 + k) + "__step\\.sql +1 blocked"),
                    lines.get(files + 1 + k));
        }
        assertTrue(lines.get(files + 4).matches("  \\S+V1__step\\.sql +2 warned"), lines.get(files + 4));
        assertEquals("  and 5 more files", lines.get(files + 1 + TextReport.FILES_LISTED));
        int rules = lines.indexOf("Findings by rule:");
        assertEquals(rules, files + 2 + TextReport.FILES_LISTED);
        assertEquals(List.of("     44  unsafe      require-concurrent-index",
                "     22  unsafe      require-lock-timeout",
                "     22  unsafe      require-statement-timeout",
                "      3  destructive drop-table"), lines.subList(rules + 1, rules + 5));

        CliRun one = run("", "lint", dir.resolve("V23__step.sql").toString());
        assertFalse(one.out().contains("Findings by rule") || one.out().contains("Files that"), one.out());
    }
}
