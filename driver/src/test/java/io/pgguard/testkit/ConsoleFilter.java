package io.pgguard.testkit;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.filter.Filter;
import ch.qos.logback.core.spi.FilterReply;

/**
 * What the tests' console shows: the test kit's own lines (which server, how it started) and warnings or errors of
 * anything that is not under test. pgguard's decisions (a blocked statement is an ERROR line), and the errors the
 * frameworks log when a test makes pgguard block them (Hibernate's schema tool, Flyway), are what the tests assert
 * on through {@link LogCapture}; printed, they bury a green build under expected failures. {@code
 * -Dpgguard.test.log=all} prints everything, for debugging, and so does a JVM a test starts (its output is what the
 * test reads).
 */
public final class ConsoleFilter extends Filter<ILoggingEvent> {

    /**
     * Everything is printed on request, and in a JVM that is not Maven's test JVM (a JVM a test starts, such as the
     * agent's, whose output the test reads).
     */
    private static final boolean ALL = "all".equals(System.getProperty("pgguard.test.log"))
            || System.getProperty("surefire.real.class.path") == null;

    private static final String[] UNDER_TEST = {"io.pgguard.guard", "io.pgguard.target", "io.pgguard.agent",
        "io.pgguard.jdbc", "io.pgguard.flyway", "org.hibernate.tool.schema", "org.hibernate.engine.jdbc.spi",
        "org.hibernate.orm.core",
        "org.flywaydb.core.internal.command", "com.zaxxer.hikari.pool", "liquibase",
        "org.springframework.boot.SpringApplication",
        "org.springframework.context.annotation.AnnotationConfigApplicationContext"};

    @Override
    public FilterReply decide(ILoggingEvent event) {
        if (ALL) {
            return FilterReply.NEUTRAL;
        }
        String logger = event.getLoggerName();
        if (logger.startsWith("io.pgguard.testkit")) {
            return FilterReply.NEUTRAL;
        }
        for (String name : UNDER_TEST) {
            if (logger.startsWith(name)) {
                return FilterReply.DENY;
            }
        }
        return event.getLevel().isGreaterOrEqual(Level.WARN) ? FilterReply.NEUTRAL : FilterReply.DENY;
    }
}
