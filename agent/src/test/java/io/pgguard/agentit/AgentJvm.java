package io.pgguard.agentit;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

/**
 * Starts a JVM as a user would, {@code java -javaagent:agent/target/pgguard-agent.jar[=options] ...}, with the
 * test class path minus the agent's own classes and ByteBuddy (they must come from the shaded jar), and returns what
 * it printed.
 */
final class AgentJvm {

    static final Path AGENT_JAR = Path.of(System.getProperty("pgguard.test.agentJar", "target/pgguard-agent.jar"));

    /** What a finished JVM left: its exit status and its output, standard error after standard output. */
    record Result(int exit, String out, String err) {
        List<String> lines() {
            return out.lines().toList();
        }

        @Override
        public String toString() {
            return "exit " + exit + "\n--- stdout\n" + out + "\n--- stderr\n" + err;
        }
    }

    private AgentJvm() {
    }

    /** The application's class path: what the tests have, without the agent's classes and ByteBuddy. */
    static String applicationClassPath() {
        String cp = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
        return Arrays.stream(cp.split(File.pathSeparator))
                .filter(e -> !e.replace('\\', '/').contains("agent/target/classes")
                        && !e.contains("pgguard-agent"))
                .collect(Collectors.joining(File.pathSeparator));
    }

    /** The JDK the tests run on. */
    static final Path JAVA = Path.of(System.getProperty("java.home"), "bin", "java");

    static Result run(String agentOptions, List<String> jvmOptions, String classPath, String main, String... args)
            throws IOException, InterruptedException {
        return run(JAVA, agentOptions, jvmOptions, classPath, main, args);
    }

    static Result run(Path java, String agentOptions, List<String> jvmOptions, String classPath, String main,
                      String... args) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>();
        cmd.add(java.toString());
        if (agentOptions != null) {
            cmd.add("-javaagent:" + AGENT_JAR.toAbsolutePath() + (agentOptions.isEmpty() ? "" : "=" + agentOptions));
        }
        cmd.addAll(jvmOptions);
        cmd.add("-cp");
        cmd.add(classPath);
        cmd.add(main);
        cmd.addAll(List.of(args));
        return exec(cmd);
    }

    /**
     * Other JDKs on this machine, 21 and later (under /usr/lib/jvm, or listed in {@code pgguard.test.otherJdks}),
     * as their {@code bin/java}: the agent must run there too (virtual threads, newer class files).
     */
    static List<Path> newerJdks() throws IOException, InterruptedException {
        List<Path> homes = new ArrayList<>();
        String listed = System.getProperty("pgguard.test.otherJdks");
        if (listed != null && !listed.isBlank()) {
            for (String h : listed.split(File.pathSeparator)) {
                homes.add(Path.of(h));
            }
        } else if (Files.isDirectory(Path.of("/usr/lib/jvm"))) {
            try (var dirs = Files.list(Path.of("/usr/lib/jvm"))) {
                homes.addAll(dirs.sorted().toList());
            }
        }
        List<Path> out = new ArrayList<>();
        for (Path home : homes) {
            Path java = home.resolve("bin").resolve("java");
            if (!Files.isExecutable(java) || Files.isSymbolicLink(home)) {
                continue;
            }
            Result r = exec(List.of(java.toString(), "-XshowSettings:properties", "-version"));
            String spec = r.err().lines().filter(l -> l.trim().startsWith("java.specification.version"))
                    .findFirst().orElse("= 0");
            int major = Integer.parseInt(spec.substring(spec.indexOf('=') + 1).trim().replaceFirst("^1\\.", "")
                    .replaceFirst("\\..*", ""));
            if (major >= 21) {
                out.add(java);
            }
        }
        return out;
    }

    static Result exec(List<String> cmd) throws IOException, InterruptedException {
        Path out = Files.createTempFile("agent-jvm", ".out");
        Path err = Files.createTempFile("agent-jvm", ".err");
        try {
            Process p = new ProcessBuilder(cmd).redirectOutput(out.toFile()).redirectError(err.toFile()).start();
            if (!p.waitFor(180, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new AssertionError("the JVM did not finish in 180 s: " + cmd);
            }
            return new Result(p.exitValue(), Files.readString(out, StandardCharsets.UTF_8),
                    Files.readString(err, StandardCharsets.UTF_8));
        } finally {
            Files.deleteIfExists(out);
            Files.deleteIfExists(err);
        }
    }
}
