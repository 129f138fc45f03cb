package io.pgguard.jdbc;

import io.pgguard.classify.LockMode;
import org.postgresql.core.BaseConnection;
import org.postgresql.core.TransactionState;

import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Savepoint;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Asks the connected server about the table a warned, lock-taking statement acts on, before the statement is sent:
 * its size, whether the session's lock_timeout is 0 (for a lock that blocks writes), and the sessions holding a lock
 * it would queue behind. Runs once per warning (a warning is logged once
 * per fingerprint per connection), never on the hot path, on the connection itself without changing its transaction
 * state: in autocommit it is its own transaction; inside a transaction it runs under a savepoint, so a failure
 * (a privilege) aborts nothing; in a failed transaction it does not run.
 */
final class TableProbe {

    private static final String SQL = """
            SELECT c.reltuples::bigint, pg_size_pretty(pg_total_relation_size(c.oid)),
                   current_setting('lock_timeout'),
                   (SELECT string_agg(format('pid %s (%s, %s, transaction open %s)', a.pid,
                                             coalesce(nullif(a.application_name, ''), 'no application name'),
                                             coalesce(a.state, 'unknown state'),
                                             coalesce(date_trunc('second', now() - a.xact_start)::text, '-')),
                                      '; ' ORDER BY a.pid)
                    FROM (SELECT DISTINCT l.pid FROM pg_locks l
                          WHERE l.locktype = 'relation' AND l.relation = c.oid AND l.granted
                            AND l.pid <> pg_backend_pid() AND l.mode = ANY (?)) h
                    JOIN pg_stat_activity a ON a.pid = h.pid)
            FROM pg_class c WHERE c.oid = to_regclass(?)""";

    private final Connection raw;

    TableProbe(Connection raw) {
        this.raw = raw;
    }

    /** What the server says of {@code table} for a statement taking {@code lock}, or null when it cannot say. */
    String describe(String table, LockMode lock) {
        try {
            BaseConnection pg = raw.isWrapperFor(BaseConnection.class) ? raw.unwrap(BaseConnection.class) : null;
            if (pg == null || pg.getTransactionState() == TransactionState.FAILED) {
                return null;
            }
            boolean inTransaction = !raw.getAutoCommit();
            Savepoint sp = inTransaction ? raw.setSavepoint() : null;
            try {
                String out = query(table, lock);
                if (sp != null) {
                    raw.releaseSavepoint(sp);
                }
                return out;
            } catch (SQLException e) {
                if (sp != null) {
                    raw.rollback(sp);
                }
                return null;
            }
        } catch (SQLException | RuntimeException e) {
            return null;
        }
    }

    private String query(String table, LockMode lock) throws SQLException {
        try (PreparedStatement ps = raw.prepareStatement(SQL)) {
            List<String> modes = new ArrayList<>();
            for (LockMode m : conflicting(lock)) {
                modes.add(m.pgName());
            }
            Array array = raw.createArrayOf("text", modes.toArray());
            ps.setArray(1, array);
            ps.setString(2, table);
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next()) {
                    return null;
                }
                long rows = rs.getLong(1);
                StringBuilder sb = new StringBuilder(table).append(": ")
                        .append(rows < 0 ? "never analysed" : String.format(Locale.ROOT, "about %,d rows", rows))
                        .append(", ").append(rs.getString(2));
                if ("0".equals(rs.getString(3)) && lock.compareTo(LockMode.SHARE) >= 0) {
                    sb.append("; lock_timeout is 0, so it would wait for its lock without limit, and every query "
                            + "on the table behind it");
                }
                String holders = rs.getString(4);
                if (holders != null) {
                    sb.append("; it would wait behind ").append(holders);
                }
                return sb.toString();
            }
        }
    }

    /** The modes that conflict with {@code mode}, as PostgreSQL's table of lock conflicts says. */
    static List<LockMode> conflicting(LockMode mode) {
        List<LockMode> out = new ArrayList<>();
        for (LockMode other : LockMode.values()) {
            if (conflict(mode, other)) {
                out.add(other);
            }
        }
        return out;
    }

    private static boolean conflict(LockMode a, LockMode b) {
        int x = Math.min(a.ordinal(), b.ordinal());
        int y = Math.max(a.ordinal(), b.ordinal());
        LockMode weak = LockMode.values()[x];
        LockMode strong = LockMode.values()[y];
        return switch (weak) {
            case ACCESS_SHARE -> strong == LockMode.ACCESS_EXCLUSIVE;
            case ROW_SHARE -> strong.compareTo(LockMode.EXCLUSIVE) >= 0;
            case ROW_EXCLUSIVE -> strong.compareTo(LockMode.SHARE) >= 0;
            case SHARE_UPDATE_EXCLUSIVE -> strong.compareTo(LockMode.SHARE_UPDATE_EXCLUSIVE) >= 0;
            case SHARE -> strong != LockMode.SHARE;
            default -> true;
        };
    }
}
