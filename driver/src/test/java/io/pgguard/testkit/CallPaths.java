package io.pgguard.testkit;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;

/** The three ways an application sends a string through JDBC: a Statement, a PreparedStatement, a batch. */
public final class CallPaths {

    /** One way of sending a string. */
    public interface CallPath {
        void run(Connection c, String sql) throws SQLException;
    }

    public static final List<CallPath> ALL = List.of(
            (c, sql) -> c.createStatement().execute(sql),
            (c, sql) -> c.prepareStatement(sql).execute(),
            (c, sql) -> {
                Statement s = c.createStatement();
                s.addBatch(sql);
                s.executeBatch();
            });

    private CallPaths() {
    }
}
