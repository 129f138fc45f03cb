package io.pgguard.spring;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.pgguard.GuardEvent;
import io.pgguard.GuardListener;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * Counts each decision in {@code pgguard.statements}, tagged {@code decision} (allow, warn, block, override),
 * {@code risk} and {@code rule} ({@code none} for an allowed statement), and times pgguard's own deciding in
 * {@code pgguard.decide} (a new string; a prepared statement run again costs nothing to decide). The tags come from
 * small closed sets (rule ids, never SQL), so the number of series stays bounded.
 */
final class MicrometerGuardListener implements GuardListener {

    private final MeterRegistry registry;
    private final Timer decide;
    private final Map<String, Counter> counters = new ConcurrentHashMap<>();

    MicrometerGuardListener(MeterRegistry registry) {
        this.registry = registry;
        this.decide = Timer.builder("pgguard.decide")
                .description("Time pgguard spent deciding a statement string it had not seen")
                .register(registry);
    }

    @Override
    public void decided(GuardEvent e) {
        String rule = e.rule() == null ? "none" : e.rule();
        String key = e.action() + '\u0000' + e.risk() + '\u0000' + rule;
        Counter c = counters.get(key);
        if (c == null) {
            c = counters.computeIfAbsent(key, k -> Counter.builder("pgguard.statements")
                    .description("Statements pgguard decided, by decision, risk and rule")
                    .tag("decision", e.action()).tag("risk", e.risk()).tag("rule", rule)
                    .register(registry));
        }
        c.increment();
        if (e.decideNanos() > 0) {
            decide.record(e.decideNanos(), TimeUnit.NANOSECONDS);
        }
    }
}
