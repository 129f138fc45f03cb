package io.pgguard.frameworks;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import io.pgguard.GuardBlockedException;
import io.pgguard.testkit.LogCapture;
import io.pgguard.testkit.PgDatabase;
import io.pgguard.testkit.PostgresTest;
import io.pgguard.testkit.TestDatabase;
import org.flywaydb.core.Flyway;
import org.flywaydb.core.api.FlywayException;
import org.flywaydb.core.api.output.MigrateResult;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import javax.sql.DataSource;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Flyway 11 (flyway-core + flyway-database-postgresql) running examples/migrations through the guard, as an
 * application does: a HikariCP pool on {@code jdbc:pgguard:postgresql://...} handed to Flyway as its DataSource.
 *
 * <p>V9 drops {@code orders.status}. Its {@code -- pgguard:ignore drop-column} comment only silences the linter;
 * at run time the migration process opts in with {@code pgguard.allow=drop-column}, the way a deploy job would
 * for a reviewed contract step ({@link #withoutTheProcessOverrideV9IsBlockedAndRolledBack} shows the comment alone
 * is not enough). V5 (CREATE INDEX CONCURRENTLY) needs {@code mixed(true)} and
 * {@code flyway.postgresql.transactional.lock=false}, as its header says.
 */
@PostgresTest
class FlywayIT {

    /** Every table examples/migrations creates, plus Flyway's history. */
    private static final List<String> MIGRATED_TABLES = List.of("customers", "daily_sales_report",
            "flyway_schema_history", "order_items", "orders", "products");

    private static TestDatabase pg;

    @BeforeAll
    static void server(TestDatabase server) {
        pg = server;
    }

    /** Failsafe runs in the driver module's directory; an IDE may run from the repository root. */
    static Path migrations() {
        for (Path p : List.of(Path.of("..", "examples", "migrations"), Path.of("examples", "migrations"))) {
            if (Files.isRegularFile(p.resolve("V1__create_customers_and_orders.sql"))) {
                return p.toAbsolutePath().normalize();
            }
        }
        throw new IllegalStateException("examples/migrations not found from " + Path.of("").toAbsolutePath());
    }

    /** A pool on the pgguard URL; {@code settings} are pgguard.* name, value pairs passed as connection properties. */
    static HikariDataSource guardedPool(PgDatabase db, String... settings) {
        HikariConfig c = new HikariConfig();
        c.setJdbcUrl(db.pgguardUrl());
        c.setUsername(db.user());
        c.setPassword(db.password());
        c.setMaximumPoolSize(4);
        for (int i = 0; i + 1 < settings.length; i += 2) {
            c.addDataSourceProperty(settings[i], settings[i + 1]);
        }
        return new HikariDataSource(c);
    }

    static Flyway flyway(DataSource ds, boolean cleanDisabled) {
        return Flyway.configure()
                .configuration(Map.of("flyway.postgresql.transactional.lock", "false"))
                .dataSource(ds)
                .locations("filesystem:" + migrations())
                .mixed(true)
                .cleanDisabled(cleanDisabled)
                .load();
    }

    /** A fresh database holding the migrated schema and a customer with an order, set up without the guard. */
    private static PgDatabase migratedWithData(String prefix) throws SQLException {
        PgDatabase db = pg.createUniqueDatabase(prefix);
        Flyway.configure()
                .configuration(Map.of("flyway.postgresql.transactional.lock", "false"))
                .dataSource(db.jdbcUrl(), db.user(), db.password())
                .locations("filesystem:" + migrations())
                .mixed(true)
                .load()
                .migrate();
        db.execute("INSERT INTO customers (email, name) VALUES ('ada@example.com', 'Ada')",
                "INSERT INTO orders (customer_id, total_cents) SELECT id, 1290 FROM customers");
        return db;
    }

    private static String systemIdentifier(PgDatabase db) throws SQLException {
        return Schema.strings(db, "SELECT system_identifier FROM pg_control_system()").get(0);
    }

    @Test
    void migratesTheExampleHistoryAgainstANonLocalTargetWarningAboutV7() throws SQLException {
        PgDatabase db = pg.createUniqueDatabase("flyway_migrate");
        try (LogCapture log = new LogCapture();
             HikariDataSource ds = guardedPool(db, "pgguard.environment", "production", "pgguard.allow", "drop-column")) {
            // V1 to V6 on the empty database, then a customer with an order: V7's locks are on tables with rows
            // (on an empty table nobody holds a lock on, a lock is over at once, and not worth a warning)
            MigrateResult first = Flyway.configure().configuration(flyway(ds, true).getConfiguration())
                    .target("6").load().migrate();
            db.execute("INSERT INTO customers (email, name) VALUES ('ada@example.com', 'Ada')",
                    "INSERT INTO orders (customer_id, total_cents) SELECT id, 1290 FROM customers",
                    "INSERT INTO order_items (order_id, product_id, quantity, unit_price_cents) "
                            + "SELECT o.id, p.id, 1, p.price_cents FROM orders o, products p");
            MigrateResult result = flyway(ds, true).migrate();

            assertTrue(first.success && result.success);
            assertEquals(9, first.migrationsExecuted + result.migrationsExecuted);
            assertEquals(List.of(), log.messages("ERROR"), "Flyway's own SQL or a migration was blocked:\n" + log.all());
            assertTrue(log.messages("INFO").stream().anyMatch(m -> m.contains("is non-local (pgguard.environment=production)")),
                    log.all());
            List<String> warned = log.messages("WARN");
            // V7's quick fixes, each with the rule that names its lock problem.
            assertWarned(warned, "CREATE INDEX orders_created_at_idx ON orders (created_at)", "require-concurrent-index");
            assertWarned(warned, "ALTER TABLE order_items ALTER COLUMN quantity TYPE bigint", "change-column-type");
            assertWarned(warned, "ALTER TABLE orders ADD COLUMN export_ref uuid DEFAULT gen_random_uuid()",
                    "adding-column-rewrite");
            assertWarned(warned, "ALTER TABLE orders ALTER COLUMN currency SET NOT NULL", "set-not-null");
            // V9: the trigger and function drops are breaking (warned), the column drop runs by the process override.
            assertWarned(warned, "DROP TRIGGER IF EXISTS orders_sync_status_state ON orders", "drop-object");
            assertWarned(warned, "DROP FUNCTION IF EXISTS orders_sync_status_state()", "drop-object");
            assertTrue(warned.stream().anyMatch(m -> m.startsWith("pgguard override: drop-column")
                    && m.contains("ALTER TABLE orders DROP COLUMN status")), log.all());
            // V3's seed literals never reach the log.
            assertFalse(log.all().contains("Barista"), log.all());
        }

        assertEquals(MIGRATED_TABLES, Schema.tables(db));
        assertEquals(9, Schema.count(db, "SELECT count(*) FROM flyway_schema_history WHERE success"));
        assertEquals(List.of("id", "customer_id", "total_cents", "currency", "shipping_address", "placed_at",
                "created_at", "updated_at", "state", "export_ref"), Schema.columns(db, "orders"));
        assertEquals("bigint NO", Schema.columnType(db, "order_items", "quantity"));
        assertEquals("text NO", Schema.columnType(db, "orders", "currency"));
        assertEquals(6, Schema.count(db, "SELECT count(*) FROM products"));
        assertEquals(1, Schema.count(db, "SELECT count(*) FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid "
                + "WHERE c.relname = 'orders_customer_id_created_at_idx' AND i.indisvalid"), "V5's concurrent index");
        pg.dropDatabase(db.name());
    }

    private static void assertWarned(List<String> warned, String statement, String rule) {
        assertTrue(warned.stream().anyMatch(m -> m.contains(": " + statement + " |") && m.contains("rules ")
                        && m.substring(m.indexOf("| rules ")).contains(rule)),
                "no WARN with " + rule + " for " + statement + " in:\n" + String.join("\n", warned));
    }

    @Test
    void withoutTheProcessOverrideV9IsBlockedAndRolledBack() throws SQLException {
        PgDatabase db = pg.createUniqueDatabase("flyway_no_allow");
        try (LogCapture log = new LogCapture();
             HikariDataSource ds = guardedPool(db, "pgguard.environment", "production")) {
            FlywayException e = assertThrows(FlywayException.class, () -> flyway(ds, true).migrate());

            GuardBlockedException blocked = Schema.guardBlock(e);
            assertEquals("drop-column", blocked.ruleId());
            assertEquals("destructive", blocked.risk());
            assertEquals(List.of("drop-column"), log.rules("ERROR"), log.all());
        }
        // V1..V8 are in; V9 ran in one transaction, so its trigger and function drops were rolled back with it.
        assertEquals(8, Schema.count(db, "SELECT count(*) FROM flyway_schema_history WHERE success"));
        assertEquals(0, Schema.count(db, "SELECT count(*) FROM flyway_schema_history WHERE NOT success"));
        assertTrue(Schema.columns(db, "orders").contains("status"), "orders.status was dropped");
        assertEquals(1, Schema.count(db, "SELECT count(*) FROM pg_trigger WHERE tgname = 'orders_sync_status_state'"));
        pg.dropDatabase(db.name());
    }

    /**
     * {@code flyway clean} with {@code cleanDisabled(false)} (the misconfiguration) against a target that is non-local
     * because it is declared production, or because its system identifier is protected (a tunnel on localhost).
     */
    @ParameterizedTest(name = "non-local by {0}")
    @ValueSource(strings = {"pgguard.environment", "pgguard.protect"})
    void cleanAgainstANonLocalTargetIsBlockedAndDropsNothing(String how) throws SQLException {
        PgDatabase db = migratedWithData("flyway_clean_prod");
        String value = how.equals("pgguard.environment") ? "production" : systemIdentifier(db);
        try (LogCapture log = new LogCapture(); HikariDataSource ds = guardedPool(db, how, value)) {
            FlywayException e = assertThrows(FlywayException.class, () -> flyway(ds, false).clean());

            GuardBlockedException blocked = Schema.guardBlock(e);
            assertEquals("destructive", blocked.risk());
            assertTrue(blocked.getMessage().contains("DROP TABLE"), blocked.getMessage());
            assertEquals(1, log.messages("ERROR").size(), log.all());
        }
        assertEquals(MIGRATED_TABLES, Schema.tables(db));
        assertEquals(9, Schema.count(db, "SELECT count(*) FROM flyway_schema_history"));
        assertEquals(1, Schema.count(db, "SELECT count(*) FROM customers"));
        assertEquals(1, Schema.count(db, "SELECT count(*) FROM orders"));
        assertEquals(6, Schema.count(db, "SELECT count(*) FROM products"));
        pg.dropDatabase(db.name());
    }

    @Test
    void cleanAgainstALocalTargetRuns() throws SQLException {
        PgDatabase db = migratedWithData("flyway_clean_local");
        try (LogCapture log = new LogCapture(); HikariDataSource ds = guardedPool(db)) {
            flyway(ds, false).clean();

            assertTrue(log.messages("INFO").stream().anyMatch(m -> m.contains("is local")), log.all());
            assertEquals(List.of(), log.messages("ERROR"), log.all());
            // Flyway's DROP TABLE ... CASCADE statements were seen and only warned about.
            assertTrue(log.rules("WARN").contains("drop-table"), log.all());
        }
        assertEquals(List.of(), Schema.tables(db));
        pg.dropDatabase(db.name());
    }

    /**
     * Flyway creates its history table, then adds the primary key and an index in the same transaction: the table is
     * new, empty and invisible to every other session, so neither statement can make anyone wait. V2 does the same
     * for order_items (its comment says so, and {@code pgguard lint} agrees). None of it deserves a WARN.
     */
    @Test
    void statementsOnATableCreatedInTheSameTransactionAreNotWarned() throws SQLException {
        PgDatabase db = pg.createUniqueDatabase("flyway_new_tables");
        List<String> falseAlarms = new ArrayList<>();
        try (LogCapture log = new LogCapture();
             HikariDataSource ds = guardedPool(db, "pgguard.environment", "production", "pgguard.allow", "drop-column")) {
            assertTrue(flyway(ds, true).migrate().success);
            for (String m : log.messages("WARN")) {
                if (m.contains("flyway_schema_history") || m.contains("order_items_order_id_idx")
                        || m.contains("order_items_product_id_idx")) {
                    falseAlarms.add(m);
                }
            }
        }
        pg.dropDatabase(db.name());
        assertEquals(List.of(), falseAlarms);
    }

    /**
     * The common way to point Flyway at a database is its own URL setting ({@code flyway.url},
     * {@code spring.flyway.url}, the Maven plugin), not a DataSource. With the pgguard URL there, Flyway must still
     * find its PostgreSQL support and the guard must still block clean.
     */
    @Test
    void flywaysOwnUrlSettingTakesThePgguardUrl() throws SQLException {
        PgDatabase db = migratedWithData("flyway_url");
        String url = db.pgguardUrl() + (db.pgguardUrl().contains("?") ? "&" : "?") + "pgguard.environment=production";
        try {
            Flyway flyway = Flyway.configure()
                    .dataSource(url, db.user(), db.password())
                    .locations("filesystem:" + migrations())
                    .cleanDisabled(false)
                    .load();
            FlywayException e = assertThrows(FlywayException.class, flyway::clean);
            Schema.guardBlock(e);
            assertEquals(MIGRATED_TABLES, Schema.tables(db));
        } finally {
            pg.dropDatabase(db.name());
        }
    }
}
