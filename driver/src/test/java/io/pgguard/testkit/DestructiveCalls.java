package io.pgguard.testkit;

import io.pgguard.GuardBlockedException;
import org.postgresql.PGConnection;
import org.postgresql.jdbc.AutoSave;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;

import static org.junit.jupiter.api.Assertions.fail;

/**
 * Every way of sending a statement that destroys the rows of {@code orders} (a table with rows) through JDBC: each
 * statement-making method and overload, batches, result sets' and metadata's way back to a statement, multi-statement
 * strings, and what a transaction only seems to have created. Shared by the wrapping driver's and the agent's tests.
 */
public final class DestructiveCalls {

    /** One way of sending a destructive statement through JDBC. */
    public interface Call {
        void run(Connection c) throws SQLException;
    }

    private DestructiveCalls() {
    }

    /** Every call, each of which would empty or drop {@code orders} if it reached the server. */
    public static List<Call> all() {
        String delete = "DELETE FROM orders";
        return List.of(
            c -> c.createStatement().execute(delete),
            c -> c.createStatement().execute(delete, Statement.RETURN_GENERATED_KEYS),
            c -> c.createStatement().execute(delete, new int[] {1}),
            c -> c.createStatement().execute(delete, new String[] {"id"}),
            c -> c.createStatement().executeQuery("WITH d AS (DELETE FROM orders RETURNING id) SELECT count(*) FROM d"),
            c -> c.createStatement().executeUpdate(delete),
            c -> c.createStatement().executeUpdate(delete, Statement.NO_GENERATED_KEYS),
            c -> c.createStatement().executeUpdate(delete, new int[] {1}),
            c -> c.createStatement().executeUpdate(delete, new String[] {"id"}),
            c -> c.createStatement().executeLargeUpdate(delete),
            c -> c.createStatement().executeLargeUpdate(delete, Statement.RETURN_GENERATED_KEYS),
            c -> c.createStatement().executeLargeUpdate(delete, new int[] {1}),
            c -> c.createStatement().executeLargeUpdate(delete, new String[] {"id"}),
            c -> c.createStatement().execute("SELECT 1; TRUNCATE orders; SELECT 2"),
            c -> c.createStatement().execute("DO $$ BEGIN EXECUTE 'DELETE FROM orders'; END $$"),
            c -> {
                Statement s = c.createStatement();
                s.addBatch("UPDATE orders SET state = 'x' WHERE id = 1");
                s.addBatch("TRUNCATE orders");
                s.executeBatch();
            },
            c -> c.prepareStatement(delete).execute(),
            c -> c.prepareStatement(delete).executeUpdate(),
            c -> c.prepareStatement(delete, Statement.RETURN_GENERATED_KEYS).executeLargeUpdate(),
            c -> c.prepareStatement("DELETE FROM orders RETURNING id", ResultSet.TYPE_FORWARD_ONLY,
                    ResultSet.CONCUR_READ_ONLY).executeQuery(),
            c -> {
                PreparedStatement ps = c.prepareStatement("DELETE FROM orders WHERE ? = ?");
                ps.setInt(1, 1);
                ps.setInt(2, 1);
                ps.execute();
            },
            c -> {
                PreparedStatement ps = c.prepareStatement("TRUNCATE orders");
                ps.addBatch();
                ps.executeBatch();
            },
            c -> c.prepareCall("TRUNCATE orders").execute(),
            c -> c.nativeSQL("DROP TABLE orders"), // pgjdbc sends nothing: a wrapper refuses it anyway
            c -> c.getMetaData().getConnection().createStatement().execute(delete),
            c -> c.createStatement().getConnection().createStatement().execute(delete),
            c -> c.unwrap(Connection.class).createStatement().execute(delete),
            c -> c.createStatement().executeQuery("SELECT 1").getStatement().execute(delete),
            c -> c.prepareStatement("SELECT 1").executeQuery().getStatement().getConnection().createStatement()
                    .execute(delete),
            c -> {
                Statement s = c.createStatement();
                s.execute("SELECT 1");
                s.getResultSet().getStatement().execute(delete);
            },
            c -> c.getMetaData().getTables(null, null, "orders", null).getStatement().execute(delete),
            c -> c.getMetaData().getColumns(null, null, "orders", null).getStatement().getConnection()
                    .createStatement().execute(delete),
            // the other overloads that make statements
            c -> c.createStatement(ResultSet.TYPE_FORWARD_ONLY, ResultSet.CONCUR_READ_ONLY).execute(delete),
            c -> c.createStatement(ResultSet.TYPE_FORWARD_ONLY, ResultSet.CONCUR_READ_ONLY,
                    ResultSet.HOLD_CURSORS_OVER_COMMIT).executeUpdate(delete),
            // pgjdbc refuses generated keys by column index, but takes an empty list
            c -> c.prepareStatement(delete, new int[0]).execute(),
            c -> c.prepareStatement(delete, new String[] {"id"}).executeUpdate(),
            c -> c.prepareStatement(delete, ResultSet.TYPE_FORWARD_ONLY, ResultSet.CONCUR_READ_ONLY,
                    ResultSet.HOLD_CURSORS_OVER_COMMIT).execute(),
            c -> c.prepareCall("TRUNCATE orders", ResultSet.TYPE_FORWARD_ONLY, ResultSet.CONCUR_READ_ONLY)
                    .executeUpdate(),
            c -> c.prepareCall("TRUNCATE orders", ResultSet.TYPE_FORWARD_ONLY, ResultSet.CONCUR_READ_ONLY,
                    ResultSet.HOLD_CURSORS_OVER_COMMIT).execute(),
            c -> {
                PreparedStatement ps = c.prepareStatement(delete);
                ps.addBatch();
                ps.executeLargeBatch();
            },
            // describing a statement sends it to the server (under preferQueryMode=simple, as the query itself)
            c -> c.prepareStatement("TRUNCATE orders").getMetaData(),
            c -> c.prepareStatement("DELETE FROM orders WHERE ? = ?").getParameterMetaData(),
            // what a statement only might have created does not make an existing table new
            c -> c.createStatement().execute("CREATE TABLE IF NOT EXISTS orders (id bigint); DROP TABLE orders"),
            c -> c.createStatement().execute("CREATE TEMP TABLE orders (id bigint); TRUNCATE public.orders"),
            c -> {
                c.prepareStatement("CREATE TABLE orders (id bigint)");
                c.createStatement().execute("DROP TABLE orders");
            },
            c -> {
                // pgjdbc's autosave rolls a failed statement back to a savepoint of its own, which the guard does
                // not see, and the transaction goes on: the CREATE TABLE that failed created nothing
                c.unwrap(PGConnection.class).setAutosave(AutoSave.ALWAYS);
                Statement s = c.createStatement();
                try {
                    s.execute("CREATE TABLE orders (id bigint)");
                    fail("orders exists: the CREATE TABLE should have failed on the server");
                } catch (GuardBlockedException e) {
                    throw e;
                } catch (SQLException exists) {
                    // as expected
                }
                s.execute("TRUNCATE orders");
            },
            c -> {
                // the temporary orders is new, and dropping it is allowed; after that, orders is public.orders
                Statement s = c.createStatement();
                s.execute("CREATE TEMP TABLE orders (id bigint)");
                s.execute("DROP TABLE orders");
                s.execute("TRUNCATE orders");
            },
            c -> {
                // pgjdbc sends ROLLBACK TO SAVEPOINT itself: what the savepoint undid is no longer there
                Statement s = c.createStatement();
                if (!c.getAutoCommit()) {
                    java.sql.Savepoint before = c.setSavepoint();
                    s.execute("CREATE TEMP TABLE orders (id bigint)");
                    c.rollback(before);
                }
                s.execute("TRUNCATE orders");
            }
        );
    }

}
