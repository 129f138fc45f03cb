package io.pgguard.agentit;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;

/**
 * A Spring Boot style application's main, packed by {@link FatJar} with pgjdbc, SLF4J and Logback in
 * {@code BOOT-INF/lib} and started with {@code java -jar}: plain JDBC, no pgguard class.
 */
public final class FatJarApp {

    private FatJarApp() {
    }

    public static void main(String[] args) throws SQLException {
        try (Connection c = DriverManager.getConnection(args[0]); Statement s = c.createStatement()) {
            System.out.println("LOADER " + c.getClass().getClassLoader().getClass().getName());
            try {
                s.executeUpdate("DELETE FROM orders");
                System.out.println("OUTCOME fat-jar-delete ran 0");
            } catch (SQLException e) {
                System.out.println("OUTCOME fat-jar-delete " + ("42501".equals(e.getSQLState()) ? "refused" : "failed:"
                        + e.getSQLState()) + " 0");
            }
            try (ResultSet rs = s.executeQuery("SELECT count(*) FROM orders")) {
                rs.next();
                System.out.println("OUTCOME fat-jar-select ran " + rs.getLong(1));
            }
        }
    }
}
