package io.pgguard.jdbc;

import io.pgguard.GuardBlockedException;
import io.pgguard.GuardEvent;
import io.pgguard.GuardListeners;
import io.pgguard.testkit.PgDatabase;
import io.pgguard.testkit.PostgresTest;
import org.junit.jupiter.api.Test;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Listeners are told of every statement's decision, as it runs or is blocked: the feed of metrics and traces. */
@PostgresTest
class GuardListenerIT {

    @Test
    void everyDecisionIsToldWithItsRuleAndTimingAndNothingOnceUnregistered(PgDatabase db) throws Exception {
        db.execute("DROP TABLE IF EXISTS listen_t", "CREATE TABLE listen_t (id int, v text)",
                "INSERT INTO listen_t SELECT g, 'v' FROM generate_series(1, 10) g");
        List<GuardEvent> events = new CopyOnWriteArrayList<>();
        Properties p = new Properties();
        p.setProperty("pgguard.environment", "production");
        try (Connection c = db.connect(db.pgguardUrl(), p)) {
            try (AutoCloseable registration = GuardListeners.register(events::add)) {
                c.createStatement().executeQuery("SELECT count(*) FROM listen_t WHERE id = 1").close();
                c.createStatement().execute("CREATE INDEX listen_t_v ON listen_t (v)");
                assertThrows(GuardBlockedException.class, () -> c.createStatement().execute("DELETE FROM listen_t"));
                c.createStatement().execute("/* pgguard:allow unbounded-update reason=\"test\" */ "
                        + "UPDATE listen_t SET v = 'w'");
                try (PreparedStatement ps = c.prepareStatement("SELECT v FROM listen_t WHERE id = ?")) {
                    ps.setInt(1, 1);
                    ps.executeQuery().close();
                    ps.executeQuery().close();
                }
            }
            c.createStatement().execute("DROP INDEX listen_t_v");
        } finally {
            db.execute("DROP TABLE IF EXISTS listen_t");
        }
        assertEquals(List.of("allow", "warn", "block", "override", "allow", "allow"),
                events.stream().map(GuardEvent::action).toList(), events::toString);
        GuardEvent allow = events.get(0);
        assertNull(allow.rule());
        assertNull(allow.fingerprint(), "an allowed statement's text is not carried");
        assertTrue(allow.decideNanos() > 0, "the time spent deciding a new string");
        GuardEvent warn = events.get(1);
        assertEquals("require-concurrent-index", warn.rule());
        assertEquals("ShareLock", warn.lock());
        assertEquals("listen_t", warn.table());
        assertEquals("CREATE INDEX listen_t_v ON listen_t (v)", warn.fingerprint());
        assertEquals(false, warn.local());
        GuardEvent block = events.get(2);
        assertEquals("unbounded-delete", block.rule());
        assertEquals("destructive", block.risk());
        GuardEvent override = events.get(3);
        assertEquals("unbounded-update", override.rule());
        assertEquals(0, events.get(5).decideNanos(), "a prepared statement run again reuses its verdict");
        assertTrue(!GuardListeners.active(), "unregistered");
    }
}
