package io.pgguard.cli;

import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The README's {@code lint} and {@code rules} samples are what the tool prints now: each is run in this JVM from the
 * repository's root and compared (samples of the commands that connect are checked by their integration tests).
 */
class DocSamplesTest {

    @Test
    void theReadmesLintSamplesAreRealOutput() throws Exception {
        Path root = DocSamples.root();
        List<DocSamples> checked = new ArrayList<>();
        for (DocSamples s : DocSamples.of(root.resolve("README.md"))) {
            String command = s.args().get(0);
            if (!command.equals("lint") && !command.equals("rules")) {
                continue;
            }
            List<String> args = new ArrayList<>();
            for (String a : s.args()) {
                // paths are the README's, from the repository's root
                args.add(a.contains("/") && !a.startsWith("-") ? root.resolve(a).toString() : a);
            }
            CliRun r = CliRun.of("", args.toArray(String[]::new));
            assertNull(s.mismatch(r.out().replace(root + "/", "")));
            checked.add(s);
        }
        assertTrue(checked.size() >= 2, "the README's lint samples are marked: " + checked);
    }

    @Test
    void aSampleThatDriftedIsCaught() {
        DocSamples drifted = new DocSamples("README.md", 1, List.of("lint"), List.of("2 statements in 1 file"));
        assertTrue(drifted.mismatch("1 statement in 1 file\n") != null);
        DocSamples timing = new DocSamples("README.md", 1, List.of("exec"), List.of("fix.sql:1:1 ran, 1 row, 18 ms"));
        assertNull(timing.mismatch("fix.sql:1:1 ran, 1 row, 3 ms\n"), "milliseconds are not compared");
    }
}
