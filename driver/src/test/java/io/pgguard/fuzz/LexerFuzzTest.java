package io.pgguard.fuzz;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Nightly fuzzing of the lexer and everything that reads its output ({@code ./mvnw -B -Pfuzz test -pl driver}):
 * a million generated inputs must keep {@link LexerInvariants} and pass {@link PipelineChecks}, and inputs built
 * to be pathological must take time linear in their size. {@code -Dpgguard.test.fuzz.inputs=N} and
 * {@code -Dpgguard.test.fuzz.seed=S} change the run (under {@code pgguard.test.}, which pgguard's settings leave to
 * the test kit: {@code lint} would refuse another {@code pgguard.*} key); the seed
 * defaults to the day, so each night explores new inputs and a failure names the seed that reproduces it.
 */
@Tag("fuzz")
class LexerFuzzTest {

    private static final long INPUTS = Long.getLong("pgguard.test.fuzz.inputs", 1_000_000L);
    private static final long SEED = Long.getLong("pgguard.test.fuzz.seed",
            LocalDate.now(ZoneOffset.UTC).toEpochDay());

    @Test
    @Timeout(value = 60, unit = TimeUnit.MINUTES, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
    void generatedInputsKeepTheInvariants() {
        FuzzRun run = new FuzzRun(4).run(INPUTS, SEED);
        System.out.println(run.report());
        assertTrue(run.passed(), run.report());
    }

    @Test
    @Timeout(value = 30, unit = TimeUnit.MINUTES, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
    void timeIsLinearInInputSize() {
        List<Linearity.Result> results = Linearity.measure(Linearity.cases(), Linearity.stages());
        String table = results.stream().map(Linearity.Result::toString).collect(Collectors.joining("\n"));
        System.out.println(table);
        List<Linearity.Result> superlinear = results.stream().filter(r -> !r.linear()).toList();
        assertTrue(superlinear.isEmpty(), "time grows faster than the input for:\n"
                + superlinear.stream().map(Linearity.Result::toString).collect(Collectors.joining("\n")));
    }
}
