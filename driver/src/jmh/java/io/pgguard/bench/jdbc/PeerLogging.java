package io.pgguard.bench.jdbc;

import com.p6spy.engine.spy.appender.FormattedLogger;
import net.ttddyy.dsproxy.listener.logging.AbstractQueryLoggingListener;

import java.util.Locale;

/**
 * How the two peers log. Both log through SLF4J, as they are usually set up, and the benchmark binds SLF4J to
 * slf4j-nop so that no logging backend's cost is measured (pgguard logs nothing for a safe statement anyway).
 *
 * <ul>
 *   <li>{@link #OFF} (default): p6spy's {@code Slf4JLogger} appender and datasource-proxy's
 *       {@code logQueryBySlf4j(INFO)}. slf4j-nop reports every level disabled, and both peers ask first, so neither
 *       builds its log line: they still wrap, time and dispatch every call. This is each peer at its cheapest, as
 *       in production with its logger turned off, which favours the peers.</li>
 *   <li>{@link #FORMAT}: the logger is on but its sink is free: p6spy formats each statement's line with its default
 *       {@code SingleLineFormat} and datasource-proxy with its {@code DefaultQueryLogEntryCreator}, then the line is
 *       dropped. This is what the peers cost when they are used for what they are for, minus the appender.</li>
 * </ul>
 */
enum PeerLogging {
    OFF,
    FORMAT;

    static PeerLogging parse(String s) {
        return valueOf(s.trim().toUpperCase(Locale.ROOT));
    }

    /** p6spy's appender class for this mode. */
    String p6spyAppender() {
        return this == OFF ? "com.p6spy.engine.spy.appender.Slf4JLogger" : DiscardingP6Logger.class.getName();
    }

    /**
     * Configures p6spy through its {@code p6spy.config.*} system properties, which it reads once, when its driver
     * is first used: call this before the first JDBC connection of the JVM. Everything not set here keeps p6spy
     * 3.9.1's defaults (module list: spy, logging and outage modules; excluded categories: info, debug, result,
     * resultset, batch; {@code SingleLineFormat}; no stack traces; no execution threshold).
     */
    void configureP6spy() {
        System.setProperty("p6spy.config.appender", p6spyAppender());
        System.setProperty("p6spy.config.logMessageFormat", "com.p6spy.engine.spy.appender.SingleLineFormat");
        // The JMX beans are registered once per JVM; off so that repeated JMH forks do not depend on it.
        System.setProperty("p6spy.config.jmx", "false");
    }

    /** A p6spy appender with every category enabled that formats each line, then drops it. */
    public static final class DiscardingP6Logger extends FormattedLogger {
        /** Keeps the formatted lines observable, so the JIT cannot drop the formatting. */
        static volatile int sink;

        public DiscardingP6Logger() {
        }

        @Override
        public void logException(Exception e) {
        }

        @Override
        public void logText(String text) {
            sink += text.length();
        }

        @Override
        public boolean isCategoryEnabled(com.p6spy.engine.logging.Category category) {
            return true;
        }
    }

    /** A datasource-proxy query logger that is always on, builds its default entry, then drops it. */
    static final class DiscardingQueryLogger extends AbstractQueryLoggingListener {
        static volatile int sink;

        DiscardingQueryLogger() {
            this.loggingCondition = () -> true;
        }

        @Override
        protected void writeLog(String message) {
            sink += message.length();
        }
    }
}
