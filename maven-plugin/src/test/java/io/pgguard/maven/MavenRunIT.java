package io.pgguard.maven;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * What real Maven runs of {@code pgguard:lint} did (the invoker ran them before this test, on the projects under
 * src/it, with the plugin and pgguard-driver as this build made them): their logs and their SARIF files.
 */
class MavenRunIT {

    private static final Path RUNS = Path.of("target", "it");

    private static String log(String project) throws Exception {
        Path log = RUNS.resolve(project).resolve("build.log");
        assertTrue(Files.isRegularFile(log), "the invoker ran " + project + " (" + log.toAbsolutePath() + ")");
        return Files.readString(log);
    }

    private static JsonNode sarif(String project) throws Exception {
        Path sarif = RUNS.resolve(project).resolve("target").resolve("pgguard.sarif");
        assertTrue(Files.isRegularFile(sarif), sarif + " was written");
        return new ObjectMapper().readTree(sarif.toFile());
    }

    @Test
    void aDestructiveMigrationFailsTheBuildWithTheGuardsReason() throws Exception {
        String log = log("lint-fails-on-destructive");
        assertTrue(log.contains("[INFO] --- pgguard:"), log);
        assertTrue(log.contains("V2__cleanup.sql"), log);
        assertTrue(log.contains("unbounded-delete: DELETE FROM orders without WHERE deletes every row"), log);
        assertTrue(log.contains("pgguard lint failed the build: 1 statement would be blocked. To run a blocked "
                + "statement deliberately, put /* pgguard:allow <rule> reason=\"...\" */ in it"), log);
        // the report names files as the directory Maven ran in sees them
        assertTrue(log.contains("[INFO] src/main/resources/db/migration/V2__cleanup.sql"), log);
        assertTrue(log.contains("BUILD FAILURE"), log);
        JsonNode results = sarif("lint-fails-on-destructive").at("/runs/0/results");
        assertEquals("unbounded-delete", results.get(0).get("ruleId").asText());
        assertEquals("src/main/resources/db/migration/V2__cleanup.sql",
                results.get(0).at("/locations/0/physicalLocation/artifactLocation/uri").asText());
        assertEquals(2, results.get(0).at("/locations/0/physicalLocation/region/startLine").asInt());
    }

    @Test
    void aWarnedMigrationPassesWithFailOnDestructiveAndItsSarifHasTheFinding() throws Exception {
        String log = log("lint-warns");
        assertTrue(log.contains("require-concurrent-index"), log);
        assertTrue(log.contains("BUILD SUCCESS"), log);
        assertTrue(log.contains("pgguard: SARIF report in "), log);
        JsonNode run = sarif("lint-warns").at("/runs/0");
        assertEquals("require-concurrent-index", run.at("/results/0/ruleId").asText(), run.toString());
        assertTrue(run.at("/invocations/0/executionSuccessful").asBoolean());
    }

    @Test
    void aNewMigrationIsLintedWithTheProjectsHistoryAsContext() throws Exception {
        String log = log("lint-new-file-with-history");
        assertTrue(log.contains("3 statements in 1 file (after 1 file of history)"), log);
        assertTrue(!log.contains("drop-table") && !log.contains("change-column-type"), log);
        assertTrue(log.contains("BUILD SUCCESS"), log);
        assertEquals(0, sarif("lint-new-file-with-history").at("/runs/0/results").size());
    }
}
