package io.pgguard.fuzz;

import io.pgguard.classify.Classifier;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Generated conditions against the boundedness rule ({@link BoundednessFuzz}): a short fixed run in every build,
 * and a long one, seeded by the day, in the fuzz profile ({@code ./mvnw -B -Pfuzz test -pl driver};
 * {@code -Dpgguard.test.fuzz.conditions=N}, {@code -Dpgguard.test.fuzz.seed=S}).
 */
class BoundednessFuzzTest {

    private static List<String> run(long seed, long count) {
        BoundednessFuzz fuzz = new BoundednessFuzz(seed);
        Classifier classifier = new Classifier(17);
        List<String> wrong = new ArrayList<>();
        for (long i = 0; i < count && wrong.size() < 20; i++) {
            BoundednessFuzz.Condition c = fuzz.condition(4);
            String problem = BoundednessFuzz.disagreement(classifier, fuzz.statement(c), c.meaning());
            if (problem != null) {
                wrong.add(problem);
            }
        }
        return wrong;
    }

    @Test
    void generatedConditionsAreJudgedByWhetherTheyCanHoldForEveryRow() {
        List<String> wrong = run(20261203L, 5_000);
        assertTrue(wrong.isEmpty(), String.join("\n", wrong));
    }

    @Test
    @Tag("fuzz")
    void manyGeneratedConditionsAreJudgedByWhetherTheyCanHoldForEveryRow() {
        long seed = Long.getLong("pgguard.test.fuzz.seed", LocalDate.now(ZoneOffset.UTC).toEpochDay());
        long count = Long.getLong("pgguard.test.fuzz.conditions", 1_000_000L);
        List<String> wrong = run(seed, count);
        assertTrue(wrong.isEmpty(), "seed " + seed + ":\n" + String.join("\n", wrong));
    }
}
