package io.pgguard.spring;

import com.zaxxer.hikari.HikariDataSource;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.context.Scope;
import io.opentelemetry.sdk.testing.exporter.InMemorySpanExporter;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.data.EventData;
import io.opentelemetry.sdk.trace.export.SimpleSpanProcessor;
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
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A Spring Boot application with the starter, HikariCP, Flyway and a real PostgreSQL: the DataSource bean is guarded
 * with the application's pgguard.* settings, Flyway's migrations run through the guard at start-up, a JdbcTemplate
 * works and a destructive statement is blocked, Micrometer counts the decisions and OpenTelemetry gets a span event.
 */
@PostgresTest
class StarterIT {

    @Configuration(proxyBeanMethods = false)
    @EnableAutoConfiguration
    static class App {
        @Bean
        MeterRegistry meterRegistry() {
            return new SimpleMeterRegistry();
        }
    }

    private static ConfigurableApplicationContext start(PgDatabase db, String locations, String... more) {
        SpringApplication app = new SpringApplication(App.class);
        app.setWebApplicationType(WebApplicationType.NONE);
        Map<String, Object> props = new java.util.HashMap<>(Map.of(
                "spring.datasource.url", db.jdbcUrl(),
                "spring.datasource.username", db.user(),
                "spring.datasource.password", db.password(),
                "spring.flyway.locations", locations,
                "spring.liquibase.enabled", "false",
                "pgguard.environment", "production"));
        for (int i = 0; i + 1 < more.length; i += 2) {
            props.put(more[i], more[i + 1]);
        }
        app.setDefaultProperties(props);
        return app.run();
    }

    @Test
    void theApplicationsDataSourceIsGuardedAndItsDecisionsAreCountedAndTraced() throws Exception {
        PgDatabase db = TestDatabase.get().createUniqueDatabase("starter");
        InMemorySpanExporter spans = InMemorySpanExporter.create();
        try (SdkTracerProvider tracing = SdkTracerProvider.builder()
                .addSpanProcessor(SimpleSpanProcessor.create(spans)).build();
             ConfigurableApplicationContext context = start(db, "classpath:db/migration")) {
            DataSource ds = context.getBean(DataSource.class);
            assertInstanceOf(GuardDataSource.class, ds);
            assertSame(context.getBean(DataSource.class).unwrap(HikariDataSource.class),
                    ds.unwrap(HikariDataSource.class), "unwrap still reaches the pool");
            JdbcTemplate jdbc = new JdbcTemplate(ds);
            assertEquals(20, jdbc.queryForObject("SELECT count(*) FROM orders", Integer.class),
                    "Flyway's migrations ran at start-up");
            Span span = tracing.get("test").spanBuilder("request").startSpan();
            try (Scope ignored = span.makeCurrent()) {
                Exception e = assertThrows(Exception.class, () -> jdbc.update("DELETE FROM orders"));
                assertInstanceOf(GuardBlockedException.class, rootCause(e), e.toString());
            } finally {
                span.end();
            }
            assertEquals(20, jdbc.queryForObject("SELECT count(*) FROM orders", Integer.class), "nothing was deleted");

            MeterRegistry registry = context.getBean(MeterRegistry.class);
            assertEquals(1.0, registry.get("pgguard.statements").tags("decision", "block", "rule", "unbounded-delete")
                    .counter().count());
            assertTrue(registry.get("pgguard.statements").tags("decision", "warn", "rule", "require-concurrent-index")
                    .counter().count() >= 1, "V2's index, through Flyway");
            assertTrue(registry.get("pgguard.statements").tags("decision", "allow").counters().stream()
                    .mapToDouble(c -> c.count()).sum() > 2);
            assertTrue(registry.get("pgguard.decide").timer().count() > 0);
            // Actuator's own pool metrics still find the pool behind the guard
            assertTrue(registry.find("hikaricp.connections").gauge() != null,
                    "Actuator's DataSource pool metrics bound through unwrap");
            // what Actuator's /actuator/metrics/pgguard.statements?tag=decision:block answers
            org.springframework.boot.actuate.metrics.MetricsEndpoint.MetricDescriptor blocks =
                    new org.springframework.boot.actuate.metrics.MetricsEndpoint(registry)
                            .metric("pgguard.statements", List.of("decision:block"));
            assertEquals(1.0, blocks.getMeasurements().get(0).getValue());

            // /actuator/pgguard: the data source's settings and target, and the decisions so far
            Map<String, Object> endpoint = context.getBean(PgGuardEndpoint.class).pgguard();
            @SuppressWarnings("unchecked")
            Map<String, Object> dataSource = (Map<String, Object>) ((Map<String, Object>) endpoint.get("dataSources"))
                    .get("dataSource");
            assertEquals(List.of(Map.of("target", "localhost", "local", false,
                    "reason", "pgguard.environment=production")), dataSource.get("targets"), endpoint::toString);
            @SuppressWarnings("unchecked")
            Map<String, Object> settings = (Map<String, Object>) dataSource.get("settings");
            assertEquals("production", settings.get("environment"));
            @SuppressWarnings("unchecked")
            Map<String, Long> decided = (Map<String, Long>) endpoint.get("decisions");
            assertEquals(1L, decided.get("block unbounded-delete"), decided::toString);

            List<EventData> events = new ArrayList<>(spans.getFinishedSpanItems().get(0).getEvents());
            assertEquals(1, events.size(), events::toString);
            assertEquals("pgguard.decision", events.get(0).getName());
            assertEquals("block", events.get(0).getAttributes().get(
                    io.opentelemetry.api.common.AttributeKey.stringKey("pgguard.action")));
            assertEquals("unbounded-delete", events.get(0).getAttributes().get(
                    io.opentelemetry.api.common.AttributeKey.stringKey("pgguard.rule")));
        } finally {
            TestDatabase.get().dropDatabase(db.name());
        }
    }

    @Test
    void aDestructiveMigrationStopsTheStartWithTheGuardsMessage() throws Exception {
        PgDatabase db = TestDatabase.get().createUniqueDatabase("starter_stop");
        try {
            Exception e = assertThrows(Exception.class, () -> start(db, "classpath:db/destructive").close());
            Throwable root = rootCause(e);
            assertInstanceOf(GuardBlockedException.class, root, e.toString());
            assertTrue(root.getMessage().contains("truncate: TRUNCATE deletes every row"), root.getMessage());
        } finally {
            TestDatabase.get().dropDatabase(db.name());
        }
    }

    /** Flyway and Liquibase with connections of their own (spring.flyway.url, spring.liquibase.url) are guarded too. */
    @Test
    void migrationToolsWithTheirOwnConnectionAreGuarded() throws Exception {
        PgDatabase db = TestDatabase.get().createUniqueDatabase("starter_own");
        try {
            Exception flyway = assertThrows(Exception.class, () -> start(db, "classpath:db/destructive",
                    "spring.flyway.url", db.jdbcUrl(), "spring.flyway.user", db.user(),
                    "spring.flyway.password", db.password()).close());
            assertInstanceOf(GuardBlockedException.class, rootCause(flyway), flyway.toString());
            Exception liquibase = assertThrows(Exception.class, () -> start(db, "classpath:db/migration",
                    "spring.flyway.enabled", "false", "spring.liquibase.enabled", "true",
                    "spring.liquibase.change-log", "classpath:db/liquibase/changelog.sql",
                    "spring.liquibase.url", db.jdbcUrl(), "spring.liquibase.user", db.user(),
                    "spring.liquibase.password", db.password()).close());
            Throwable root = rootCause(liquibase);
            assertTrue(root instanceof GuardBlockedException || String.valueOf(root.getMessage())
                    .contains("pgguard blocked a destructive statement"), liquibase.toString());
        } finally {
            TestDatabase.get().dropDatabase(db.name());
        }
    }

    @Test
    void enabledFalseLeavesTheDataSourceAlone() throws Exception {
        PgDatabase db = TestDatabase.get().createUniqueDatabase("starter_off");
        try (ConfigurableApplicationContext context = start(db, "classpath:db/migration", "pgguard.enabled", "false")) {
            assertInstanceOf(HikariDataSource.class, context.getBean(DataSource.class));
        } finally {
            TestDatabase.get().dropDatabase(db.name());
        }
    }

    private static Throwable rootCause(Throwable t) {
        Throwable r = t;
        while (r.getCause() != null && r.getCause() != r) {
            r = r.getCause();
        }
        return r;
    }
}
