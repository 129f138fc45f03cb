package io.pgguard.agent;

import net.bytebuddy.asm.Advice;

import java.sql.SQLNonTransientException;

/**
 * The advice inlined into pgjdbc's methods. Each only passes pgjdbc's own objects to {@link Hooks}, which does the
 * work in one place; an exit runs what a statement created into the guard's memory once it ran without error.
 */
final class Advices {

    private Advices() {
    }

    /** {@code PgStatement.execute(CachedQuery, ParameterList, int)}: its internal retry runs inside, decided once. */
    static final class Execute {
        @Advice.OnMethodEnter
        static Runnable enter(@Advice.This Object statement, @Advice.FieldValue("connection") Object connection,
                              @Advice.Argument(0) Object cachedQuery) throws Exception {
            return Hooks.execute(statement, connection, cachedQuery);
        }

        @Advice.OnMethodExit(onThrowable = Throwable.class)
        static void exit(@Advice.Enter Runnable after, @Advice.Thrown Throwable thrown) {
            if (after != null) {
                if (thrown == null) {
                    Hooks.ran(after);
                } else {
                    Hooks.threw(after);
                }
            }
        }
    }

    /** {@code PgStatement.addBatch(String)}. */
    static final class AddBatch {
        @Advice.OnMethodEnter
        static void enter(@Advice.This Object statement, @Advice.FieldValue("connection") Object connection,
                          @Advice.Argument(0) String sql) throws Exception {
            Hooks.addBatch(statement, connection, sql);
        }
    }

    /** {@code PgStatement.internalExecuteBatch()} (or, before pgjdbc 42.2.9, {@code executeBatch()}). */
    static final class ExecuteBatch {
        @Advice.OnMethodEnter
        static Runnable enter(@Advice.This Object statement, @Advice.FieldValue("connection") Object connection)
                throws Exception {
            return Hooks.executeBatch(statement, connection);
        }

        @Advice.OnMethodExit(onThrowable = Throwable.class)
        static void exit(@Advice.Enter Runnable after, @Advice.Thrown Throwable thrown) {
            if (after != null) {
                if (thrown == null) {
                    Hooks.ran(after);
                } else {
                    Hooks.threw(after);
                }
            }
        }
    }

    /** {@code PgPreparedStatement.getMetaData()} and {@code getParameterMetaData()}: describing sends the SQL. */
    static final class Describe {
        @Advice.OnMethodEnter
        static void enter(@Advice.This Object statement, @Advice.FieldValue("connection") Object connection,
                          @Advice.FieldValue("preparedQuery") Object cachedQuery) throws Exception {
            Hooks.describe(statement, connection, cachedQuery);
        }
    }

    /** {@code PgConnection}'s constructors, once the connection is made. */
    static final class Connected {
        @Advice.OnMethodExit
        static void exit(@Advice.This Object connection) {
            Hooks.connected(connection);
        }
    }

    /** {@code QueryExecutorImpl.startCopy(String, boolean)}: every {@code CopyManager} operation. */
    static final class StartCopy {
        @Advice.OnMethodEnter
        static Runnable enter(@Advice.This Object executor, @Advice.Argument(0) String sql) throws Exception {
            return Hooks.startCopy(executor, sql);
        }

        @Advice.OnMethodExit(onThrowable = Throwable.class)
        static void exit(@Advice.Enter Runnable after, @Advice.Thrown Throwable thrown) {
            if (after != null) {
                if (thrown == null) {
                    Hooks.ran(after);
                } else {
                    Hooks.threw(after);
                }
            }
        }
    }

    /**
     * Where a hook cannot be applied and {@code pgguard.agent.onHookFailure=block}: the path refuses every call. Only
     * JDK classes, since the agent's own may be out of the application's sight.
     */
    static final class Refuse {
        @Advice.OnMethodEnter
        static void enter() throws Exception {
            if (Boolean.TRUE.booleanValue()) {
                throw new SQLNonTransientException("pgguard agent: this pgjdbc call could not be guarded (see the "
                        + "agent's SEVERE log line at start-up) and pgguard.agent.onHookFailure=block: nothing was "
                        + "sent to the server", "42501");
            }
        }
    }
}
