package io.pgguard.agent;

import java.util.Locale;
import java.util.Map;
import java.util.Properties;

/**
 * The agent's options, {@code -javaagent:pgguard-agent.jar=key=value,...}: the keys of the {@code pgguard.*}
 * settings with or without the prefix. A value may hold commas ({@code protect=1,2}): a part without {@code =}
 * continues the value before it. They are read with the system properties, below a {@code -D} of the same key.
 */
final class AgentOptions {

    private AgentOptions() {
    }

    static Properties parse(String args) {
        Properties out = new Properties();
        if (args == null || args.isBlank()) {
            return out;
        }
        String lastKey = null;
        for (String part : args.split(",")) {
            int eq = part.indexOf('=');
            if (eq < 0) {
                if (lastKey != null) {
                    out.setProperty(lastKey, out.getProperty(lastKey) + "," + part.trim());
                } else if (!part.isBlank()) {
                    AgentLog.warn("pgguard agent: option '" + part.trim() + "' has no value (key=value); ignored");
                }
                continue;
            }
            String key = part.substring(0, eq).trim();
            lastKey = key.startsWith("pgguard.") ? key : "pgguard." + key;
            out.setProperty(lastKey, part.substring(eq + 1).trim());
        }
        return out;
    }

    /**
     * {@code pgguard.agent.onHookFailure}: a {@code -D} first, then the agent's option, then the environment;
     * {@code block} unless one of them says {@code warn}.
     */
    static boolean hookFailureBlocks(Properties options, Properties system, Map<String, String> env) {
        String key = "pgguard.agent.onHookFailure";
        String value = system.getProperty(key, options.getProperty(key, env.get("PGGUARD_AGENT_ON_HOOK_FAILURE")));
        if (value == null || value.trim().equalsIgnoreCase("block")) {
            return true;
        }
        if (value.trim().equalsIgnoreCase("warn")) {
            return false;
        }
        AgentLog.warn("pgguard agent: bad value '" + value + "' for " + key + " (block or warn): block it is");
        return !value.toLowerCase(Locale.ROOT).equals("warn");
    }
}
