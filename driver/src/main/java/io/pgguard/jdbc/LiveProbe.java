package io.pgguard.jdbc;

import io.pgguard.classify.LockMode;
import org.postgresql.core.BaseConnection;
import org.postgresql.core.TransactionState;

import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Asks the connected server what a static rule can only guess, for a non-local target, before a statement is sent:
 * the size of the table a warned statement locks, who holds a lock it would wait behind, the session's
 * {@code lock_timeout}; the bodies of the routines a statement calls ({@code pg_get_functiondef}); the type a column
 * has before a type change. It also sets {@code lock_timeout} around a statement ({@code pgguard.lockTimeout}).
 * Everything runs on the connection itself without changing its transaction state: in autocommit each question is
 * its own transaction; inside a transaction it runs under a savepoint, so a failure (a privilege) aborts nothing; in
 * a failed transaction nothing is asked. A question that fails is answered "cannot say" (null).
 */
final class LiveProbe {

    private static final String TABLE_SQL = """
            SELECT t.rows, t.bytes, pg_size_pretty(t.bytes), t.never_analysed, current_setting('lock_timeout'),
                   t.heap = 0, c.oid::regclass::text,
                   (SELECT string_agg(format('pid %s (%s, %s, transaction open %s)', a.pid,
                                             coalesce(nullif(a.application_name, ''), 'no application name'),
                                             coalesce(a.state, 'unknown state'),
                                             coalesce(date_trunc('second', now() - a.xact_start)::text, '-')),
                                      '; ' ORDER BY a.pid)
                    FROM (SELECT DISTINCT l.pid FROM pg_locks l
                          WHERE l.locktype = 'relation' AND l.relation = c.oid
                            AND l.pid <> pg_backend_pid() AND l.mode = ANY (?)) h
                    JOIN pg_stat_activity a ON a.pid = h.pid)
            FROM pg_class named
            JOIN pg_class c ON c.oid = coalesce((SELECT i.indrelid FROM pg_index i WHERE i.indexrelid = named.oid),
                                                named.oid)
            CROSS JOIN LATERAL (
                SELECT sum(greatest(p.reltuples, 0))::bigint AS rows,
                       sum(pg_total_relation_size(p.oid))::bigint AS bytes,
                       sum(pg_relation_size(p.oid)) AS heap,
                       bool_and(p.reltuples < 0) AS never_analysed
                FROM (SELECT c.oid AS relid WHERE c.relkind <> 'p'
                      UNION ALL SELECT relid FROM pg_partition_tree(c.oid) WHERE c.relkind = 'p') tree
                JOIN pg_class p ON p.oid = tree.relid) t
            WHERE named.oid = to_regclass(?)""";

    /**
     * The definitions of SQL and PL/pgSQL routines by name, outside the system's schemas; every overload; for an
     * aggregate, the functions it runs (transition, final, combine), under the aggregate's name.
     */
    private static final String ROUTINES_SQL = """
            SELECT p.proname, pg_get_functiondef(f.oid)
            FROM pg_proc p
            JOIN pg_namespace n ON n.oid = p.pronamespace
            LEFT JOIN pg_aggregate a ON a.aggfnoid = p.oid
            JOIN pg_proc f ON f.oid = p.oid AND p.prokind IN ('f', 'p')
                           OR f.oid IN (a.aggtransfn, a.aggfinalfn, a.aggcombinefn, a.aggmtransfn, a.aggminvtransfn,
                                        a.aggmfinalfn)
            JOIN pg_language l ON l.oid = f.prolang
            WHERE p.proname = ANY (?) AND l.lanname IN ('sql', 'plpgsql')
              AND n.nspname NOT IN ('pg_catalog', 'information_schema')""";

    private static final String COLUMN_SQL = """
            SELECT format_type(a.atttypid, a.atttypmod) FROM pg_attribute a
            WHERE a.attrelid = to_regclass(?) AND a.attnum > 0 AND NOT a.attisdropped AND a.attname = ?""";

    /**
     * Sets lock_timeout for the statement to come when the session's is 0 or longer, and says what it was (in
     * milliseconds, from pg_settings, which is what set_config takes back); nothing when the session's is shorter.
     */
    private static final String SET_LOCK_TIMEOUT_SQL = """
            SELECT b.setting, CASE WHEN b.setting::bigint = 0 OR b.setting::bigint > ?
                                   THEN set_config('lock_timeout', ?, ?) END
            FROM (SELECT setting FROM pg_settings WHERE name = 'lock_timeout' OFFSET 0) b""";

    private final Connection raw;
    /** The thread running one of the probe's questions: its statements are the guard's own, not the application's. */
    private volatile Thread asking;

    LiveProbe(Connection raw) {
        this.raw = raw;
    }

    /** What the server says of a table: for the warning, for pgguard.largeTable, and whether a lock on it is moot. */
    record TableFacts(long rows, long bytes, String summary, String text, boolean empty) {
    }

    /**
     * Whether the statement about to run is a transaction of its own (autocommit, no block open): the locks it takes
     * go when it ends, so a lock on an empty table is over at once.
     */
    boolean ownTransaction() {
        try {
            BaseConnection pg = raw.unwrap(BaseConnection.class);
            return pg.getTransactionState() == TransactionState.IDLE && raw.getAutoCommit();
        } catch (SQLException | RuntimeException e) {
            return false;
        }
    }

    /** Whether the current thread is running one of the probe's own statements. */
    boolean asking() {
        return asking == Thread.currentThread();
    }

    /**
     * What the server says of {@code table} (an index stands for its table, whose lock it is) for a statement taking
     * {@code lock}, or null when it cannot say. A partitioned table counts its partitions' rows and sizes.
     */
    TableFacts table(String table, LockMode lock) {
        return ask(() -> {
            try (PreparedStatement ps = raw.prepareStatement(TABLE_SQL)) {
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
                    long bytes = rs.getLong(2);
                    StringBuilder sb = new StringBuilder(rs.getString(7)).append(": ")
                            .append(rs.getBoolean(4) ? "never analysed"
                                    : String.format(Locale.ROOT, "about %,d rows", rows))
                            .append(", ").append(rs.getString(3));
                    String summary = sb.toString();
                    if ("0".equals(rs.getString(5)) && lock.compareTo(LockMode.SHARE) >= 0) {
                        sb.append("; lock_timeout is 0, so it would wait for its lock without limit, and every "
                                + "query on the table behind it");
                    }
                    String holders = rs.getString(8);
                    if (holders != null) {
                        sb.append("; it would wait behind ").append(holders);
                    }
                    return new TableFacts(rows, bytes, summary, sb.toString(), rs.getBoolean(6) && holders == null);
                }
            }
        });
    }

    /**
     * The definitions ({@code CREATE OR REPLACE FUNCTION ...}) of the SQL and PL/pgSQL routines of these names, by
     * name; a name without one maps to an empty list. Null when the server cannot say.
     */
    Map<String, List<String>> routines(Collection<String> names) {
        return ask(() -> {
            Map<String, List<String>> out = new HashMap<>();
            for (String n : names) {
                out.put(n, new ArrayList<>(1));
            }
            try (PreparedStatement ps = raw.prepareStatement(ROUTINES_SQL)) {
                ps.setArray(1, raw.createArrayOf("text", names.toArray()));
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        out.computeIfAbsent(rs.getString(1), k -> new ArrayList<>(1)).add(rs.getString(2));
                    }
                }
            }
            return out;
        });
    }

    /**
     * The types the columns have now ({@code format_type}), for keys {@code table + '\u0000' + column} as written;
     * a column the server does not know is left out. Null when the server cannot say.
     */
    Map<String, String> columnTypes(Collection<String> columns) {
        return ask(() -> {
            Map<String, String> out = new HashMap<>();
            try (PreparedStatement ps = raw.prepareStatement(COLUMN_SQL)) {
                for (String key : columns) {
                    int cut = key.indexOf('\u0000');
                    ps.setString(1, key.substring(0, cut));
                    ps.setString(2, attname(key.substring(cut + 1)));
                    try (ResultSet rs = ps.executeQuery()) {
                        if (rs.next()) {
                            out.put(key, rs.getString(1));
                        }
                    }
                }
            }
            return out;
        });
    }

    /** A column name as written, as the catalog holds it: unquoted and folded to lower case, or quoted as is. */
    private static String attname(String written) {
        if (written.length() >= 2 && written.startsWith("\"") && written.endsWith("\"")) {
            return written.substring(1, written.length() - 1).replace("\"\"", "\"");
        }
        return written.toLowerCase(Locale.ROOT);
    }

    /**
     * Sets lock_timeout to {@code ms} for the statement about to be sent, unless the session's is shorter already.
     * Returns the session's value to restore afterwards, or null when nothing was changed. Inside a transaction
     * block, or outside autocommit (where the statement begins one), it is set for the transaction only
     * ({@code set_config(..., true)}): the transaction's end puts the session's value back whatever happens, and an
     * application's own {@code SET LOCAL} is what comes back after the statement.
     */
    String setLockTimeout(long ms) {
        return ask(() -> {
            try (PreparedStatement ps = raw.prepareStatement(SET_LOCK_TIMEOUT_SQL)) {
                ps.setLong(1, ms);
                ps.setString(2, ms + "ms");
                ps.setBoolean(3, transactionOnly());
                try (ResultSet rs = ps.executeQuery()) {
                    return rs.next() && rs.getString(2) != null ? rs.getString(1) : null;
                }
            }
        }, true);
    }

    /**
     * Puts lock_timeout back as it was before {@link #setLockTimeout}. In a failed transaction nothing can run, and
     * nothing needs to: the change was made in it, and rolling it (or its savepoint) back undoes the change.
     */
    void restoreLockTimeout(String previous) {
        ask(() -> {
            try (PreparedStatement ps = raw.prepareStatement("SELECT set_config('lock_timeout', ?, ?)")) {
                ps.setString(1, previous);
                ps.setBoolean(2, transactionOnly());
                ps.executeQuery().close();
            }
            return Boolean.TRUE;
        }, true);
    }

    /** Whether a setting made now lasts only as long as a transaction: one is open, or the next query begins one. */
    private boolean transactionOnly() throws SQLException {
        BaseConnection pg = raw.unwrap(BaseConnection.class);
        return pg.getTransactionState() != TransactionState.IDLE || !raw.getAutoCommit();
    }

    private interface Question<T> {
        T ask() throws SQLException;
    }

    /** A question that leaves no trace: no transaction begun, none aborted. */
    private <T> T ask(Question<T> question) {
        return ask(question, false);
    }

    /**
     * Runs a question without changing the connection's transaction state; null when it cannot (a failed
     * transaction, no pgjdbc connection underneath) or when it fails. What pgjdbc says of the transaction decides,
     * not the autocommit mode (a {@code BEGIN} the application sent opens one in autocommit too): inside one, the
     * question runs under a savepoint, so its failure aborts nothing; outside one, it is a transaction of its own,
     * also outside autocommit (where pgjdbc would otherwise begin the application's transaction with it), unless
     * {@code joinTransaction}: a question about the statement about to run, which begins that transaction anyway.
     */
    private <T> T ask(Question<T> question, boolean joinTransaction) {
        Thread before = asking;
        asking = Thread.currentThread();
        boolean marked = mark(true);
        boolean toggled = false;
        try {
            BaseConnection pg = raw.isWrapperFor(BaseConnection.class) ? raw.unwrap(BaseConnection.class) : null;
            if (pg == null) {
                return null;
            }
            TransactionState state = pg.getTransactionState();
            if (state == TransactionState.FAILED) {
                return null;
            }
            boolean open = state == TransactionState.OPEN;
            if (!open && !joinTransaction && !raw.getAutoCommit()) {
                raw.setAutoCommit(true);
                toggled = true;
            }
            try (Statement s = open ? raw.createStatement() : null) {
                if (s != null) {
                    s.execute("SAVEPOINT pgguard_probe");
                }
                try {
                    T out = question.ask();
                    if (s != null) {
                        s.execute("RELEASE SAVEPOINT pgguard_probe");
                    }
                    return out;
                } catch (SQLException e) {
                    if (s != null) {
                        s.execute("ROLLBACK TO SAVEPOINT pgguard_probe");
                        s.execute("RELEASE SAVEPOINT pgguard_probe");
                    }
                    return null;
                }
            }
        } catch (SQLException | RuntimeException e) {
            return null;
        } finally {
            if (toggled) {
                try {
                    raw.setAutoCommit(false);
                } catch (SQLException e) {
                    // the connection is gone: the application's next call says so
                }
            }
            if (marked) {
                mark(false);
            }
            asking = before;
        }
    }

    /** Whether the application's {@link Decided} can be marked: under the agent it may be an older pgguard's. */
    private static volatile boolean canMark = true;

    /**
     * Marks the thread (or unmarks it) as running SQL the guard decided, so that an agent in the same JVM lets the
     * question pass; the agent's own guard knows its questions by {@link #asking()}.
     */
    private static boolean mark(boolean enter) {
        if (!canMark) {
            return false;
        }
        try {
            if (enter) {
                Decided.enter();
            } else {
                Decided.exit();
            }
            return true;
        } catch (LinkageError olderPgguard) {
            canMark = false;
            return false;
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
