package io.pgguard.it;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.pgguard.GuardBlockedException;
import io.pgguard.cli.Main;
import io.pgguard.testkit.CallPaths;
import io.pgguard.testkit.PgDatabase;
import io.pgguard.testkit.PostgresTest;
import io.pgguard.testkit.TestDatabase;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Statements that change or destroy data through forms a reader could miss (MERGE, joins that restrict nothing,
 * constant-true conditions, data changes inside CTEs, EXPLAIN ANALYZE, PREPARE, DO bodies, COPY, CREATE TABLE AS,
 * rules, routines defined and called, type changes): each one changes the data through raw pgjdbc (else the case
 * is wrong), and through pgguard against a production target it is blocked and changes nothing, under every
 * preferQueryMode and through Statement, PreparedStatement and a batch; {@code lint} blocks it too. Harmless forms
 * beside them run unblocked everywhere and {@code lint} does not block them.
 */
@PostgresTest
class DataLossIT {

    private static final String[] FIXTURES = {
        "CREATE TABLE t (id int PRIMARY KEY, a int NOT NULL, name text)",
        "INSERT INTO t SELECT g, g * 10, 'n' || g FROM generate_series(1, 10) g",
        "CREATE TABLE u (id int PRIMARY KEY, tid int, x int)",
        "INSERT INTO u SELECT g, g, g FROM generate_series(1, 10) g",
    };

    private static final List<String> MODES = List.of("simple", "extendedForPrepared", "extended",
            "extendedCacheEverything");

    record Case(String sql, boolean destroys, int minMajor) {
        @Override
        public String toString() {
            return (destroys ? "destroys: " : "harmless: ") + sql;
        }
    }

    static List<Case> cases() {
        List<Case> c = new ArrayList<>();
        // MERGE: as bounded as its join.
        c.add(destroys("MERGE INTO t USING (SELECT 1 AS k) s ON true WHEN MATCHED THEN DELETE", 15));
        c.add(destroys("MERGE INTO t USING (SELECT 1 AS k) s ON s.k = 1 WHEN MATCHED THEN UPDATE SET a = 0", 15));
        c.add(destroys("MERGE INTO t USING t AS s ON t.id = s.id WHEN MATCHED THEN DELETE", 15));
        c.add(destroys("WITH s AS (SELECT * FROM t) MERGE INTO t USING s ON t.id = s.id "
                + "WHEN MATCHED THEN UPDATE SET a = -1", 15));
        c.add(destroys("MERGE INTO t USING (VALUES (1)) v(id) ON t.id = v.id WHEN NOT MATCHED BY SOURCE THEN DELETE",
                17));
        c.add(harmless("MERGE INTO t USING (VALUES (1, 50)) v(id, a) ON t.id = v.id WHEN MATCHED THEN "
                + "UPDATE SET a = v.a WHEN NOT MATCHED THEN INSERT VALUES (v.id, v.a)", 15));
        // Conditions that restrict nothing.
        c.add(destroys("DELETE FROM t WHERE NOT false"));
        c.add(destroys("DELETE FROM t WHERE id = 1 OR 1 = 1"));
        c.add(destroys("UPDATE t SET a = 0 WHERE 1 <> 2"));
        c.add(destroys("DELETE FROM t WHERE coalesce(null, true)"));
        c.add(destroys("DELETE FROM t WHERE 2 BETWEEN 1 AND 3"));
        c.add(destroys("DELETE FROM t WHERE (SELECT true)"));
        c.add(destroys("DELETE FROM t USING u WHERE u.id = 5"));
        c.add(destroys("UPDATE t SET a = 0 FROM u WHERE u.x = 1"));
        c.add(destroys("DELETE FROM t WHERE EXISTS (SELECT 1 FROM u WHERE u.x = 1)"));
        c.add(destroys("DELETE FROM t WHERE id IN (SELECT id FROM t)"));
        c.add(destroys("DELETE FROM t WHERE EXISTS (SELECT 1 FROM t AS t2 WHERE t2.id = t.id)"));
        c.add(destroys("DELETE FROM t x USING t y WHERE x.id = y.id"));
        c.add(harmless("DELETE FROM t WHERE id = 5"));
        c.add(harmless("UPDATE t SET a = a + 1 WHERE t.id IN (SELECT tid FROM u WHERE u.x = 2)"));
        c.add(harmless("DELETE FROM t WHERE EXISTS (SELECT 1 FROM u WHERE u.tid = t.id AND u.x = 3)"));
        c.add(harmless("DELETE FROM t USING u WHERE t.id = u.tid AND u.x = 4"));
        c.add(harmless("DELETE FROM t WHERE false"));
        c.add(harmless("INSERT INTO t (id, a) VALUES (500, 1) ON CONFLICT (id) DO UPDATE SET a = excluded.a"));
        // Data changes where the grammar lets them stand.
        c.add(destroys("WITH d AS (DELETE FROM t RETURNING id) SELECT count(*) FROM d"));
        c.add(destroys("EXPLAIN (ANALYZE true, COSTS off) DELETE FROM t"));
        c.add(destroys("EXPLAIN ANALYZE MERGE INTO t USING (SELECT 1) s ON true WHEN MATCHED THEN DELETE", 15));
        c.add(destroys("PREPARE wipe AS DELETE FROM t; EXECUTE wipe"));
        c.add(destroys("DO LANGUAGE plpgsql $$BEGIN DELETE FROM t; END$$"));
        c.add(destroys("DO $x$DECLARE i int; BEGIN FOR i IN 1..2 LOOP UPDATE t SET a = a + 1; END LOOP; END$x$"));
        c.add(destroys("DO $$BEGIN EXECUTE 'DELETE ' || 'FROM t'; END$$"));
        c.add(destroys("DO $$BEGIN IF true THEN BEGIN DELETE FROM t; END; END IF; END$$"));
        c.add(destroys("CREATE TABLE t_copy AS WITH d AS (DELETE FROM t RETURNING *) SELECT * FROM d"));
        c.add(destroys("COPY (DELETE FROM t RETURNING id) TO STDOUT"));
        c.add(destroys("COPY (WITH d AS (UPDATE t SET a = 0 RETURNING id) SELECT * FROM d) TO STDOUT"));
        c.add(destroys("CREATE RULE u_wipe AS ON INSERT TO u DO ALSO DELETE FROM t; INSERT INTO u VALUES (100, 1, 1)"));
        c.add(harmless("EXPLAIN DELETE FROM t"));
        c.add(harmless("WITH d AS (DELETE FROM t WHERE id = 9 RETURNING id) SELECT * FROM d"));
        c.add(harmless("DO $$BEGIN UPDATE t SET a = 1 WHERE id = 2; END$$"));
        c.add(harmless("SELECT 'a backslash \\ in a standard string'"));
        // Routines defined and called in the same string.
        c.add(destroys("CREATE FUNCTION f_wipe() RETURNS void LANGUAGE sql AS 'DELETE FROM t'; SELECT f_wipe()"));
        c.add(destroys("CREATE PROCEDURE p_zero() LANGUAGE plpgsql AS $$BEGIN UPDATE t SET a = 0; END$$; "
                + "CALL p_zero()"));
        c.add(destroys("CREATE FUNCTION f_atomic() RETURNS void LANGUAGE sql BEGIN ATOMIC DELETE FROM t; END; "
                + "SELECT f_atomic()"));
        c.add(harmless("CREATE OR REPLACE FUNCTION f_one(i int) RETURNS void LANGUAGE sql AS "
                + "'DELETE FROM t WHERE id = i'; SELECT f_one(7)"));
        // A type change that discards the column's values.
        c.add(destroys("ALTER TABLE t ALTER COLUMN a TYPE bigint USING 0"));
        return c;
    }

    private static Case destroys(String sql) {
        return new Case(sql, true, TestDatabase.MIN_MAJOR);
    }

    private static Case destroys(String sql, int minMajor) {
        return new Case(sql, true, minMajor);
    }

    private static Case harmless(String sql) {
        return new Case(sql, false, TestDatabase.MIN_MAJOR);
    }

    private static Case harmless(String sql, int minMajor) {
        return new Case(sql, false, minMajor);
    }

    private static PgDatabase db;

    @BeforeAll
    static void database(PgDatabase database) {
        db = database;
    }

    /** Fresh fixtures in schema {@code dl}, which every connection of this test reads through currentSchema. */
    private static void fixtures() throws SQLException {
        db.execute("DROP SCHEMA IF EXISTS dl CASCADE", "CREATE SCHEMA dl");
        try (Connection c = connect(db.jdbcUrl(), "extended", false); Statement s = c.createStatement()) {
            for (String f : FIXTURES) {
                s.execute(f);
            }
        }
    }

    private static Connection connect(String url, String mode, boolean production) throws SQLException {
        Properties p = new Properties();
        p.setProperty("preferQueryMode", mode);
        p.setProperty("currentSchema", "dl");
        if (production) {
            p.setProperty("pgguard.environment", "production");
        }
        return db.connect(url, p);
    }

    /** The data the cases can change: every row of t and u, in one string. */
    private static String data() throws SQLException {
        try (Connection c = connect(db.jdbcUrl(), "extended", false); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT (SELECT coalesce(string_agg(id || ':' || a, ',' ORDER BY id), '')"
                     + " FROM t) || '|' || (SELECT count(*) FROM u)")) {
            rs.next();
            return rs.getString(1);
        } catch (SQLException gone) {
            return "gone: " + gone.getMessage();
        }
    }

    @ParameterizedTest(name = "[{index}] {0}")
    @MethodSource("cases")
    void eachFormIsJudgedAsWhatItDoesToTheData(Case k, TestDatabase pg) throws Exception {
        assumeTrue(pg.majorVersion() >= k.minMajor(), () -> "PostgreSQL " + pg.majorVersion() + " lacks it");
        fixtures();
        String before = data();
        if (k.destroys()) {
            try (Connection c = connect(db.jdbcUrl(), "simple", false)) {
                c.createStatement().execute(k.sql());
            } catch (SQLException e) {
                // pgjdbc refuses a COPY after the server ran it: what counts is what the data shows.
            }
            assertNotEquals(before, data(), "raw pgjdbc did not change the data, so the case proves nothing");
            fixtures();
        }
        for (String mode : MODES) {
            for (int p = 0; p < CallPaths.ALL.size(); p++) {
                if (!k.destroys()) {
                    fixtures();
                }
                try (Connection c = connect(db.pgguardUrl(), mode, true)) {
                    CallPaths.ALL.get(p).run(c, k.sql());
                    assertTrue(!k.destroys(), "not blocked in " + mode + ", path " + p);
                } catch (GuardBlockedException e) {
                    assertTrue(k.destroys(), "blocked in " + mode + ", path " + p + ": " + e.getMessage());
                } catch (SQLException e) {
                    // The server refused it or pgjdbc disliked a result (a SELECT in a batch): pgguard let it pass.
                    assertTrue(!k.destroys(), "reached the server in " + mode + ", path " + p + ": " + e);
                }
                if (k.destroys()) {
                    assertEquals(before, data(), "the data changed in " + mode + ", path " + p);
                }
            }
        }
        assertEquals(k.destroys(), lintBlocks(k.sql()), "lint");
    }

    private static final ObjectMapper JSON = new ObjectMapper();

    /** Whether {@code pgguard lint} blocks the string, read from its JSON report. */
    private static boolean lintBlocks(String sql) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        Main.run(new String[] {"lint", "--format", "json", "-"},
                new ByteArrayInputStream((sql + ";\n").getBytes(StandardCharsets.UTF_8)),
                new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8));
        boolean blocks = false;
        for (JsonNode statement : JSON.readTree(out.toString(StandardCharsets.UTF_8))) {
            blocks |= statement.get("decision").asText().equals("block");
        }
        return blocks;
    }
}
