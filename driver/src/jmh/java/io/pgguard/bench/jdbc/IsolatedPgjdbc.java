package io.pgguard.bench.jdbc;

import java.net.URL;
import java.net.URLClassLoader;
import java.sql.Driver;

/**
 * pgjdbc loaded a second time, from its own jar, by a loader whose parent is the platform loader: the agent's
 * classes are out of its sight, so with {@code pgguard.agent.onHookFailure=warn} it runs unhooked. The raw baseline
 * of a harness run under {@code -javaagent:}, in the same JVM as the hooked pgjdbc it is compared with.
 */
final class IsolatedPgjdbc {

    private static Driver driver;

    private IsolatedPgjdbc() {
    }

    static synchronized Driver driver() {
        if (driver == null) {
            try {
                URL jar = org.postgresql.Driver.class.getProtectionDomain().getCodeSource().getLocation();
                ClassLoader loader = new URLClassLoader(new URL[] {jar}, ClassLoader.getPlatformClassLoader());
                driver = (Driver) Class.forName("org.postgresql.Driver", true, loader).getConstructor().newInstance();
            } catch (ReflectiveOperationException e) {
                throw new IllegalStateException("cannot load pgjdbc a second time", e);
            }
        }
        return driver;
    }
}
