package io.pgguard.policy;

import io.pgguard.classify.Risk;
import io.pgguard.classify.RuleCatalog;

import java.io.IOException;
import java.io.InputStream;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.Set;

/**
 * pgguard's settings, read from (highest precedence first) the connection's URL parameters and properties, Java
 * system properties ({@code -Dpgguard.onDestructive=warn}), environment variables ({@code PGGUARD_ON_DESTRUCTIVE})
 * and a {@code pgguard.properties} file. An unknown key or a bad value is an error: a typo must not silently
 * disable the guard.
 */
public record GuardConfig(Policy policy, String environment, Set<String> protect, Set<String> localHosts,
                          Map<String, String> sources) {

    public static final String PREFIX = "pgguard.";

    /** Reserved for pgguard's own test kit ({@code pgguard.test.pgMajor}, {@code PGGUARD_TEST_URL}); never read. */
    static final String TEST_PREFIX = "pgguard.test.";

    /** Every key pgguard reads, without the prefix. */
    public static final List<String> KEYS = List.of("onDestructive", "onUnsafe", "onBreaking", "onUnknown", "allow",
            "environment", "protect", "localHosts", "logRawSql", "config", "agent.onHookFailure", "largeTable",
            "lockTimeout");

    /** Configuration that cannot be used; the message says which key, from where, and what is allowed. */
    public static final class ConfigException extends Exception {
        public ConfigException(String message) {
            super(message);
        }
    }

    /** {@code pgguard.environment} names that declare the target non-local whatever its host. */
    static final Set<String> PRODUCTION_NAMES = Set.of("production", "prod", "prd", "live");
    /**
     * The other names {@code pgguard.environment} accepts, which leave locality to the host: a closed list, so that
     * a misspelt production ({@code prodution}) fails the connection instead of leaving a tunnel unprotected.
     */
    static final Set<String> OTHER_NAMES = Set.of("staging", "stage", "qa", "test", "testing", "ci",
            "development", "dev", "local");

    /** Whether a target with this configuration is declared non-local whatever its host. */
    public boolean declaredProduction() {
        return environment != null && PRODUCTION_NAMES.contains(environment.trim().toLowerCase(Locale.ROOT));
    }

    /**
     * Reads the settings. {@code connection} holds the URL parameters and connection properties (only
     * {@code pgguard.*} keys are looked at); {@code system} the system properties; {@code env} the environment.
     */
    public static GuardConfig load(Map<String, String> connection, Properties system, Map<String, String> env)
            throws ConfigException {
        return load(connection, system, env, true);
    }

    /**
     * As {@link #load(Map, Properties, Map)}; {@code classpath} false skips looking for {@code pgguard.properties} on
     * the classpath (the command-line tool's classpath is its own jar, and the lookup costs a short run time).
     */
    public static GuardConfig load(Map<String, String> connection, Properties system, Map<String, String> env,
                                   boolean classpath) throws ConfigException {
        Map<String, String> values = new LinkedHashMap<>();
        Map<String, String> sources = new LinkedHashMap<>();
        Map<String, String> file = fileSettings(connection, system, env, classpath);
        put(values, sources, file, "pgguard.properties");
        put(values, sources, fromEnvironment(env), "environment");
        Map<String, String> sys = new LinkedHashMap<>();
        for (String name : system.stringPropertyNames()) {
            if (name.startsWith(PREFIX) && !name.startsWith(TEST_PREFIX)) {
                sys.put(name, system.getProperty(name));
            }
        }
        put(values, sources, sys, "system property");
        Map<String, String> conn = new LinkedHashMap<>();
        for (Map.Entry<String, String> e : connection.entrySet()) {
            if (e.getKey().startsWith(PREFIX)) {
                conn.put(e.getKey(), e.getValue());
            }
        }
        put(values, sources, conn, "connection");
        return parse(values, sources);
    }

    /** The settings of a {@link Properties} alone (for example a GuardDataSource's), with the usual fallbacks. */
    public static GuardConfig load(Properties connection) throws ConfigException {
        Map<String, String> map = new LinkedHashMap<>();
        for (String name : connection.stringPropertyNames()) {
            map.put(name, connection.getProperty(name));
        }
        return load(map, System.getProperties(), System.getenv());
    }

    private static void put(Map<String, String> values, Map<String, String> sources, Map<String, String> from,
                            String source) throws ConfigException {
        for (Map.Entry<String, String> e : from.entrySet()) {
            String key = e.getKey();
            if (!key.startsWith(PREFIX) || !KEYS.contains(key.substring(PREFIX.length()))) {
                throw new ConfigException("unknown pgguard setting '" + key + "' (from " + source + "); known: "
                        + String.join(", ", keys()));
            }
            values.put(key, e.getValue() == null ? "" : e.getValue().trim());
            sources.put(key, source);
        }
    }

    /** PGGUARD_ON_DESTRUCTIVE to pgguard.onDestructive; PGGUARD_TEST_* belongs to our test kit, not to the guard. */
    static Map<String, String> fromEnvironment(Map<String, String> env) {
        Map<String, String> out = new LinkedHashMap<>();
        for (Map.Entry<String, String> e : env.entrySet()) {
            String name = e.getKey();
            if (!name.startsWith("PGGUARD_") || name.startsWith("PGGUARD_TEST_")) {
                continue;
            }
            String[] words = name.substring(8).toLowerCase(Locale.ROOT).split("_");
            StringBuilder key = new StringBuilder(PREFIX).append(words[0]);
            for (int i = 1; i < words.length; i++) {
                if (!words[i].isEmpty()) {
                    key.append(Character.toUpperCase(words[i].charAt(0))).append(words[i].substring(1));
                }
            }
            String mapped = key.toString();
            for (String known : KEYS) {
                if (known.replace(".", "").equalsIgnoreCase(mapped.substring(PREFIX.length()))) {
                    mapped = PREFIX + known;
                }
            }
            out.put(mapped, e.getValue());
        }
        return out;
    }

    /** pgguard.properties: the file named by pgguard.config (any source), else ./pgguard.properties, else the classpath. */
    private static Map<String, String> fileSettings(Map<String, String> connection, Properties system,
                                                    Map<String, String> env, boolean classpath)
            throws ConfigException {
        String named = connection.get(PREFIX + "config");
        if (named == null) {
            named = system.getProperty(PREFIX + "config");
        }
        if (named == null) {
            named = env.get("PGGUARD_CONFIG");
        }
        Properties props = new Properties();
        try {
            if (named != null) {
                Path path = Path.of(named);
                if (!Files.isRegularFile(path)) {
                    throw new ConfigException("pgguard.config names " + named + ", which is not a readable file");
                }
                try (Reader r = Files.newBufferedReader(path, StandardCharsets.UTF_8)) {
                    props.load(r);
                }
            } else if (Files.isRegularFile(Path.of("pgguard.properties"))) {
                try (Reader r = Files.newBufferedReader(Path.of("pgguard.properties"), StandardCharsets.UTF_8)) {
                    props.load(r);
                }
            } else if (classpath) {
                ClassLoader loader = Thread.currentThread().getContextClassLoader();
                try (InputStream in = loader == null ? null : loader.getResourceAsStream("pgguard.properties")) {
                    if (in != null) {
                        props.load(new java.io.InputStreamReader(in, StandardCharsets.UTF_8));
                    }
                }
            }
        } catch (IOException e) {
            throw new ConfigException("cannot read pgguard.properties: " + e.getMessage());
        }
        Map<String, String> out = new LinkedHashMap<>();
        for (String name : props.stringPropertyNames()) {
            out.put(name, props.getProperty(name));
        }
        return out;
    }

    private static GuardConfig parse(Map<String, String> values, Map<String, String> sources)
            throws ConfigException {
        Map<Risk, Action> actions = new EnumMap<>(Risk.class);
        for (Risk risk : new Risk[] {Risk.DESTRUCTIVE, Risk.UNSAFE, Risk.BREAKING, Risk.UNKNOWN}) {
            String key = PREFIX + "on" + Character.toUpperCase(risk.id().charAt(0)) + risk.id().substring(1);
            String value = values.get(key);
            if (value != null) {
                Action action = Action.parse(value);
                if (action == null) {
                    throw bad(key, value, sources, "block, warn or allow");
                }
                actions.put(risk, action);
            }
        }
        Set<String> allow = list(values.get(PREFIX + "allow"));
        for (String id : allow) {
            if (RuleCatalog.byId(id) == null) {
                throw bad(PREFIX + "allow", id, sources, "rule ids from the README's rule table");
            }
        }
        boolean logRawSql = false;
        String raw = values.get(PREFIX + "logRawSql");
        if (raw != null) {
            if (!raw.equalsIgnoreCase("true") && !raw.equalsIgnoreCase("false")) {
                throw bad(PREFIX + "logRawSql", raw, sources, "true or false");
            }
            logRawSql = Boolean.parseBoolean(raw);
        }
        String environment = values.get(PREFIX + "environment");
        if (environment != null) {
            String name = environment.trim().toLowerCase(Locale.ROOT);
            if (!PRODUCTION_NAMES.contains(name) && !OTHER_NAMES.contains(name)) {
                throw bad(PREFIX + "environment", environment, sources, "production (or prod, prd, live), which"
                        + " makes the target non-local whatever its host, or one of staging, stage, qa, test,"
                        + " testing, ci, development, dev, local, which leave it to the host");
            }
        }
        Set<String> protect = list(values.get(PREFIX + "protect"));
        for (String id : protect) {
            if (!id.chars().allMatch(Character::isDigit)) {
                throw bad(PREFIX + "protect", id, sources,
                        "system identifiers (digits), from SELECT system_identifier FROM pg_control_system()");
            }
        }
        Set<String> localHosts = new LinkedHashSet<>();
        for (String h : list(values.get(PREFIX + "localHosts"))) {
            localHosts.add(h.toLowerCase(Locale.ROOT));
        }
        // the agent reads it when it starts (io.pgguard.agent.AgentOptions); checked here like any other key
        String onHookFailure = values.getOrDefault(PREFIX + "agent.onHookFailure", "block");
        if (!onHookFailure.equalsIgnoreCase("block") && !onHookFailure.equalsIgnoreCase("warn")) {
            throw bad(PREFIX + "agent.onHookFailure", onHookFailure, sources, "block or warn");
        }
        LiveSettings live = LiveSettings.OFF;
        String large = values.get(PREFIX + "largeTable");
        if (large != null && !large.isEmpty()) {
            live = LiveSettings.largeTable(live, large);
            if (live == null) {
                throw bad(PREFIX + "largeTable", large, sources, "a size (10GB, 500MB, bytes) or an estimated row "
                        + "count (1000000 rows)");
            }
        }
        String lockTimeout = values.get(PREFIX + "lockTimeout");
        if (lockTimeout != null && !lockTimeout.isEmpty()) {
            LiveSettings with = LiveSettings.lockTimeout(live, lockTimeout);
            if (with == null) {
                throw bad(PREFIX + "lockTimeout", lockTimeout, sources, "a duration above 0 (2s, 500ms, 1min; a "
                        + "bare number is milliseconds, as PostgreSQL reads it)");
            }
            live = with;
        }
        return new GuardConfig(new Policy(actions, allow, logRawSql, live), environment, Set.copyOf(protect),
                Set.copyOf(localHosts), Map.copyOf(sources));
    }

    private static ConfigException bad(String key, String value, Map<String, String> sources, String allowed) {
        return new ConfigException("bad value '" + value + "' for " + key + " (from " + sources.get(key)
                + "); expected " + allowed);
    }

    private static Set<String> list(String value) {
        Set<String> out = new LinkedHashSet<>();
        if (value != null) {
            for (String part : value.split(",")) {
                if (!part.isBlank()) {
                    out.add(part.trim());
                }
            }
        }
        return out;
    }

    /** Removes {@code pgguard.*} parameters from a URL's query, collecting them (URL-decoded); returns the rest. */
    public static String settingsFromUrl(String url, Map<String, String> settings) {
        int q = url.indexOf('?');
        if (q < 0) {
            return url;
        }
        List<String> kept = new ArrayList<>();
        for (QueryParameter p : QueryParameter.of(url)) {
            if (p.key().startsWith(PREFIX)) {
                settings.put(p.key(), p.value());
            } else {
                kept.add(p.raw());
            }
        }
        return url.substring(0, q) + (kept.isEmpty() ? "" : "?" + String.join("&", kept));
    }

    /** The pgguard settings' names, for error messages and documentation. */
    public static List<String> keys() {
        List<String> out = new ArrayList<>();
        for (String k : KEYS) {
            out.add(PREFIX + k);
        }
        return out;
    }
}
