package io.pgguard.jdbc;

import io.pgguard.policy.Decision;

import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * One of pgguard's loggers: SLF4J's when the application has SLF4J (the driver always does), else
 * {@code java.util.logging}'s, for the agent in a class loader without SLF4J. Messages are built by the caller:
 * every one is logged at most once per connection or per statement fingerprint.
 */
abstract class GuardLog {

    /**
     * SLF4J with a backend. SLF4J without one (no provider on the classpath) drops every line: a guard must not go
     * silent, so pgguard then logs through java.util.logging, and says so once. A NOP backend put there on purpose
     * (slf4j-nop, as the command-line tool bundles) is respected.
     */
    private static final boolean SLF4J = slf4jPresent() && !slf4jFallsBackToNop();

    static {
        if (!SLF4J && slf4jPresent()) {
            Logger.getLogger("io.pgguard").warning("pgguard: SLF4J has no logging backend on the classpath, so its "
                    + "lines would be lost; pgguard logs its warnings and blocks through java.util.logging instead "
                    + "(add a backend such as logback-classic or slf4j-simple to route them with the rest)");
        }
    }

    static GuardLog named(String name) {
        return SLF4J ? new Slf4j(name) : new Jul(name);
    }

    abstract void info(String message);

    abstract void warn(String message);

    /** A decision's line; its risk, rule and target go to the MDC where there is one. */
    abstract void decision(boolean error, String message, Decision d);

    /** SLF4J found no provider and uses its no-operation fallback. */
    private static boolean slf4jFallsBackToNop() {
        try {
            ClassLoader loader = GuardLog.class.getClassLoader();
            if (!(org.slf4j.LoggerFactory.getILoggerFactory() instanceof org.slf4j.helpers.NOPLoggerFactory)) {
                return false;
            }
            for (String chosen : new String[] {"org.slf4j.nop.NOPServiceProvider", "org.slf4j.impl.StaticLoggerBinder"}) {
                try {
                    Class.forName(chosen, false, loader);
                    return false;
                } catch (ClassNotFoundException notThere) {
                    // look for the next
                }
            }
            return true;
        } catch (LinkageError e) {
            return false;
        }
    }

    private static boolean slf4jPresent() {
        try {
            Class.forName("org.slf4j.LoggerFactory", false, GuardLog.class.getClassLoader());
            return true;
        } catch (ClassNotFoundException | LinkageError e) {
            return false;
        }
    }

    private static final class Slf4j extends GuardLog {
        private final org.slf4j.Logger log;

        Slf4j(String name) {
            log = org.slf4j.LoggerFactory.getLogger(name);
        }

        @Override
        void info(String message) {
            log.info(message);
        }

        @Override
        void warn(String message) {
            log.warn(message);
        }

        @Override
        void decision(boolean error, String message, Decision d) {
            org.slf4j.MDC.put("pgguard.risk", d.classification().risk().id());
            org.slf4j.MDC.put("pgguard.rule", d.finding() == null ? "" : d.finding().ruleId());
            org.slf4j.MDC.put("pgguard.target", d.target().description());
            try {
                if (error) {
                    log.error(message);
                } else {
                    log.warn(message);
                }
            } finally {
                org.slf4j.MDC.remove("pgguard.risk");
                org.slf4j.MDC.remove("pgguard.rule");
                org.slf4j.MDC.remove("pgguard.target");
            }
        }
    }

    private static final class Jul extends GuardLog {
        private final Logger log;

        Jul(String name) {
            log = Logger.getLogger(name);
        }

        @Override
        void info(String message) {
            log.info(message);
        }

        @Override
        void warn(String message) {
            log.warning(message);
        }

        @Override
        void decision(boolean error, String message, Decision d) {
            log.log(error ? Level.SEVERE : Level.WARNING, message);
        }
    }
}
