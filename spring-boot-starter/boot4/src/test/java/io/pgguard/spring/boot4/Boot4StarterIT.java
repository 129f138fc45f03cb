package io.pgguard.spring.boot4;

import com.zaxxer.hikari.HikariDataSource;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.pgguard.GuardBlockedException;
import io.pgguard.jdbc.GuardDataSource;
import io.pgguard.testkit.PgDatabase;
import io.pgguard.testkit.PostgresTest;
import io.pgguard.testkit.TestDatabase;
import org.junit.jupiter.api.Test;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.jdbc.core.JdbcTemplate;

import javax.sql.DataSource;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The starter (built against Spring Boot 3.5) in a Spring Boot 4.0 application, whose auto-configurations are split
 * into modules (spring-boot-jdbc, spring-boot-flyway): the DataSource bean is guarded, Flyway migrates through it,
 * a destructive statement is blocked and counted.
 */
@PostgresTest
class Boot4StarterIT {

    @Configuration(proxyBeanMethods = false)
    @EnableAutoConfiguration
    static class App {
        @Bean
        MeterRegistry meterRegistry() {
            return new SimpleMeterRegistry();
        }
    }

    @Test
    void aBoot4ApplicationIsGuarded() throws Exception {
        PgDatabase db = TestDatabase.get().createUniqueDatabase("boot4");
        SpringApplication app = new SpringApplication(App.class);
        app.setWebApplicationType(WebApplicationType.NONE);
        app.setDefaultProperties(Map.of(
                "spring.datasource.url", db.jdbcUrl(),
                "spring.datasource.username", db.user(),
                "spring.datasource.password", db.password(),
                "pgguard.environment", "production"));
        try (ConfigurableApplicationContext context = app.run()) {
            assertTrue(org.springframework.boot.SpringBootVersion.getVersion().startsWith("4."),
                    org.springframework.boot.SpringBootVersion.getVersion());
            DataSource ds = context.getBean(DataSource.class);
            assertInstanceOf(GuardDataSource.class, ds);
            assertNotNull(ds.unwrap(HikariDataSource.class));
            JdbcTemplate jdbc = new JdbcTemplate(ds);
            assertEquals(20, jdbc.queryForObject("SELECT count(*) FROM orders", Integer.class), "Flyway ran");
            Exception e = assertThrows(Exception.class, () -> jdbc.update("DELETE FROM orders"));
            Throwable root = e;
            while (root.getCause() != null) {
                root = root.getCause();
            }
            assertInstanceOf(GuardBlockedException.class, root, e.toString());
            assertEquals(1.0, context.getBean(MeterRegistry.class).get("pgguard.statements")
                    .tags("decision", "block", "rule", "unbounded-delete").counter().count());
            assertTrue(context.getBean(MeterRegistry.class).get("pgguard.statements")
                    .tags("decision", "warn", "rule", "require-concurrent-index").counter().count() >= 1);
        } finally {
            TestDatabase.get().dropDatabase(db.name());
        }
    }
}
