package io.pgguard.spring;

import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.common.AttributesBuilder;
import io.opentelemetry.api.trace.Span;
import io.pgguard.GuardEvent;
import io.pgguard.GuardListener;

/**
 * Adds a {@code pgguard.decision} event to the current span for a warned, blocked or overridden statement, with its
 * action, rule, risk, lock, table and fingerprint (literals as {@code ?}): a fleet of services reports its decisions
 * through the tracing it already has. Nothing without a current, recording span, and nothing for an allowed one.
 */
final class OpenTelemetryGuardListener implements GuardListener {

    @Override
    public void decided(GuardEvent e) {
        if (e.action().equals("allow")) {
            return;
        }
        Span span = Span.current();
        if (!span.isRecording()) {
            return;
        }
        AttributesBuilder a = Attributes.builder()
                .put("pgguard.action", e.action())
                .put("pgguard.risk", e.risk())
                .put("pgguard.target", e.target())
                .put("pgguard.target.local", e.local());
        put(a, "pgguard.rule", e.rule());
        put(a, "pgguard.lock", e.lock());
        put(a, "pgguard.table", e.table());
        put(a, "pgguard.fingerprint", e.fingerprint());
        span.addEvent("pgguard.decision", a.build());
    }

    private static void put(AttributesBuilder a, String key, String value) {
        if (value != null) {
            a.put(key, value);
        }
    }
}
