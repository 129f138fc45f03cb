package io.pgguard.policy;

import io.pgguard.classify.Classifier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeSet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * What a verdict asks the connected server (the routines it calls, the columns whose type it changes blind), and the
 * settings that decide what the answers do (pgguard.largeTable, pgguard.lockTimeout).
 */
class LiveQuestionsTest {

    private static final Guard GUARD = new Guard(new Classifier(17), Target.production("test"),
            Policy.defaults());

    private static Set<String> calls(String sql) {
        return new TreeSet<>(Verdict.Asks.callsOf(GUARD.check(sql).asks()));
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "SELECT purge()                                                  | purge",
        "SELECT public.purge(1, 'a')                                     | purge",
        "CALL wipe()                                                     | wipe",
        "SELECT * FROM generate_report(1) r                              | generate_report",
        "SELECT \"Purge\"()                                              | Purge",
        "WITH x AS (SELECT purge() AS p) SELECT * FROM x                 | purge",
        "DO $$ BEGIN PERFORM purge(); END $$                             | purge",
        "UPDATE t SET v = normalise(v) WHERE id = 1                      | normalise",
        "SELECT count(*) FROM t WHERE id IN (1, 2) AND EXISTS (SELECT 1) | count",
        "SELECT key()                                                    | key",
        "SELECT 1 FROM a JOIN b ON purge() >= 0                          | purge",
        "SELECT U&\"pur\\0067e\"()                                      | purge",
        "DELETE FROM t USING purge() p WHERE t.id = p.id                 | purge",
    })
    void aCallIsAQuestion(String sql, String expected) {
        assertEquals(Set.of(expected), calls(sql));
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "INSERT INTO t (a, b) VALUES (1, 2)",
        "INSERT INTO public.t (a) VALUES (1)",
        "CREATE TABLE t2 (a int CHECK (a > 0), b text, UNIQUE (b))",
        "SELECT a FROM t WHERE a = ANY (?) AND b IN (SELECT b FROM u)",
        "SELECT CAST(a AS int) FROM t",
    })
    void constructsAndRelationNamesAreNot(String sql) {
        assertEquals(Set.of(), calls(sql));
        assertNull(GUARD.check(sql).asks(), "a verdict without questions holds none");
    }

    @Test
    void aTypeChangeOfAColumnPgguardDidNotSeeCreatedAsksItsType() {
        assertEquals(List.of("orders\u0000total"),
                GUARD.check("ALTER TABLE orders ALTER COLUMN total TYPE bigint").asks().columns());
        Verdict known = GUARD.checkOnConnection("ALTER TABLE orders ALTER COLUMN total TYPE bigint", Set.of(),
                Map.of(), Boolean.TRUE, Map.of("orders\u0000total", "integer"));
        assertTrue(known.decisions().get(0).finding().message().contains("integer -> bigint"),
                known.decisions().get(0).finding().message());
        Verdict free = GUARD.checkOnConnection("ALTER TABLE orders ALTER COLUMN name TYPE varchar(100)", Set.of(),
                Map.of(), Boolean.TRUE, Map.of("orders\u0000name", "character varying(50)"));
        assertTrue(free.decisions().get(0).classification().ruleIds().stream()
                        .noneMatch(id -> id.equals("change-column-type")),
                free.decisions().get(0).classification().ruleIds()::toString);
        assertTrue(!free.decisions().get(0).classification().rewrite());
    }

    private static LiveSettings live(String... kv) throws GuardConfig.ConfigException {
        Properties p = new Properties();
        for (int i = 0; i + 1 < kv.length; i += 2) {
            p.setProperty(kv[i], kv[i + 1]);
        }
        return GuardConfig.load(Map.of(), p, Map.of()).policy().live();
    }

    @Test
    void largeTableAndLockTimeoutAreRead() throws Exception {
        LiveSettings s = live("pgguard.largeTable", "10GB", "pgguard.lockTimeout", "2s");
        assertEquals(10L << 30, s.largeTableBytes());
        assertEquals(2000, s.lockTimeoutMs());
        assertTrue(s.isLarge(0, 10L << 30) && !s.isLarge(Long.MAX_VALUE, (10L << 30) - 1));
        LiveSettings rows = live("pgguard.largeTable", "1000000 rows", "pgguard.lockTimeout", "500");
        assertTrue(rows.isLarge(1_000_000, 0) && !rows.isLarge(999_999, Long.MAX_VALUE));
        assertEquals(500, rows.lockTimeoutMs(), "a bare number is milliseconds, as PostgreSQL reads it");
        assertEquals(90_000, live("pgguard.lockTimeout", "90s").lockTimeoutMs());
        assertEquals(LiveSettings.OFF, live());
        for (String bad : new String[] {"big", "-1GB", "10 parsecs", "99999999999999TB"}) {
            GuardConfig.ConfigException e = assertThrows(GuardConfig.ConfigException.class,
                    () -> live("pgguard.largeTable", bad));
            assertTrue(e.getMessage().contains("pgguard.largeTable"), e.getMessage());
        }
        for (String bad : new String[] {"0", "0s", "soon", "-2s", "999999h"}) {
            assertThrows(GuardConfig.ConfigException.class, () -> live("pgguard.lockTimeout", bad), bad);
        }
    }
}
