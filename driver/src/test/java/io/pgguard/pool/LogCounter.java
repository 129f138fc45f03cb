package io.pgguard.pool;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.UnsynchronizedAppenderBase;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.LongAdder;

/**
 * Counts what pgguard logs under {@code io.pgguard} while it is open, without serialising the threads that log
 * (a list appender would lock on every event, and a run logs tens of thousands of blocks). Keeps every event
 * except ERROR (blocks are counted, and the first few kept), and keeps pgguard's lines off the console meanwhile.
 */
final class LogCounter extends UnsynchronizedAppenderBase<ILoggingEvent> implements AutoCloseable {

    /** One kept log line: logger, level, message and the MDC as it was when it was logged. */
    record Line(String logger, Level level, String message, Map<String, String> mdc) {
        @Override
        public String toString() {
            return level + " " + logger + " " + mdc + " " + message;
        }
    }

    private static final int ERRORS_KEPT = 5;

    private final Logger root = (Logger) LoggerFactory.getLogger("io.pgguard");
    private final boolean wasAdditive;
    private final Map<String, LongAdder> counts = new ConcurrentHashMap<>();
    private final ConcurrentLinkedQueue<Line> kept = new ConcurrentLinkedQueue<>();
    private final LongAdder errorsKept = new LongAdder();

    LogCounter() {
        setContext(root.getLoggerContext());
        setName("pgguard-log-counter");
        start();
        wasAdditive = root.isAdditive();
        root.addAppender(this);
        root.setAdditive(false);
    }

    @Override
    protected void append(ILoggingEvent e) {
        counts.computeIfAbsent(key(e.getLoggerName(), e.getLevel()), k -> new LongAdder()).increment();
        boolean keep = e.getLevel() != Level.ERROR;
        if (!keep && errorsKept.sum() < ERRORS_KEPT) {
            errorsKept.increment();
            keep = true;
        }
        if (keep) {
            // The MDC is read now: pgguard removes its keys as soon as the call returns.
            kept.add(new Line(e.getLoggerName(), e.getLevel(), e.getFormattedMessage(), Map.copyOf(e.getMDCPropertyMap())));
        }
    }

    /** How many events {@code logger} logged at {@code level}. */
    long count(String logger, Level level) {
        LongAdder n = counts.get(key(logger, level));
        return n == null ? 0 : n.sum();
    }

    /** The kept events of {@code logger} at {@code level}, in the order they were logged. */
    List<Line> lines(String logger, Level level) {
        List<Line> out = new ArrayList<>();
        for (Line l : kept) {
            if (l.logger().equals(logger) && l.level() == level) {
                out.add(l);
            }
        }
        return out;
    }

    private static String key(String logger, Level level) {
        return logger + ' ' + level;
    }

    @Override
    public void close() {
        root.setAdditive(wasAdditive);
        root.detachAppender(this);
        stop();
    }
}
