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
        try {
            Demo.main(new String[0]);
        } finally {
            release("io.pgguard.guard", guard);
            release(Demo.class.getName(), demo);
        }
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
