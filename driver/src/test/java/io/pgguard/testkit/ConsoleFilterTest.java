package io.pgguard.testkit;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.LoggingEvent;
import ch.qos.logback.core.spi.FilterReply;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** The tests' console leaves out what tests provoke and assert (pgguard's decisions, frameworks' errors about them). */
class ConsoleFilterTest {

    private static FilterReply reply(String logger, Level level) {
        LoggerContext context = new LoggerContext();
        LoggingEvent e = new LoggingEvent(ConsoleFilterTest.class.getName(), context.getLogger(logger), level, "m",
                null, null);
        return new ConsoleFilter().decide(e);
    }

    @Test
    void decisionsAndProvokedErrorsAreNotPrinted() {
        assertEquals(FilterReply.DENY, reply("io.pgguard.guard", Level.ERROR));
        assertEquals(FilterReply.DENY, reply("org.hibernate.tool.schema.internal.ExceptionHandlerLoggedImpl",
                Level.WARN));
        assertEquals(FilterReply.DENY, reply("org.flywaydb.core.internal.command.DbMigrate", Level.ERROR));
        assertEquals(FilterReply.DENY, reply("com.example.Chatty", Level.INFO));
        assertEquals(FilterReply.NEUTRAL, reply("io.pgguard.testkit.TestDatabase", Level.INFO));
        assertEquals(FilterReply.NEUTRAL, reply("com.example.Broken", Level.WARN));
    }
}
