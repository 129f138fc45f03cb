package io.pgguard.bench.jdbc;

import java.net.MalformedURLException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Driver;

/**
 * Another build of pgguard in the same JVM, for {@link Variant#PGGUARD_ALT}: its {@code io.pgguard} classes (the
 * benchmark's own excepted) come from the given classes directory or jar, everything else (pgjdbc, SLF4J, the JDK)
 * from the harness's class path, so both builds end in the same pgjdbc. The alternative driver registers itself with
 * {@code DriverManager} as any driver does, but {@code DriverManager} never hands it to code of the harness's class
 * loader, to which that class is not visible; the harness connects through it directly.
 */
final class AltBuild {

    private static final String BENCH = "io.pgguard.bench.";

    private AltBuild() {
    }

    /** The {@code GuardDriver} of the build at {@code path}. */
    static Driver driver(Path path) {
        if (path == null || !Files.exists(path)) {
            throw new IllegalArgumentException("the pgguard-alt variant needs --alt=<classes dir or jar of a pgguard"
                    + " build>, got " + path);
        }
        try {
            ClassLoader loader = new ChildFirst(path.toUri().toURL(), AltBuild.class.getClassLoader());
            Class<?> driver = Class.forName("io.pgguard.jdbc.GuardDriver", true, loader);
            if (driver.getClassLoader() != loader) {
                throw new IllegalStateException(path + " holds no io.pgguard.jdbc.GuardDriver");
            }
            return (Driver) driver.getConstructor().newInstance();
        } catch (MalformedURLException | ReflectiveOperationException e) {
            throw new IllegalStateException("cannot load pgguard from " + path, e);
        }
    }

    /** Loads pgguard's classes itself, before asking its parent. */
    private static final class ChildFirst extends URLClassLoader {

        static {
            registerAsParallelCapable();
        }

        ChildFirst(URL build, ClassLoader parent) {
            super(new URL[] {build}, parent);
        }

        @Override
        protected Class<?> loadClass(String name, boolean resolve) throws ClassNotFoundException {
            if (!name.startsWith("io.pgguard.") || name.startsWith(BENCH)) {
                return super.loadClass(name, resolve);
            }
            synchronized (getClassLoadingLock(name)) {
                Class<?> c = findLoadedClass(name);
                if (c == null) {
                    try {
                        c = findClass(name);
                    } catch (ClassNotFoundException e) {
                        c = super.loadClass(name, false);
                    }
                }
                if (resolve) {
                    resolveClass(c);
                }
                return c;
            }
        }
    }
}
