package io.pgguard.agent;

import net.bytebuddy.ByteBuddy;
import net.bytebuddy.agent.builder.AgentBuilder;
import net.bytebuddy.dynamic.scaffold.MethodGraph;
import net.bytebuddy.dynamic.scaffold.TypeValidation;
import net.bytebuddy.asm.Advice;
import net.bytebuddy.asm.AsmVisitorWrapper;
import net.bytebuddy.description.method.MethodDescription;
import net.bytebuddy.description.type.TypeDescription;
import net.bytebuddy.dynamic.DynamicType;
import net.bytebuddy.matcher.ElementMatcher;
import net.bytebuddy.utility.JavaModule;

import java.io.File;
import java.lang.instrument.ClassFileTransformer;
import java.lang.instrument.Instrumentation;
import java.security.ProtectionDomain;
import java.util.concurrent.FutureTask;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.jar.JarFile;

import static net.bytebuddy.matcher.ElementMatchers.isConstructor;
import static net.bytebuddy.matcher.ElementMatchers.isPublic;
import static net.bytebuddy.matcher.ElementMatchers.nameStartsWith;
import static net.bytebuddy.matcher.ElementMatchers.named;
import static net.bytebuddy.matcher.ElementMatchers.namedOneOf;
import static net.bytebuddy.matcher.ElementMatchers.not;
import static net.bytebuddy.matcher.ElementMatchers.takesArgument;
import static net.bytebuddy.matcher.ElementMatchers.takesArguments;

/**
 * {@code -javaagent:pgguard-agent.jar[=key=value,...]}, at start-up or attached late: puts pgguard's guard in front
 * of every pgjdbc in the JVM by inlining advice into three pgjdbc classes, matched by exact name. Nothing it does
 * can stop the application from starting: a failure is logged, loudly, and the hooks that could not be applied
 * refuse their calls or let them pass as {@code pgguard.agent.onHookFailure} says.
 */
public final class PgGuardAgent {

    static final String PG_STATEMENT = "org.postgresql.jdbc.PgStatement";
    static final String PG_PREPARED_STATEMENT = "org.postgresql.jdbc.PgPreparedStatement";
    static final String QUERY_EXECUTOR = "org.postgresql.core.v3.QueryExecutorImpl";
    static final String PG_CONNECTION = "org.postgresql.jdbc.PgConnection";

    private static boolean installed;

    private PgGuardAgent() {
    }

    public static void premain(String args, Instrumentation inst) {
        install(args, inst, false);
    }

    public static void agentmain(String args, Instrumentation inst) {
        install(args, inst, true);
    }

    private static synchronized void install(String args, Instrumentation inst, boolean late) {
        if (installed) {
            AgentLog.info("pgguard agent: already installed; the options of this attach are ignored");
            return;
        }
        installed = true;
        try {
            Properties options = AgentOptions.parse(args);
            boolean blocks = AgentOptions.hookFailureBlocks(options, System.getProperties(), System.getenv());
            CoreLoader.open(new JarFile(agentJar()));
            Hooks.configure(options, blocks);
            // our relocated ByteBuddy's own switch (the application's ByteBuddy reads net.bytebuddy.*): no Nexus,
            // whose eager set-up through Unsafe is most of ByteBuddy's start-up and which advice never needs
            System.setProperty("io.pgguard.shaded.bytebuddy.nexus.disabled", "true");
            String installedLine = "pgguard agent " + version() + " installed" + (late ? " (attached late)" : "")
                    + "; pgguard.agent.onHookFailure=" + (blocks ? "block" : "warn");
            if (late) {
                builder().with(AgentBuilder.RedefinitionStrategy.RETRANSFORMATION).installOn(inst);
                AgentLog.info(installedLine);
                return;
            }
            // At start-up, ByteBuddy is made ready on a thread of its own while the application starts; a
            // transformer that only compares class names waits for it when pgjdbc's first hooked class is loaded.
            FutureTask<ClassFileTransformer> hooks = new FutureTask<>(() -> {
                ClassFileTransformer t = builder().makeRaw();
                AgentLog.info(installedLine);
                return t;
            });
            inst.addTransformer(new LazyTransformer(hooks), true);
            Thread init = new Thread(() -> {
                hooks.run();
                try {
                    warmUp(hooks.get());
                } catch (Exception | LinkageError e) {
                    // reported by the transformer that waits for it
                }
            }, "pgguard-agent-init");
            init.setDaemon(true);
            init.start();
        } catch (Throwable t) {
            AgentLog.severe("pgguard agent: could not be installed; pgjdbc is NOT guarded by the agent", t);
        }
    }

    /** Set on the init thread while {@link #warmUp} runs: its transformations are thrown away, and their logs. */
    private static final ThreadLocal<Boolean> WARMING = new ThreadLocal<>();

    /**
     * Transforms the class path's pgjdbc classes once, on the init thread once the transformer is ready, and throws
     * the result away: the classes ByteBuddy needs to transform (a thousand of them) are then loaded and initialised
     * while the application starts, not while its first connection waits. Nothing is defined; a JVM without pgjdbc
     * on its class path skips it.
     */
    private static void warmUp(ClassFileTransformer t) {
        ClassLoader app = ClassLoader.getSystemClassLoader();
        WARMING.set(Boolean.TRUE);
        try {
            for (String name : LazyTransformer.HOOKED) {
                try (java.io.InputStream in = app.getResourceAsStream(name + ".class")) {
                    if (in != null) {
                        t.transform(app, name, null, null, in.readAllBytes());
                    }
                } catch (Throwable ignored) {
                    // the real transformation reports its own failures
                }
            }
        } finally {
            WARMING.remove();
        }
    }

    private static AgentBuilder builder() {
        // only the declared methods of the hooked classes matter: no method graph of their super types, no
        // validation of what advice inlining cannot get wrong, descriptions from the class files alone
        ByteBuddy byteBuddy = new ByteBuddy().with(TypeValidation.DISABLED)
                .with(MethodGraph.Compiler.ForDeclaredMethods.INSTANCE);
        return new AgentBuilder.Default(byteBuddy)
                .disableClassFormatChanges()
                .with(AgentBuilder.PoolStrategy.Default.FAST)
                .with(AgentBuilder.DescriptionStrategy.Default.POOL_ONLY)
                .with(AgentBuilder.InitializationStrategy.NoOp.INSTANCE)
                .with(new Failures())
                // decided on the class name alone, so that no other class is read for its description
                .ignore(not(nameStartsWith("org.postgresql.")))
                .type(named(PG_STATEMENT)).transform(PgGuardAgent::statement)
                .type(named(PG_PREPARED_STATEMENT)).transform(PgGuardAgent::preparedStatement)
                .type(named(QUERY_EXECUTOR)).transform(PgGuardAgent::queryExecutor)
                .type(named(PG_CONNECTION)).transform(PgGuardAgent::connection);
    }

    /**
     * Hands the four hooked pgjdbc classes, by internal name, to ByteBuddy's transformer once it is ready; every
     * other class passes after one string comparison.
     */
    private static final class LazyTransformer implements ClassFileTransformer {
        private static final java.util.Set<String> HOOKED = java.util.Set.of(PG_STATEMENT.replace('.', '/'),
                PG_PREPARED_STATEMENT.replace('.', '/'), QUERY_EXECUTOR.replace('.', '/'),
                PG_CONNECTION.replace('.', '/'));

        private final FutureTask<ClassFileTransformer> hooks;

        LazyTransformer(FutureTask<ClassFileTransformer> hooks) {
            this.hooks = hooks;
        }

        @Override
        public byte[] transform(ClassLoader loader, String className, Class<?> redefined, ProtectionDomain domain,
                                byte[] bytes) {
            if (className == null || !className.startsWith("org/postgresql/") || !HOOKED.contains(className)) {
                return null;
            }
            try {
                return hooks.get().transform(loader, className, redefined, domain, bytes);
            } catch (Throwable t) {
                AgentLog.severe("pgguard agent: could not instrument " + className + " in " + loader
                        + "; its statements are NOT guarded", t);
                return null;
            }
        }
    }

    private static File agentJar() throws Exception {
        return new File(PgGuardAgent.class.getProtectionDomain().getCodeSource().getLocation().toURI());
    }

    private static String version() {
        String v = PgGuardAgent.class.getPackage().getImplementationVersion();
        return v == null ? "(development build)" : v;
    }

    private static DynamicType.Builder<?> statement(DynamicType.Builder<?> builder, TypeDescription type,
                                                    ClassLoader loader, JavaModule module,
                                                    java.security.ProtectionDomain domain) {
        List<String> missing = new ArrayList<>();
        Hooked.require(type, missing).field("connection")
                .method("execute", 3, "org.postgresql.core.CachedQuery")
                .method("addBatch", 1, "java.lang.String");
        boolean internalBatch = Hooked.has(type, "internalExecuteBatch", 0);
        if (!internalBatch && !Hooked.has(type, "executeBatch", 0)) {
            missing.add("internalExecuteBatch() or executeBatch()");
        }
        if (!visible(loader, missing)) {
            return refuse(builder, type, loader, missing, entryPoints());
        }
        if (!missing.isEmpty()) {
            return refuse(builder, type, loader, missing, entryPoints());
        }
        ElementMatcher.Junction<MethodDescription> batch = internalBatch
                ? named("internalExecuteBatch").and(takesArguments(0))
                : namedOneOf("executeBatch", "executeLargeBatch").and(takesArguments(0));
        return builder
                .visit(hook(Advices.Execute.class, named("execute").and(takesArguments(3))
                        .and(takesArgument(0, named("org.postgresql.core.CachedQuery")))))
                .visit(hook(Advices.AddBatch.class, named("addBatch").and(takesArguments(String.class))))
                .visit(hook(Advices.ExecuteBatch.class, batch));
    }

    private static DynamicType.Builder<?> preparedStatement(DynamicType.Builder<?> builder, TypeDescription type,
                                                            ClassLoader loader, JavaModule module,
                                                            java.security.ProtectionDomain domain) {
        List<String> missing = new ArrayList<>();
        Hooked.require(type, missing).field("preparedQuery").method("getMetaData", 0, null)
                .method("getParameterMetaData", 0, null);
        if (!visible(loader, missing) || !missing.isEmpty()) {
            return refuse(builder, type, loader, missing, entryPoints()
                    .or(namedOneOf("getMetaData", "getParameterMetaData")));
        }
        return builder.visit(hook(Advices.Describe.class,
                namedOneOf("getMetaData", "getParameterMetaData").and(takesArguments(0))));
    }

    private static DynamicType.Builder<?> queryExecutor(DynamicType.Builder<?> builder, TypeDescription type,
                                                        ClassLoader loader, JavaModule module,
                                                        java.security.ProtectionDomain domain) {
        List<String> missing = new ArrayList<>();
        Hooked.require(type, missing).method("startCopy", 2, "java.lang.String");
        if (!visible(loader, missing) || !missing.isEmpty()) {
            return refuse(builder, type, loader, missing, named("startCopy"));
        }
        return builder.visit(hook(Advices.StartCopy.class,
                named("startCopy").and(takesArguments(2)).and(takesArgument(0, String.class))));
    }

    /**
     * Connections made from now on are remembered by their query executor, so that a COPY that comes before any
     * statement is decided with its connection's URL settings. Without this hook (or on a connection opened before a
     * late attach) such a COPY is decided with the process's settings and the host alone.
     */
    private static DynamicType.Builder<?> connection(DynamicType.Builder<?> builder, TypeDescription type,
                                                     ClassLoader loader, JavaModule module,
                                                     java.security.ProtectionDomain domain) {
        List<String> missing = new ArrayList<>();
        Hooked.require(type, missing).method("getQueryExecutor", 0, null);
        if (!visible(loader, missing) || !missing.isEmpty()) {
            if (WARMING.get() != null) {
                return builder;
            }
            AgentLog.warn("pgguard agent: new connections of " + loader + " are not remembered (missing "
                    + String.join(", ", missing) + "): a COPY before any statement is decided by host alone");
            return builder;
        }
        return builder.visit(hook(Advices.Connected.class, isConstructor()));
    }

    private static ElementMatcher.Junction<MethodDescription> entryPoints() {
        return isPublic().and(nameStartsWith("execute").or(named("addBatch")));
    }

    private static AsmVisitorWrapper hook(Class<?> advice, ElementMatcher<? super MethodDescription> on) {
        return Advice.to(advice).on(on);
    }

    /** Whether code inlined into this loader's classes can call {@link Hooks}: the loader must see the agent's. */
    private static boolean visible(ClassLoader loader, List<String> missing) {
        try {
            if (loader != null && Class.forName(Hooks.class.getName(), false, loader) == Hooks.class) {
                return true;
            }
        } catch (ClassNotFoundException | LinkageError e) {
            // reported below
        }
        missing.add("the agent's classes, which " + loader + " does not see (it does not delegate to the system "
                + "class loader)");
        return false;
    }

    /**
     * A hook cannot be applied: said once, loudly, for this class in this loader; with onHookFailure=block the path's
     * public methods refuse every call instead.
     */
    private static DynamicType.Builder<?> refuse(DynamicType.Builder<?> builder, TypeDescription type,
                                                 ClassLoader loader, List<String> missing,
                                                 ElementMatcher<? super MethodDescription> entryPoints) {
        boolean blocks = Hooks.hookFailureBlocks();
        if (WARMING.get() == null) {
            AgentLog.severe("pgguard agent: cannot guard " + type.getName() + " in " + loader + ": missing "
                    + String.join(", ", missing) + (blocks
                    ? "; its calls are refused (pgguard.agent.onHookFailure=block)"
                    : "; its calls pass UNGUARDED (pgguard.agent.onHookFailure=warn)"), null);
        }
        return blocks ? builder.visit(hook(Advices.Refuse.class, entryPoints)) : builder;
    }

    /** Reports every transformation error: a class left as it was is unguarded, and must not be so silently. */
    private static final class Failures extends AgentBuilder.Listener.Adapter {
        @Override
        public void onError(String typeName, ClassLoader loader, JavaModule module, boolean loaded, Throwable t) {
            if (WARMING.get() != null) {
                return;
            }
            AgentLog.severe("pgguard agent: could not instrument " + typeName + " in " + loader
                    + "; its statements are NOT guarded", t);
        }

        @Override
        public void onTransformation(TypeDescription type, ClassLoader loader, JavaModule module, boolean loaded,
                                     DynamicType dynamicType) {
            AgentLog.fine("pgguard agent: instrumented " + type.getName() + " in " + loader
                    + (loaded ? " (retransformed)" : ""));
        }
    }
}
