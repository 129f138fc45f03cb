package io.pgguard.agent;

import java.io.IOException;
import java.io.InputStream;
import java.util.Properties;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;

/**
 * Loads pgguard's guard beside one copy of pgjdbc: a child of pgjdbc's class loader that defines pgguard's classes
 * from the agent jar's {@code pgguard-core/} folder, where the application's loaders cannot see them. So the guard
 * links against that pgjdbc and that application's SLF4J, and never against another copy of pgguard the
 * application may carry (its {@code jdbc:pgguard:} driver); two pgjdbc copies in one JVM get two guards.
 */
final class CoreLoader extends ClassLoader {

    static final String FOLDER = "pgguard-core/";
    private static final String GUARD = "io.pgguard.jdbc.PgjdbcGuard";

    /**
     * Classes taken from the application's pgguard when it has one, so that both sides share them: the exception
     * an application catches, and the mark its wrapper sets around the statements it decided itself.
     */
    private static final String[] SHARED = {"io.pgguard.GuardBlockedException", "io.pgguard.jdbc.Decided"};

    private static volatile JarFile agentJar;

    static {
        registerAsParallelCapable();
    }

    private CoreLoader(ClassLoader pgjdbc) {
        super("pgguard-core", pgjdbc);
    }

    static void open(JarFile jar) {
        agentJar = jar;
    }

    /** The guard of the pgjdbc in {@code pgjdbcLoader}, reading the agent's {@code options}. */
    static PgjdbcHooks guardFor(ClassLoader pgjdbcLoader, Properties options) throws ReflectiveOperationException {
        if (agentJar == null) {
            throw new IllegalStateException("the agent jar was not found: the agent must be attached as a jar");
        }
        CoreLoader loader = new CoreLoader(pgjdbcLoader);
        Class<?> guard = Class.forName(GUARD, true, loader);
        return (PgjdbcHooks) guard.getConstructor(Properties.class).newInstance(options);
    }

    @Override
    protected Class<?> loadClass(String name, boolean resolve) throws ClassNotFoundException {
        synchronized (getClassLoadingLock(name)) {
            Class<?> c = findLoadedClass(name);
            if (c == null) {
                if (name.startsWith("io.pgguard.agent.")) {
                    c = Class.forName(name, false, CoreLoader.class.getClassLoader());
                } else if (isShared(name)) {
                    try {
                        c = getParent().loadClass(name);
                    } catch (ClassNotFoundException notInTheApplication) {
                        c = findClass(name);
                    }
                } else if (name.startsWith("io.pgguard.")) {
                    c = findClass(name);
                } else {
                    c = getParent().loadClass(name);
                }
            }
            if (resolve) {
                resolveClass(c);
            }
            return c;
        }
    }

    private static boolean isShared(String name) {
        for (String s : SHARED) {
            if (s.equals(name)) {
                return true;
            }
        }
        return false;
    }

    @Override
    protected Class<?> findClass(String name) throws ClassNotFoundException {
        JarFile jar = agentJar;
        JarEntry entry = jar.getJarEntry(FOLDER + name.replace('.', '/') + ".class");
        if (entry == null) {
            throw new ClassNotFoundException(name);
        }
        try (InputStream in = jar.getInputStream(entry)) {
            byte[] bytes = in.readAllBytes();
            return defineClass(name, bytes, 0, bytes.length);
        } catch (IOException e) {
            throw new ClassNotFoundException(name + " cannot be read from the agent jar", e);
        }
    }
}
