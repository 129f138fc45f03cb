package io.pgguard.frameworks;

import io.pgguard.GuardBlockedException;
import io.pgguard.testkit.PgDatabase;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

/** What a database holds, read through a raw pgjdbc connection (never through the guard under test). */
final class Schema {

    private Schema() {
    }

    /** The ordinary tables of schema {@code public}, by name. */
    static List<String> tables(PgDatabase db) throws SQLException {
        return strings(db, "SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY tablename");
    }

    /** The columns of {@code public.table} in their order. */
    static List<String> columns(PgDatabase db, String table) throws SQLException {
        return strings(db, "SELECT column_name FROM information_schema.columns WHERE table_schema = 'public' "
                + "AND table_name = '" + table + "' ORDER BY ordinal_position");
    }

    /** {@code information_schema.columns.data_type} and {@code is_nullable} of one column, e.g. {@code bigint NO}. */
    static String columnType(PgDatabase db, String table, String column) throws SQLException {
        List<String> r = strings(db, "SELECT data_type || ' ' || is_nullable FROM information_schema.columns "
                + "WHERE table_schema = 'public' AND table_name = '" + table + "' AND column_name = '" + column + "'");
        return r.isEmpty() ? null : r.get(0);
    }

    /** The first column of every row of a query, as text. */
    static List<String> strings(PgDatabase db, String sql) throws SQLException {
        try (Connection c = db.connect(); Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
            List<String> out = new ArrayList<>();
            while (rs.next()) {
                out.add(rs.getString(1));
            }
            return out;
        }
    }

    /** A single number a query returns. */
    static long count(PgDatabase db, String sql) throws SQLException {
        try (Connection c = db.connect(); PreparedStatement s = c.prepareStatement(sql); ResultSet rs = s.executeQuery()) {
            rs.next();
            return rs.getLong(1);
        }
    }

    /**
     * The {@link GuardBlockedException} a framework's exception carries somewhere in its causes; fails the test when
     * there is none or when it does not have pgguard's SQLState.
     */
    static GuardBlockedException guardBlock(Throwable e) {
        GuardBlockedException blocked = causeOfType(e, GuardBlockedException.class);
        assertNotNull(blocked, "not blocked by pgguard: " + e);
        assertEquals("42501", blocked.getSQLState());
        return blocked;
    }

    /** The first throwable of this type in the cause chain (suppressed exceptions included), or null. */
    static <T extends Throwable> T causeOfType(Throwable t, Class<T> type) {
        for (Throwable c = t; c != null; c = c.getCause()) {
            if (type.isInstance(c)) {
                return type.cast(c);
            }
            for (Throwable s : c.getSuppressed()) {
                T found = causeOfType(s, type);
                if (found != null) {
                    return found;
                }
            }
            if (c instanceof SQLException sql && sql.getNextException() != null && sql.getNextException() != c.getCause()) {
                T found = causeOfType(sql.getNextException(), type);
                if (found != null) {
                    return found;
                }
            }
        }
        return null;
    }
}
