package io.pgguard.spring;

import io.pgguard.GuardEvent;
import io.pgguard.GuardListener;
import io.pgguard.classify.Risk;
import io.pgguard.jdbc.GuardDataSource;
import io.pgguard.policy.GuardConfig;
import io.pgguard.policy.Policy;
import io.pgguard.policy.Target;
import org.springframework.beans.factory.ListableBeanFactory;
import org.springframework.boot.actuate.endpoint.annotation.Endpoint;
import org.springframework.boot.actuate.endpoint.annotation.ReadOperation;

import javax.sql.DataSource;
import java.sql.SQLException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

/**
 * {@code /actuator/pgguard}: for each guarded data source, the effective settings and where each came from (pgguard's
 * settings hold no secrets), the targets its connections reached with their locality and its reason; and the count
 * of decisions by decision and rule since the application started.
 */
@Endpoint(id = "pgguard")
public class PgGuardEndpoint implements GuardListener {

    private final ListableBeanFactory beans;
    private final Map<String, LongAdder> decisions = new ConcurrentHashMap<>();

    PgGuardEndpoint(ListableBeanFactory beans) {
        this.beans = beans;
    }

    @Override
    public void decided(GuardEvent e) {
        decisions.computeIfAbsent(e.action() + " " + (e.rule() == null ? "-" : e.rule()), k -> new LongAdder())
                .increment();
    }

    @ReadOperation
    public Map<String, Object> pgguard() {
        Map<String, Object> out = new LinkedHashMap<>();
        Map<String, Object> sources = new TreeMap<>();
        for (Map.Entry<String, DataSource> e : beans.getBeansOfType(DataSource.class).entrySet()) {
            GuardDataSource guard = guarded(e.getValue());
            if (guard == null) {
                continue;
            }
            Map<String, Object> ds = new LinkedHashMap<>();
            ds.put("settings", settings(guard.config()));
            List<Map<String, Object>> targets = guard.targets().stream().map(PgGuardEndpoint::target).toList();
            ds.put("targets", targets);
            sources.put(e.getKey(), ds);
        }
        out.put("dataSources", sources);
        Map<String, Long> counts = new TreeMap<>();
        decisions.forEach((k, v) -> counts.put(k, v.sum()));
        out.put("decisions", counts);
        return out;
    }

    private static GuardDataSource guarded(DataSource ds) {
        if (ds instanceof GuardDataSource g) {
            return g;
        }
        try {
            return ds.isWrapperFor(GuardDataSource.class) ? ds.unwrap(GuardDataSource.class) : null;
        } catch (SQLException e) {
            return null;
        }
    }

    private static Map<String, Object> target(Target t) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("target", t.description());
        m.put("local", t.local());
        m.put("reason", t.reason());
        return m;
    }

    private static Map<String, Object> settings(GuardConfig c) {
        Map<String, Object> m = new LinkedHashMap<>();
        Policy p = c.policy();
        Map<String, String> actions = new LinkedHashMap<>();
        for (Risk r : new Risk[] {Risk.DESTRUCTIVE, Risk.UNKNOWN, Risk.UNSAFE, Risk.BREAKING}) {
            actions.put(r.id(), p.configured().containsKey(r) ? p.configured().get(r).id() : "default");
        }
        m.put("actions", actions);
        m.put("allow", p.allowedRules());
        m.put("environment", c.environment());
        m.put("protect", c.protect());
        m.put("localHosts", c.localHosts());
        m.put("logRawSql", p.logRawSql());
        m.put("largeTable", p.live().largeTable());
        m.put("lockTimeoutMs", p.live().lockTimeoutMs() < 0 ? null : p.live().lockTimeoutMs());
        m.put("sources", c.sources());
        return m;
    }
}
