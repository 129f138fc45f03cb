package io.pgguard.bench.jdbc;

import io.pgguard.GuardBlockedException;
import net.ttddyy.dsproxy.listener.logging.SLF4JLogLevel;
import net.ttddyy.dsproxy.support.ProxyDataSourceBuilder;
import org.postgresql.ds.PGSimpleDataSource;

import java.io.IOException;
import java.io.InputStream;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.SplittableRandom;
import javax.sql.DataSource;

/**
 * One variant's connection, held for the whole run, with its reused prepared statement and its own id stream.
 * Ids come from a seeded generator per session, so every variant reads the same sequence of rows.
 */
public final class Session implements AutoCloseable {

    /** The first sequence number of {@link Workload#NEW_TEXT}; 13 digits, so the text's length does not drift. */
    private static final long FIRST_SEQUENCE = 1_000_000_000_000L;

    final Variant variant;
    public final Connection connection;
    public final PreparedStatement reused;
    /** {@code Ops.run} of this session's own copy of {@link Ops}. */
    private final MethodHandle loop;
    private final SplittableRandom ids;
    private long sequence = FIRST_SEQUENCE;

    private Session(Variant variant, Connection connection) throws SQLException {
        this.variant = variant;
        this.connection = connection;
        this.reused = connection.prepareStatement(Workload.POINT_READ);
        this.ids = new SplittableRandom(42);
        this.loop = ownCopyOfOps();
    }

    /**
     * {@code Ops.run} in a copy of {@link Ops} defined by a class loader of its own: the same bytecode, with call
     * sites (and so a type profile) that only this session's JDBC classes reach.
     */
    private static MethodHandle ownCopyOfOps() {
        String name = Ops.class.getName();
        try (InputStream in = Ops.class.getResourceAsStream("/" + name.replace('.', '/') + ".class")) {
            byte[] code = in.readAllBytes();
            Class<?> copy = new ClassLoader(Ops.class.getClassLoader()) {
                Class<?> define() {
                    return defineClass(name, code, 0, code.length);
                }
            }.define();
            return MethodHandles.publicLookup().findStatic(copy, "run",
                    MethodType.methodType(long.class, Session.class, int.class, int.class));
        } catch (IOException | ReflectiveOperationException e) {
            throw new IllegalStateException("cannot copy " + name, e);
        }
    }

    /** Opens {@code variant}'s connection; {@code alt} is the other pgguard build, for {@link Variant#PGGUARD_ALT}. */
    static Session open(Variant variant, BenchServer server, PeerLogging peerLogging, Path alt) throws SQLException {
        Connection c = connect(variant, server, peerLogging, alt);
        try {
            check(variant, c);
            return new Session(variant, c);
        } catch (SQLException | RuntimeException e) {
            c.close();
            throw e;
        }
    }

    private static Connection connect(Variant variant, BenchServer server, PeerLogging peerLogging, Path alt)
            throws SQLException {
        String rest = server.pgUrl.substring("jdbc:".length()); // postgresql://host:port/db[?params]
        String guarded = "jdbc:pgguard:" + rest + (rest.indexOf('?') < 0 ? "?" : "&")
                + "pgguard.environment=production";
        switch (variant) {
            case RAW:
            case RAW_CONTROL:
                return Boolean.getBoolean("pgguard.test.isolatedRaw")
                        ? IsolatedPgjdbc.driver().connect(server.pgUrl, server.credentials)
                        : DriverManager.getConnection(server.pgUrl, server.credentials);
            case PGGUARD:
                return DriverManager.getConnection(guarded, server.credentials);
            case AGENT:
                return DriverManager.getConnection(server.pgUrl + (rest.indexOf('?') < 0 ? "?" : "&")
                        + "pgguard.environment=production", server.credentials);
            case PGGUARD_ALT:
                return AltBuild.driver(alt).connect(guarded, server.credentials);
            case P6SPY:
                return DriverManager.getConnection("jdbc:p6spy:" + rest, server.credentials);
            case DATASOURCE_PROXY:
                PGSimpleDataSource pg = new PGSimpleDataSource();
                pg.setURL(server.pgUrl);
                pg.setUser(server.credentials.getProperty("user"));
                pg.setPassword(server.credentials.getProperty("password"));
                ProxyDataSourceBuilder builder = ProxyDataSourceBuilder.create(pg).name("bench");
                DataSource ds = peerLogging == PeerLogging.OFF
                        ? builder.logQueryBySlf4j(SLF4JLogLevel.INFO).build()
                        : builder.listener(new PeerLogging.DiscardingQueryLogger()).build();
                return ds.getConnection();
            default:
                throw new AssertionError(variant);
        }
    }

    /** Makes sure each variant really is what it claims to be before anything is measured. */
    private static void check(Variant variant, Connection c) throws SQLException {
        String cls = c.getClass().getName();
        boolean ok;
        switch (variant) {
            case RAW:
            case RAW_CONTROL:
                ok = cls.startsWith("org.postgresql.");
                break;
            case PGGUARD:
                ok = c instanceof io.pgguard.jdbc.GuardConnection && guardBlocks(c);
                break;
            case PGGUARD_ALT:
                ok = cls.equals(io.pgguard.jdbc.GuardConnection.class.getName())
                        && c.getClass() != io.pgguard.jdbc.GuardConnection.class && guardBlocks(c);
                break;
            case AGENT:
                ok = cls.equals("org.postgresql.jdbc.PgConnection") && guardBlocks(c);
                break;
            case P6SPY:
                ok = cls.startsWith("com.p6spy.");
                break;
            case DATASOURCE_PROXY:
                ok = java.lang.reflect.Proxy.isProxyClass(c.getClass()) || cls.startsWith("net.ttddyy.");
                break;
            default:
                ok = false;
        }
        boolean isolated = c.getClass().getClassLoader() != org.postgresql.PGConnection.class.getClassLoader();
        if (!ok || !isolated && !c.isWrapperFor(org.postgresql.PGConnection.class)) {
            throw new IllegalStateException(variant.label + ": unexpected connection " + cls);
        }
    }

    /**
     * The guard is on and treats the target as production: a DROP TABLE is blocked before it is sent (by name: the
     * alternative build's exception is a class of its own).
     */
    private static boolean guardBlocks(Connection c) throws SQLException {
        try (Statement s = c.createStatement()) {
            s.execute("DROP TABLE IF EXISTS pgguard_bench_probe");
            return false;
        } catch (SQLException e) {
            if (e.getClass().getName().equals(GuardBlockedException.class.getName())) {
                return true;
            }
            throw e;
        }
    }

    String describe() {
        return connection.getClass().getName();
    }

    public int nextId() {
        return 1 + ids.nextInt(BenchServer.ROWS);
    }

    public long nextSequence() {
        return sequence++;
    }

    /** Runs {@code ops} operations of {@code w}; returns a checksum of what was read. */
    long run(Workload w, int ops) throws SQLException {
        try {
            return (long) loop.invokeExact(this, w.ordinal(), ops);
        } catch (SQLException | RuntimeException | Error e) {
            throw e;
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
    }

    @Override
    public void close() throws SQLException {
        try {
            reused.close();
        } finally {
            connection.close();
        }
    }
}
