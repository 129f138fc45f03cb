package io.pgguard.agentit;

import io.pgguard.testkit.DestructiveCalls;
import io.pgguard.testkit.PgDatabase;
import io.pgguard.testkit.PostgresTest;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code java -javaagent:agent/target/pgguard-agent.jar} in front of plain pgjdbc, against a real server declared
 * production by a {@code pgguard.*} parameter of the application's own URL: the wrapping driver's list of destructive
 * calls, in every preferQueryMode and autocommit setting, blocked with the data untouched.
 */
@PostgresTest
class AgentIT {

    static PgDatabase db;

    @BeforeAll
    static void database(PgDatabase database) {
        db = database;
    }

    static String local() {
        return db.jdbcUrlWithCredentials();
    }

    static String production() {
        String url = db.jdbcUrlWithCredentials();
        return url + (url.contains("?") ? "&" : "?") + "pgguard.environment=production";
    }

    static Stream<Arguments> modes() {
        List<Arguments> out = new ArrayList<>();
        for (String mode : List.of("simple", "extendedForPrepared", "extended", "extendedCacheEverything")) {
            out.add(Arguments.of(mode, true));
            out.add(Arguments.of(mode, false));
        }
        return out.stream();
    }

    static AgentJvm.Result probe(String agentOptions, String... args) throws Exception {
        return AgentJvm.run(agentOptions, List.of(), AgentJvm.applicationClassPath(), Probe.class.getName(), args);
    }

    /** The OUTCOME lines: name, outcome, rows. */
    static List<String[]> outcomes(AgentJvm.Result r) {
        return r.lines().stream().filter(l -> l.startsWith("OUTCOME ")).map(l -> l.substring(8).split(" "))
                .toList();
    }

    /**
     * Each call of the list, run without the agent and then with it: what destroyed rows without the agent is
     * blocked with it; what pgjdbc itself refuses before sending (generated keys by column index, a query string on a
     * prepared statement) or never sends ({@code nativeSQL}) does the same or is blocked; no call leaves fewer rows.
     */
    @ParameterizedTest(name = "{0}, autocommit {1}")
    @MethodSource("modes")
    void everyDestructiveCallIsBlockedAndTouchesNothing(String mode, boolean autocommit) throws Exception {
        AgentJvm.Result without = probe(null, "calls", local(), production(), mode, String.valueOf(autocommit));
        AgentJvm.Result with = probe("", "calls", local(), production(), mode, String.valueOf(autocommit));
        assertEquals(0, without.exit(), without::toString);
        assertEquals(0, with.exit(), with::toString);
        List<String[]> before = outcomes(without);
        List<String[]> after = outcomes(with);
        assertEquals(DestructiveCalls.all().size(), after.size(), with::toString);
        assertEquals(after.size(), before.size(), without::toString);
        List<String> failures = new ArrayList<>();
        int destroyedWithout = 0;
        for (int i = 0; i < after.size(); i++) {
            String[] b = before.get(i);
            String[] a = after.get(i);
            boolean destroyed = !b[2].equals("10");
            destroyedWithout += destroyed ? 1 : 0;
            if (destroyed || b[1].equals("ran") && !a[1].equals("ran")) {
                if (!a[1].startsWith("blocked:")) {
                    failures.add("call " + i + " destroyed rows without the agent and with it: " + a[1]);
                }
            } else if (!a[1].startsWith("blocked:") && !a[1].equals(b[1])) {
                failures.add("call " + i + ": " + b[1] + " without the agent, " + a[1] + " with it");
            }
            if (!a[2].equals("10")) {
                failures.add("call " + i + " left " + a[2] + " rows with the agent");
            }
        }
        assertEquals(List.of(), failures, with::toString);
        assertTrue(destroyedWithout >= after.size() - 8, "the calls must destroy data without the agent: "
                + without);
        assertTrue(with.out().contains("pgguard blocked a destructive statement against non-local target"),
                with::toString);
        assertTrue(with.err().contains("pgguard agent") && with.err().contains("installed"), with::toString);
    }
}
