package io.pgguard.bench.jdbc;

import java.sql.SQLException;
import java.util.Locale;

/**
 * What one operation of the benchmark does, the same through every {@link Variant}: a point read of one row by
 * primary key out of {@value BenchServer#ROWS}, with a random id, reading both columns of the row.
 */
enum Workload {

    /** One prepared statement per connection, prepared once and executed again and again (statement caching). */
    PREPARED_REUSED("prepared, reused"),

    /** {@code prepareStatement} on every call with the same SQL text, as code without a statement cache does. */
    PREPARED_PER_CALL("prepared per call"),

    /**
     * {@code Statement.executeQuery} of text never sent before: the id as a literal and a sequence number in a
     * comment, so that every call misses every cache keyed by SQL text (pgguard's included).
     */
    NEW_TEXT("new text each call"),

    /**
     * As {@link #PREPARED_PER_CALL}, the row's name through a SQL function of the application's: a statement that
     * calls a routine, whose body pgguard reads from the catalog once per connection.
     */
    CALLS_ROUTINE("prepared per call, calls a routine");

    static final String POINT_READ = "SELECT id, name FROM " + BenchServer.TABLE + " WHERE id = ?";
    static final String ROUTINE_READ = "SELECT id, " + BenchServer.FUNCTION + "(name) FROM " + BenchServer.TABLE
            + " WHERE id = ?";

    final String label;

    Workload(String label) {
        this.label = label;
    }

    /** One call ({@link Ops} has the code, in the order of the constants); returns a checksum of the row. */
    long op(Session s) throws SQLException {
        return Ops.op(ordinal(), s);
    }

    static Workload parse(String s) {
        String n = s.trim().toLowerCase(Locale.ROOT).replace('_', '-');
        switch (n) {
            case "prepared-reused":
            case "reused":
                return PREPARED_REUSED;
            case "prepared-per-call":
            case "per-call":
                return PREPARED_PER_CALL;
            case "new-text":
                return NEW_TEXT;
            case "calls-routine":
                return CALLS_ROUTINE;
            default:
                throw new IllegalArgumentException("unknown workload " + s
                        + " (prepared-reused, prepared-per-call, new-text, calls-routine)");
        }
    }
}
