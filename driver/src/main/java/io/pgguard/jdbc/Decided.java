package io.pgguard.jdbc;

/**
 * Marks the thread while one of pgguard's wrappers hands a statement it has decided to pgjdbc, so that the agent,
 * attached to the same JVM, does not decide it a second time. The agent loads this one class from the loader of the
 * application's pgguard, when it has one, so that the wrapper and the agent read the same mark.
 */
public final class Decided {

    private static final ThreadLocal<Boolean> BY_WRAPPER = new ThreadLocal<>();

    /**
     * Whether an agent reads the mark: until one does, the wrappers set nothing, and a statement without the agent
     * costs no thread-local write. (A statement under way when an agent attaches may be decided twice, once.)
     */
    private static volatile boolean watched;

    private Decided() {
    }

    /** The agent reads the mark from now on. */
    public static void watch() {
        watched = true;
    }

    /** A wrapper (or the guard's own question to the server) is about to hand pgjdbc SQL it decided. */
    public static void enter() {
        if (watched) {
            BY_WRAPPER.set(Boolean.TRUE);
        }
    }

    /** It has returned. */
    public static void exit() {
        if (watched) {
            BY_WRAPPER.set(null);
        }
    }

    /** Whether a wrapper on this thread is running a statement it decided (pgjdbc may run its own inside). */
    public static boolean byWrapper() {
        return BY_WRAPPER.get() != null;
    }
}
