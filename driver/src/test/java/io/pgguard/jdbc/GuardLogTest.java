package io.pgguard.jdbc;

import org.junit.jupiter.api.Test;

import java.lang.reflect.Method;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.logging.Handler;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A guard never goes silent: SLF4J without a backend would drop pgguard's lines, so they go to java.util.logging. */
class GuardLogTest {

    @Test
    void withSlf4jButNoBackendTheLinesGoToJavaUtilLoggingAndSaySo() throws Exception {
        List<String> lines = new ArrayList<>();
        Handler handler = collect(lines);
        Logger jul = Logger.getLogger("io.pgguard");
        jul.addHandler(handler);
        URL classes = GuardLog.class.getProtectionDomain().getCodeSource().getLocation();
        URL slf4jApi = org.slf4j.LoggerFactory.class.getProtectionDomain().getCodeSource().getLocation();
        assertTrue(Path.of(slf4jApi.toURI()).getFileName().toString().startsWith("slf4j-api"), slf4jApi::toString);
        try (URLClassLoader isolated = new URLClassLoader(new URL[] {classes, slf4jApi},
                ClassLoader.getPlatformClassLoader())) {
            Class<?> log = Class.forName("io.pgguard.jdbc.GuardLog", true, isolated);
            Method named = log.getDeclaredMethod("named", String.class);
            named.setAccessible(true);
            Object guardLog = named.invoke(null, "io.pgguard.guard");
            Method warn = log.getDeclaredMethod("warn", String.class);
            warn.setAccessible(true);
            warn.invoke(guardLog, "pgguard: unsafe statement against non-local target db");
        } finally {
            jul.removeHandler(handler);
        }
        assertEquals(2, lines.size(), lines::toString);
        assertTrue(lines.get(0).startsWith("WARNING io.pgguard pgguard: SLF4J has no logging backend"), lines::toString);
        assertEquals("WARNING io.pgguard.guard pgguard: unsafe statement against non-local target db", lines.get(1));
    }

    @Test
    void withABackendTheLinesGoThroughSlf4j() throws Exception {
        List<String> lines = new ArrayList<>();
        Handler handler = collect(lines);
        Logger.getLogger("io.pgguard").addHandler(handler);
        try (io.pgguard.testkit.LogCapture capture = new io.pgguard.testkit.LogCapture("io.pgguard.guard")) {
            GuardLog.named("io.pgguard.guard").warn("through logback");
            assertEquals(List.of("through logback"), capture.messages("WARN"));
        } finally {
            Logger.getLogger("io.pgguard").removeHandler(handler);
        }
        assertEquals(List.of(), lines);
    }

    /** A java.util.logging handler that keeps each record as "LEVEL logger message". */
    private static Handler collect(List<String> lines) {
        return new Handler() {
            @Override
            public void publish(LogRecord r) {
                lines.add(r.getLevel() + " " + r.getLoggerName() + " " + r.getMessage());
            }

            @Override
            public void flush() {
            }

            @Override
            public void close() {
            }
        };
    }
}
