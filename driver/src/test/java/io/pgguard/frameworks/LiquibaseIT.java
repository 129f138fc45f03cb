package io.pgguard.frameworks;

import io.pgguard.GuardBlockedException;
import io.pgguard.jdbc.GuardDataSource;
import io.pgguard.testkit.LogCapture;
import io.pgguard.testkit.PgDatabase;
import io.pgguard.testkit.PostgresTest;
import io.pgguard.testkit.TestDatabase;
import liquibase.Scope;
import liquibase.command.CommandScope;
import liquibase.command.core.DropAllCommandStep;
import liquibase.command.core.UpdateCommandStep;
import liquibase.command.core.helpers.DbUrlConnectionArgumentsCommandStep;
import liquibase.database.Database;
import liquibase.database.DatabaseFactory;
import liquibase.database.jvm.JdbcConnection;
import liquibase.lockservice.LockServiceFactory;
import liquibase.resource.ClassLoaderResourceAccessor;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.postgresql.ds.PGSimpleDataSource;

import java.sql.SQLException;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import javax.sql.DataSource;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Liquibase 4.33 ({@link CommandScope} {@code update} and {@code dropAll}) on a {@link GuardDataSource} wrapping
 * pgjdbc's own {@link PGSimpleDataSource}, with the changelog in frameworks/liquibase-changelog.yaml.
 */
@PostgresTest
class LiquibaseIT {

    private static final String CHANGELOG = "frameworks/liquibase-changelog.yaml";
    private static final List<String> TABLES = List.of("accounts", "databasechangelog", "databasechangeloglock",
            "invoices");

    private static TestDatabase pg;

    @BeforeAll
    static void server(TestDatabase server) {
        pg = server;
    }

    private static PGSimpleDataSource pgjdbc(PgDatabase db) {
        PGSimpleDataSource pgjdbc = new PGSimpleDataSource();
        pgjdbc.setURL(db.jdbcUrl());
        pgjdbc.setUser(db.user());
        pgjdbc.setPassword(db.password());
        return pgjdbc;
    }

    private static GuardDataSource guarded(PgDatabase db, String... settings) {
        PGSimpleDataSource pgjdbc = pgjdbc(db);
        Properties p = new Properties();
        for (int i = 0; i + 1 < settings.length; i += 2) {
            p.setProperty(settings[i], settings[i + 1]);
        }
        return new GuardDataSource(pgjdbc, p);
    }

    /** Runs one Liquibase command on a connection from {@code ds}, closing it afterwards. */
    private static void run(DataSource ds, String command, Map<String, Object> arguments) throws Exception {
        Database database = DatabaseFactory.getInstance()
                .findCorrectDatabaseImplementation(new JdbcConnection(ds.getConnection()));
        try {
            Scope.child(Scope.Attr.resourceAccessor.name(), new ClassLoaderResourceAccessor(), () -> {
                CommandScope scope = new CommandScope(command)
                        .addArgumentValue(DbUrlConnectionArgumentsCommandStep.DATABASE_ARG, database);
                arguments.forEach(scope::addArgumentValue);
                scope.execute();
            });
        } finally {
            database.close();
        }
    }

    /**
     * Has Liquibase create and fill its lock table without the guard, as a database that Liquibase has run on before
     * has it: from then on Liquibase only UPDATEs the lock row (see {@link #updateOnAFreshNonLocalDatabaseRuns}).
     */
    private static void initializeLockTable(PgDatabase db) throws Exception {
        Database database = DatabaseFactory.getInstance()
                .findCorrectDatabaseImplementation(new JdbcConnection(pgjdbc(db).getConnection()));
        try {
            LockServiceFactory.getInstance().getLockService(database).init();
            database.commit();
        } finally {
            database.close();
        }
    }

    private static void update(DataSource ds) throws Exception {
        run(ds, UpdateCommandStep.COMMAND_NAME[0], Map.of(UpdateCommandStep.CHANGELOG_FILE_ARG.getName(), CHANGELOG));
    }

    private static void dropAll(DataSource ds) throws Exception {
        run(ds, DropAllCommandStep.COMMAND_NAME[0], Map.of());
    }

    private static void assertChangelogApplied(PgDatabase db) throws SQLException {
        assertEquals(TABLES, Schema.tables(db));
        assertEquals(List.of("id", "email", "plan"), Schema.columns(db, "accounts"));
        assertEquals(5, Schema.count(db, "SELECT count(*) FROM databasechangelog"));
        assertEquals(1, Schema.count(db, "SELECT count(*) FROM accounts WHERE plan = 'pro'"));
        assertEquals(1, Schema.count(db, "SELECT count(*) FROM invoices"));
        assertEquals(1, Schema.count(db, "SELECT count(*) FROM pg_constraint WHERE conname = 'invoices_account_fk'"));
        assertEquals(2, Schema.count(db, "SELECT count(*) FROM pg_indexes WHERE indexname IN "
                + "('accounts_email_idx', 'invoices_account_id_idx')"));
    }

    /**
     * The first Liquibase run against a database creates DATABASECHANGELOGLOCK and initialises it with
     * {@code DELETE FROM public.databasechangeloglock} (then an INSERT of the lock row). That DELETE is Liquibase's
     * bookkeeping on its own, just-created lock table, not application data: it must not be blocked, or no
     * Liquibase project can make its first deployment to a guarded production database.
     */
    @Test
    void updateOnAFreshNonLocalDatabaseRuns() throws Exception {
        PgDatabase db = pg.createUniqueDatabase("liquibase_first_run");
        try (LogCapture log = new LogCapture()) {
            update(guarded(db, "pgguard.environment", "production"));

            assertEquals(List.of(), log.messages("ERROR"), "Liquibase's own SQL was blocked:\n" + log.all());
        } finally {
            pg.dropDatabase(db.name());
        }
    }

    @Test
    void updateRunsAgainstANonLocalTargetAndWarnsAboutTheBlockingIndex() throws Exception {
        PgDatabase db = pg.createUniqueDatabase("liquibase_update");
        initializeLockTable(db);
        try (LogCapture log = new LogCapture()) {
            update(guarded(db, "pgguard.environment", "production"));

            assertEquals(List.of(), log.messages("ERROR"), "Liquibase's own SQL or a change was blocked:\n" + log.all());
            assertTrue(log.messages("INFO").stream().anyMatch(m -> m.contains("is non-local (pgguard.environment=production)")),
                    log.all());
            // Only the createIndex change is lock-risky; Liquibase's bookkeeping and the CONCURRENTLY index are not.
            List<String> warned = log.messages("WARN");
            assertEquals(1, warned.size(), log.all());
            assertTrue(warned.get(0).contains("CREATE INDEX accounts_email_idx ON public.accounts(email)")
                    && warned.get(0).contains("rules require-concurrent-index"), log.all());
            assertFalse(log.all().contains("ada@example.com"), "a literal reached the log:\n" + log.all());
        }
        assertChangelogApplied(db);
        pg.dropDatabase(db.name());
    }

    @Test
    void dropAllAgainstANonLocalTargetIsBlockedAndDropsNothing() throws Exception {
        PgDatabase db = pg.createUniqueDatabase("liquibase_dropall_prod");
        initializeLockTable(db);
        GuardDataSource ds = guarded(db, "pgguard.environment", "production");
        update(ds);
        try (LogCapture log = new LogCapture()) {
            Exception e = assertThrows(Exception.class, () -> dropAll(ds));

            GuardBlockedException blocked = Schema.guardBlock(e);
            assertEquals("destructive", blocked.risk());
            assertTrue(blocked.getMessage().contains("DROP TABLE"), blocked.getMessage());
            assertEquals(1, log.messages("ERROR").size(), log.all());
        }
        assertChangelogApplied(db);
        // dropAll let go of Liquibase's lock on the way out, so the next deployment is not stuck behind it.
        assertEquals(0, Schema.count(db, "SELECT count(*) FROM databasechangeloglock WHERE locked"));
        pg.dropDatabase(db.name());
    }

    @Test
    void dropAllAgainstALocalTargetRuns() throws Exception {
        PgDatabase db = pg.createUniqueDatabase("liquibase_dropall_local");
        GuardDataSource ds = guarded(db);
        update(ds);
        try (LogCapture log = new LogCapture()) {
            dropAll(ds);

            assertTrue(log.messages("INFO").stream().anyMatch(m -> m.contains("is local")), log.all());
            assertEquals(List.of(), log.messages("ERROR"), log.all());
            assertTrue(log.rules("WARN").contains("drop-table"), log.all());
        }
        assertEquals(List.of(), Schema.tables(db));
        pg.dropDatabase(db.name());
    }
}
