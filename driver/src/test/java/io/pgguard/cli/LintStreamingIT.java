package io.pgguard.cli;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.BufferedWriter;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Reports stream: the packaged CLI lints a 12 MB file (about 130,000 statements, some of them destructive) in every
 * format with a 64 MB heap, which a report built in memory (every statement's tokens held to the end) cannot.
 */
class LintStreamingIT {

    @TempDir
    Path dir;

    @Test
    void aLargeInputIsLintedInEveryFormatWithASmallHeap() throws Exception {
        Path input = dir.resolve("big.sql");
        int statements = 0;
        try (BufferedWriter w = Files.newBufferedWriter(input, StandardCharsets.UTF_8)) {
            // big_t is not created here: it is a production table, so each DELETE of all its rows is blocked
            for (int i = 0; Files.size(input) < 12_000_000 || i % 1000 != 0; i++) {
                w.write("INSERT INTO big_t (id, name, note) VALUES (" + i + ", 'name " + i
                        + "', 'a note long enough to make the line look like real seed data');\n");
                statements++;
                if (i % 1000 == 999) {
                    w.write("DELETE FROM big_t;\n");
                    statements++;
                    w.flush();
                }
            }
        }
        Path jar = Path.of("target", "pgguard-cli.jar").toAbsolutePath();
        assertTrue(Files.isRegularFile(jar), "the package phase made " + jar);
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        for (String format : new String[] {"text", "json", "markdown", "sarif"}) {
            Path out = dir.resolve("out." + format);
            List<String> command = new ArrayList<>(List.of(java, "-Xmx64m", "-XX:TieredStopAtLevel=1", "-jar",
                    jar.toString(), "lint", "--format", format, input.toString()));
            Process p = new ProcessBuilder(command).redirectOutput(out.toFile())
                    .redirectError(dir.resolve("err." + format).toFile()).start();
            assertTrue(p.waitFor(5, TimeUnit.MINUTES), format + " finished");
            String err = Files.readString(dir.resolve("err." + format));
            assertEquals(1, p.exitValue(), format + ": the DELETEs would be blocked; stderr: " + err);
            assertTrue(!err.contains("OutOfMemoryError"), err);
            String tail = tail(out, 300);
            switch (format) {
                case "text" -> assertTrue(tail.contains(statements + " statements in 1 file"), tail);
                case "json" -> assertTrue(tail.endsWith("\"decision\":\"block\"}\n]\n"), tail);
                case "markdown" -> assertTrue(tail.contains("**Safe alternatives**") && tail.contains("unbounded-delete"),
                        tail);
                default -> assertTrue(tail.endsWith("\"executionSuccessful\":true,\"toolExecutionNotifications\":[]}]}]}\n"),
                        tail);
            }
        }
    }

    private static String tail(Path file, int bytes) throws Exception {
        try (RandomAccessFile f = new RandomAccessFile(file.toFile(), "r")) {
            long from = Math.max(0, f.length() - bytes);
            byte[] buf = new byte[(int) (f.length() - from)];
            f.seek(from);
            f.readFully(buf);
            return new String(buf, StandardCharsets.UTF_8);
        }
    }
}
