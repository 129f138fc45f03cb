package io.pgguard.examples;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.joran.JoranConfigurator;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.Appender;
import ch.qos.logback.core.OutputStreamAppender;
import ch.qos.logback.classic.spi.LoggingEvent;
import ch.qos.logback.core.encoder.Encoder;
import ch.qos.logback.core.status.Status;
import org.junit.jupiter.api.Test;

import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The example logback.xml loads cleanly and formats pgguard's lines with its MDC keys ({@link DemoIT} runs the demo).
 */
class LogbackConfigurationTest {

    @Test
    void theExampleConfigurationLoadsAndShowsPgguardsMdcKeys() throws Exception {
        URL xml = LogbackConfigurationTest.class.getResource("/logback.xml");
        assertNotNull(xml, "logback.xml is not on the class path");
        LoggerContext context = new LoggerContext();
        JoranConfigurator configurator = new JoranConfigurator();
        configurator.setContext(context);
        configurator.doConfigure(xml);
        for (Status s : context.getStatusManager().getCopyOfStatusList()) {
            assertTrue(s.getLevel() < Status.WARN, "logback.xml: " + s);
        }

        Logger guard = context.getLogger("io.pgguard.guard");
        assertEquals(Level.WARN, guard.getLevel());
        assertFalse(guard.isAdditive(), "guard lines would be printed twice");
        assertEquals(Level.INFO, context.getLogger("io.pgguard.target").getLevel());

        // Format a line as pgguard logs it: the MDC keys are set around the call.
        Appender<ILoggingEvent> appender = guard.getAppender("PGGUARD");
        assertNotNull(appender, "no PGGUARD appender on io.pgguard.guard");
        Encoder<ILoggingEvent> encoder = ((OutputStreamAppender<ILoggingEvent>) appender).getEncoder();
        LoggingEvent event = new LoggingEvent(Logger.class.getName(), guard, Level.ERROR,
                "pgguard blocked a destructive statement", null, null);
        event.setMDCPropertyMap(Map.of("pgguard.risk", "destructive", "pgguard.rule", "unbounded-delete",
                "pgguard.target", "db.example.com"));
        String line = new String(encoder.encode(event), StandardCharsets.UTF_8);
        context.stop();
        assertTrue(line.contains("ERROR io.pgguard.guard [risk=destructive rule=unbounded-delete target=db.example.com]"
                + " pgguard blocked a destructive statement"), line);
    }
}
