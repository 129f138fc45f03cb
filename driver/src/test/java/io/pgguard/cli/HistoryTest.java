package io.pgguard.cli;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code lint --history}: a pull request's new migration linted with the project's history as context. The history
 * is read for the schema and types it leaves; only the named files are reported, and only they decide the exit
 * status, the SARIF results and the markdown.
 */
class HistoryTest {

    @TempDir
    Path dir;

    /**
     * A Flyway history of {@code n} files under {@code src/main/resources/db/migration}, some in a subdirectory,
     * versions dotted and numeric: table {@code t<k>} is created in V&lt;k&gt; with a {@code varchar(10)} column,
     * every tenth file also drops a table (destructive: the history itself would fail a lint).
     */
    private Path flywayProject(int n) throws Exception {
        Path location = dir.resolve("project/src/main/resources/db/migration");
        Files.createDirectories(location.resolve("2019"));
        for (int k = 1; k <= n; k++) {
            Path where = k < 50 ? location.resolve("2019") : location;
            String version = k % 7 == 0 ? (k / 7) * 7 - 1 + "." + 5 : String.valueOf(k);
            StringBuilder sql = new StringBuilder("-- migration ").append(k).append('\n')
                    .append("CREATE TABLE t").append(k).append(" (id bigint PRIMARY KEY, code varchar(10));\n");
            if (k % 10 == 0) {
                sql.append("DROP TABLE t").append(k - 5).append(";\n");
            }
            Files.writeString(where.resolve("V" + version + "__step_" + k + ".sql"), sql.toString());
        }
        return dir.resolve("project");
    }

    @Test
    void aNewMigrationIsReportedAloneWithTypesLearnedFromHundredsOfHistoryFiles() throws Exception {
        Path project = flywayProject(300);
        Path pr = Files.writeString(dir.resolve("V301__widen.sql"),
                "ALTER TABLE t3 ALTER COLUMN code TYPE text;\nALTER TABLE t4 ALTER COLUMN code TYPE bigint "
                        + "USING code::bigint;\n");

        CliRun alone = CliRun.of("", "lint", "--format", "json", pr.toString());
        assertTrue(alone.json().get(0).get("rewrite").asBoolean(), "without the history the type is unknown");

        CliRun run = CliRun.of("", "lint", "--format", "json", "--history", project.toString(), pr.toString());
        assertEquals(0, run.status(), run.toString());
        JsonNode json = run.json();
        assertEquals(2, json.size(), "only the named file's statements");
        for (JsonNode s : json) {
            assertEquals(pr.toString(), s.get("file").asText());
        }
        assertFalse(json.get(0).get("rewrite").asBoolean(), "varchar(10) -> text, known from V3");
        assertTrue(json.get(1).get("rewrite").asBoolean(), "varchar(10) -> bigint rewrites");
        assertTrue(json.get(1).get("rules").toString().contains("change-column-type"), json.get(1).toString());

        // the history's 30 DROP TABLEs would block; they ran years ago and are not this run's findings
        CliRun history = CliRun.of("", "lint", "-q", project.resolve("src/main/resources/db/migration").toString());
        assertEquals(1, history.status());
        CliRun text = CliRun.of("", "lint", "--history", project.toString(), pr.toString());
        assertEquals(0, text.status(), text.toString());
        assertFalse(text.out().contains("drop-table") || text.out().contains("V10__"), text.out());
        assertTrue(text.out().contains("2 statements in 1 file (after 300 files of history)"), text.out());

        CliRun sarif = CliRun.of("", "lint", "--format", "sarif", "--history", project.toString(), pr.toString());
        JsonNode results = sarif.json().get("runs").get(0).get("results");
        assertTrue(results.size() > 0);
        for (JsonNode r : results) {
            assertTrue(r.toString().contains("V301__widen.sql"), r.toString());
        }
        CliRun markdown = CliRun.of("", "lint", "--format", "markdown", "--history", project.toString(),
                pr.toString());
        assertTrue(markdown.out().contains("V301__widen.sql") && !markdown.out().contains("step_"), markdown.out());
        assertTrue(markdown.out().contains("known from 300 files of the project's history"), markdown.out());
    }

    @Test
    void aNamedFileOfTheHistoryIsReadInItsPlaceAndNothingAfterItIs() throws Exception {
        Path location = dir.resolve("db/migration");
        Files.createDirectories(location);
        Files.writeString(location.resolve("V1__a.sql"), "CREATE TABLE a (id bigint, code varchar(10));");
        Files.writeString(location.resolve("V2__alter.sql"),
                "ALTER TABLE a ALTER COLUMN code TYPE text;\nALTER TABLE late ALTER COLUMN code TYPE text;");
        Files.writeString(location.resolve("V10__late.sql"), "CREATE TABLE late (id bigint, code varchar(10));");
        Files.writeString(location.resolve("V11__drop.sql"), "DROP TABLE a;");

        CliRun run = CliRun.of("", "lint", "--format", "json", "--history", dir.toString(),
                location.resolve("V2__alter.sql").toString());
        assertEquals(0, run.status(), run.toString());
        JsonNode json = run.json();
        assertEquals(2, json.size(), json.toString());
        assertFalse(json.get(0).get("rewrite").asBoolean(), "V1 was read before V2");
        assertTrue(json.get(1).get("rewrite").asBoolean(), "V10, after V2, was not: late's type is unknown there");
        assertTrue(json.get(0).get("file").asText().endsWith("V2__alter.sql"));
    }

    @Test
    void aLiquibaseProjectIsReadThroughItsMasterChangelog() throws Exception {
        Path changelog = dir.resolve("app/src/main/resources/db/changelog");
        Files.createDirectories(changelog.resolve("changes"));
        Files.createDirectories(changelog.resolve("more"));
        Files.writeString(changelog.resolve("db.changelog-master.yaml"), """
                databaseChangeLog:
                  # the first one
                  - include:
                      file: db/changelog/changes/001-init.sql
                  - include:
                      file: changes/002-orders.xml
                      relativeToChangelogFile: true
                  - includeAll:
                      path: db/changelog/more/
                """);
        Files.writeString(changelog.resolve("changes/001-init.sql"), """
                --liquibase formatted sql

                --changeset ann:1
                CREATE TABLE customer (id bigint PRIMARY KEY, email varchar(100));
                --rollback DROP TABLE customer;
                """);
        Files.writeString(changelog.resolve("changes/002-orders.xml"), """
                <databaseChangeLog xmlns="http://www.liquibase.org/xml/ns/dbchangelog">
                  <!-- <include file="missing.sql"/> -->
                  <changeSet id="2" author="ann">
                    <sqlFile path="orders.sql" relativeToChangelogFile="true"/>
                  </changeSet>
                </databaseChangeLog>
                """);
        Files.writeString(changelog.resolve("changes/orders.sql"),
                "CREATE TABLE orders (id bigint PRIMARY KEY, note varchar(20));");
        Files.writeString(changelog.resolve("more/b.sql"), "ALTER TABLE orders ALTER COLUMN note TYPE varchar(30);");
        Files.writeString(changelog.resolve("more/a.sql"), "ALTER TABLE customer ALTER COLUMN email TYPE text;");
        Path pr = Files.writeString(dir.resolve("new.sql"), """
                --liquibase formatted sql
                --changeset bob:9
                ALTER TABLE customer ALTER COLUMN email TYPE varchar(200);
                ALTER TABLE orders ALTER COLUMN note TYPE varchar(40);
                """);
        CliRun run = CliRun.of("", "lint", "--format", "json", "--history", dir.resolve("app").toString(),
                pr.toString());
        assertEquals(0, run.status(), run.toString());
        JsonNode json = run.json();
        assertEquals(2, json.size(), json.toString());
        // customer.email is text after more/a.sql: text -> varchar(200) rewrites (it checks every value)
        assertTrue(json.get(0).get("rules").toString().contains("change-column-type"), json.get(0).toString());
        // orders.note (from the sqlFile) is varchar(30): widening is free
        assertFalse(json.get(1).get("rewrite").asBoolean(), json.get(1).toString());
        assertEquals("safe", json.get(1).get("risk").asText(), json.get(1).toString());

        CliRun text = CliRun.of("", "lint", "--history",
                changelog.resolve("db.changelog-master.yaml").toString(), pr.toString());
        assertTrue(text.out().contains("(after 4 files of history)"), text.out());
    }

    @Test
    void standardInputComesAfterTheHistory() throws Exception {
        Path project = flywayProject(12);
        CliRun run = CliRun.of("ALTER TABLE t12 ALTER COLUMN code TYPE varchar(64);", "lint", "--format", "json",
                "--history", project.toString(), "-");
        assertEquals(0, run.status(), run.toString());
        assertEquals(1, run.json().size());
        assertEquals("-", run.json().get(0).get("file").asText());
        assertFalse(run.json().get(0).get("rewrite").asBoolean(), "t12.code is varchar(10), from V12");
    }

    @Test
    void aHistoryThatCannotBeFoundIsAnInputError() throws Exception {
        Path pr = Files.writeString(dir.resolve("new.sql"), "SELECT 1;");
        CliRun missing = CliRun.of("", "lint", "--history", dir.resolve("nowhere").toString(), pr.toString());
        assertEquals(2, missing.status());
        assertTrue(missing.err().contains("nowhere: no such file or directory (--history)"), missing.err());

        Path master = Files.writeString(dir.resolve("db.changelog-master.xml"),
                "<databaseChangeLog><include file=\"gone.sql\"/></databaseChangeLog>");
        CliRun gone = CliRun.of("", "lint", "--history", master.toString(), pr.toString());
        assertEquals(0, gone.status(), "an include that is not there is left out, and said so");
        assertTrue(gone.err().contains("include gone.sql not found here (a resource of a jar?), left out"),
                gone.err());

        Path bad = Files.createDirectories(dir.resolve("bad"));
        Files.write(bad.resolve("V1__latin1.sql"), new byte[] {'S', 'E', 'L', 'E', 'C', 'T', ' ', (byte) 0xe9, ';'});
        CliRun unreadable = CliRun.of("", "lint", "--history", bad.toString(), pr.toString());
        assertEquals(0, unreadable.status(), "an unreadable history file does not fail the new file's lint");
        assertTrue(unreadable.err().contains("history file " + bad.resolve("V1__latin1.sql") + ":1:8: not valid UTF-8"),
                unreadable.err());
    }

    @Test
    void aPullRequestsCopyOfAHistoryMigrationIsReadInsteadOfIt() throws Exception {
        Path location = Files.createDirectories(dir.resolve("db/migration"));
        Files.writeString(location.resolve("V1__t.sql"), "CREATE TABLE t (id bigint, n integer);");
        Files.writeString(location.resolve("V2__b.sql"), "ALTER TABLE t ALTER COLUMN n TYPE text;");
        Files.writeString(location.resolve("V3__c.sql"), "ALTER TABLE t ALTER COLUMN n TYPE varchar(5);");
        // the pull request's version of V2, checked out elsewhere, and named twice in two spellings
        Path pr = Files.createDirectories(dir.resolve("pr"));
        Path v2 = Files.writeString(pr.resolve("V2.0__b.sql"), "ALTER TABLE t ALTER COLUMN n TYPE bigint;");
        CliRun run = CliRun.of("", "lint", "-q", "--history", location.toString(), v2.toString(),
                pr.resolve("..").resolve("pr").resolve("V2.0__b.sql").toString());
        assertTrue(run.out().contains("TYPE integer -> bigint"), "V1 read before it, not V2 or V3: " + run.out());
        assertTrue(run.out().contains("1 statement in 1 file (after 1 file of history)"), run.out());
        assertTrue(run.err().contains(v2 + " is migration V2__b.sql of the history: read in its place"), run.err());
    }

    @Test
    void otherDatabasesFoldersAndModulesAreFoundAndSaidSo() throws Exception {
        Path module = dir.resolve("repo/services/orders");
        Path location = Files.createDirectories(module.resolve("src/main/resources/db/migration"));
        Files.createDirectories(location.resolve("oracle"));
        Files.createDirectories(location.resolve("postgresql"));
        Files.writeString(location.resolve("oracle/V1__t.sql"), "CREATE TABLE t (id number, code varchar2(10));");
        Files.writeString(location.resolve("postgresql/V1__t.sql"), "CREATE TABLE t (id bigint, code text);");
        Files.createDirectories(dir.resolve("repo/services/orders/src/test/resources"));
        Files.writeString(dir.resolve("repo/services/orders/src/test/resources/fixtures.sql"), "DROP TABLE t;");
        Path pr = Files.writeString(dir.resolve("V2__code.sql"), "ALTER TABLE t ALTER COLUMN code TYPE varchar(10);");
        CliRun run = CliRun.of("", "lint", "--format", "json", "--history", dir.resolve("repo").toString(),
                pr.toString());
        assertEquals(0, run.status(), run.toString());
        // text -> varchar(10) checks every row: the type came from postgresql/, not oracle/
        assertTrue(run.json().get(0).get("rules").toString().contains("change-column-type"), run.out());
        assertTrue(run.err().contains("has no migrations of its own; read those of module " + module), run.err());
        assertTrue(run.err().contains("other databases' folders not read: oracle"), run.err());

        Files.createDirectories(dir.resolve("repo/billing/src/main/resources/db/migration"));
        CliRun two = CliRun.of("", "lint", "--history", dir.resolve("repo").toString(), pr.toString());
        assertEquals(2, two.status());
        assertTrue(two.err().contains("several modules have migrations"), two.err());
    }

    @Test
    void whatCannotBeFollowedIsSaidAndDoesNotFailTheRun() throws Exception {
        Path changelog = Files.createDirectories(dir.resolve("db/changelog"));
        Files.writeString(changelog.resolve("db.changelog-master.xml"), """
                <databaseChangeLog>
                  <include file="db/changelog/one.sql"/>
                  <changeSet id="1" author="a">
                    <sqlFile path="classpath:/org/springframework/batch/core/schema-postgresql.sql"/>
                    <createTable tableName="x"><column name="id" type="bigint"/></createTable>
                  </changeSet>
                  <includeAll path="db/changelog/optional/" errorIfMissingOrEmpty="false"/>
                  <changeSet id="2" author="a">
                    <createProcedure path="proc.pgsql" relativeToChangelogFile="true"/>
                  </changeSet>
                </databaseChangeLog>
                """);
        Files.writeString(changelog.resolve("one.sql"), "CREATE TABLE t (id bigint, code varchar(10));\n"
                + "CREATE FUNCTION broken() RETURNS int AS $$ SELECT 1;\n");
        Files.writeString(changelog.resolve("proc.pgsql"), "CREATE TABLE u (id bigint, code varchar(10));");
        Path pr = Files.writeString(dir.resolve("new.sql"), "ALTER TABLE u ALTER COLUMN code TYPE varchar(20);\n"
                + "-- pgguard:ignore drop-table reason=\"not here\"\nSELECT 1;\n");
        CliRun run = CliRun.of("", "lint", "--format", "json", "--history", dir.toString(), pr.toString());
        assertEquals(1, run.status(), "the new file's unused suppression is its own: " + run);
        assertFalse(run.json().get(0).get("rewrite").asBoolean(), "u came from the createProcedure file");
        assertTrue(run.err().contains("sqlFile classpath:/org/springframework/batch/core/schema-postgresql.sql not "
                + "found here (a resource of a jar?), left out"), run.err());
        assertTrue(run.err().contains("includeAll db/changelog/optional/ is not a directory here, left out"),
                run.err());
        assertTrue(run.err().contains("changes written as XML, YAML or JSON elements (createTable, ...) in 1 changelog"
                + " are not read; 2 SQL files and 0 <sql> elements are"), run.err());
        assertTrue(run.err().contains("history file " + changelog.resolve("one.sql") + ":2:41: unterminated "
                + "dollar-quoted string"), run.err());

        assertEquals(2, CliRun.of("", "lint", "--history=", pr.toString()).status());
    }

    @Test
    void tablesNamedThroughPlaceholdersAreLearnedAndNamed() throws Exception {
        Path location = Files.createDirectories(dir.resolve("db/migration"));
        Files.writeString(location.resolve("V1__t.sql"), "CREATE TABLE ${ohdsiSchema}.cohort (id bigint, "
                + "name varchar(10));");
        Path pr = Files.writeString(dir.resolve("V2__x.sql"), "ALTER TABLE ${ohdsiSchema}.cohort ALTER COLUMN name "
                + "TYPE varchar(255);\nDELETE FROM ${ohdsiSchema}.cohort;\n");
        CliRun run = CliRun.of("", "lint", "--format", "json", "--history", location.toString(), pr.toString());
        assertFalse(run.json().get(0).get("rewrite").asBoolean(), "varchar(10) known from V1: " + run.out());
        assertEquals("${ohdsiSchema}.cohort", run.json().get(1).get("table").asText());
        CliRun quiet = CliRun.of("", "lint", "-q", pr.toString());
        assertTrue(quiet.out().contains("DELETE FROM ${ohdsiSchema}.cohort without WHERE deletes every row"),
                quiet.out());
    }

    @Test
    void anXmlChangelogsSqlElementsAreReadInOrderWithoutRollbacksOrOtherDatabases() throws Exception {
        Path changelog = Files.createDirectories(dir.resolve("db/changelog"));
        Files.writeString(changelog.resolve("db.changelog-master.xml"), """
                <databaseChangeLog>
                  <changeSet id="1" author="a">
                    <sql><comment>orders</comment><![CDATA[
                      CREATE TABLE orders (id bigint, note varchar(10), qty int CHECK (qty > 0 AND qty < 9));
                    ]]></sql>
                    <rollback><sql>CREATE TABLE orders (id bigint, note text)</sql></rollback>
                  </changeSet>
                  <changeSet id="2" author="a" dbms="oracle">
                    <sql>CREATE TABLE items (id number, code varchar2(5))</sql>
                  </changeSet>
                  <include file="db/changelog/two.sql"/>
                  <changeSet id="3" author="a">
                    <sql dbms="postgresql">ALTER TABLE orders ADD COLUMN flag int CHECK (flag &lt; 2)</sql>
                    <sql dbms="h2">CREATE TABLE items (id bigint)</sql>
                  </changeSet>
                </databaseChangeLog>
                """);
        Files.writeString(changelog.resolve("two.sql"), "CREATE TABLE items (id bigint, code varchar(10));");
        Path pr = Files.writeString(dir.resolve("new.sql"), "ALTER TABLE orders ALTER COLUMN note TYPE varchar(20);\n"
                + "ALTER TABLE items ALTER COLUMN code TYPE varchar(20);\n");
        CliRun run = CliRun.of("", "lint", "--format", "json", "--history", dir.toString(), pr.toString());
        assertEquals(0, run.status(), run.toString());
        // varchar(10) from the first <sql> (not the rollback's text); items from two.sql (not oracle's or h2's)
        assertFalse(run.json().get(0).get("rewrite").asBoolean(), run.out());
        assertFalse(run.json().get(1).get("rewrite").asBoolean(), run.out());
        assertTrue(run.err().contains("1 SQL file and 2 <sql> elements are"), run.err());
        assertFalse(run.err().contains("history file"), "the <sql> texts lex cleanly: " + run.err());
    }

    @Test
    void buildOutputIsNotHistoryAndTwoMigrationsOfOneVersionAreSaid() throws Exception {
        // no default layout: the project directory is read as a Flyway location, without its build output
        Path migrations = Files.createDirectories(dir.resolve("src/main/resources/db/migrations"));
        Files.writeString(migrations.resolve("V1__orders.sql"), "CREATE TABLE orders (id bigint, code varchar(10));");
        Path stale = Files.createDirectories(dir.resolve("target/classes/db/migrations"));
        Files.writeString(stale.resolve("V2__old.sql"), "ALTER TABLE orders ALTER COLUMN code TYPE text;");
        Path pr = Files.writeString(migrations.resolve("V3__change.sql"),
                "ALTER TABLE orders ALTER COLUMN code TYPE varchar(5);");
        CliRun run = CliRun.of("", "lint", "-q", "--history", dir.toString(), pr.toString());
        assertTrue(run.out().contains("TYPE varchar(10) -> varchar(5)"), "target/ was not read: " + run.out());
        assertTrue(run.out().contains("(after 1 file of history)"), run.out());

        Files.writeString(migrations.resolve("V1.0__again.sql"), "SELECT 1;");
        CliRun twice = CliRun.of("", "lint", "-q", "--history", dir.toString(), pr.toString());
        assertTrue(twice.err().contains("are both migration V1, which Flyway refuses"), twice.err());
    }
}
