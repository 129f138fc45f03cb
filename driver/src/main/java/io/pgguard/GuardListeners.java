package io.pgguard;

import java.util.List;
import java.util.ServiceLoader;
import java.util.concurrent.CopyOnWriteArrayList;

/** The process's {@link GuardListener}s: those registered here, and those {@link ServiceLoader} finds. */
public final class GuardListeners {

    private static final CopyOnWriteArrayList<GuardListener> LISTENERS = new CopyOnWriteArrayList<>();
    /** Read on every decision: false while there is no listener, so deciding builds no event. */
    private static volatile boolean active;

    static {
        try {
            for (GuardListener l : ServiceLoader.load(GuardListener.class, GuardListeners.class.getClassLoader())) {
                LISTENERS.add(l);
            }
        } catch (java.util.ServiceConfigurationError e) {
            // a broken service entry of someone else's: pgguard decides as before
        }
        active = !LISTENERS.isEmpty();
    }

    private GuardListeners() {
    }

    /** Adds a listener; closing the handle removes it. */
    public static AutoCloseable register(GuardListener listener) {
        LISTENERS.add(listener);
        active = true;
        return () -> {
            LISTENERS.remove(listener);
            active = !LISTENERS.isEmpty();
        };
    }

    /** Whether any listener is registered. */
    public static boolean active() {
        return active;
    }

    /** Tells every listener; a listener that throws is skipped, the others are told. */
    public static void publish(GuardEvent event) {
        List<GuardListener> all = LISTENERS;
        for (GuardListener l : all) {
            try {
                l.decided(event);
            } catch (RuntimeException e) {
                // a listener's failure never changes what pgguard decided
            }
        }
    }
}
