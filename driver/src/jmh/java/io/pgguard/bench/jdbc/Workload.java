package io.pgguard.bench.jdbc;

import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Locale;

/**
 * What one operation of the benchmark does, the same through every {@link Variant}: a point read of one row by
 * primary key out of {@value BenchServer#ROWS}, with a random id, reading both columns of the row.
 */
enum Workload {

    /** One prepared statement per connection, prepared once and executed again and again (statement caching). */
    PREPARED_REUSED("prepared, reused") {
        @Override
        long op(Session s) throws SQLException {
            PreparedStatement ps = s.reused;
            ps.setInt(1, s.nextId());
            try (ResultSet rs = ps.executeQuery()) {
                return read(rs);
            }
        }
    },

    /** {@code prepareStatement} on every call with the same SQL text, as code without a statement cache does. */
    PREPARED_PER_CALL("prepared per call") {
        @Override
        long op(Session s) throws SQLException {
            try (PreparedStatement ps = s.connection.prepareStatement(POINT_READ)) {
                ps.setInt(1, s.nextId());
                try (ResultSet rs = ps.executeQuery()) {
                    return read(rs);
                }
            }
        }
    },

    /**
     * {@code Statement.executeQuery} of text never sent before: the id as a literal and a sequence number in a
     * comment, so that every call misses every cache keyed by SQL text (pgguard's included).
     */
    NEW_TEXT("new text each call") {
        @Override
        long op(Session s) throws SQLException {
            String sql = "SELECT id, name FROM " + BenchServer.TABLE + " WHERE id = " + s.nextId() + " /* q"
                    + s.nextSequence() + " */";
            try (Statement st = s.connection.createStatement(); ResultSet rs = st.executeQuery(sql)) {
                return read(rs);
            }
        }
    };

    static final String POINT_READ = "SELECT id, name FROM " + BenchServer.TABLE + " WHERE id = ?";

    final String label;

    Workload(String label) {
        this.label = label;
    }

    /** One call; returns something derived from the row so that nothing can be optimized away. */
    abstract long op(Session s) throws SQLException;

    static long read(ResultSet rs) throws SQLException {
        long acc = 0;
        while (rs.next()) {
            acc += rs.getInt(1) + rs.getString(2).length();
        }
        if (acc == 0) {
            throw new IllegalStateException("the point read found no row");
        }
        return acc;
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
            default:
                throw new IllegalArgumentException("unknown workload " + s
                        + " (prepared-reused, prepared-per-call, new-text)");
        }
    }
}
