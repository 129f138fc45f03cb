package io.pgguard.classify;

import io.pgguard.sql.Lexer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Rules no other table names, each with a statement that fires it in a migration file; and the check that every
 * rule of the catalogue is named by some test, so a new rule cannot arrive untested.
 */
class RuleCoverageTest {

    private static String fired(String file) {
        List<Classification> c = new Classifier(17).classifyFile(Lexer.split(file), Context.migration());
        Classification last = c.get(c.size() - 1);
        return last.risk().id() + " " + String.join(" ", last.ruleIds());
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
        "SET lock_timeout = '2s'; SET statement_timeout = '1min'; DROP VIEW v|breaking drop-object prefer-if-exists",
        "SET lock_timeout = '2s'; SET statement_timeout = '1min'; ALTER TABLE t SET ACCESS METHOD columnar|unsafe set-access-method",
        "SET lock_timeout = '2s'; SET statement_timeout = '1min'; CREATE TABLE IF NOT EXISTS p_2026 PARTITION OF p FOR VALUES FROM (1) TO (2)|unsafe create-partition-locks-parent",
    })
    void theseRulesFire(String file, String expected) {
        assertEquals(expected, fired(file));
    }

    @Test
    void everyRuleOfTheCatalogueIsNamedBySomeTest() throws IOException {
        StringBuilder tests = new StringBuilder();
        try (Stream<Path> files = Files.walk(Path.of("src", "test", "java"))) {
            for (Path p : (Iterable<Path>) files.filter(f -> f.toString().endsWith(".java"))::iterator) {
                tests.append(Files.readString(p));
            }
        }
        List<String> untested = new ArrayList<>();
        for (Rule r : RuleCatalog.all()) {
            String id = java.util.regex.Pattern.quote(r.id());
            if (!java.util.regex.Pattern.compile("(?<![a-z-])" + id + "(?![a-z-])").matcher(tests).find()) {
                untested.add(r.id());
            }
        }
        assertTrue(untested.isEmpty(), "rules no test names: " + untested);
    }
}
