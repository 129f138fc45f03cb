package io.pgguard.spring;

import io.pgguard.GuardListener;
import io.pgguard.GuardListeners;
import io.pgguard.jdbc.GuardDataSource;
import org.springframework.beans.BeansException;
import org.springframework.beans.factory.DisposableBean;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.SmartInitializingSingleton;
import org.springframework.beans.factory.config.BeanPostProcessor;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

import javax.sql.DataSource;
import java.util.ArrayList;
import java.util.List;

/**
 * Guards every {@code DataSource} bean of the application (HikariCP's, a {@code @FlywayDataSource}, any other) by
 * wrapping it in {@link GuardDataSource} with the {@code pgguard.*} settings of the application's configuration;
 * {@code unwrap(HikariDataSource.class)} still reaches the pool. With Micrometer, each decision is counted
 * ({@code pgguard.statements}) and timed ({@code pgguard.decide}); with OpenTelemetry's API, a warned or blocked
 * statement adds a {@code pgguard.decision} event to the current span. {@code pgguard.enabled=false} turns it off.
 */
@AutoConfiguration
@ConditionalOnProperty(prefix = "pgguard", name = "enabled", havingValue = "true", matchIfMissing = true)
@EnableConfigurationProperties(PgGuardProperties.class)
public class PgGuardAutoConfiguration {

    /** {@code ds} guarded with the application's pgguard.* settings. */
    static GuardDataSource guarded(DataSource ds, ObjectProvider<PgGuardProperties> properties) {
        return new GuardDataSource(ds, properties.getIfAvailable(PgGuardProperties::new).toSettings());
    }

    /** Static: a post-processor is made before the other beans, and must not make this configuration early. */
    @Bean
    static BeanPostProcessor pgguardDataSources(ObjectProvider<PgGuardProperties> properties,
                                                ObjectProvider<Registrations> registrations) {
        return new BeanPostProcessor() {
            @Override
            public Object postProcessAfterInitialization(Object bean, String beanName) throws BeansException {
                if (bean instanceof DataSource ds && !(bean instanceof GuardDataSource)) {
                    // the listeners count from the first statement on: Flyway migrates while the context starts
                    registrations.orderedStream().forEach(Registrations::register);
                    return guarded(ds, properties);
                }
                return bean;
            }
        };
    }

    /**
     * Listeners registered once every singleton exists (Actuator makes its meter registries late), removed with the
     * context.
     */
    static class Registrations implements SmartInitializingSingleton, DisposableBean {
        private final java.util.function.Supplier<List<GuardListener>> listeners;
        private final List<AutoCloseable> handles = new ArrayList<>();

        Registrations(java.util.function.Supplier<List<GuardListener>> listeners) {
            this.listeners = listeners;
        }

        @Override
        public void afterSingletonsInstantiated() {
            register();
        }

        /** Registers the listeners, once: as a data source is guarded, or when the context is up. */
        synchronized void register() {
            if (registered) {
                return;
            }
            registered = true;
            for (GuardListener l : listeners.get()) {
                handles.add(GuardListeners.register(l));
            }
        }

        private boolean registered;

        @Override
        public void destroy() throws Exception {
            for (AutoCloseable h : handles) {
                h.close();
            }
            handles.clear();
        }
    }

    /**
     * Micrometer: decisions made before the meter registries exist (Flyway migrates while the context starts) are
     * kept and counted once they do; the registries are not made early (their binders may need the very data source
     * being guarded).
     */
    @Configuration(proxyBeanMethods = false)
    @ConditionalOnClass(name = "io.micrometer.core.instrument.MeterRegistry")
    static class Metrics {
        @Bean
        Registrations pgguardMetrics(ObjectProvider<io.micrometer.core.instrument.MeterRegistry> registries) {
            DeferredListener deferred = new DeferredListener();
            return new Registrations(() -> List.of(deferred)) {
                @Override
                public void afterSingletonsInstantiated() {
                    super.afterSingletonsInstantiated();
                    deferred.start(registries.orderedStream()
                            .map(r -> (GuardListener) new MicrometerGuardListener(r)).toList());
                }
            };
        }
    }

    /**
     * Flyway with a connection of its own ({@code spring.flyway.url}): Boot builds its {@code Flyway} bean with a
     * data source that is no bean; the bean is made again over the same configuration, guarded. Works the same on
     * Boot 3 and 4 (only Flyway's API is used).
     */
    @Configuration(proxyBeanMethods = false)
    @ConditionalOnClass(name = "org.flywaydb.core.Flyway")
    static class FlywayOwnConnection {
        @Bean
        static BeanPostProcessor pgguardFlyway(ObjectProvider<PgGuardProperties> properties) {
            return new BeanPostProcessor() {
                @Override
                public Object postProcessAfterInitialization(Object bean, String beanName) throws BeansException {
                    if (bean instanceof org.flywaydb.core.Flyway flyway) {
                        DataSource ds = flyway.getConfiguration().getDataSource();
                        if (ds != null && !(ds instanceof GuardDataSource)) {
                            return org.flywaydb.core.Flyway.configure(flyway.getConfiguration().getClassLoader())
                                    .configuration(flyway.getConfiguration())
                                    .dataSource(guarded(ds, properties))
                                    .load();
                        }
                    }
                    return bean;
                }
            };
        }
    }

    /** Liquibase with a connection of its own ({@code spring.liquibase.url}): guarded before it runs its update. */
    @Configuration(proxyBeanMethods = false)
    @ConditionalOnClass(name = "liquibase.integration.spring.SpringLiquibase")
    static class LiquibaseOwnConnection {
        @Bean
        static BeanPostProcessor pgguardLiquibase(ObjectProvider<PgGuardProperties> properties) {
            return new BeanPostProcessor() {
                @Override
                public Object postProcessBeforeInitialization(Object bean, String beanName) throws BeansException {
                    if (bean instanceof liquibase.integration.spring.SpringLiquibase liquibase) {
                        DataSource ds = liquibase.getDataSource();
                        if (ds != null && !(ds instanceof GuardDataSource)) {
                            liquibase.setDataSource(guarded(ds, properties));
                        }
                    }
                    return bean;
                }
            };
        }
    }

    @Configuration(proxyBeanMethods = false)
    @ConditionalOnClass(name = "org.springframework.boot.actuate.endpoint.annotation.Endpoint")
    static class Actuator {
        @Bean
        PgGuardEndpoint pgguardEndpoint(org.springframework.beans.factory.ListableBeanFactory beans) {
            return new PgGuardEndpoint(beans);
        }

        @Bean
        Registrations pgguardEndpointCounts(ObjectProvider<PgGuardEndpoint> endpoint) {
            return new Registrations(() -> endpoint.stream().map(e -> (GuardListener) e).toList());
        }
    }

    @Configuration(proxyBeanMethods = false)
    @ConditionalOnClass(name = "io.opentelemetry.api.trace.Span")
    static class Traces {
        @Bean
        Registrations pgguardSpanEvents() {
            return new Registrations(() -> List.of(new OpenTelemetryGuardListener()));
        }
    }
}
