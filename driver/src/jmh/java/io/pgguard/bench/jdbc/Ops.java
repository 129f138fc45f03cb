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
        switch (workload) {
            case 0 -> {
                for (int i = 0; i < ops; i++) {
                    acc += preparedReused(s);
                }
            }
            case 1 -> {
                for (int i = 0; i < ops; i++) {
                    acc += preparedPerCall(s);
                }
            }
            case 2 -> {
                for (int i = 0; i < ops; i++) {
                    acc += newText(s);
                }
            }
            case 3 -> {
                for (int i = 0; i < ops; i++) {
                    acc += callsRoutine(s);
                }
            }
            default -> throw new IllegalArgumentException("no workload " + workload);
        }
        return acc;
    }

    /** One operation of the workload with ordinal {@code workload}. */
    public static long op(int workload, Session s) throws SQLException {
        return switch (workload) {
            case 0 -> preparedReused(s);
            case 1 -> preparedPerCall(s);
            case 2 -> newText(s);
            case 3 -> callsRoutine(s);
            default -> throw new IllegalArgumentException("no workload " + workload);
        };
    }

    // Each operation reads its rows in its own body rather than through a shared helper: whether the JIT inlines a
    // helper depends on whether it compiled the helper on its own first, which differs from variant to variant
    // (in one run, raw pgjdbc's copy had the read inlined and pgguard's called it), so it was one more difference
    // between the stacks compared that was not theirs.

    private static long preparedReused(Session s) throws SQLException {
        PreparedStatement ps = s.reused;
        ps.setInt(1, s.nextId());
        long acc = 0;
        try (ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
                acc += rs.getInt(1) + rs.getString(2).length();
            }
        }
        return found(acc);
    }

    private static long preparedPerCall(Session s) throws SQLException {
        long acc = 0;
        try (PreparedStatement ps = s.connection.prepareStatement(Workload.POINT_READ)) {
            ps.setInt(1, s.nextId());
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    acc += rs.getInt(1) + rs.getString(2).length();
                }
            }
        }
        return found(acc);
    }

    private static long newText(Session s) throws SQLException {
        String sql = "SELECT id, name FROM " + BenchServer.TABLE + " WHERE id = " + s.nextId() + " /* q"
                + s.nextSequence() + " */";
        long acc = 0;
        try (Statement st = s.connection.createStatement(); ResultSet rs = st.executeQuery(sql)) {
            while (rs.next()) {
                acc += rs.getInt(1) + rs.getString(2).length();
            }
        }
        return found(acc);
    }

    private static long callsRoutine(Session s) throws SQLException {
        long acc = 0;
        try (PreparedStatement ps = s.connection.prepareStatement(Workload.ROUTINE_READ)) {
            ps.setInt(1, s.nextId());
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    acc += rs.getInt(1) + rs.getString(2).length();
                }
            }
        }
        return found(acc);
    }

    private static long found(long acc) {
        if (acc == 0) {
            throw new IllegalStateException("the point read found no row");
        }
        return acc;
    }
}
