package io.pgguard.policy;

import io.pgguard.classify.Risk;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Properties;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class GuardConfigTest {

    @TempDir
    Path dir;

    private static Properties props(String... kv) {
        Properties p = new Properties();
        for (int i = 0; i + 1 < kv.length; i += 2) {
            p.setProperty(kv[i], kv[i + 1]);
        }
        return p;
    }

    @Test
    void connectionBeatsSystemPropertiesBeatEnvironmentBeatsTheFile() throws Exception {
        Path file = dir.resolve("pgguard.properties");
        Files.writeString(file, "pgguard.onDestructive=allow\npgguard.onUnsafe=allow\npgguard.onBreaking=allow\n"
                + "pgguard.onUnknown=allow\n");
        Map<String, String> env = Map.of("PGGUARD_CONFIG", file.toString(), "PGGUARD_ON_UNSAFE", "block",
                "PGGUARD_ON_BREAKING", "block", "PGGUARD_ON_UNKNOWN", "block");
        Properties system = props("pgguard.onBreaking", "warn", "pgguard.onUnknown", "warn");
        GuardConfig c = GuardConfig.load(Map.of("pgguard.onUnknown", "block", "user", "app"), system, env);
        Map<Risk, Action> actions = c.policy().configured();
        assertEquals(Action.ALLOW, actions.get(Risk.DESTRUCTIVE), "from the file");
        assertEquals(Action.BLOCK, actions.get(Risk.UNSAFE), "environment over file");
        assertEquals(Action.WARN, actions.get(Risk.BREAKING), "system property over environment");
        assertEquals(Action.BLOCK, actions.get(Risk.UNKNOWN), "connection over system property");
        assertEquals("connection", c.sources().get("pgguard.onUnknown"));
        assertEquals("pgguard.properties", c.sources().get("pgguard.onDestructive"));
    }

    @Test
    void defaultsAreEmptyAndLeaveThePolicyToTheTarget() throws Exception {
        GuardConfig c = GuardConfig.load(Map.of(), new Properties(), Map.of());
        assertTrue(c.policy().configured().isEmpty());
        assertFalse(c.declaredProduction());
        assertTrue(c.protect().isEmpty());
    }

    @Test
    void aTypoOrABadValueIsAnErrorNamingTheKeyAndItsSource() {
        GuardConfig.ConfigException typo = assertThrows(GuardConfig.ConfigException.class,
                () -> GuardConfig.load(Map.of(), props("pgguard.onDestrutive", "warn"), Map.of()));
        assertTrue(typo.getMessage().contains("unknown pgguard setting 'pgguard.onDestrutive' (from system property)"),
                typo.getMessage());
        GuardConfig.ConfigException env = assertThrows(GuardConfig.ConfigException.class,
                () -> GuardConfig.load(Map.of(), new Properties(), Map.of("PGGUARD_ON_DESTRUCTIV", "warn")));
        assertTrue(env.getMessage().contains("from environment"), env.getMessage());
        GuardConfig.ConfigException value = assertThrows(GuardConfig.ConfigException.class,
                () -> GuardConfig.load(Map.of("pgguard.onUnsafe", "ignore"), new Properties(), Map.of()));
        assertTrue(value.getMessage().contains("bad value 'ignore' for pgguard.onUnsafe (from connection)"),
                value.getMessage());
        assertThrows(GuardConfig.ConfigException.class,
                () -> GuardConfig.load(Map.of("pgguard.allow", "drop-tabel"), new Properties(), Map.of()));
        assertThrows(GuardConfig.ConfigException.class,
                () -> GuardConfig.load(Map.of("pgguard.protect", "prod-db"), new Properties(), Map.of()));
        assertThrows(GuardConfig.ConfigException.class,
                () -> GuardConfig.load(Map.of("pgguard.logRawSql", "yes"), new Properties(), Map.of()));
        assertThrows(GuardConfig.ConfigException.class,
                () -> GuardConfig.load(Map.of("pgguard.config", dir.resolve("missing.properties").toString()),
                        new Properties(), Map.of()));
    }

    /** The agent's own key is a setting like the others, from every source, and its value is checked. */
    @Test
    void theAgentsHookFailureSettingIsKnownAndChecked() throws Exception {
        GuardConfig.load(Map.of("pgguard.agent.onHookFailure", "warn"), new Properties(), Map.of());
        GuardConfig.load(Map.of(), new Properties(), Map.of("PGGUARD_AGENT_ON_HOOK_FAILURE", "block"));
        GuardConfig.ConfigException bad = assertThrows(GuardConfig.ConfigException.class,
                () -> GuardConfig.load(Map.of(), new Properties(), Map.of("PGGUARD_AGENT_ON_HOOK_FAILURE", "pass")));
        assertTrue(bad.getMessage().contains("bad value 'pass' for pgguard.agent.onHookFailure (from environment)"),
                bad.getMessage());
    }

    @Test
    void anEnvironmentNameIsOneOfAClosedListSoAMisspeltProductionFails() throws Exception {
        GuardConfig.ConfigException typo = assertThrows(GuardConfig.ConfigException.class,
                () -> GuardConfig.load(Map.of("pgguard.environment", "prodution"), new Properties(), Map.of()));
        assertTrue(typo.getMessage().contains("bad value 'prodution' for pgguard.environment (from connection)"),
                typo.getMessage());
        assertThrows(GuardConfig.ConfigException.class,
                () -> GuardConfig.load(Map.of(), new Properties(), Map.of("PGGUARD_ENVIRONMENT", "")));
        for (String production : new String[] {"production", "PROD", " prd ", "Live"}) {
            assertTrue(GuardConfig.load(Map.of("pgguard.environment", production), new Properties(), Map.of())
                    .declaredProduction(), production);
        }
        for (String other : new String[] {"staging", "Dev", "test", "local"}) {
            assertFalse(GuardConfig.load(Map.of("pgguard.environment", other), new Properties(), Map.of())
                    .declaredProduction(), other);
        }
    }

    @Test
    void listsAndFlagsAreParsed() throws Exception {
        GuardConfig c = GuardConfig.load(Map.of("pgguard.allow", "drop-table, truncate",
                "pgguard.protect", "7301234567890123456", "pgguard.localHosts", "Compose-DB,db",
                "pgguard.environment", "production", "pgguard.logRawSql", "true"), new Properties(), Map.of());
        assertEquals(Set.of("drop-table", "truncate"), c.policy().allowedRules());
        assertEquals(Set.of("7301234567890123456"), c.protect());
        assertEquals(Set.of("compose-db", "db"), c.localHosts());
        assertTrue(c.declaredProduction());
        assertTrue(c.policy().logRawSql());
    }

    @Test
    void theTestKitsOwnNamesAreNotSettings() throws Exception {
        GuardConfig c = GuardConfig.load(Map.of(), props("pgguard.test.pgMajor", "15"),
                Map.of("PGGUARD_TEST_URL", "jdbc:postgresql://localhost/x"));
        assertTrue(c.sources().isEmpty());
    }
}
