package io.pgguard.frameworks;

import io.pgguard.GuardBlockedException;
import io.pgguard.testkit.LogCapture;
import io.pgguard.testkit.PgDatabase;
import io.pgguard.testkit.PostgresTest;
import io.pgguard.testkit.TestDatabase;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.GeneratedValue;
import jakarta.persistence.Id;
import jakarta.persistence.ManyToOne;
import jakarta.persistence.Table;
import org.hibernate.Session;
import org.hibernate.SessionFactory;
import org.hibernate.Transaction;
import org.hibernate.cfg.Configuration;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.sql.SQLException;
import java.util.List;
import java.util.Locale;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Hibernate ORM 6 (native bootstrap, {@code hibernate.connection.url} = the pgguard URL, Hibernate's own
 * connection pool) against a target declared production in the URL.
 *
 * <p>What "blocked" looks like to the application: Hibernate's schema tooling logs a DDL command that fails and
 * goes on (its default), so with {@code hbm2ddl.auto=create} or {@code create-drop} the application still starts;
 * pgguard's ERROR and Hibernate's "Error executing DDL" WARN are in the log, and the existing tables, rows and
 * sequences are untouched. With {@code hibernate.hbm2ddl.halt_on_error=true} the SessionFactory fails to build
 * instead. For application queries a block is an exception in the persistence call.
 */
@PostgresTest
class HibernateIT {

    /** A customer; {@code @GeneratedValue} is Hibernate's default: a pooled sequence, customers_seq. */
    @Entity(name = "Customer")
    @Table(name = "customers")
    public static class Customer {
        @Id
        @GeneratedValue
        Long id;

        @Column(nullable = false)
        String email;

        public Customer() {
        }

        Customer(String email) {
            this.email = email;
        }
    }

    /** An order of a customer (a foreign key Hibernate creates and drops with the schema). */
    @Entity(name = "ShopOrder")
    @Table(name = "shop_orders")
    public static class ShopOrder {
        @Id
        @GeneratedValue
        Long id;

        @ManyToOne(optional = false)
        Customer customer;

        @Column(nullable = false)
        String state;

        @Column(name = "total_cents", nullable = false)
        long totalCents;

        public ShopOrder() {
        }

        ShopOrder(Customer customer, String state, long totalCents) {
            this.customer = customer;
            this.state = state;
            this.totalCents = totalCents;
        }
    }

    /** The schema Hibernate maps the entities to, written by hand (for validate). */
    private static final String[] DDL = {
        "CREATE SEQUENCE customers_seq START WITH 1 INCREMENT BY 50",
        "CREATE SEQUENCE shop_orders_seq START WITH 1 INCREMENT BY 50",
        "CREATE TABLE customers (id bigint PRIMARY KEY, email varchar(255) NOT NULL)",
        "CREATE TABLE shop_orders (id bigint PRIMARY KEY, customer_id bigint NOT NULL REFERENCES customers (id), "
                + "state varchar(255) NOT NULL, total_cents bigint NOT NULL)",
    };

    private static TestDatabase pg;

    @BeforeAll
    static void server(TestDatabase server) {
        pg = server;
    }

    private static String production(PgDatabase db) {
        return db.pgguardUrl() + (db.pgguardUrl().contains("?") ? "&" : "?") + "pgguard.environment=production";
    }

    private static SessionFactory sessionFactory(PgDatabase db, String url, String hbm2ddl, String... more) {
        Configuration cfg = new Configuration()
                .addAnnotatedClass(Customer.class)
                .addAnnotatedClass(ShopOrder.class)
                .setProperty("hibernate.connection.url", url)
                .setProperty("hibernate.connection.pool_size", "2")
                .setProperty("hibernate.hbm2ddl.auto", hbm2ddl);
        if (db.user() != null) {
            cfg.setProperty("hibernate.connection.username", db.user());
        }
        if (db.password() != null) {
            cfg.setProperty("hibernate.connection.password", db.password());
        }
        for (int i = 0; i + 1 < more.length; i += 2) {
            cfg.setProperty(more[i], more[i + 1]);
        }
        return cfg.buildSessionFactory();
    }

    /** A database with Hibernate's schema and a customer with two orders, made by Hibernate without the guard. */
    private static PgDatabase withShopData(String prefix) throws SQLException {
        PgDatabase db = pg.createUniqueDatabase(prefix);
        try (SessionFactory sf = sessionFactory(db, db.jdbcUrl(), "create")) {
            sf.inTransaction(s -> {
                Customer ada = new Customer("ada@example.com");
                s.persist(ada);
                s.persist(new ShopOrder(ada, "paid", 1290));
                s.persist(new ShopOrder(ada, "pending", 3450));
            });
        }
        return db;
    }

    private static void assertShopDataIntact(PgDatabase db, long customersSeq, long ordersSeq) throws SQLException {
        assertEquals(List.of("customers", "shop_orders"), Schema.tables(db));
        assertEquals(1, Schema.count(db, "SELECT count(*) FROM customers WHERE email = 'ada@example.com'"));
        assertTrue(Schema.count(db, "SELECT count(*) FROM shop_orders") >= 2);
        // A sequence dropped and created again starts over and hands out ids that rows already have.
        assertTrue(sequenceValue(db, "customers_seq") >= customersSeq, "customers_seq was reset");
        assertTrue(sequenceValue(db, "shop_orders_seq") >= ordersSeq, "shop_orders_seq was reset");
    }

    private static long foreignKeys(PgDatabase db) throws SQLException {
        return Schema.count(db, "SELECT count(*) FROM pg_constraint WHERE conrelid = 'shop_orders'::regclass "
                + "AND contype = 'f'");
    }

    /**
     * Hibernate's drop script starts with {@code alter table if exists shop_orders drop constraint if exists FK...}.
     * Dropping a constraint loses no rows, so the guard may let it run, but then the production foreign key is gone
     * (after create-drop's shutdown, or a halted create, nothing re-adds it) and pgguard's log must say so.
     */
    private static void assertForeignKeyKeptOrItsDropReported(PgDatabase db, LogCapture guardLog) throws SQLException {
        if (foreignKeys(db) == 0) {
            assertTrue(guardLog.messages("WARN").stream().anyMatch(m -> m.toLowerCase(Locale.ROOT).contains("drop constraint")),
                    "shop_orders lost its foreign key on a production target without a word from pgguard:\n"
                            + guardLog.all());
        }
    }

    /** last_value of a sequence, or -1 when there is no such sequence. */
    private static long sequenceValue(PgDatabase db, String sequence) throws SQLException {
        List<String> v = Schema.strings(db, "SELECT coalesce(last_value, 0) FROM pg_sequences WHERE sequencename = '"
                + sequence + "'");
        return v.isEmpty() ? -1 : Long.parseLong(v.get(0));
    }

    /**
     * create and create-drop begin with Hibernate's drop script: {@code alter table if exists ... drop constraint if
     * exists FK...}, {@code drop table if exists ... cascade}, {@code drop sequence if exists ...}, then the create
     * script. Against production the table drops are blocked, Hibernate logs them and carries on, and the
     * application keeps its data: the rows, and sequences that continue where they were.
     */
    @ParameterizedTest(name = "hbm2ddl.auto={0}")
    @ValueSource(strings = {"create-drop", "create"})
    void schemaCreationAgainstProductionIsBlockedAndTheDataSurvives(String hbm2ddl) throws SQLException {
        PgDatabase db = withShopData("hibernate_" + hbm2ddl.replace('-', '_'));
        long customersSeq = sequenceValue(db, "customers_seq");
        long ordersSeq = sequenceValue(db, "shop_orders_seq");
        try (LogCapture guardLog = new LogCapture(); LogCapture hibernateLog = new LogCapture("org.hibernate")) {
            try (SessionFactory sf = sessionFactory(db, production(db), hbm2ddl)) {
                assertShopDataIntact(db, customersSeq, ordersSeq);
                // The application runs on the schema it found: a new order gets an id no existing row has.
                Long id = sf.fromTransaction(s -> {
                    ShopOrder o = new ShopOrder(s.createQuery("from Customer", Customer.class).getSingleResult(),
                            "pending", 990);
                    s.persist(o);
                    return o.id;
                });
                assertEquals(3, Schema.count(db, "SELECT count(*) FROM shop_orders"), "order " + id);
            }
            List<String> blockedRules = guardLog.rules("ERROR");
            assertTrue(blockedRules.contains("drop-table"), guardLog.all());
            assertTrue(hibernateLog.messages("WARN").stream().anyMatch(m -> m.contains("pgguard blocked")),
                    "Hibernate did not report the blocked DDL:\n" + hibernateLog.all());
            assertShopDataIntact(db, customersSeq, ordersSeq);
            assertEquals(3, Schema.count(db, "SELECT count(*) FROM shop_orders"));
            assertForeignKeyKeptOrItsDropReported(db, guardLog);
        }
        pg.dropDatabase(db.name());
    }

    /** With halt_on_error Hibernate stops at the first blocked DDL: the SessionFactory does not build. */
    @Test
    void withHaltOnErrorTheSessionFactoryFailsAndTheDataSurvives() throws SQLException {
        PgDatabase db = withShopData("hibernate_halt");
        long customersSeq = sequenceValue(db, "customers_seq");
        long ordersSeq = sequenceValue(db, "shop_orders_seq");
        try (LogCapture log = new LogCapture()) {
            RuntimeException e = assertThrows(RuntimeException.class, () -> sessionFactory(db, production(db),
                    "create-drop", "hibernate.hbm2ddl.halt_on_error", "true").close());

            GuardBlockedException blocked = Schema.guardBlock(e);
            assertEquals("drop-table", blocked.ruleId());
            assertShopDataIntact(db, customersSeq, ordersSeq);
            assertEquals(2, Schema.count(db, "SELECT count(*) FROM shop_orders"));
            assertForeignKeyKeptOrItsDropReported(db, log);
        }
        pg.dropDatabase(db.name());
    }

    @Test
    void validateWorksAgainstProduction() throws SQLException {
        PgDatabase db = pg.createUniqueDatabase("hibernate_validate");
        db.execute(DDL);
        try (LogCapture log = new LogCapture(); SessionFactory sf = sessionFactory(db, production(db), "validate")) {
            long orders = sf.fromSession(s -> s.createQuery("select count(*) from ShopOrder", Long.class)
                    .getSingleResult());
            assertEquals(0, orders);
            assertEquals(List.of(), log.messages("ERROR"), log.all());
            assertEquals(List.of(), log.messages("WARN"), log.all());
            assertTrue(log.messages("INFO").stream().anyMatch(m -> m.contains("is non-local (pgguard.environment=production)")),
                    log.all());
        }
        pg.dropDatabase(db.name());
    }

    @Test
    void crudWorksAgainstProductionAndBulkChangesOfEveryRowAreBlocked() throws SQLException {
        PgDatabase db = pg.createUniqueDatabase("hibernate_crud");
        db.execute(DDL);
        try (LogCapture log = new LogCapture(); SessionFactory sf = sessionFactory(db, production(db), "none")) {
            Long[] ids = sf.fromTransaction(s -> {
                Customer ada = new Customer("ada@example.com");
                s.persist(ada);
                ShopOrder paid = new ShopOrder(ada, "paid", 1290);
                ShopOrder pending = new ShopOrder(ada, "pending", 3450);
                ShopOrder cancelled = new ShopOrder(ada, "cancelled", 690);
                s.persist(paid);
                s.persist(pending);
                s.persist(cancelled);
                return new Long[] {paid.id, pending.id, cancelled.id};
            });
            sf.inTransaction(s -> s.find(ShopOrder.class, ids[1]).state = "paid");
            sf.inTransaction(s -> s.remove(s.find(ShopOrder.class, ids[2])));
            assertEquals(List.of(1290L, 3450L), sf.fromSession(s -> s.createQuery(
                    "select o.totalCents from ShopOrder o where o.state = :state and o.customer.email = :email "
                            + "order by o.totalCents", Long.class)
                    .setParameter("state", "paid").setParameter("email", "ada@example.com").getResultList()));
            assertNull(sf.fromSession(s -> s.find(ShopOrder.class, ids[2])));
            int updated = sf.fromTransaction(s -> s.createMutationQuery(
                    "update ShopOrder set totalCents = totalCents + 10 where id = :id").setParameter("id", ids[0])
                    .executeUpdate());
            assertEquals(1, updated);
            assertEquals(List.of(), log.messages("ERROR"), log.all());
            assertEquals(List.of(), log.messages("WARN"), "plain CRUD was warned about:\n" + log.all());

            RuntimeException e = assertThrows(RuntimeException.class, () -> {
                try (Session s = sf.openSession()) {
                    Transaction tx = s.beginTransaction();
                    try {
                        s.createMutationQuery("delete from ShopOrder").executeUpdate();
                        tx.commit();
                    } finally {
                        if (tx.isActive()) {
                            tx.rollback();
                        }
                    }
                }
            });
            GuardBlockedException blocked = Schema.guardBlock(e);
            assertEquals("unbounded-delete", blocked.ruleId());

            RuntimeException update = assertThrows(RuntimeException.class, () -> sf.inTransaction(s ->
                    s.createMutationQuery("update ShopOrder set state = 'cancelled'").executeUpdate()));
            assertEquals("unbounded-update", Schema.guardBlock(update).ruleId());
            assertEquals(List.of("unbounded-delete", "unbounded-update"), log.rules("ERROR"), log.all());
        }
        assertEquals(2, Schema.count(db, "SELECT count(*) FROM shop_orders"));
        assertEquals(1300, Schema.count(db, "SELECT total_cents FROM shop_orders WHERE total_cents < 2000"));
        assertEquals(2, Schema.count(db, "SELECT count(*) FROM shop_orders WHERE state = 'paid'"));
        pg.dropDatabase(db.name());
    }
}
