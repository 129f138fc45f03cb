package io.pgguard.agentit;

import org.junit.jupiter.api.Test;

import java.util.Collections;
import java.util.List;
import java.util.jar.Attributes;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * What the agent jar holds: its manifest entry points, its own classes, ByteBuddy relocated, pgguard's classes out of
 * the application's sight under {@code pgguard-core/}, and nothing else an application could see (no SLF4J,
 * Logback, ByteBuddy or pgguard class at its usual name).
 */
class AgentJarIT {

    @Test
    void manifestAndContents() throws Exception {
        try (JarFile jar = new JarFile(AgentJvm.AGENT_JAR.toFile())) {
            Attributes main = jar.getManifest().getMainAttributes();
            assertEquals("io.pgguard.agent.PgGuardAgent", main.getValue("Premain-Class"));
            assertEquals("io.pgguard.agent.PgGuardAgent", main.getValue("Agent-Class"));
            assertEquals("true", main.getValue("Can-Retransform-Classes"));
            List<String> names = Collections.list(jar.entries()).stream().map(JarEntry::getName)
                    .filter(n -> n.endsWith(".class")).toList();
            List<String> visible = names.stream().filter(n -> !n.startsWith("pgguard-core/")
                    && !n.startsWith("io/pgguard/agent/") && !n.startsWith("io/pgguard/shaded/bytebuddy/")
                    && !n.matches("META-INF/versions/\\d+/io/pgguard/shaded/bytebuddy/.*")).toList();
            assertEquals(List.of(), visible);
            assertTrue(names.contains("pgguard-core/io/pgguard/policy/Guard.class"));
            assertTrue(names.contains("pgguard-core/io/pgguard/jdbc/PgjdbcGuard.class"));
            assertTrue(names.stream().noneMatch(n -> n.contains("org/slf4j/") || n.contains("ch/qos/")
                    || n.contains("net/bytebuddy/") || n.contains("org/postgresql/")), "no library at its own name");
        }
    }
}
