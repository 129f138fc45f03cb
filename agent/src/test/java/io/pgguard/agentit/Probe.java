package io.pgguard.agentit;

import io.pgguard.GuardBlockedException;
import io.pgguard.testkit.DestructiveCalls;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.StringReader;
import java.lang.reflect.Method;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.Driver;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import java.util.Properties;

/**
 * The application the agent's tests start under {@code -javaagent:}: plain JDBC with no knowledge of pgguard. Each
 * scenario prints one line per outcome ({@code OUTCOME name blocked|ran|failed:SQLSTATE rows}) for the test to read.
 */
public final class Probe {

    private Probe() {
    }

    public static void main(String[] args) throws Exception {
        switch (args[0]) {
            case "calls" -> calls(args[1], args[2], args[3], Boolean.parseBoolean(args[4]));
            case "query" -> query(args[1], args[2], List.of(args).subList(3, args.length));
            case "statements" -> statements(args[1], List.of(args).subList(2, args.length));
            case "after" -> {
                // an application that starts for a while before its first connection
                Thread.sleep(Long.parseLong(args[1]));
                statements(args[2], List.of(args).subList(3, args.length));
            }
            case "batches" -> batches(args[1], args[2]);
            case "copy" -> copy(args[1], args[2]);
            case "loaders" -> loaders(args[1], args[2], List.of(args).subList(3, args.length));
            case "isolated" -> isolated(args[1], args[2]);
            case "withoutSlf4j" -> withoutSlf4j(args[1], args[2]);
            case "internal" -> internal(args[1], args[2]);
            case "virtual" -> virtual(args[1], args[2], Integer.parseInt(args[3]));
            case "late" -> late(args[1], args[2]);
            default -> throw new IllegalArgumentException(args[0]);
        }
    }

    /** The rows of orders after a reset: 10. */
    static void reset(String local) throws SQLException {
        try (Connection c = DriverManager.getConnection(local); Statement s = c.createStatement()) {
            s.execute("CREATE TABLE IF NOT EXISTS orders (id bigint PRIMARY KEY, state text NOT NULL)");
            s.execute("TRUNCATE orders");
            s.execute("INSERT INTO orders SELECT g, 'new' FROM generate_series(1, 10) g");
        }
    }

    static long rows(String local) {
        try (Connection c = DriverManager.getConnection(local); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT count(*) FROM orders")) {
            rs.next();
            return rs.getLong(1);
        } catch (SQLException gone) {
            return -1;
        }
    }

    private static String outcome(SQLException e) {
        if (e instanceof GuardBlockedException b) {
            return "blocked:" + b.ruleId();
        }
        return "42501".equals(e.getSQLState()) ? "refused" : "failed:" + e.getSQLState();
    }

    private static void print(String name, String outcome, long rows) {
        System.out.println("OUTCOME " + name + " " + outcome + " " + rows);
    }

    /** Every call of the wrapping driver's test list, against a production target. */
    static void calls(String local, String production, String mode, boolean autocommit) throws SQLException {
        Properties p = new Properties();
        p.setProperty("preferQueryMode", mode);
        List<DestructiveCalls.Call> all = DestructiveCalls.all();
        for (int i = 0; i < all.size(); i++) {
            reset(local);
            String outcome;
            try (Connection c = DriverManager.getConnection(production, p)) {
                c.setAutoCommit(autocommit);
                try {
                    all.get(i).run(c);
                    outcome = "ran";
                } catch (SQLException e) {
                    outcome = outcome(e);
                }
                if (!autocommit) {
                    // committed, not rolled back: whatever got through counts
                    c.commit();
                }
            }
            print(String.valueOf(i), outcome, rows(local));
        }
    }

    /** Runs each query and prints its rows: the test compares them with a run without the agent. */
    static void query(String url, String mode, List<String> queries) throws SQLException {
        Properties p = new Properties();
        p.setProperty("preferQueryMode", mode);
        try (Connection c = DriverManager.getConnection(url, p)) {
            for (String q : queries) {
                for (boolean prepared : new boolean[] {false, true}) {
                    try (Statement s = prepared ? c.prepareStatement(q) : c.createStatement();
                         ResultSet rs = prepared ? ((PreparedStatement) s).executeQuery() : s.executeQuery(q)) {
                        ResultSetMetaData md = rs.getMetaData();
                        while (rs.next()) {
                            StringBuilder row = new StringBuilder("ROW");
                            for (int col = 1; col <= md.getColumnCount(); col++) {
                                row.append(' ').append(md.getColumnLabel(col)).append('=').append(rs.getString(col));
                            }
                            System.out.println(row);
                        }
                    }
                }
            }
        }
    }

    /** Runs each statement on one connection, in order, printing each outcome. */
    static void statements(String url, List<String> sqls) throws SQLException {
        try (Connection c = DriverManager.getConnection(url)) {
            for (String sql : sqls) {
                String outcome;
                try (Statement s = c.createStatement()) {
                    s.execute(sql);
                    outcome = "ran";
                    if (sql.startsWith("SHOW ")) {
                        try (ResultSet rs = s.getResultSet()) {
                            rs.next();
                            outcome = "value:" + rs.getString(1);
                        }
                    }
                } catch (SQLException e) {
                    outcome = outcome(e);
                }
                print(sql.replace(' ', '_'), outcome, 0);
            }
        }
    }

    /** Batches, with and without reWriteBatchedInserts. */
    static void batches(String local, String production) throws SQLException {
        for (String rewrite : new String[] {"false", "true"}) {
            Properties p = new Properties();
            p.setProperty("reWriteBatchedInserts", rewrite);
            reset(local);
            try (Connection c = DriverManager.getConnection(production, p)) {
                PreparedStatement ins = c.prepareStatement("INSERT INTO orders (id, state) VALUES (?, ?)");
                for (int i = 11; i <= 20; i++) {
                    ins.setInt(1, i);
                    ins.setString(2, "batched");
                    ins.addBatch();
                }
                ins.executeBatch();
                print("insert-batch-rewrite-" + rewrite, "ran", rows(local));
                PreparedStatement del = c.prepareStatement("DELETE FROM orders WHERE state = state");
                del.addBatch();
                del.addBatch();
                try {
                    del.executeBatch();
                    print("delete-batch-rewrite-" + rewrite, "ran", rows(local));
                } catch (SQLException e) {
                    print("delete-batch-rewrite-" + rewrite, outcome(e), rows(local));
                }
                Statement s = c.createStatement();
                s.addBatch("UPDATE orders SET state = 'seen' WHERE id = 1");
                try {
                    s.addBatch("DELETE FROM orders");
                    s.executeBatch();
                    print("statement-batch-rewrite-" + rewrite, "ran", rows(local));
                } catch (SQLException e) {
                    print("statement-batch-rewrite-" + rewrite, outcome(e), rows(local));
                }
            }
        }
    }

    /** COPY through pgjdbc's CopyManager, which no JDBC wrapper sees. */
    static void copy(String local, String production) throws Exception {
        reset(local);
        try (Connection c = DriverManager.getConnection(production)) {
            org.postgresql.copy.CopyManager copy = c.unwrap(org.postgresql.PGConnection.class).getCopyAPI();
            long in = copy.copyIn("COPY orders (id, state) FROM STDIN", new StringReader("100\tcopied\n101\tcopied\n"));
            print("copy-in-" + in, "ran", rows(local));
            java.io.StringWriter out = new java.io.StringWriter();
            copy.copyOut("COPY orders TO STDOUT", out);
            print("copy-out-" + out.toString().lines().count(), "ran", rows(local));
            try {
                copy.copyOut("COPY (DELETE FROM orders RETURNING id) TO STDOUT", new java.io.StringWriter());
                print("copy-delete", "ran", rows(local));
            } catch (SQLException e) {
                print("copy-delete", outcome(e), rows(local));
            }
            // the connection stays usable after a block
            try (ResultSet rs = c.createStatement().executeQuery("SELECT count(*) FROM orders")) {
                rs.next();
                print("after-block-select", "ran", rs.getLong(1));
            }
        }
    }

    /**
     * pgjdbc in class loaders of its own, as a web container or a fat jar loads it (the jar paths are arguments;
     * pgjdbc is not on this JVM's class path): each copy is guarded.
     */
    static void loaders(String local, String production, List<String> jars) throws Exception {
        for (String jar : jars) {
            URLClassLoader loader = new ChildFirst(Path.of(jar).toUri().toURL(), Probe.class.getClassLoader());
            Driver driver = (Driver) Class.forName("org.postgresql.Driver", true, loader).getConstructor()
                    .newInstance();
            String name = Path.of(jar).getFileName().toString();
            try (Connection setup = driver.connect(local, new Properties()); Statement s = setup.createStatement()) {
                s.execute("CREATE TABLE IF NOT EXISTS orders (id bigint PRIMARY KEY, state text NOT NULL)");
                s.execute("TRUNCATE orders");
                s.execute("INSERT INTO orders SELECT g, 'new' FROM generate_series(1, 10) g");
            }
            try (Connection c = driver.connect(production, new Properties())) {
                try {
                    c.createStatement().execute("DELETE FROM orders");
                    print(name + "-delete", "ran", count(c));
                } catch (SQLException e) {
                    print(name + "-delete", outcome(e), count(c));
                }
            }
        }
    }

    /** A web-app style loader: its own jars first, then its parent's (Tomcat's WebappClassLoader order). */
    static final class ChildFirst extends URLClassLoader {
        ChildFirst(URL jar, ClassLoader parent) {
            super(new URL[] {jar}, parent);
        }

        @Override
        protected Class<?> loadClass(String name, boolean resolve) throws ClassNotFoundException {
            synchronized (getClassLoadingLock(name)) {
                Class<?> c = findLoadedClass(name);
                if (c == null && !name.startsWith("java.")) {
                    try {
                        c = findClass(name);
                    } catch (ClassNotFoundException notHere) {
                        // the parent's
                    }
                }
                if (c == null) {
                    c = super.loadClass(name, false);
                }
                if (resolve) {
                    resolveClass(c);
                }
                return c;
            }
        }
    }

    /**
     * {@code threads} virtual threads (JDK 21+, reached by reflection so that this class compiles for 17), each on
     * its own connection: a blocked DELETE and a SELECT.
     */
    static void virtual(String local, String production, int threads) throws Exception {
        reset(local);
        Object builder = Thread.class.getMethod("ofVirtual").invoke(null);
        Method start = Class.forName("java.lang.Thread$Builder").getMethod("start", Runnable.class);
        java.util.concurrent.ConcurrentLinkedQueue<String> outcomes = new java.util.concurrent.ConcurrentLinkedQueue<>();
        List<Thread> started = new java.util.ArrayList<>();
        for (int i = 0; i < threads; i++) {
            started.add((Thread) start.invoke(builder, (Runnable) () -> {
                try (Connection c = DriverManager.getConnection(production); Statement s = c.createStatement()) {
                    try {
                        s.execute("DELETE FROM orders");
                        outcomes.add("ran");
                    } catch (SQLException e) {
                        outcomes.add(outcome(e));
                    }
                    s.execute("SELECT count(*) FROM orders");
                } catch (SQLException e) {
                    outcomes.add("failed:" + e.getSQLState());
                }
            }));
        }
        for (Thread t : started) {
            t.join();
        }
        print("virtual-" + outcomes.stream().distinct().sorted().toList().toString().replace(' ', '_'), "ran",
                rows(local));
    }

    /**
     * What pgjdbc sends of its own while the application works: savepoints, isValid, metadata queries, an updatable
     * result set's DELETE ... WHERE key = ?; all of it passes on a production target.
     */
    static void internal(String local, String production) throws SQLException {
        reset(local);
        try (Connection c = DriverManager.getConnection(production)) {
            c.setAutoCommit(false);
            java.sql.Savepoint sp = c.setSavepoint("before");
            c.createStatement().execute("UPDATE orders SET state = 'x' WHERE id = 2");
            c.rollback(sp);
            c.releaseSavepoint(c.setSavepoint());
            print("valid-" + c.isValid(5), "ran", 0);
            try (ResultSet rs = c.getMetaData().getColumns(null, null, "orders", null)) {
                int n = 0;
                while (rs.next()) {
                    n++;
                }
                print("metadata-columns-" + n, "ran", 0);
            }
            try (Statement s = c.createStatement(ResultSet.TYPE_SCROLL_INSENSITIVE, ResultSet.CONCUR_UPDATABLE);
                 ResultSet rs = s.executeQuery("SELECT id, state FROM orders WHERE id = 1")) {
                rs.next();
                rs.updateString("state", "updated");
                rs.updateRow();
                rs.deleteRow();
            }
            c.commit();
        }
        print("deleteRow", "ran", rows(local));
    }

    /**
     * pgjdbc in a loader that does not delegate to the application's (its parent is the platform loader): the
     * agent's classes are out of its sight, so its hooks cannot call the guard.
     */
    static void isolated(String production, String jar) throws Exception {
        URLClassLoader loader = new URLClassLoader(new URL[] {Path.of(jar).toUri().toURL()},
                ClassLoader.getPlatformClassLoader());
        Driver driver = (Driver) Class.forName("org.postgresql.Driver", true, loader).getConstructor().newInstance();
        try (Connection c = driver.connect(production, new Properties())) {
            try {
                c.createStatement().execute("SELECT 1");
                print("isolated-select", "ran", 0);
            } catch (SQLException e) {
                print("isolated-select", outcome(e), 0);
            }
        }
    }

    /**
     * pgjdbc in a loader that sees the agent's classes (as a module system's boot delegation can arrange) but no
     * SLF4J: the guard logs through java.util.logging.
     */
    static void withoutSlf4j(String production, String jar) throws Exception {
        ClassLoader app = Probe.class.getClassLoader();
        URLClassLoader loader = new URLClassLoader(new URL[] {Path.of(jar).toUri().toURL()},
                ClassLoader.getPlatformClassLoader()) {
            @Override
            protected Class<?> loadClass(String name, boolean resolve) throws ClassNotFoundException {
                return name.startsWith("io.pgguard.agent.") ? app.loadClass(name) : super.loadClass(name, resolve);
            }
        };
        Driver driver = (Driver) Class.forName("org.postgresql.Driver", true, loader).getConstructor().newInstance();
        try (Connection c = driver.connect(production, new Properties())) {
            try {
                c.createStatement().execute("DELETE FROM orders");
                print("no-slf4j-delete", "ran", count(c));
            } catch (SQLException e) {
                print("no-slf4j-delete", outcome(e), count(c));
            }
        }
    }

    private static long count(Connection c) throws SQLException {
        try (ResultSet rs = c.createStatement().executeQuery("SELECT count(*) FROM orders")) {
            rs.next();
            return rs.getLong(1);
        }
    }

    /** Opens a connection, waits for the agent to be attached (a line on standard input), then uses it. */
    static void late(String local, String production) throws Exception {
        reset(local);
        try (Connection c = DriverManager.getConnection(production)) {
            c.setAutoCommit(false);
            c.createStatement().execute("UPDATE orders SET state = 'open' WHERE id = 1");
            System.out.println("READY " + ProcessHandle.current().pid());
            System.out.flush();
            new BufferedReader(new InputStreamReader(System.in)).readLine();
            try {
                c.createStatement().execute("DELETE FROM orders");
                print("late-delete", "ran", -1);
            } catch (SQLException e) {
                print("late-delete", outcome(e), -1);
            }
            c.rollback();
            try {
                c.createStatement().execute("TRUNCATE orders");
                print("late-truncate", "ran", -1);
            } catch (SQLException e) {
                print("late-truncate", outcome(e), -1);
            }
            c.rollback();
        }
        print("late-end", "ran", rows(local));
    }

}
