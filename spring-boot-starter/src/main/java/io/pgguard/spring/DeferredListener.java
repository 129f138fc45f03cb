package io.pgguard.spring;

import io.pgguard.GuardEvent;
import io.pgguard.GuardListener;

import java.util.ArrayList;
import java.util.List;

/**
 * A listener that keeps what it is told until its targets exist, then tells them all of it and everything after:
 * the decisions of a context's start (Flyway's migrations) reach meter registries made later. At most
 * {@value #KEPT} events are kept; beyond that, the oldest are counted as dropped, never blocking the application.
 */
final class DeferredListener implements GuardListener {

    static final int KEPT = 10_000;

    private volatile List<GuardListener> targets;
    private final List<GuardEvent> kept = new ArrayList<>();

    @Override
    public void decided(GuardEvent e) {
        List<GuardListener> t = targets;
        if (t != null) {
            tell(t, e);
            return;
        }
        synchronized (this) {
            if (targets == null) {
                if (kept.size() < KEPT) {
                    kept.add(e);
                }
                return;
            }
        }
        tell(targets, e);
    }

    /** The targets exist: they hear what was kept, then every event as it comes. */
    synchronized void start(List<GuardListener> listeners) {
        for (GuardEvent e : kept) {
            tell(listeners, e);
        }
        kept.clear();
        targets = List.copyOf(listeners);
    }

    private static void tell(List<GuardListener> listeners, GuardEvent e) {
        for (GuardListener l : listeners) {
            l.decided(e);
        }
    }
}
