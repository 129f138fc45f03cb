package io.pgguard.testkit;

import java.sql.Connection;
import java.sql.SQLException;

import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolutionException;
import org.junit.jupiter.api.extension.ParameterResolver;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * JUnit 5 extension giving tests a real PostgreSQL (see {@link TestDatabase} for where it comes from).
 *
 * <p>Use {@code @ExtendWith(PostgresExtension.class)} or {@link PostgresTest @PostgresTest} on the class; then
 * test methods, lifecycle methods and constructors may declare parameters of these types:
 * <ul>
 *   <li>{@link TestDatabase}: the server shared by the whole JVM;</li>
 *   <li>{@link PgDatabase}: a fresh, empty database made for this test class (named after it, created on first
 *       use, dropped after the class unless {@code -Dpgguard.test.keepDatabases=true}); every test of the class
 *       gets the same one;</li>
 *   <li>{@link Connection}: a new connection to that database, closed after the test (or after the class when
 *       injected into {@code @BeforeAll}).</li>
 * </ul>
 *
 * <pre>{@code
 * @PostgresTest
 * class LockTraceIT {
 *     @Test
 *     void addColumnTakesAccessExclusive(PgDatabase db, Connection c) throws Exception {
 *         c.createStatement().execute("create table t(id int)");
 *         try (Connection simple = db.connect("preferQueryMode", "simple")) { ... }
 *     }
 * }
 * }</pre>
 */
public final class PostgresExtension implements BeforeAllCallback, ParameterResolver {

    private static final Logger LOG = LoggerFactory.getLogger(PostgresExtension.class);
    private static final ExtensionContext.Namespace NS = ExtensionContext.Namespace.create(PostgresExtension.class);

    @Override
    public void beforeAll(ExtensionContext context) {
        TestDatabase.get(); // start (or find) the server before the first test, so failures show early
    }

    @Override
    public boolean supportsParameter(ParameterContext parameterContext, ExtensionContext extensionContext) {
        Class<?> type = parameterContext.getParameter().getType();
        return type == TestDatabase.class || type == PgDatabase.class || type == Connection.class;
    }

    @Override
    public Object resolveParameter(ParameterContext parameterContext, ExtensionContext context) {
        Class<?> type = parameterContext.getParameter().getType();
        if (type == TestDatabase.class) {
            return TestDatabase.get();
        }
        PgDatabase db = classDatabase(context);
        if (type == PgDatabase.class) {
            return db;
        }
        try {
            Connection c = db.connect();
            context.getStore(NS).put(new Object(), new ClosingConnection(c));
            return c;
        } catch (SQLException e) {
            throw new ParameterResolutionException("could not connect to " + db, e);
        }
    }

    /** The database of the test class of this context, created on first use. */
    public static PgDatabase classDatabase(ExtensionContext context) {
        ExtensionContext classContext = context;
        while (classContext.getTestMethod().isPresent() && classContext.getParent().isPresent()) {
            classContext = classContext.getParent().get();
        }
        Class<?> testClass = classContext.getTestClass().orElse(Object.class);
        ClassDatabase holder = classContext.getStore(NS).getOrComputeIfAbsent(ClassDatabase.class,
                k -> new ClassDatabase(testClass), ClassDatabase.class);
        return holder.database();
    }

    /** Creates and (unless kept) drops the per-class database. */
    // Both interfaces: JUnit 5.13+ closes AutoCloseable store values, older 5.x only CloseableResource ones;
    // a value that is both is closed once.
    @SuppressWarnings("deprecation")
    static final class ClassDatabase implements ExtensionContext.Store.CloseableResource, AutoCloseable {
        private final Class<?> testClass;
        private PgDatabase database;

        ClassDatabase(Class<?> testClass) {
            this.testClass = testClass;
        }

        synchronized PgDatabase database() {
            if (database == null) {
                try {
                    database = TestDatabase.get().createUniqueDatabase(testClass.getSimpleName());
                } catch (SQLException e) {
                    throw new ParameterResolutionException("could not create a database for " + testClass, e);
                }
            }
            return database;
        }

        @Override
        public synchronized void close() {
            if (database == null || Boolean.getBoolean("pgguard.test.keepDatabases")) {
                return;
            }
            try {
                database.server().dropDatabase(database.name());
            } catch (SQLException e) {
                LOG.warn("could not drop test database {}: {}", database.name(), e.toString());
            }
        }
    }

    @SuppressWarnings("deprecation")
    static final class ClosingConnection implements ExtensionContext.Store.CloseableResource, AutoCloseable {
        private final Connection connection;

        ClosingConnection(Connection connection) {
            this.connection = connection;
        }

        @Override
        public void close() throws SQLException {
            connection.close();
        }
    }

}
