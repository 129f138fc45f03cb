package io.pgguard.agentit;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import org.flywaydb.core.Flyway;
import org.hibernate.SessionFactory;
import org.hibernate.cfg.Configuration;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;

/** The frameworks' own SQL under the agent, each printing OUTCOME lines as {@link Probe} does. */
public final class Frameworks {

    private Frameworks() {
    }

    public static void main(String[] args) throws Exception {
        switch (args[0]) {
            case "hikari" -> hikari(args[1], args[2]);
            case "flyway" -> flyway(args[1], args[2], args[3]);
            case "hibernate" -> hibernate(args[1], args[2]);
            default -> throw new IllegalArgumentException(args[0]);
        }
    }

    private static String outcome(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof io.pgguard.GuardBlockedException b) {
                return "blocked:" + b.ruleId();
            }
        }
        return "failed:" + e.getClass().getSimpleName();
    }

    static void hikari(String local, String production) throws SQLException {
        Probe.reset(local);
        HikariConfig config = new HikariConfig();
        config.setJdbcUrl(production);
        config.setMaximumPoolSize(2);
        try (HikariDataSource pool = new HikariDataSource(config)) {
            for (int round = 0; round < 2; round++) {
                try (Connection c = pool.getConnection(); Statement s = c.createStatement()) {
                    try {
                        s.executeUpdate("DELETE FROM orders");
                        System.out.println("OUTCOME hikari-delete-" + round + " ran " + Probe.rows(local));
                    } catch (SQLException e) {
                        System.out.println("OUTCOME hikari-delete-" + round + " " + outcome(e) + " "
                                + Probe.rows(local));
                    }
                    try (ResultSet rs = s.executeQuery("SELECT count(*) FROM orders WHERE id > 5")) {
                        rs.next();
                        System.out.println("OUTCOME hikari-select-" + round + " ran " + rs.getLong(1));
                    }
                }
            }
        }
    }

    /** migrate (with a warned CREATE INDEX), then clean, which must be blocked. */
    static void flyway(String local, String production, String location) throws SQLException {
        Flyway flyway = Flyway.configure().dataSource(production, null, null).locations("filesystem:" + location)
                .schemas("agent_flyway").cleanDisabled(false).load();
        try {
            flyway.migrate();
            System.out.println("OUTCOME flyway-migrate ran " + tableRows(local, "agent_flyway.account"));
        } catch (RuntimeException e) {
            System.out.println("OUTCOME flyway-migrate " + outcome(e) + " -1");
            e.printStackTrace();
        }
        try {
            flyway.clean();
            System.out.println("OUTCOME flyway-clean ran " + tableRows(local, "agent_flyway.account"));
        } catch (RuntimeException e) {
            System.out.println("OUTCOME flyway-clean " + outcome(e) + " " + tableRows(local, "agent_flyway.account"));
        }
    }

    /** create-drop: Hibernate drops the existing table first; pgguard blocks it, Hibernate logs and goes on. */
    static void hibernate(String local, String production) throws SQLException {
        try (Connection c = DriverManager.getConnection(local); Statement s = c.createStatement()) {
            s.execute("DROP TABLE IF EXISTS agent_widget");
            s.execute("CREATE TABLE agent_widget (id bigint PRIMARY KEY, name varchar(255))");
            s.execute("INSERT INTO agent_widget VALUES (1, 'a'), (2, 'b'), (3, 'c')");
        }
        Configuration cfg = new Configuration().addAnnotatedClass(Widget.class)
                .setProperty("hibernate.connection.url", production)
                .setProperty("hibernate.hbm2ddl.auto", "create-drop")
                .setProperty("hibernate.connection.pool_size", "1");
        try (SessionFactory sf = cfg.buildSessionFactory()) {
            System.out.println("OUTCOME hibernate-started ran " + tableRows(local, "agent_widget"));
        }
        System.out.println("OUTCOME hibernate-closed ran " + tableRows(local, "agent_widget"));
    }

    static long tableRows(String local, String table) {
        try (Connection c = DriverManager.getConnection(local); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT count(*) FROM " + table)) {
            rs.next();
            return rs.getLong(1);
        } catch (SQLException gone) {
            return -1;
        }
    }
}
