package io.pgguard.agent;

import java.sql.SQLException;

/**
 * What the advice inlined into pgjdbc asks of the guard: one implementation per class loader that holds pgjdbc,
 * loaded beside it so that it links against that pgjdbc and that application's SLF4J. Arguments are pgjdbc's own
 * objects, typed {@code Object} because this side cannot name pgjdbc's classes. A method returns a {@link Runnable}
 * to run once the statement has run without error (what it created counts from then on), or null; an
 * {@link After} is also told when it threw (a lock_timeout set for it goes back); it throws only
 * {@code GuardBlockedException}.
 */
public interface PgjdbcHooks {

    /** What a hook's {@link Runnable} may also do: the statement threw instead of running to the end. */
    interface After extends Runnable {
        void failed();
    }

    /** {@code PgStatement.execute(CachedQuery, ParameterList, int)}: every single execution, in every query mode. */
    Runnable execute(Object statement, Object connection, Object cachedQuery) throws SQLException;

    /** {@code PgStatement.addBatch(String)}: a string joins a batch, decided now as the wrapping driver does. */
    void addBatch(Object statement, Object connection, String sql) throws SQLException;

    /** A batch is about to run: a prepared statement's batch is decided here (a plain one was, item by item). */
    Runnable executeBatch(Object statement, Object connection) throws SQLException;

    /** {@code getMetaData()} or {@code getParameterMetaData()} of a prepared statement sends it to be described. */
    void describe(Object statement, Object connection, Object cachedQuery) throws SQLException;

    /** A {@code PgConnection} was made: remembered, so that a COPY that comes first finds its settings. */
    void connected(Object connection);

    /** {@code QueryExecutorImpl.startCopy(String, boolean)}: every COPY through {@code CopyManager}. */
    Runnable startCopy(Object queryExecutor, String sql) throws SQLException;
}
