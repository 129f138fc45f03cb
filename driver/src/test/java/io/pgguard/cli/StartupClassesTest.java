package io.pgguard.cli;

import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A short {@code lint} run spends more on its first lambda (java.lang.invoke: 15-20 ms), its first regular
 * expression or its first {@code String.format} than on the lint itself, so lint's path has none: each format, run
 * in a JVM of its own, loads no lambda class, no {@code java.util.regex}, no {@code java.util.Formatter} and no
 * {@code ObjectMethods} (a record's equals, hashCode or toString) after {@code Main}. (A method reference slipped
 * in once and cost every run 20 ms.)
 */
class StartupClassesTest {

    private static final Path EXAMPLES = Path.of("..", "examples", "migrations");

    private static List<String> loadedAfterMain(String... lintArgs) throws Exception {
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java")
                .toString(), "-Xlog:class+load:stderr", "-cp", System.getProperty("java.class.path"),
                Main.class.getName(), "lint"));
        command.addAll(List.of(lintArgs));
        command.add(EXAMPLES.toString());
        Process p = new ProcessBuilder(command).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        String log = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(0, p.waitFor(), log.substring(Math.max(0, log.length() - 2_000)));
        List<String> after = new ArrayList<>();
        boolean started = false;
        for (String line : log.split("\n")) {
            int at = line.indexOf("[class,load] ");
            if (at < 0) {
                continue;
            }
            String name = line.substring(at + "[class,load] ".length()).split(" ")[0];
            started |= name.equals(Main.class.getName());
            if (started) {
                after.add(name);
            }
        }
        assertTrue(started, "the class-load log names Main");
        return after;
    }

    @Test
    void lintLoadsNoLambdaRegexOrFormatter() throws Exception {
        String[][] runs = {{}, {"--quiet"}, {"--advice"}, {"--format", "json"}, {"--format", "sarif"},
                {"--format", "markdown"}, {"--history", EXAMPLES.toString()}};
        for (String[] args : runs) {
            for (String name : loadedAfterMain(args)) {
                assertTrue(!name.contains("$$Lambda") && !name.startsWith("java.util.regex.")
                                && !name.equals("java.util.Formatter")
                                && !name.equals("java.lang.runtime.ObjectMethods"),
                        "lint " + String.join(" ", args) + " loads " + name);
            }
        }
    }
}
