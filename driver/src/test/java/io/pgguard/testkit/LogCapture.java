package io.pgguard.testkit;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import org.slf4j.LoggerFactory;

import java.util.List;

/**
 * Collects what one logger tree ({@code io.pgguard} unless told otherwise) logs while a framework runs, so a test
 * can assert the WARN and ERROR lines pgguard wrote (and, for Hibernate, what the framework itself logged).
 */
public final class LogCapture implements AutoCloseable {

    private final Logger logger;
    /**
     * Keeps each event as it was when logged: its MDC (pgguard's rule ids) is read at once, before pgguard clears it
     * (a console appender used to do that for every event, by chance).
     */
    private final ListAppender<ILoggingEvent> appender = new ListAppender<>() {
        @Override
        protected void append(ILoggingEvent e) {
            e.prepareForDeferredProcessing();
            super.append(e);
        }
    };

    public LogCapture() {
        this("io.pgguard");
    }

    public LogCapture(String loggerName) {
        logger = (Logger) LoggerFactory.getLogger(loggerName);
        appender.start();
        logger.addAppender(appender);
    }

    public List<ILoggingEvent> events() {
        synchronized (appender.list) {
            return List.copyOf(appender.list);
        }
    }

    /** Formatted messages at exactly this level, e.g. {@code "WARN"}. */
    public List<String> messages(String level) {
        Level wanted = Level.toLevel(level);
        return events().stream().filter(e -> e.getLevel().equals(wanted)).map(ILoggingEvent::getFormattedMessage)
                .toList();
    }

    /** The rule ids pgguard put in the MDC ({@code pgguard.rule}) of the events at this level. */
    public List<String> rules(String level) {
        Level wanted = Level.toLevel(level);
        return events().stream().filter(e -> e.getLevel().equals(wanted))
                .map(e -> e.getMDCPropertyMap().getOrDefault("pgguard.rule", "")).toList();
    }

    /** Everything captured, one event a line, for assertion messages. */
    public String all() {
        StringBuilder sb = new StringBuilder();
        for (ILoggingEvent e : events()) {
            sb.append(e.getLevel()).append(' ').append(e.getLoggerName()).append(' ').append(e.getFormattedMessage())
                    .append(' ').append(e.getMDCPropertyMap()).append('\n');
            if (e.getThrowableProxy() != null) {
                sb.append("    ").append(e.getThrowableProxy().getClassName()).append(": ")
                        .append(e.getThrowableProxy().getMessage()).append('\n');
            }
        }
        return sb.toString();
    }

    @Override
    public void close() {
        logger.detachAppender(appender);
    }
}
