package io.pgguard.agent;

import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The agent's own messages (installed, a hook that could not be applied), written through
 * {@code java.util.logging}: they come before the application's SLF4J is configured, often from inside a class
 * transformation, where starting a logging framework could deadlock. Decisions are logged by the guard beside
 * pgjdbc, through the application's SLF4J.
 */
final class AgentLog {

    private static final Logger LOG = Logger.getLogger("io.pgguard.agent");

    private AgentLog() {
    }

    static void info(String message) {
        LOG.info(message);
    }

    static void warn(String message) {
        LOG.warning(message);
    }

    static void fine(String message) {
        LOG.fine(message);
    }

    static void severe(String message, Throwable t) {
        LOG.log(Level.SEVERE, message, t);
    }
}
