package io.pgguard.bench.jdbc;

/**
 * The JDBC paths compared: pgjdbc alone, and pgjdbc behind pgguard or one of the two common statement spies. Every
 * variant ends in the same pgjdbc {@code PgConnection} with the same properties, to the same server.
 */
enum Variant {

    /** {@code jdbc:postgresql://...} through DriverManager: the baseline every ratio divides by. */
    RAW("raw pgjdbc"),
    /**
     * A second raw connection, measured exactly like the others: its ratio to {@link #RAW} shows what "no
     * difference" looks like in this run (the noise floor an overhead has to rise above).
     */
    RAW_CONTROL("raw pgjdbc (A/A)"),
    /** {@code jdbc:pgguard:postgresql://...?pgguard.environment=production}: the driver, a non-local target. */
    PGGUARD("pgguard"),
    /**
     * The same URL through another build of pgguard ({@code --alt=classes-dir-or-jar}), loaded by a class loader of
     * its own: compares a change with a baseline in one interleaved run, which separate runs are too noisy for.
     */
    PGGUARD_ALT("pgguard (alt)"),
    /**
     * {@code jdbc:postgresql://...?pgguard.environment=production} guarded by {@code -javaagent:pgguard-agent.jar}
     * (the harness run with the agent and {@code -Dpgguard.test.isolatedRaw=true}, so that {@link #RAW} and
     * {@link #RAW_CONTROL} use a pgjdbc of their own the agent cannot reach).
     */
    AGENT("pgguard agent"),
    /** {@code jdbc:p6spy:postgresql://...} with {@code com.p6spy.engine.spy.P6SpyDriver}. */
    P6SPY("p6spy"),
    /** {@code ProxyDataSourceBuilder.create(pgSimpleDataSource).name("bench").logQueryBySlf4j(INFO)}. */
    DATASOURCE_PROXY("datasource-proxy");

    final String label;

    Variant(String label) {
        this.label = label;
    }

    static Variant parse(String s) {
        String n = s.trim().toLowerCase(java.util.Locale.ROOT).replace('_', '-');
        switch (n) {
            case "raw":
                return RAW;
            case "raw-control":
            case "control":
                return RAW_CONTROL;
            case "pgguard":
                return PGGUARD;
            case "pgguard-alt":
            case "alt":
                return PGGUARD_ALT;
            case "agent":
                return AGENT;
            case "p6spy":
                return P6SPY;
            case "datasource-proxy":
            case "dsproxy":
                return DATASOURCE_PROXY;
            default:
                throw new IllegalArgumentException("unknown variant " + s
                        + " (raw, raw-control, pgguard, pgguard-alt, agent, p6spy,"
                        + " datasource-proxy)");
        }
    }
}
