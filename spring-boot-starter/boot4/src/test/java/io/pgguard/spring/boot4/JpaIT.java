package io.pgguard.spring.boot4;

import io.pgguard.GuardBlockedException;
import io.pgguard.spring.boot4.shop.Customer;
import io.pgguard.spring.boot4.shop.CustomerRepository;
import io.pgguard.spring.boot4.shop.ShopApp;
import io.pgguard.testkit.PgDatabase;
import io.pgguard.testkit.PostgresTest;
import io.pgguard.testkit.TestDatabase;
import org.junit.jupiter.api.Test;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.WebApplicationType;
import org.springframework.context.ConfigurableApplicationContext;

import java.util.HashMap;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;

/**
 * Spring Data JPA through the starter against a non-local target: a repository works, its bulk delete of every row
 * is blocked, and {@code ddl-auto=create-drop} (Hibernate's schema tool pointed at production) drops nothing.
 */
@PostgresTest
class JpaIT {

    private static ConfigurableApplicationContext start(PgDatabase db, String... more) {
        SpringApplication app = new SpringApplication(ShopApp.class);
        app.setWebApplicationType(WebApplicationType.NONE);
        Map<String, Object> props = new HashMap<>(Map.of(
                "spring.datasource.url", db.jdbcUrl(),
                "spring.datasource.username", db.user(),
                "spring.datasource.password", db.password(),
                "pgguard.environment", "production"));
        for (int i = 0; i + 1 < more.length; i += 2) {
            props.put(more[i], more[i + 1]);
        }
        app.setDefaultProperties(props);
        return app.run();
    }

    @Test
    void aRepositoryWorksAndItsBulkDeleteIsBlocked() throws Exception {
        PgDatabase db = TestDatabase.get().createUniqueDatabase("jpa");
        try (ConfigurableApplicationContext context = start(db, "spring.jpa.hibernate.ddl-auto", "none")) {
            CustomerRepository repo = context.getBean(CustomerRepository.class);
            repo.save(new Customer(2L, "Grace"));
            assertEquals("Grace", repo.findById(2L).orElseThrow().getName());
            Exception e = assertThrows(Exception.class, repo::deleteEveryone);
            Throwable root = e;
            while (root.getCause() != null) {
                root = root.getCause();
            }
            assertInstanceOf(GuardBlockedException.class, root, e.toString());
            assertEquals(2, db.count("SELECT count(*) FROM customers"));
        } finally {
            TestDatabase.get().dropDatabase(db.name());
        }
    }

    @Test
    void createDropAgainstProductionDropsNothing() throws Exception {
        PgDatabase db = TestDatabase.get().createUniqueDatabase("jpa_create_drop");
        try {
            // Flyway makes the schema and its row, then Hibernate's create-drop tries to drop and make it again
            java.util.List<io.pgguard.GuardEvent> blocked = new java.util.concurrent.CopyOnWriteArrayList<>();
            try (AutoCloseable listening = io.pgguard.GuardListeners.register(ev -> {
                if (ev.action().equals("block")) {
                    blocked.add(ev);
                }
            })) {
                try (ConfigurableApplicationContext context = start(db, "spring.jpa.hibernate.ddl-auto",
                        "create-drop")) {
                    assertEquals(1, db.count("SELECT count(*) FROM customers"), "the drop at start-up was blocked: the row is still there");
                } catch (Exception stoppedTheStart) {
                    // whether Hibernate stops the start on a failed drop depends on its settings
                }
            }
            assertEquals(1, db.count("SELECT count(*) FROM customers"), "nothing was dropped, at start-up or at shutdown");
            assertEquals(true, blocked.stream().anyMatch(ev -> "drop-table".equals(ev.rule())
                    && ev.fingerprint().contains("customers")), blocked::toString);
        } finally {
            TestDatabase.get().dropDatabase(db.name());
        }
    }
}
