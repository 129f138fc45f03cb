package io.pgguard.cli;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A directory is read in the order Flyway applies its migrations, not in the order of their names. */
class MigrationOrderTest {

    @TempDir
    Path dir;

    @Test
    void versionsAreComparedAsNumbersPartByPartThenOtherFilesThenRepeatables() {
        List<Path> files = new ArrayList<>();
        for (String n : new String[] {"V10__c.sql", "R__views.sql", "V1__a.sql", "U2__undo_b.sql", "V2__b.sql",
            "V1.2.10__y.sql", "V1.2.9__x.sql", "V1_3__z.sql", "R__functions.sql", "seed.sql"}) {
            files.add(Path.of(n));
        }
        assertEquals(List.of("V1__a.sql", "V1.2.9__x.sql", "V1.2.10__y.sql", "V1_3__z.sql", "V2__b.sql",
                        "V10__c.sql", "seed.sql", "R__functions.sql", "R__views.sql"),
                MigrationOrder.sorted(files).stream().map(p -> p.getFileName().toString()).toList());
    }

    /**
     * V10 changes a column V1 created: read after V1, the change is known to be from varchar(10) to text, which is
     * free (binary-coercible); read before it (name order), it would be a change of a column of unknown type.
     */
    @Test
    void aLaterVersionIsJudgedKnowingWhatTheEarlierOnesMade() throws Exception {
        Files.writeString(dir.resolve("V1__create.sql"), "CREATE TABLE notes (id bigint PRIMARY KEY, body varchar(10));");
        Files.writeString(dir.resolve("V2__other.sql"), "CREATE TABLE tags (id bigint PRIMARY KEY);");
        Files.writeString(dir.resolve("V10__widen.sql"), "ALTER TABLE notes ALTER COLUMN body TYPE text;");
        Files.writeString(dir.resolve("U10__undo.sql"), "DROP TABLE notes;");
        CliRun r = CliRun.command("lint", "--format", "json", dir.toString());
        assertEquals(0, r.status(), r.toString());
        var json = r.json();
        assertEquals(3, json.size(), "the undo migration is not part of the history: " + json);
        assertTrue(json.get(2).get("file").asText().endsWith("V10__widen.sql"), json.toString());
        assertFalse(json.get(2).get("rules").toString().contains("change-column-type"), json.get(2).toString());
        assertEquals(false, json.get(2).get("rewrite").asBoolean());
    }
}
