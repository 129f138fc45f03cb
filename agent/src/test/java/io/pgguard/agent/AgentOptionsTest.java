package io.pgguard.agent;

import org.junit.jupiter.api.Test;

import java.util.Map;
import java.util.Properties;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class AgentOptionsTest {

    @Test
    void keysTakeThePrefixAndAPartWithoutEqualsContinuesTheValueBeforeIt() {
        Properties p = AgentOptions.parse("environment=production,protect=123,456, pgguard.allow=truncate");
        assertEquals("production", p.getProperty("pgguard.environment"));
        assertEquals("123,456", p.getProperty("pgguard.protect"));
        assertEquals("truncate", p.getProperty("pgguard.allow"));
        assertEquals(3, p.size());
        assertTrue(AgentOptions.parse(null).isEmpty());
        assertTrue(AgentOptions.parse(" ").isEmpty());
    }

    @Test
    void hookFailureBlocksUnlessWarnIsSaidWithSystemPropertiesFirst() {
        Properties none = new Properties();
        assertTrue(AgentOptions.hookFailureBlocks(none, none, Map.of()));
        Properties warn = AgentOptions.parse("agent.onHookFailure=warn");
        assertFalse(AgentOptions.hookFailureBlocks(warn, none, Map.of()));
        Properties system = new Properties();
        system.setProperty("pgguard.agent.onHookFailure", "block");
        assertTrue(AgentOptions.hookFailureBlocks(warn, system, Map.of()));
        assertFalse(AgentOptions.hookFailureBlocks(none, none, Map.of("PGGUARD_AGENT_ON_HOOK_FAILURE", "warn")));
        // a value that is neither fails closed
        assertTrue(AgentOptions.hookFailureBlocks(AgentOptions.parse("agent.onHookFailure=wran"), none, Map.of()));
    }
}
