package io.pgguard.jdbc;

import io.pgguard.policy.Verdict;

import java.io.InputStream;
import java.io.Reader;
import java.math.BigDecimal;
import java.net.URL;
import java.sql.Array;
import java.sql.Blob;
import java.sql.Clob;
import java.sql.Date;
import java.sql.NClob;
import java.sql.ParameterMetaData;
import java.sql.PreparedStatement;
import java.sql.Ref;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.RowId;
import java.sql.SQLException;
import java.sql.SQLType;
import java.sql.SQLXML;
import java.sql.Time;
import java.sql.Timestamp;
import java.util.Calendar;

/**
 * A prepared statement behind the guard: its SQL was decided when it was prepared (warnings logged then), and a
 * blocked one throws on every execution and on {@code addBatch()}, so it never reaches the server.
 *
 * @param <S> the pgjdbc statement type wrapped
 */
public class GuardPreparedStatement<S extends PreparedStatement> extends GuardStatement<S>
        implements PreparedStatement {

    private final String sql;
    /** Decided when prepared; decided again before each run while it counts on the open transaction's state. */
    private Verdict verdict;
    /** The connection's count of routine definitions when {@link #verdict} was made: a later one may change it. */
    private int routinesSeen;

    GuardPreparedStatement(S delegate, GuardConnection connection, Enforcer enforcer, String sql,
                           Verdict verdict) {
        super(delegate, connection, enforcer);
        this.sql = sql;
        this.verdict = verdict;
        this.routinesSeen = enforcer.routineDefinitions();
    }

    /**
     * The verdict to enforce now: the one made at prepare time, unless it relied on what was new back then, the
     * connection has since defined a routine the statement may call, or its '...' strings hold a backslash (the
     * server reads them as standard_conforming_strings says when the statement runs).
     */
    final Verdict verdict() {
        Verdict v = verdict;
        int definitions = enforcer.routineDefinitions();
        if (v.transactionDependent() || definitions != routinesSeen || v.readsBackslashes()) {
            v = enforcer.decide(sql);
            verdict = v;
            routinesSeen = definitions;
        }
        return v;
    }

    @Override
    public boolean execute() throws SQLException {
        Verdict toRecord = enforcer.admit(verdict());
        boolean result;
        Decided.enter();
        try {
            result = delegate.execute();
        } catch (Throwable t) {
            enforcer.failed();
            throw t;
        } finally {
            Decided.exit();
        }
        if (toRecord != null) {
            enforcer.ran(toRecord);
        }
        return result;
    }

    @Override
    public ResultSet executeQuery() throws SQLException {
        Verdict toRecord = enforcer.admit(verdict());
        ResultSet rs;
        Decided.enter();
        try {
            rs = delegate.executeQuery();
        } catch (Throwable t) {
            enforcer.failed();
            throw t;
        } finally {
            Decided.exit();
        }
        if (toRecord != null) {
            enforcer.ran(toRecord);
        }
        return GuardResultSet.wrap(rs, this, connection, enforcer);
    }

    @Override
    public int executeUpdate() throws SQLException {
        Verdict toRecord = enforcer.admit(verdict());
        int result;
        Decided.enter();
        try {
            result = delegate.executeUpdate();
        } catch (Throwable t) {
            enforcer.failed();
            throw t;
        } finally {
            Decided.exit();
        }
        if (toRecord != null) {
            enforcer.ran(toRecord);
        }
        return result;
    }

    @Override
    public long executeLargeUpdate() throws SQLException {
        Verdict toRecord = enforcer.admit(verdict());
        long result;
        Decided.enter();
        try {
            result = delegate.executeLargeUpdate();
        } catch (Throwable t) {
            enforcer.failed();
            throw t;
        } finally {
            Decided.exit();
        }
        if (toRecord != null) {
            enforcer.ran(toRecord);
        }
        return result;
    }

    @Override
    public void addBatch() throws SQLException {
        enforcer.enforce(verdict());
        Decided.enter();
        try {
            delegate.addBatch();
        } finally {
            Decided.exit();
        }
    }

    /** Checked again before it runs: the transaction may have ended since the rows were added. */
    @Override
    public int[] executeBatch() throws SQLException {
        enforcer.enforce(verdict());
        Decided.enter();
        try {
            return delegate.executeBatch();
        } finally {
            Decided.exit();
        }
    }

    /** Checked again before it runs, as {@link #executeBatch()}. */
    @Override
    public long[] executeLargeBatch() throws SQLException {
        enforcer.enforce(verdict());
        Decided.enter();
        try {
            return delegate.executeLargeBatch();
        } finally {
            Decided.exit();
        }
    }

    /**
     * Checked like a run: pgjdbc describes the statement to the server, and under {@code preferQueryMode=simple}
     * a describe is sent as the query itself.
     */
    @Override
    public ResultSetMetaData getMetaData() throws SQLException {
        enforcer.enforce(verdict());
        Decided.enter();
        try {
            return delegate.getMetaData();
        } finally {
            Decided.exit();
        }
    }

    /** Checked like a run, as {@link #getMetaData()}. */
    @Override
    public ParameterMetaData getParameterMetaData() throws SQLException {
        enforcer.enforce(verdict());
        Decided.enter();
        try {
            return delegate.getParameterMetaData();
        } finally {
            Decided.exit();
        }
    }

    // Everything below only delegates.

    @Override
    public void clearParameters() throws SQLException {
        delegate.clearParameters();
    }

    @Override
    public void setArray(int parameterIndex, Array x) throws SQLException {
        delegate.setArray(parameterIndex, x);
    }

    @Override
    public void setAsciiStream(int parameterIndex, InputStream x, int length) throws SQLException {
        delegate.setAsciiStream(parameterIndex, x, length);
    }

    @Override
    public void setAsciiStream(int parameterIndex, InputStream x, long length) throws SQLException {
        delegate.setAsciiStream(parameterIndex, x, length);
    }

    @Override
    public void setAsciiStream(int parameterIndex, InputStream x) throws SQLException {
        delegate.setAsciiStream(parameterIndex, x);
    }

    @Override
    public void setBigDecimal(int parameterIndex, BigDecimal x) throws SQLException {
        delegate.setBigDecimal(parameterIndex, x);
    }

    @Override
    public void setBinaryStream(int parameterIndex, InputStream x, int length) throws SQLException {
        delegate.setBinaryStream(parameterIndex, x, length);
    }

    @Override
    public void setBinaryStream(int parameterIndex, InputStream x, long length) throws SQLException {
        delegate.setBinaryStream(parameterIndex, x, length);
    }

    @Override
    public void setBinaryStream(int parameterIndex, InputStream x) throws SQLException {
        delegate.setBinaryStream(parameterIndex, x);
    }

    @Override
    public void setBlob(int parameterIndex, InputStream x, long length) throws SQLException {
        delegate.setBlob(parameterIndex, x, length);
    }

    @Override
    public void setBlob(int parameterIndex, InputStream x) throws SQLException {
        delegate.setBlob(parameterIndex, x);
    }

    @Override
    public void setBlob(int parameterIndex, Blob x) throws SQLException {
        delegate.setBlob(parameterIndex, x);
    }

    @Override
    public void setBoolean(int parameterIndex, boolean x) throws SQLException {
        delegate.setBoolean(parameterIndex, x);
    }

    @Override
    public void setByte(int parameterIndex, byte x) throws SQLException {
        delegate.setByte(parameterIndex, x);
    }

    @Override
    public void setBytes(int parameterIndex, byte[] x) throws SQLException {
        delegate.setBytes(parameterIndex, x);
    }

    @Override
    public void setCharacterStream(int parameterIndex, Reader x, int length) throws SQLException {
        delegate.setCharacterStream(parameterIndex, x, length);
    }

    @Override
    public void setCharacterStream(int parameterIndex, Reader x, long length) throws SQLException {
        delegate.setCharacterStream(parameterIndex, x, length);
    }

    @Override
    public void setCharacterStream(int parameterIndex, Reader x) throws SQLException {
        delegate.setCharacterStream(parameterIndex, x);
    }

    @Override
    public void setClob(int parameterIndex, Reader x, long length) throws SQLException {
        delegate.setClob(parameterIndex, x, length);
    }

    @Override
    public void setClob(int parameterIndex, Reader x) throws SQLException {
        delegate.setClob(parameterIndex, x);
    }

    @Override
    public void setClob(int parameterIndex, Clob x) throws SQLException {
        delegate.setClob(parameterIndex, x);
    }

    @Override
    public void setDate(int parameterIndex, Date x, Calendar cal) throws SQLException {
        delegate.setDate(parameterIndex, x, cal);
    }

    @Override
    public void setDate(int parameterIndex, Date x) throws SQLException {
        delegate.setDate(parameterIndex, x);
    }

    @Override
    public void setDouble(int parameterIndex, double x) throws SQLException {
        delegate.setDouble(parameterIndex, x);
    }

    @Override
    public void setFloat(int parameterIndex, float x) throws SQLException {
        delegate.setFloat(parameterIndex, x);
    }

    @Override
    public void setInt(int parameterIndex, int x) throws SQLException {
        delegate.setInt(parameterIndex, x);
    }

    @Override
    public void setLong(int parameterIndex, long x) throws SQLException {
        delegate.setLong(parameterIndex, x);
    }

    @Override
    public void setNCharacterStream(int parameterIndex, Reader x, long length) throws SQLException {
        delegate.setNCharacterStream(parameterIndex, x, length);
    }

    @Override
    public void setNCharacterStream(int parameterIndex, Reader x) throws SQLException {
        delegate.setNCharacterStream(parameterIndex, x);
    }

    @Override
    public void setNClob(int parameterIndex, Reader x, long length) throws SQLException {
        delegate.setNClob(parameterIndex, x, length);
    }

    @Override
    public void setNClob(int parameterIndex, Reader x) throws SQLException {
        delegate.setNClob(parameterIndex, x);
    }

    @Override
    public void setNClob(int parameterIndex, NClob x) throws SQLException {
        delegate.setNClob(parameterIndex, x);
    }

    @Override
    public void setNString(int parameterIndex, String x) throws SQLException {
        delegate.setNString(parameterIndex, x);
    }

    @Override
    public void setNull(int parameterIndex, int x, String typeName) throws SQLException {
        delegate.setNull(parameterIndex, x, typeName);
    }

    @Override
    public void setNull(int parameterIndex, int x) throws SQLException {
        delegate.setNull(parameterIndex, x);
    }

    @Override
    public void setObject(int parameterIndex, Object x, int targetSqlType, int scaleOrLength) throws SQLException {
        delegate.setObject(parameterIndex, x, targetSqlType, scaleOrLength);
    }

    @Override
    public void setObject(int parameterIndex, Object x, int targetSqlType) throws SQLException {
        delegate.setObject(parameterIndex, x, targetSqlType);
    }

    @Override
    public void setObject(int parameterIndex, Object x, SQLType targetSqlType, int scaleOrLength) throws SQLException {
        delegate.setObject(parameterIndex, x, targetSqlType, scaleOrLength);
    }

    @Override
    public void setObject(int parameterIndex, Object x, SQLType targetSqlType) throws SQLException {
        delegate.setObject(parameterIndex, x, targetSqlType);
    }

    @Override
    public void setObject(int parameterIndex, Object x) throws SQLException {
        delegate.setObject(parameterIndex, x);
    }

    @Override
    public void setRef(int parameterIndex, Ref x) throws SQLException {
        delegate.setRef(parameterIndex, x);
    }

    @Override
    public void setRowId(int parameterIndex, RowId x) throws SQLException {
        delegate.setRowId(parameterIndex, x);
    }

    @Override
    public void setSQLXML(int parameterIndex, SQLXML x) throws SQLException {
        delegate.setSQLXML(parameterIndex, x);
    }

    @Override
    public void setShort(int parameterIndex, short x) throws SQLException {
        delegate.setShort(parameterIndex, x);
    }

    @Override
    public void setString(int parameterIndex, String x) throws SQLException {
        delegate.setString(parameterIndex, x);
    }

    @Override
    public void setTime(int parameterIndex, Time x, Calendar cal) throws SQLException {
        delegate.setTime(parameterIndex, x, cal);
    }

    @Override
    public void setTime(int parameterIndex, Time x) throws SQLException {
        delegate.setTime(parameterIndex, x);
    }

    @Override
    public void setTimestamp(int parameterIndex, Timestamp x, Calendar cal) throws SQLException {
        delegate.setTimestamp(parameterIndex, x, cal);
    }

    @Override
    public void setTimestamp(int parameterIndex, Timestamp x) throws SQLException {
        delegate.setTimestamp(parameterIndex, x);
    }

    @Override
    public void setURL(int parameterIndex, URL x) throws SQLException {
        delegate.setURL(parameterIndex, x);
    }

    @Deprecated
    @Override
    public void setUnicodeStream(int parameterIndex, InputStream x, int length) throws SQLException {
        delegate.setUnicodeStream(parameterIndex, x, length);
    }
}
