package io.pgguard.bench.jdbc;

import java.io.IOException;
import java.io.PrintStream;
import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.nio.file.StandardOpenOption;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.function.Function;

/**
 * The JDBC overhead of pgguard next to p6spy and datasource-proxy, measured in one JVM against one real PostgreSQL,
 * with the variants interleaved finely: each round runs, for each workload, {@code ops} calls per variant in chunks
 * of {@code chunk} calls, the variants in a fresh random order for every chunk. A burst of noise (the server, the
 * hypervisor, a GC, another process) therefore falls on all variants of a round alike, and the ratio of a variant
 * to raw pgjdbc in the same round cancels most of it; the median over rounds and its confidence interval say how
 * sure the result is, and a second raw connection (the A/A control) shows the noise floor directly. Each variant
 * runs its own copy of the workload code ({@link Ops}), so that no call site is shared between JDBC stacks.
 *
 * <p>Client CPU is the benchmark thread's CPU time ({@code ThreadMXBean.getCurrentThreadCpuTime}: user + system,
 * so pgjdbc's socket calls and the kernel's loopback work done on this thread count). GC and JIT threads do not
 * count, which is why the bytes allocated per call are reported too. Wall time includes the round trip and the
 * server's work, so wall ratios are diluted by both. Per round, a variant's CPU and wall per call are the mean of
 * its chunks after dropping the slowest {@code trim} share of them (the same share for every variant); the summary
 * also shows the untrimmed figure.
 *
 * <p>By default the embedded server and this JVM are pinned to one CPU ({@code --pin=0}, with {@code taskset}).
 * Unpinned on a 2-CPU VM, the scheduler keeps a connection's backend on the client's CPU or on the other one for
 * seconds at a time, and the client's CPU per call (wake-ups across CPUs, the loopback stack's softirq work charged
 * to whoever runs) jumps by up to 3x with that placement, connection by connection, which interleaving cannot
 * cancel. {@code --pin=S/C} puts the server on CPU S and the client on CPU C; {@code --pin=none} leaves both to
 * the scheduler. The harness takes JMH's lock ({@code /tmp/jmh.lock}) so that it does not run beside a JMH run.
 *
 * <pre>
 * ./mvnw -B -Pbench -DskipTests package -pl driver -am
 * java -Xms1g -Xmx1g -XX:+AlwaysPreTouch -cp driver/target/benchmarks.jar io.pgguard.bench.jdbc.OverheadHarness
 *      [--rounds=300] [--warmup-rounds=30] [--ops=600] [--chunk=20] [--trim=0.2] [--pin=0|S/C|none]
 *      [--peer-logging=off|format] [--variants=raw,raw-control,pgguard,p6spy,datasource-proxy,agent]
 *      [--workloads=prepared-reused,prepared-per-call,new-text,calls-routine] [--seed=1] [--csv=chunks.csv]
 *      [--ignore-lock=true] [--alt=other-build/driver/target/classes]
 * </pre>
 *
 * <p>{@code --alt} adds the variant {@code pgguard-alt}: the same URL through another build of pgguard, in a class
 * loader of its own. To see what a change does, build the baseline's {@code driver/target/classes}, copy it aside,
 * and pass it here: both builds are then measured in the same rounds, and the report compares them directly.
 */
public final class OverheadHarness {

    private static final com.sun.management.ThreadMXBean THREADS =
            (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();

    /** Keeps the checksums observable. */
    static volatile long sink;

    private final Options options;
    private final PrintStream out;
    /** Before pinning, which narrows what the JVM reports. */
    private final int cpus = Runtime.getRuntime().availableProcessors();

    private OverheadHarness(Options options, PrintStream out) {
        this.options = options;
        this.out = out;
    }

    /** The command line, as {@code --name=value} pairs. */
    record Options(int warmupRounds, int rounds, int ops, int chunk, double trim, List<Variant> variants,
                   List<Workload> workloads, PeerLogging peerLogging, Path csv, long seed, String pin,
                   boolean ignoreLock, Path alt) {

        static Options parse(String[] args) {
            int warmup = 30;
            int rounds = 300;
            int ops = 600;
            int chunk = 20;
            double trim = 0.2;
            List<Variant> variants = null;
            List<Workload> workloads = List.of(Workload.values());
            PeerLogging logging = PeerLogging.OFF;
            Path csv = null;
            long seed = 1;
            String pin = "0";
            boolean ignoreLock = false;
            Path alt = null;
            for (String arg : args) {
                int eq = arg.indexOf('=');
                if (!arg.startsWith("--") || eq < 0) {
                    throw new IllegalArgumentException("expected --name=value, got " + arg);
                }
                String name = arg.substring(2, eq);
                String value = arg.substring(eq + 1);
                switch (name) {
                    case "warmup-rounds" -> warmup = Integer.parseInt(value);
                    case "rounds" -> rounds = Integer.parseInt(value);
                    case "ops" -> ops = Integer.parseInt(value);
                    case "chunk" -> chunk = Integer.parseInt(value);
                    case "trim" -> trim = Double.parseDouble(value);
                    case "variants" -> variants = parseList(value, Variant::parse);
                    case "workloads" -> workloads = parseList(value, Workload::parse);
                    case "peer-logging" -> logging = PeerLogging.parse(value);
                    case "csv" -> csv = Paths.get(value);
                    case "seed" -> seed = Long.parseLong(value);
                    case "pin" -> pin = value;
                    case "ignore-lock" -> ignoreLock = Boolean.parseBoolean(value);
                    case "alt" -> alt = Paths.get(value);
                    default -> throw new IllegalArgumentException("unknown option --" + name);
                }
            }
            if (variants == null) {
                List<Variant> all = new ArrayList<>(List.of(Variant.values()));
                if (alt == null) {
                    all.remove(Variant.PGGUARD_ALT);
                }
                if (!Boolean.getBoolean("pgguard.test.isolatedRaw")) {
                    all.remove(Variant.AGENT);
                }
                variants = List.copyOf(all);
            }
            if (variants.contains(Variant.PGGUARD_ALT) != (alt != null)) {
                throw new IllegalArgumentException("--alt=<classes dir or jar> goes with the pgguard-alt variant");
            }
            if (!variants.contains(Variant.RAW)) {
                throw new IllegalArgumentException("--variants must include raw: every ratio divides by it");
            }
            if (rounds < 3 || warmup < 0 || chunk < 1 || ops < chunk || trim < 0 || trim >= 1) {
                throw new IllegalArgumentException("need --rounds >= 3, --warmup-rounds >= 0, --ops >= --chunk >= 1,"
                        + " 0 <= --trim < 1");
            }
            if (!pin.matches("none|\\d+|\\d+/\\d+")) {
                throw new IllegalArgumentException("--pin is none, a CPU number, or serverCpu/clientCpu");
            }
            return new Options(warmup, rounds, ops - ops % chunk, chunk, trim, variants, workloads, logging, csv,
                    seed, pin, ignoreLock, alt);
        }

        private static <T> List<T> parseList(String value, Function<String, T> parse) {
            List<T> list = new ArrayList<>();
            for (String s : value.split(",")) {
                if (!s.isBlank()) {
                    T t = parse.apply(s);
                    if (!list.contains(t)) {
                        list.add(t);
                    }
                }
            }
            return List.copyOf(list);
        }
    }

    public static void main(String[] args) throws Exception {
        Options options;
        try {
            options = Options.parse(args);
        } catch (IllegalArgumentException e) {
            System.err.println("OverheadHarness: " + e.getMessage());
            System.exit(2);
            return;
        }
        if (options.ignoreLock()) {
            new OverheadHarness(options, System.out).run();
            return;
        }
        // JMH's own lock: two benchmarks on one machine measure each other. Wait for the other one to finish.
        Path lockPath = Paths.get(System.getProperty("java.io.tmpdir"), "jmh.lock");
        try (FileChannel channel = FileChannel.open(lockPath, StandardOpenOption.CREATE, StandardOpenOption.WRITE)) {
            FileLock lock = channel.tryLock();
            if (lock == null) {
                System.err.println("another benchmark holds " + lockPath + "; waiting for it (--ignore-lock=true"
                        + " to run anyway)");
                lock = channel.lock();
            }
            try {
                new OverheadHarness(options, System.out).run();
            } finally {
                lock.release();
            }
        }
    }

    private void run() throws IOException, SQLException {
        if (!THREADS.isCurrentThreadCpuTimeSupported() || !THREADS.isThreadAllocatedMemorySupported()) {
            throw new IllegalStateException("this JVM cannot measure thread CPU time or allocation");
        }
        THREADS.setThreadCpuTimeEnabled(true);
        THREADS.setThreadAllocatedMemoryEnabled(true);
        // p6spy reads its configuration once, when its driver first connects.
        options.peerLogging().configureP6spy();

        long started = System.nanoTime();
        try (BenchServer server = BenchServer.start()) {
            String pinning = pin(server, options.pin());
            Map<Variant, Session> sessions = new EnumMap<>(Variant.class);
            try {
                for (Variant v : options.variants()) {
                    sessions.put(v, Session.open(v, server, options.peerLogging(), options.alt()));
                }
                printSetup(server, sessions);
                out.println("CPUs       " + pinning);
                long gcCount0 = gcCount();
                long gcMillis0 = gcMillis();
                long measureStart = System.nanoTime();
                List<Block> blocks = measure(sessions);
                double seconds = (System.nanoTime() - measureStart) / 1e9;
                out.printf(Locale.ROOT, "measured   %.0f s (warm-up included); GC during it: %d collections, %d ms;"
                        + " one getCurrentThreadCpuTime costs %.2f us (each chunk carries one)%n%n", seconds,
                        gcCount() - gcCount0, gcMillis() - gcMillis0, timerCostNanos() / 1000);
                new Report(options, out).print(blocks);
                if (options.csv() != null) {
                    Report.writeCsv(blocks, options.csv());
                    out.println("per-chunk data: " + options.csv().toAbsolutePath());
                }
            } finally {
                for (Session s : sessions.values()) {
                    s.close();
                }
            }
        }
        out.printf(Locale.ROOT, "total time %.0f s%n", (System.nanoTime() - started) / 1e9);
    }

    /** Applies {@code --pin}: none, one CPU for server and client, or serverCpu/clientCpu. */
    static String pin(BenchServer server, String pin) throws SQLException, IOException {
        if (pin.equals("none")) {
            return "not pinned";
        }
        int slash = pin.indexOf('/');
        return slash < 0 ? server.pin(pin, pin) : server.pin(pin.substring(0, slash), pin.substring(slash + 1));
    }

    private List<Block> measure(Map<Variant, Session> sessions) throws SQLException {
        int total = options.warmupRounds() + options.rounds();
        int chunks = Math.max(1, options.ops() / options.chunk());
        Variant[] variants = options.variants().toArray(new Variant[0]);
        Session[] bySlot = new Session[variants.length];
        for (int i = 0; i < variants.length; i++) {
            bySlot[i] = sessions.get(variants[i]);
        }
        int[] order = new int[variants.length];
        SplittableRandom shuffle = new SplittableRandom(options.seed());
        List<Block> blocks = new ArrayList<>();
        long lastProgress = System.nanoTime();
        for (int r = 0; r < total; r++) {
            boolean warmup = r < options.warmupRounds();
            for (Workload w : options.workloads()) {
                long[][] cpu = new long[variants.length][chunks];
                long[][] wall = new long[variants.length][chunks];
                long[][] alloc = new long[variants.length][chunks];
                for (int c = 0; c < chunks; c++) {
                    permute(order, shuffle);
                    // One reading ends a chunk and starts the next: each chunk carries the cost of one reading.
                    long cpu0 = THREADS.getCurrentThreadCpuTime();
                    long wall0 = System.nanoTime();
                    long alloc0 = THREADS.getCurrentThreadAllocatedBytes();
                    for (int slot : order) {
                        sink += bySlot[slot].run(w, options.chunk());
                        long cpu1 = THREADS.getCurrentThreadCpuTime();
                        long wall1 = System.nanoTime();
                        long alloc1 = THREADS.getCurrentThreadAllocatedBytes();
                        cpu[slot][c] = cpu1 - cpu0;
                        wall[slot][c] = wall1 - wall0;
                        alloc[slot][c] = alloc1 - alloc0;
                        cpu0 = cpu1;
                        wall0 = wall1;
                        alloc0 = alloc1;
                    }
                }
                if (!warmup) {
                    for (int i = 0; i < variants.length; i++) {
                        blocks.add(new Block(r - options.warmupRounds(), w, variants[i], options.chunk(),
                                cpu[i], wall[i], alloc[i]));
                    }
                }
            }
            if (System.nanoTime() - lastProgress > 15_000_000_000L || r == total - 1) {
                lastProgress = System.nanoTime();
                System.err.printf(Locale.ROOT, "round %d/%d%s%n", r + 1, total, warmup ? " (warm-up)" : "");
            }
        }
        return blocks;
    }

    /** A fresh uniformly random order of {@code 0..order.length-1} (Fisher-Yates). */
    private static void permute(int[] order, SplittableRandom random) {
        for (int i = 0; i < order.length; i++) {
            order[i] = i;
        }
        for (int i = order.length - 1; i > 0; i--) {
            int j = random.nextInt(i + 1);
            int t = order[i];
            order[i] = order[j];
            order[j] = t;
        }
    }

    private static long gcCount() {
        long n = 0;
        for (GarbageCollectorMXBean gc : ManagementFactory.getGarbageCollectorMXBeans()) {
            n += Math.max(0, gc.getCollectionCount());
        }
        return n;
    }

    private static long gcMillis() {
        long t = 0;
        for (GarbageCollectorMXBean gc : ManagementFactory.getGarbageCollectorMXBeans()) {
            t += Math.max(0, gc.getCollectionTime());
        }
        return t;
    }

    private static double timerCostNanos() {
        long x = 0;
        int n = 20_000;
        long t0 = System.nanoTime();
        for (int i = 0; i < n; i++) {
            x += THREADS.getCurrentThreadCpuTime();
        }
        double cost = (System.nanoTime() - t0) / (double) n;
        sink += x;
        return cost;
    }

    private void printSetup(BenchServer server, Map<Variant, Session> sessions) throws SQLException {
        Runtime rt = Runtime.getRuntime();
        List<String> gcs = new ArrayList<>();
        for (GarbageCollectorMXBean gc : ManagementFactory.getGarbageCollectorMXBeans()) {
            gcs.add(gc.getName());
        }
        out.println("pgguard JDBC overhead: variants interleaved in chunks, ratios to raw pgjdbc of the same round");
        out.printf(Locale.ROOT, "JVM        %s %s, %d CPUs, heap max %d MB, %s; args %s%n",
                System.getProperty("java.vm.name"), System.getProperty("java.runtime.version"),
                cpus, rt.maxMemory() >> 20, String.join("/", gcs),
                ManagementFactory.getRuntimeMXBean().getInputArguments());
        out.printf(Locale.ROOT, "host       %s%n", host());
        out.printf(Locale.ROOT, "server     %s%n           %s%n", server.description, server.serverVersion());
        out.printf(Locale.ROOT, "pgjdbc     %s, default connection properties (prepareThreshold=5,"
                + " preferQueryMode=extended)%n", org.postgresql.util.DriverInfo.DRIVER_VERSION);
        out.printf(Locale.ROOT, "table      %s, %d rows, id int primary key; a call reads one row by a random id%n",
                BenchServer.TABLE, BenchServer.ROWS);
        out.printf(Locale.ROOT, "rounds     %d warm-up + %d measured; per round and workload %d calls per variant in"
                + " chunks of %d, variant order shuffled per chunk (seed %d); slowest %.0f%% of chunks dropped%n",
                options.warmupRounds(), options.rounds(), options.ops(), options.chunk(), options.seed(),
                options.trim() * 100);
        out.printf(Locale.ROOT, "pgguard    jdbc:pgguard:postgresql://...?pgguard.environment=production (non-local"
                + " target; checked: a DROP TABLE is blocked)%n");
        com.p6spy.engine.spy.appender.P6Logger p6 = com.p6spy.engine.common.P6LogQuery.getLogger();
        out.printf(Locale.ROOT, "p6spy      3.9.1, jdbc:p6spy:postgresql://..., appender=%s (in use: %s),"
                + " logMessageFormat=SingleLineFormat, jmx=false, everything else default%n",
                options.peerLogging().p6spyAppender(), p6 == null ? "none" : p6.getClass().getName());
        out.printf(Locale.ROOT, "ds-proxy   1.11.0, ProxyDataSourceBuilder.create(PGSimpleDataSource).name(\"bench\")%s%n",
                options.peerLogging() == PeerLogging.OFF ? ".logQueryBySlf4j(SLF4JLogLevel.INFO).build()"
                        : ".listener(always-on DefaultQueryLogEntryCreator, line dropped).build()");
        out.printf(Locale.ROOT, "logging    peer logging %s; SLF4J bound to %s%n", options.peerLogging(),
                org.slf4j.LoggerFactory.getILoggerFactory().getClass().getName());
        for (Session s : sessions.values()) {
            out.printf(Locale.ROOT, "  %-18s %s%n", s.variant.label, s.describe());
        }
    }

    /**
     * The processor the figures were taken on, from {@code /proc/cpuinfo}: the same code measures differently on
     * another one (a check that misses the CPU's caches costs several times more on some hosts), so a report says
     * where it was made.
     */
    private static String host() {
        Map<String, String> first = new HashMap<>();
        try {
            for (String line : Files.readAllLines(Paths.get("/proc/cpuinfo"))) {
                int colon = line.indexOf(':');
                if (colon > 0) {
                    first.putIfAbsent(line.substring(0, colon).trim(), line.substring(colon + 1).trim());
                }
            }
        } catch (IOException | RuntimeException e) {
            return "unknown (" + e.getMessage() + ")";
        }
        String flags = " " + first.getOrDefault("flags", "") + " ";
        return String.format(Locale.ROOT, "%s (family %s, model %s), cache %s%s",
                first.getOrDefault("model name", "unknown processor"), first.getOrDefault("cpu family", "?"),
                first.getOrDefault("model", "?"), first.getOrDefault("cache size", "?"),
                flags.contains(" hypervisor ") ? ", virtual machine" : "");
    }
}
