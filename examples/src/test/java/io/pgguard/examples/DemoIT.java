package io.pgguard.examples;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The demo runs as the README says, against its own embedded PostgreSQL, and its log shows what examples/README.md
 * promises: a warning, a block that left the table alone, and an override with its reason.
 */
class DemoIT {

    @Test
    void theDemoShowsAWarningABlockAndAnOverride() throws Exception {
        ListAppender<ILoggingEvent> guard = capture("io.pgguard.guard");
        ListAppender<ILoggingEvent> demo = capture(Demo.class.getName());
        // one list for the root and for io.pgguard.guard (which logback.xml keeps apart): every line, in order
        ListAppender<ILoggingEvent> all = capture(Logger.ROOT_LOGGER_NAME);
        ((Logger) LoggerFactory.getLogger("io.pgguard.guard")).addAppender(all);
        try {
            Demo.main(new String[0]);
        } finally {
            release("io.pgguard.guard", guard);
            release(Demo.class.getName(), demo);
            ((Logger) LoggerFactory.getLogger("io.pgguard.guard")).detachAppender(all);
            release(Logger.ROOT_LOGGER_NAME, all);
        }
        // examples/README.md shows a real run: its lines are these, but for the times and the server's port
        List<String> printed = new java.util.ArrayList<>();
        for (ILoggingEvent e : all.list) {
            if (e.getLoggerName().startsWith("io.pgguard.examples") || e.getLoggerName().startsWith("io.pgguard.guard")
                    || e.getLoggerName().startsWith("io.pgguard.target")) {
                printed.add(e.getLevel() + " " + e.getLoggerName() + " " + ports(e.getFormattedMessage()));
            }
        }
        List<String> documented = readmeSample();
        assertEquals(documented, printed, "examples/README.md's sample differs from a real run; the real run:\n"
                + String.join("\n", printed));
        List<String> guardLines = guard.list.stream().map(e -> e.getLevel() + " " + e.getFormattedMessage()).toList();
        assertEquals(3, guardLines.size(), guardLines.toString());
        assertTrue(guardLines.get(0).startsWith("WARN pgguard: unsafe statement")
                && guardLines.get(0).contains("rules require-concurrent-index"), guardLines.get(0));
        assertTrue(guardLines.get(1).startsWith("ERROR pgguard blocked a destructive statement")
                && guardLines.get(1).contains("unbounded-delete"), guardLines.get(1));
        assertTrue(guardLines.get(2).startsWith("WARN pgguard override: unbounded-delete allowed explicitly"
                + " (reason=\"reset the demo table, TICKET-42\")"), guardLines.get(2));
        assertEquals("unbounded-delete", guard.list.get(1).getMDCPropertyMap().get("pgguard.rule"));

        List<String> demoLines = demo.list.stream().map(ILoggingEvent::getFormattedMessage).toList();
        assertTrue(demoLines.contains("   orders still has 100 rows."), demoLines.toString());
        assertTrue(demoLines.contains("   Deleted 100 rows; orders now has 0 rows."), demoLines.toString());
    }

    private static String ports(String message) {
        return message.replaceAll("localhost:\\d+", "localhost:PORT");
    }

    /**
     * The lines of examples/README.md's "What it prints" block as level, logger and message: the time and the
     * bracketed MDC of the log pattern left out.
     */
    private static List<String> readmeSample() throws java.io.IOException {
        List<String> lines = java.nio.file.Files.readAllLines(java.nio.file.Path.of("README.md"));
        int at = lines.indexOf("### What it prints");
        int open = at;
        while (!lines.get(open).startsWith("```")) {
            open++;
        }
        List<String> out = new java.util.ArrayList<>();
        for (int i = open + 1; !lines.get(i).startsWith("```"); i++) {
            // logback.xml: "%d{HH:mm:ss.SSS} %-5level %-24logger %msg", and for pgguard's decisions
            // "%d{HH:mm:ss.SSS} %-5level %logger [risk=... rule=... target=...] %msg"
            String l = lines.get(i);
            String level = l.substring(13, 18).strip();
            int loggerEnd = l.indexOf(' ', 19);
            String logger = l.substring(19, loggerEnd);
            String message;
            if (l.startsWith(" [risk=", loggerEnd)) {
                message = l.substring(l.indexOf("] ", loggerEnd) + 2);
            } else {
                message = l.substring(Math.max(19 + 24, loggerEnd) + 1);
            }
            out.add(level + " " + logger + " " + ports(message));
        }
        return out;
    }

    private static void release(String loggerName, ListAppender<ILoggingEvent> appender) {
        ((Logger) LoggerFactory.getLogger(loggerName)).detachAppender(appender);
        appender.stop();
    }

    private static ListAppender<ILoggingEvent> capture(String loggerName) {
        Logger logger = (Logger) LoggerFactory.getLogger(loggerName);
        ListAppender<ILoggingEvent> appender = new ListAppender<>();
        appender.setContext(logger.getLoggerContext());
        appender.start();
        logger.addAppender(appender);
        return appender;
    }
}
