package io.pgguard.jdbc;

import io.pgguard.GuardBlockedException;
import io.pgguard.agent.PgjdbcHooks;
import io.pgguard.agent.PgjdbcHooks.After;
import io.pgguard.classify.Risk;
import io.pgguard.policy.Action;
import io.pgguard.policy.GuardConfig;
import io.pgguard.policy.Verdict;
import org.postgresql.core.BaseConnection;
import org.postgresql.core.CachedQuery;
import org.postgresql.core.Query;
import org.postgresql.core.QueryExecutor;
import org.postgresql.core.TransactionState;
import org.postgresql.jdbc.PgStatement;

import java.lang.ref.ReferenceQueue;
import java.lang.ref.WeakReference;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.sql.SQLException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The agent's guard beside one copy of pgjdbc (loaded by the agent into a child of pgjdbc's class loader): the same
 * {@link Enforcer}, made by the same {@link ConnectionSetup}, as the wrapping driver's, one per physical connection,
 * keyed by pgjdbc's query executor so that a COPY finds it too. Statements the application's own {@code jdbc:pgguard:}
 * wrapper already decided pass ({@link Decided}).
 */
public final class PgjdbcGuard implements PgjdbcHooks {

    private static final GuardLog LOG = GuardLog.named("io.pgguard.agent");

    /**
     * Whether {@link Decided} is the application's own (it has pgguard's driver, whose wrappers set it); when it is
     * this guard's copy nothing ever sets it, and the hot path does not read a thread-local for nothing.
     */
    private static final boolean WRAPPERS = Decided.class.getClassLoader() != PgjdbcGuard.class.getClassLoader();

    /** The connection this thread is setting up: the guard's own query on it (pgguard.protect) passes. */
    private static final ThreadLocal<Object> OPENING = new ThreadLocal<>();

    private final Properties agentOptions;
    private final Sessions sessions = new Sessions();

    /**
     * pgjdbc's package-private parts the hooks read: a query key's SQL, a prepared statement's query, a statement's
     * batch. Static and final, so the JIT reads them as plain fields (each loader has its own copy of this class).
     */
    private static final Class<?> QUERY_KEY;
    private static final VarHandle KEY_SQL;
    private static final Class<?> PREPARED_STATEMENT;
    private static final VarHandle PREPARED_QUERY;
    private static final VarHandle BATCH_STATEMENTS;
    /** Why they could not be read, or null. */
    private static final ReflectiveOperationException MISSING;

    static {
        Class<?> key = null;
        VarHandle sql = null;
        Class<?> prepared = null;
        VarHandle query = null;
        VarHandle batch = null;
        ReflectiveOperationException missing = null;
        try {
            key = Class.forName("org.postgresql.core.BaseQueryKey");
            sql = MethodHandles.privateLookupIn(key, MethodHandles.lookup()).findVarHandle(key, "sql", String.class);
            prepared = Class.forName("org.postgresql.jdbc.PgPreparedStatement");
            query = MethodHandles.privateLookupIn(prepared, MethodHandles.lookup())
                    .findVarHandle(prepared, "preparedQuery", CachedQuery.class);
            batch = MethodHandles.privateLookupIn(PgStatement.class, MethodHandles.lookup())
                    .findVarHandle(PgStatement.class, "batchStatements", java.util.ArrayList.class);
            CachedQuery.class.getField("key");
        } catch (ReflectiveOperationException e) {
            missing = e;
        }
        QUERY_KEY = key;
        KEY_SQL = sql;
        PREPARED_STATEMENT = prepared;
        PREPARED_QUERY = query;
        BATCH_STATEMENTS = batch;
        MISSING = missing;
    }

    /** One physical connection's guard, and the autocommit mode it last saw. */
    private static final class Session {
        final Enforcer enforcer;
        volatile boolean autoCommit = true;

        Session(Enforcer enforcer) {
            this.enforcer = enforcer;
        }
    }

    public PgjdbcGuard(Properties agentOptions) throws ReflectiveOperationException {
        this.agentOptions = agentOptions;
        // what the hooks read of pgjdbc, checked now, where a missing member fails loading the guard (the agent's
        // hook-failure setting then decides), not a statement
        if (MISSING != null) {
            throw MISSING;
        }
        if (WRAPPERS) {
            try {
                Decided.watch();
            } catch (LinkageError older) {
                // the application's pgguard predates watch(): its wrappers mark every statement anyway
            }
        }
        LOG.info("pgguard agent: guarding pgjdbc " + org.postgresql.util.DriverInfo.DRIVER_VERSION + " in "
                + PgStatement.class.getClassLoader());
    }

    @Override
    public Runnable execute(Object statement, Object connection, Object cachedQuery) throws SQLException {
        if (WRAPPERS && Decided.byWrapper()) {
            return null;
        }
        return check(session((BaseConnection) connection), sqlOf(cachedQuery));
    }

    @Override
    public void addBatch(Object statement, Object connection, String sql) throws SQLException {
        if (WRAPPERS && Decided.byWrapper()) {
            return;
        }
        Session s = session((BaseConnection) connection);
        Verdict v = s == null || s.enforcer.asking() ? null : decide(s, sql);
        if (v == null) {
            return;
        }
        if (v.readsBackslashes() && earlierItemsChangeStrings(s, statement)) {
            // an item already in the batch changes how the server reads strings when the batch runs
            v = s.enforcer.decideUnsure(sql);
        }
        s.enforcer.batched(s.enforcer.enforce(v));
    }

    @Override
    public Runnable executeBatch(Object statement, Object connection) throws SQLException {
        if (WRAPPERS && Decided.byWrapper() || !PREPARED_STATEMENT.isInstance(statement)) {
            return null;
        }
        return check(session((BaseConnection) connection), sqlOf(PREPARED_QUERY.get(statement)));
    }

    @Override
    public void describe(Object statement, Object connection, Object cachedQuery) throws SQLException {
        if (WRAPPERS && Decided.byWrapper()) {
            return;
        }
        Session s = session((BaseConnection) connection);
        Verdict v = s == null || s.enforcer.asking() ? null : decide(s, sqlOf(cachedQuery));
        if (v != null) {
            s.enforcer.enforce(v);
        }
    }

    @Override
    public void connected(Object connection) {
        BaseConnection c = (BaseConnection) connection;
        sessions.expunge();
        sessions.connections.put(new Sessions.Key(c.getQueryExecutor(), sessions.gone), new WeakReference<>(c));
    }

    @Override
    public Runnable startCopy(Object queryExecutor, String sql) throws SQLException {
        if (WRAPPERS && Decided.byWrapper()) {
            return null;
        }
        Session s = sessions.get(queryExecutor);
        if (s == null) {
            WeakReference<BaseConnection> made = sessions.connections.get(new Sessions.Lookup(queryExecutor));
            BaseConnection connection = made == null ? null : made.get();
            s = connection != null ? session(connection) : copyFirst((QueryExecutor) queryExecutor);
        }
        return check(s, sql);
    }

    private Runnable check(Session s, String sql) throws GuardBlockedException {
        if (s == null || s.enforcer.asking()) {
            return null;
        }
        Verdict v = decide(s, sql);
        Verdict toRecord = v == null ? null : s.enforcer.admit(v);
        if (toRecord == null) {
            return null;
        }
        return new Ran(s.enforcer, toRecord);
    }

    /** Once the statement ends: what it created counts, or, when it threw, only lock_timeout goes back. */
    private record Ran(Enforcer enforcer, Verdict verdict) implements After {
        @Override
        public void run() {
            enforcer.ran(verdict);
        }

        @Override
        public void failed() {
            enforcer.failed();
        }
    }

    /**
     * The verdict on {@code sql}. A failure of pgguard's own (a bug) is what an unreadable statement is: unknown,
     * for the policy to decide; it never reaches the application as anything but a block. Null: it passes.
     */
    private Verdict decide(Session s, String sql) throws GuardBlockedException {
        try {
            return s.enforcer.decide(sql);
        } catch (RuntimeException | StackOverflowError e) {
            Action action = s.enforcer.guard().policy().actionFor(Risk.UNKNOWN, s.enforcer.target());
            LOG.warn("pgguard agent: the guard failed on a statement (" + e + "); it is unknown, and "
                    + action.name().toLowerCase(java.util.Locale.ROOT) + "ed");
            if (action == Action.BLOCK) {
                throw new GuardBlockedException("pgguard blocked a statement it could not read (internal error: "
                        + e.getClass().getSimpleName() + ") against " + s.enforcer.target().description()
                        + ". Nothing was sent to the server.", "unreadable-sql", Risk.UNKNOWN.id(), "");
            }
            return null;
        }
    }

    /** The session of a connection, made the first time a statement of it is seen; follows its transactions. */
    /**
     * The session of a connection, made the first time a statement of it is seen; follows its transactions. Null
     * for the guard's own statement on a connection it is setting up, which passes.
     */
    private Session session(BaseConnection connection) throws SQLException {
        QueryExecutor executor = connection.getQueryExecutor();
        Session s = sessions.get(executor);
        if (s == null) {
            if (OPENING.get() == executor) {
                return null;
            }
            OPENING.set(executor);
            try {
                s = sessions.putIfAbsent(executor, open(connection));
            } finally {
                OPENING.remove();
            }
        }
        boolean autoCommit = connection.getAutoCommit();
        if (autoCommit != s.autoCommit) {
            s.autoCommit = autoCommit;
            s.enforcer.autoCommit(autoCommit);
        } else if (s.enforcer.hasNewRelations() && executor.getTransactionState() == TransactionState.IDLE) {
            // no transaction is open: whatever the last one created is committed (or gone) by now
            s.enforcer.transactionEnded();
        }
        return s;
    }

    /** As {@code GuardDataSource} does for a pool's connection: its URL's settings, the host it connected to. */
    private Session open(BaseConnection connection) throws SQLException {
        Map<String, String> settings = new LinkedHashMap<>();
        String pgUrl = GuardConfig.settingsFromUrl(connection.getMetaData().getURL(), settings);
        GuardConfig config = config(settings, pgUrl);
        Enforcer enforcer = ConnectionSetup.forConnection(connection, pgUrl, new Properties(), config,
                Locality.connectedHost(connection, pgUrl));
        return new Session(enforcer);
    }

    /**
     * The first thing a connection does under the agent is a COPY (the agent attached late): pgjdbc's executor does
     * not know its connection's URL, so the host it connected to and the process's settings decide.
     */
    private Session copyFirst(QueryExecutor executor) throws SQLException {
        String host = executor.getHostSpec().getHost();
        String pgUrl = "jdbc:postgresql://" + (host.indexOf(':') >= 0 ? "[" + host + "]" : host) + ":"
                + executor.getHostSpec().getPort() + "/" + executor.getDatabase();
        GuardConfig config = config(new LinkedHashMap<>(), pgUrl);
        Enforcer enforcer = ConnectionSetup.forExecutor(executor, pgUrl, config);
        return sessions.putIfAbsent(executor, new Session(enforcer));
    }

    /**
     * The settings of a connection: its URL's, then the system properties, then the agent's options (which stand
     * with the system properties, below any {@code -D} of the same key), then the environment and the file. A
     * mistake in them cannot fail a connection the application makes without knowing of pgguard: it is logged and
     * the target is treated as production under the default policy.
     */
    private GuardConfig config(Map<String, String> settings, String pgUrl) throws SQLException {
        Properties system = new Properties();
        system.putAll(agentOptions);
        Properties jvm = System.getProperties();
        for (String name : jvm.stringPropertyNames()) {
            system.setProperty(name, jvm.getProperty(name));
        }
        try {
            return ConnectionSetup.config(settings, system);
        } catch (SQLException e) {
            LOG.warn(e.getMessage() + "; the connection is treated as production under the default policy");
            try {
                return GuardConfig.load(Map.of(GuardConfig.PREFIX + "environment", "production"), new Properties(),
                        Map.of());
            } catch (GuardConfig.ConfigException impossible) {
                throw new IllegalStateException(impossible);
            }
        }
    }

    /** Whether a string already in the statement's batch changes how the server reads strings. */
    private boolean earlierItemsChangeStrings(Session s, Object statement) {
        try {
            @SuppressWarnings("unchecked")
            List<Query> items = (List<Query>) BATCH_STATEMENTS.get(statement);
            if (items == null) {
                return false;
            }
            for (Query q : items) {
                if (s.enforcer.guard().check(q.toString()).changesStringReading()) {
                    return true;
                }
            }
            return false;
        } catch (RuntimeException e) {
            return true;
        }
    }

    /** The SQL the application gave pgjdbc, as the wrapping driver sees it (not pgjdbc's $n rewrite of it). */
    private static String sqlOf(Object cachedQuery) {
        Object key = ((CachedQuery) cachedQuery).key;
        if (key instanceof String s) {
            return s;
        }
        if (QUERY_KEY.isInstance(key)) {
            return (String) KEY_SQL.get(key);
        }
        return ((CachedQuery) cachedQuery).query.toString();
    }

    /**
     * Sessions by pgjdbc query executor, held weakly: a closed connection's session goes with it; and the connections
     * made since the agent was installed, by executor, until their first statement.
     */
    private static final class Sessions {
        private final ConcurrentHashMap<Object, Session> map = new ConcurrentHashMap<>();
        final ConcurrentHashMap<Object, WeakReference<BaseConnection>> connections = new ConcurrentHashMap<>();
        final ReferenceQueue<Object> gone = new ReferenceQueue<>();

        Session get(Object executor) {
            return map.get(new Lookup(executor));
        }

        /** Forgets what belonged to connections that are gone (each key lives in one of the maps). */
        void expunge() {
            for (Object ref; (ref = gone.poll()) != null; ) {
                map.remove(ref);
                connections.remove(ref);
            }
        }

        /** Adds the session unless one is there already; returns the one that is. */
        Session putIfAbsent(Object executor, Session s) {
            expunge();
            connections.remove(new Lookup(executor));
            Session before = map.putIfAbsent(new Key(executor, gone), s);
            return before == null ? s : before;
        }

        private static final class Key extends WeakReference<Object> {
            private final int hash;

            Key(Object referent, ReferenceQueue<Object> queue) {
                super(referent, queue);
                hash = System.identityHashCode(referent);
            }

            @Override
            public int hashCode() {
                return hash;
            }

            @Override
            public boolean equals(Object o) {
                if (this == o) {
                    return true;
                }
                if (o instanceof Key k) {
                    Object mine = get();
                    return mine != null && mine == k.get();
                }
                return o instanceof Lookup l && get() == l.referent;
            }
        }

        private record Lookup(Object referent) {
            @Override
            public int hashCode() {
                return System.identityHashCode(referent);
            }

            @Override
            public boolean equals(Object o) {
                return o instanceof Key k && k.get() == referent;
            }
        }
    }
}
