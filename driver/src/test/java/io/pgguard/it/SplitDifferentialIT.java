package io.pgguard.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import io.pgguard.sql.Lexer;
import io.pgguard.sql.SqlStatement;
import io.pgguard.testkit.PgDatabase;
import io.pgguard.testkit.PostgresTest;
import io.pgguard.testkit.TestDatabase;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Our splitter against the server's: a multi-statement string is sent as one simple-protocol Query message, and
 * the number of results the server answers with (one CommandComplete per statement it ran; empty statements get
 * none) must equal {@code Lexer.split(sql).size()}.
 *
 * <p>How the count stays the server's. With {@code preferQueryMode=simple}, pgjdbc 42.7.x does not split a plain
 * {@code Statement.execute(String)}: its {@code CachedQueryCreateAction} asks {@code Parser.parseJdbcSql} to
 * split only for parameterized queries or the extended modes, and without splitting the string goes out whole
 * as one {@code 'Q'} message ({@code QueryExecutorImpl.sendSimpleQuery}). The result handler then adds one result
 * per CommandComplete (a result set when a RowDescription came first, an update count otherwise), which
 * {@code getMoreResults()} / {@code getUpdateCount()} walk. Escape processing is switched off so that pgjdbc does
 * not rewrite {@code {fn ...}}-like text either. So that this does not rest on reading pgjdbc alone, every string
 * ends with a probe statement, {@code SELECT current_query()}: the server answers it with the text of the Query
 * message it is executing, which must be the whole string sent (had pgjdbc split it, only the last piece would
 * come back).
 *
 * <p>One blind spot of counting through JDBC: pgjdbc reports a {@code CALL}'s CommandComplete as update count -1
 * ({@code CommandCompleteParser} maps the tag {@code CALL} to -1), and -1 with no result set is how JDBC says
 * "no more results", so a {@code getMoreResults()} loop stops at a {@code CALL} and misses it and everything after.
 * The strings here therefore hold no {@code CALL}; the probe would catch it (its result would be missing).
 *
 * <p>Where pgjdbc's own splitting (extended modes) differs from the server: once it has seen {@code BEGIN ATOMIC}
 * in a {@code CREATE} statement it stops splitting for the rest of the string, so
 * {@code CREATE FUNCTION ... BEGIN ATOMIC ...; END; SELECT 2} goes out as one extended-protocol query, which the
 * server rejects ("cannot insert multiple commands into a prepared statement"); and it ends a {@code --} comment at
 * {@code \r} as the server does. None of this applies here: in simple mode nothing is split on the client.
 */
@PostgresTest
class SplitDifferentialIT {

    /** Fixed seeds, so a failure reproduces; each seed runs {@link #CASES_PER_SEED} strings. */
    static final long[] SEEDS = {1L, 2L, 3L, 20261124L, 0x5eedL};
    static final int CASES_PER_SEED = 80;

    private static final String PROBE = "\n;SELECT current_query()";

    /** What the server did with one string. */
    record ServerAnswer(int results, String queryText, List<String> trace) {
    }

    @Test
    void theCountComesFromTheServer(PgDatabase db) throws SQLException {
        try (Connection c = simple(db)) {
            String sql = "SELECT 1; ;; CREATE TEMP TABLE probe_t(id int); /* ; */ INSERT INTO probe_t VALUES (1), (2)"
                    + PROBE;
            ServerAnswer answer = run(c, sql);
            c.rollback();
            assertEquals(sql, answer.queryText(), "the server received the whole string as one Query message");
            assertEquals(List.of("rows", "count 0", "count 2", "rows"), answer.trace(),
                    "SELECT, CREATE TABLE, INSERT, probe");
            assertEquals(4, Lexer.split(sql).size());
        }
    }

    static Stream<Arguments> seeds() {
        return java.util.Arrays.stream(SEEDS).mapToObj(Arguments::of);
    }

    @ParameterizedTest(name = "seed {0}")
    @MethodSource("seeds")
    void generatedStringsSplitAsTheServerDoes(long seed, PgDatabase db, TestDatabase pg) throws SQLException {
        SplitCaseGenerator generator = new SplitCaseGenerator(seed);
        List<Integer> failed = new ArrayList<>();
        List<String> failures = new ArrayList<>();
        try (Connection c = simple(db)) {
            for (int i = 0; i < CASES_PER_SEED; i++) {
                SplitCaseGenerator.Case k = generator.next();
                String sql = k.sql() + PROBE;
                String problem = compare(c, sql, k.statements() + 1);
                if (problem != null) {
                    failed.add(i);
                    failures.add("seed " + seed + ", case " + i + " (PostgreSQL " + pg.majorVersion() + "): "
                            + problem);
                }
            }
        }
        if (!failures.isEmpty()) {
            fail("PostgreSQL " + pg.majorVersion() + ", seed " + seed + ": " + failures.size() + " of "
                    + CASES_PER_SEED + " strings split differently (cases " + failed + "); the first ones:\n\n"
                    + String.join("\n\n", failures.subList(0, Math.min(3, failures.size()))));
        }
    }

    static Stream<Arguments> adversarial() {
        return SplitCaseGenerator.adversarial().stream().map(a -> Arguments.of(a[0], a[1]));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("adversarial")
    void handWrittenTrapsSplitAsTheServerDoes(String name, String sql, PgDatabase db, TestDatabase pg)
            throws SQLException {
        try (Connection c = simple(db)) {
            String problem = compare(c, sql + PROBE, -1);
            if (problem != null) {
                fail("PostgreSQL " + pg.majorVersion() + ", " + name + ": " + problem);
            }
        }
    }

    /** Null when server and lexer agree (and the generator, when {@code generated >= 0}); else what differs. */
    private static String compare(Connection c, String sql, int generated) throws SQLException {
        List<SqlStatement> ours = Lexer.split(sql);
        ServerAnswer server;
        try {
            server = run(c, sql);
        } catch (SQLException e) {
            return "the server rejected the string (a test bug: the strings must be valid): " + e.getMessage()
                    + "\n" + show(sql);
        } finally {
            c.rollback();
        }
        if (!sql.equals(server.queryText())) {
            return "the server did not receive the string as one Query message; it ran: "
                    + show(String.valueOf(server.queryText())) + "\nsent: " + show(sql) + "\nresults: "
                    + server.trace();
        }
        if (server.results() != ours.size()) {
            StringBuilder sb = new StringBuilder("the server answered " + server.results() + " results "
                    + server.trace() + ", Lexer.split found " + ours.size() + "\n" + show(sql) + "\nLexer.split:");
            for (SqlStatement st : ours) {
                sb.append("\n  [line ").append(st.line()).append(st.readable() ? "" : ", unreadable").append("] ")
                        .append(show(st.text()));
            }
            return sb.toString();
        }
        if (generated >= 0 && generated != server.results()) {
            return "the generator meant " + generated + " statements, the server ran " + server.results()
                    + " (a generator bug)\n" + show(sql);
        }
        return null;
    }

    /**
     * Sends {@code sql} as one simple Query and counts the results; the last one must be the probe's result set.
     */
    private static ServerAnswer run(Connection c, String sql) throws SQLException {
        try (Statement s = c.createStatement()) {
            s.setEscapeProcessing(false);
            boolean isResultSet = s.execute(sql);
            int results = 0;
            String lastValue = null;
            List<String> trace = new ArrayList<>();
            for (;;) {
                if (isResultSet) {
                    results++;
                    try (ResultSet rs = s.getResultSet()) {
                        lastValue = rs.next() ? rs.getString(1) : null;
                    }
                    trace.add("rows");
                } else {
                    int count = s.getUpdateCount();
                    if (count == -1) {
                        break;
                    }
                    results++;
                    lastValue = null;
                    trace.add("count " + count);
                }
                isResultSet = s.getMoreResults();
            }
            return new ServerAnswer(results, lastValue, trace);
        }
    }

    private static Connection simple(PgDatabase db) throws SQLException {
        Connection c = db.connect("preferQueryMode", "simple");
        c.setAutoCommit(false);
        return c;
    }

    /** The SQL with control characters made visible, for failure messages. */
    private static String show(String sql) {
        return "<<" + sql.replace("\r", "\\r").replace("\f", "\\f").replace("\t", "\\t") + ">>";
    }
}
