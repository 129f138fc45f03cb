package io.pgguard.examples;

import org.junit.jupiter.api.Test;

import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The agent demo as examples/README.md runs it: a JVM started with {@code -javaagent:agent/target/pgguard-agent.jar}
 * and a class path without pgguard's driver; its log shows the warning and the block, and the rows are still there.
 */
class AgentDemoIT {

    @Test
    void theAgentWarnsAndBlocksInAJvmThatDoesNotKnowPgguard() throws Exception {
        Path agent = Path.of(System.getProperty("pgguard.test.agentJar", "../agent/target/pgguard-agent.jar"));
        assertTrue(Files.isRegularFile(agent), agent + " is built by ./mvnw package before this test");
        String cp = Arrays.stream(System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"))
                        .split(File.pathSeparator))
                .filter(e -> !e.contains("pgguard-driver") && !e.replace('\\', '/').contains("driver/target/classes")
                        && !e.contains("pgguard-agent") && !e.replace('\\', '/').contains("agent/target/classes"))
                .collect(Collectors.joining(File.pathSeparator));
        Path out = Files.createTempFile("agent-demo", ".log");
        try {
            Process p = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                    "-javaagent:" + agent.toAbsolutePath(), "-cp", cp, AgentDemo.class.getName())
                    .redirectErrorStream(true).redirectOutput(out.toFile()).start();
            assertTrue(p.waitFor(180, TimeUnit.SECONDS), "the demo did not finish");
            String log = Files.readString(out, StandardCharsets.UTF_8);
            assertEquals(0, p.exitValue(), log);
            List<String> lines = log.lines().toList();
            assertTrue(lines.stream().anyMatch(l -> l.contains("WARN") && l.contains("io.pgguard.guard")
                    && l.contains("require-concurrent-index")), log);
            assertTrue(lines.stream().anyMatch(l -> l.contains("ERROR") && l.contains("io.pgguard.guard")
                    && l.contains("unbounded-delete")), log);
            assertTrue(log.contains("The application caught io.pgguard.GuardBlockedException (SQLState 42501)."), log);
            assertTrue(log.contains("orders still has 100 rows."), log);
        } finally {
            Files.deleteIfExists(out);
        }
    }
}
