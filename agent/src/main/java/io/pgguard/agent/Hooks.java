package io.pgguard.agent;

import java.sql.SQLException;
import java.sql.SQLNonTransientException;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The static methods the advice inlined into pgjdbc calls. Each finds the guard of the pgjdbc it was called from
 * (one per class loader, through {@link ClassValue}s that live and die with that loader's classes) and lets nothing
 * but a block escape. They touch as little memory as they can: a call comes right after the server ran on this CPU
 * and emptied its caches, so every object read costs a trip to memory. (The guard passes the SQL it runs itself,
 * on the connection it is setting up, without a thread-local here.)
 */
public final class Hooks {

    /** SQLState of a refusal, as of every pgguard block. */
    static final String REFUSED = "42501";

    private static volatile Properties options = new Properties();
    private static volatile boolean hookFailureBlocks = true;

    /** Failures already logged, by message, so that a broken hook is loud once, not once per statement. */
    private static final Set<String> REPORTED = ConcurrentHashMap.newKeySet();

    /** The guard of a pgjdbc class: the one of the loader that defined it, made the first time it is asked for. */
    private static final ClassValue<PgjdbcHooks> BY_CLASS = new ClassValue<>() {
        @Override
        protected PgjdbcHooks computeValue(Class<?> type) {
            try {
                Class<?> anchor = Class.forName("org.postgresql.Driver", false, type.getClassLoader());
                return BY_LOADER.get(anchor);
            } catch (ClassNotFoundException | LinkageError e) {
                return new Unguarded("pgjdbc's Driver class cannot be found beside " + type.getName() + ": " + e);
            }
        }
    };

    /** Keyed by pgjdbc's Driver class, so that there is one guard per pgjdbc copy. */
    private static final ClassValue<PgjdbcHooks> BY_LOADER = new ClassValue<>() {
        @Override
        protected PgjdbcHooks computeValue(Class<?> driver) {
            try {
                return CoreLoader.guardFor(driver.getClassLoader(), options);
            } catch (ReflectiveOperationException | RuntimeException | LinkageError e) {
                AgentLog.severe("pgguard agent: the guard cannot be loaded beside pgjdbc in " + driver.getClassLoader()
                        + (hookFailureBlocks ? "; its statements are refused (pgguard.agent.onHookFailure=block)"
                        : "; its statements pass unguarded (pgguard.agent.onHookFailure=warn)"), e);
                return new Unguarded("the guard cannot be loaded beside pgjdbc: " + e);
            }
        }
    };

    /**
     * The guard of the pgjdbc on the application class path, when there is one: comparing the loader reads less
     * memory than a {@link ClassValue} lookup. Only that loader, which lives as long as the JVM, is held here; other
     * copies (a web application's, which may be undeployed) go through {@link #BY_CLASS}.
     */
    private static volatile First first;

    private record First(ClassLoader loader, PgjdbcHooks hooks) {
    }

    private Hooks() {
    }

    private static PgjdbcHooks hooks(Class<?> pgjdbcClass) {
        First f = first;
        ClassLoader loader = pgjdbcClass.getClassLoader();
        if (f != null && f.loader == loader) {
            return f.hooks;
        }
        PgjdbcHooks h = BY_CLASS.get(pgjdbcClass);
        if (f == null && loader == ClassLoader.getSystemClassLoader()) {
            first = new First(loader, h);
        }
        return h;
    }

    static void configure(Properties agentOptions, boolean blockOnHookFailure) {
        options = agentOptions;
        hookFailureBlocks = blockOnHookFailure;
    }

    static boolean hookFailureBlocks() {
        return hookFailureBlocks;
    }

    public static Runnable execute(Object statement, Object connection, Object cachedQuery) throws SQLException {
        try {
            return hooks(statement.getClass()).execute(statement, connection, cachedQuery);
        } catch (SQLException e) {
            throw e;
        } catch (Throwable t) {
            return failed(t);
        }
    }

    public static void addBatch(Object statement, Object connection, String sql) throws SQLException {
        try {
            hooks(statement.getClass()).addBatch(statement, connection, sql);
        } catch (SQLException e) {
            throw e;
        } catch (Throwable t) {
            failed(t);
        }
    }

    public static Runnable executeBatch(Object statement, Object connection) throws SQLException {
        try {
            return hooks(statement.getClass()).executeBatch(statement, connection);
        } catch (SQLException e) {
            throw e;
        } catch (Throwable t) {
            return failed(t);
        }
    }

    public static void describe(Object statement, Object connection, Object cachedQuery) throws SQLException {
        try {
            hooks(statement.getClass()).describe(statement, connection, cachedQuery);
        } catch (SQLException e) {
            throw e;
        } catch (Throwable t) {
            failed(t);
        }
    }

    public static Runnable startCopy(Object queryExecutor, String sql) throws SQLException {
        try {
            return hooks(queryExecutor.getClass()).startCopy(queryExecutor, sql);
        } catch (SQLException e) {
            throw e;
        } catch (Throwable t) {
            return failed(t);
        }
    }

    public static void connected(Object connection) {
        try {
            hooks(connection.getClass()).connected(connection);
        } catch (Throwable t) {
            report("pgguard agent: a new connection could not be registered", t);
        }
    }

    /** The statement of a hook's {@link Runnable} ran without error. */
    public static void ran(Runnable after) {
        try {
            after.run();
        } catch (Throwable t) {
            report("pgguard agent: recording what a statement created failed", t);
        }
    }

    /** The statement of a hook's {@link Runnable} threw: an {@link PgjdbcHooks.After} is told. */
    public static void threw(Runnable after) {
        try {
            if (after instanceof PgjdbcHooks.After a) {
                a.failed();
            }
        } catch (Throwable t) {
            report("pgguard agent: restoring the session after a failed statement failed", t);
        }
    }

    /**
     * The guard failed in a way it did not handle itself (it turns its own errors into an unknown statement, which
     * the policy decides): the statement is refused or passes as {@code pgguard.agent.onHookFailure} says.
     */
    private static Runnable failed(Throwable t) throws SQLException {
        report("pgguard agent: the guard failed", t);
        if (hookFailureBlocks) {
            throw new SQLNonTransientException("pgguard agent: the guard failed (" + t
                    + ") and the statement was not sent (pgguard.agent.onHookFailure=block)", REFUSED);
        }
        return null;
    }

    static void report(String what, Throwable t) {
        if (REPORTED.size() < 100 && REPORTED.add(what + t.getClass().getName())) {
            AgentLog.severe(what, t);
        }
    }

    /** Stands in for a guard that could not be made: refuses or passes every statement, as configured. */
    private record Unguarded(String why) implements PgjdbcHooks {

        private Runnable refuse() throws SQLException {
            if (hookFailureBlocks) {
                throw new SQLNonTransientException("pgguard agent: " + why + "; the statement was not sent "
                        + "(pgguard.agent.onHookFailure=block)", REFUSED);
            }
            return null;
        }

        @Override
        public Runnable execute(Object statement, Object connection, Object cachedQuery) throws SQLException {
            return refuse();
        }

        @Override
        public void addBatch(Object statement, Object connection, String sql) throws SQLException {
            refuse();
        }

        @Override
        public Runnable executeBatch(Object statement, Object connection) throws SQLException {
            return refuse();
        }

        @Override
        public void describe(Object statement, Object connection, Object cachedQuery) throws SQLException {
            refuse();
        }

        @Override
        public void connected(Object connection) {
            // nothing to remember: every statement is refused or passes
        }

        @Override
        public Runnable startCopy(Object queryExecutor, String sql) throws SQLException {
            return refuse();
        }
    }
}
