package io.pgguard;

/**
 * Told of every decision pgguard makes on a connection, for metrics and traces (the Spring Boot starter registers
 * Micrometer's and OpenTelemetry's). Called on the application's thread, after the decision and before the
 * statement is sent (a block: before the exception is thrown); it must be quick and must not throw (what it throws
 * is dropped). Registered with {@link GuardListeners#register}, or found through {@link java.util.ServiceLoader}
 * ({@code META-INF/services/io.pgguard.GuardListener}). With none registered, pgguard does not build the events.
 */
@FunctionalInterface
public interface GuardListener {

    void decided(GuardEvent event);
}
