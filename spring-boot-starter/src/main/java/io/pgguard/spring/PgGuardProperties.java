package io.pgguard.spring;

import org.springframework.boot.context.properties.ConfigurationProperties;

import java.util.ArrayList;
import java.util.List;
import java.util.Properties;

/**
 * pgguard's settings in {@code application.properties} or {@code application.yaml}: the same keys and meaning as
 * the driver's ({@code pgguard.environment}, {@code pgguard.on-destructive} or {@code pgguard.onDestructive}, ...,
 * with Boot's relaxed binding), and {@code pgguard.enabled=false} to leave the data sources alone. Anything not set
 * here falls back to the driver's own sources (system properties, {@code PGGUARD_*}, {@code pgguard.properties}).
 */
@ConfigurationProperties(prefix = "pgguard")
public class PgGuardProperties {

    /** Whether the starter guards the application's DataSource beans. */
    private boolean enabled = true;
    /** production (prod, prd, live) makes every target non-local; other names leave it to the host. */
    private String environment;
    /** System identifiers of servers that are production whatever their host (for tunnels). */
    private List<String> protect = new ArrayList<>();
    /** Host names to treat as local, such as a docker-compose service. */
    private List<String> localHosts = new ArrayList<>();
    /** block, warn or allow: the action for destructive statements. */
    private String onDestructive;
    /** block, warn or allow: the action for lock-risk statements. */
    private String onUnsafe;
    /** block, warn or allow: the action for statements that break running code. */
    private String onBreaking;
    /** block, warn or allow: the action for statements pgguard cannot read. */
    private String onUnknown;
    /** Rule ids allowed for the process: a block of one becomes a logged warning. */
    private List<String> allow = new ArrayList<>();
    /** Log statements as written instead of fingerprints. */
    private Boolean logRawSql;
    /** A lock-risk warning about a table at least this large is a block (10GB, 1000000 rows). */
    private String largeTable;
    /** lock_timeout for statements that block writes (2s). */
    private String lockTimeout;

    /** The settings for GuardDataSource, as the driver names them; only those set. */
    Properties toSettings() {
        Properties p = new Properties();
        put(p, "environment", environment);
        put(p, "protect", String.join(",", protect));
        put(p, "localHosts", String.join(",", localHosts));
        put(p, "onDestructive", onDestructive);
        put(p, "onUnsafe", onUnsafe);
        put(p, "onBreaking", onBreaking);
        put(p, "onUnknown", onUnknown);
        put(p, "allow", String.join(",", allow));
        put(p, "logRawSql", logRawSql == null ? null : logRawSql.toString());
        put(p, "largeTable", largeTable);
        put(p, "lockTimeout", lockTimeout);
        return p;
    }

    private static void put(Properties p, String key, String value) {
        if (value != null && !value.isBlank()) {
            p.setProperty("pgguard." + key, value);
        }
    }

    public boolean isEnabled() {
        return enabled;
    }

    public void setEnabled(boolean enabled) {
        this.enabled = enabled;
    }

    public String getEnvironment() {
        return environment;
    }

    public void setEnvironment(String environment) {
        this.environment = environment;
    }

    public List<String> getProtect() {
        return protect;
    }

    public void setProtect(List<String> protect) {
        this.protect = protect;
    }

    public List<String> getLocalHosts() {
        return localHosts;
    }

    public void setLocalHosts(List<String> localHosts) {
        this.localHosts = localHosts;
    }

    public String getOnDestructive() {
        return onDestructive;
    }

    public void setOnDestructive(String onDestructive) {
        this.onDestructive = onDestructive;
    }

    public String getOnUnsafe() {
        return onUnsafe;
    }

    public void setOnUnsafe(String onUnsafe) {
        this.onUnsafe = onUnsafe;
    }

    public String getOnBreaking() {
        return onBreaking;
    }

    public void setOnBreaking(String onBreaking) {
        this.onBreaking = onBreaking;
    }

    public String getOnUnknown() {
        return onUnknown;
    }

    public void setOnUnknown(String onUnknown) {
        this.onUnknown = onUnknown;
    }

    public List<String> getAllow() {
        return allow;
    }

    public void setAllow(List<String> allow) {
        this.allow = allow;
    }

    public Boolean getLogRawSql() {
        return logRawSql;
    }

    public void setLogRawSql(Boolean logRawSql) {
        this.logRawSql = logRawSql;
    }

    public String getLargeTable() {
        return largeTable;
    }

    public void setLargeTable(String largeTable) {
        this.largeTable = largeTable;
    }

    public String getLockTimeout() {
        return lockTimeout;
    }

    public void setLockTimeout(String lockTimeout) {
        this.lockTimeout = lockTimeout;
    }
}
