package io.pgguard.bench.jdbc;

import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;

/**
 * The JDBC calls of each {@link Workload}. {@link OverheadHarness} gives every variant a copy of this class of its
 * own (see {@link Session}): an application calls one JDBC stack from its code, so its call sites see one
 * statement and result-set class, which the JIT inlines. Shared by five stacks, the same call sites would see five
 * classes and fall back to slower dispatch for all of them, charging each variant for the others' classes.
 * Public, and using nothing package-private, because a copy lives in a package of its own at run time.
 */
public final class Ops {

    private Ops() {
    }

    /** Runs {@code ops} operations of the workload with ordinal {@code workload}; returns a checksum. */
    public static long run(Session s, int workload, int ops) throws SQLException {
        long acc = 0;
        for (int i = 0; i < ops; i++) {
            acc += op(workload, s);
        }
        return acc;
    }

    /** One operation of the workload with ordinal {@code workload}. */
    public static long op(int workload, Session s) throws SQLException {
        switch (workload) {
            case 0: { // PREPARED_REUSED
                PreparedStatement ps = s.reused;
                ps.setInt(1, s.nextId());
                try (ResultSet rs = ps.executeQuery()) {
                    return read(rs);
                }
            }
            case 1: { // PREPARED_PER_CALL
                try (PreparedStatement ps = s.connection.prepareStatement(Workload.POINT_READ)) {
                    ps.setInt(1, s.nextId());
                    try (ResultSet rs = ps.executeQuery()) {
                        return read(rs);
                    }
                }
            }
            case 2: { // NEW_TEXT
                String sql = "SELECT id, name FROM " + BenchServer.TABLE + " WHERE id = " + s.nextId() + " /* q"
                        + s.nextSequence() + " */";
                try (Statement st = s.connection.createStatement(); ResultSet rs = st.executeQuery(sql)) {
                    return read(rs);
                }
            }
            default:
                throw new IllegalArgumentException("no workload " + workload);
        }
    }

    private static long read(ResultSet rs) throws SQLException {
        long acc = 0;
        while (rs.next()) {
            acc += rs.getInt(1) + rs.getString(2).length();
        }
        if (acc == 0) {
            throw new IllegalStateException("the point read found no row");
        }
        return acc;
    }
}
