package io.pgguard.classify;

import io.pgguard.sql.Lexer;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Data changes wherever the grammar lets them stand: in CTEs, EXPLAIN ANALYZE, PREPARE and EXECUTE, DO bodies
 * in every spelling, a query in CREATE TABLE AS, and routines defined and then called. One string per line; the
 * expected value is the strictest risk of the string and its rules.
 */
class HiddenDataChangeTest {

    private static String verdict(List<Classification> all) {
        return Classified.summary(all);
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiterString = " => ", value = {
        "WITH a AS (WITH b AS (DELETE FROM t RETURNING id) SELECT id FROM b) SELECT * FROM a => destructive unbounded-delete",
        "WITH a AS (SELECT 1), b AS (UPDATE t SET x = 1 RETURNING id) SELECT * FROM b => destructive unbounded-update",
        "WITH a AS (SELECT 1) DELETE FROM t => destructive unbounded-delete",
        "WITH m AS (MERGE INTO t USING u ON true WHEN MATCHED THEN DELETE RETURNING t.id) SELECT * FROM m => destructive unbounded-delete",
        "EXPLAIN (ANALYZE true, COSTS off) DELETE FROM t => destructive unbounded-delete",
        "EXPLAIN (ANALYSE) DELETE FROM t => destructive unbounded-delete",
        "EXPLAIN ANALYZE VERBOSE MERGE INTO t USING u ON true WHEN MATCHED THEN DELETE => destructive unbounded-delete",
        "EXPLAIN (ANALYZE false) DELETE FROM t => safe",
        "EXPLAIN ANALYZE CREATE TABLE c AS WITH d AS (DELETE FROM t RETURNING *) SELECT * FROM d => destructive unbounded-delete",
        "CREATE TABLE c AS WITH d AS (DELETE FROM t RETURNING *) SELECT * FROM d => destructive unbounded-delete",
        "PREPARE p AS DELETE FROM t; EXECUTE p => destructive unbounded-delete",
        "PREPARE p AS SELECT 1; EXECUTE p => safe",
        "DO LANGUAGE plpgsql $$BEGIN DELETE FROM t; END$$ => destructive unbounded-delete",
        "DO $x$BEGIN DELETE FROM t; END$x$ LANGUAGE plpgsql => destructive unbounded-delete",
        "DO LANGUAGE \"plpgsql\" 'BEGIN DELETE FROM t; END' => destructive unbounded-delete",
        "DO E'BEGIN DELETE FROM t WHERE \\'a\\' = \\'a\\'; END' => destructive unbounded-delete",
        "DO $$BEGIN BEGIN BEGIN UPDATE t SET a = 1; END; END; END$$ => destructive unbounded-update",
        "DO $$DECLARE i int; BEGIN FOR i IN 1..3 LOOP DELETE FROM t; END LOOP; END$$ => destructive unbounded-delete",
        "DO $$BEGIN WHILE true LOOP DELETE FROM t; EXIT; END LOOP; END$$ => destructive unbounded-delete",
        "DO $$BEGIN LOOP DELETE FROM t; EXIT; END LOOP; END$$ => destructive unbounded-delete",
        "DO $$BEGIN IF 1 = 1 THEN NULL; ELSE DELETE FROM t; END IF; END$$ => destructive unbounded-delete",
        "DO $$BEGIN CASE WHEN true THEN DELETE FROM t; END CASE; END$$ => destructive unbounded-delete",
        "DO $$BEGIN PERFORM 1; EXCEPTION WHEN others THEN DELETE FROM t; END$$ => destructive unbounded-delete",
        "DO $$<<outer>> BEGIN DELETE FROM t; END outer$$ => destructive unbounded-delete",
        "DO $$BEGIN EXECUTE 'DELETE ' || 'FROM t'; END$$ => destructive unbounded-delete",
        "DO $$DECLARE r record; BEGIN FOR r IN DELETE FROM t RETURNING * LOOP NULL; END LOOP; END$$ => destructive unbounded-delete",
        "DO $$BEGIN DELETE FROM t WHERE id = 1; END$$ => safe",
        "SELECT dblink_exec('dbname=app', 'DELETE FROM t') => destructive unbounded-delete",
        "SELECT * FROM dblink('prod', $q$UPDATE t SET a = 0 RETURNING id$q$) AS x(id int) => destructive unbounded-update",
        "SELECT dblink_exec(?, ?) => unknown dynamic-sql",
        "SELECT query_to_xml('WITH d AS (DELETE FROM t RETURNING id) SELECT * FROM d', true, false, '') => destructive unbounded-delete",
        "SELECT query_to_xml('SELECT * FROM t', true, false, '') => safe",
        "SELECT * FROM dblink('prod', 'SELECT id FROM t') AS x(id int) => safe",
    })
    void aDataChangeIsFoundWhereverItStands(String sql, String expected) {
        assertEquals(expected, verdict(Classified.of(17, sql)), sql);
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiterString = " => ", value = {
        "CREATE FUNCTION f() RETURNS void LANGUAGE sql AS 'DELETE FROM t'; SELECT f() => destructive unbounded-delete",
        "CREATE OR REPLACE FUNCTION public.f() RETURNS void AS $$ DELETE FROM t $$ LANGUAGE sql; SELECT public.f() => destructive unbounded-delete",
        "CREATE FUNCTION f() RETURNS void LANGUAGE plpgsql AS $$BEGIN UPDATE t SET a = 0; END$$; SELECT * FROM f() => destructive unbounded-update",
        "CREATE PROCEDURE p() LANGUAGE sql BEGIN ATOMIC DELETE FROM t; END; CALL p() => destructive unbounded-delete",
        "CREATE PROCEDURE p() LANGUAGE plpgsql AS 'BEGIN DELETE FROM t; END'; CALL p() => destructive unbounded-delete",
        "CREATE FUNCTION f() RETURNS int LANGUAGE sql AS 'DELETE FROM t RETURNING 1'; SELECT 1 WHERE f() = 1 => destructive unbounded-delete",
        "CREATE FUNCTION f() RETURNS int LANGUAGE sql AS 'DELETE FROM t RETURNING 1'; INSERT INTO u VALUES (f()) => destructive unbounded-delete",
        "CREATE FUNCTION g() RETURNS void LANGUAGE sql AS 'DELETE FROM t'; CREATE FUNCTION f() RETURNS void LANGUAGE sql BEGIN ATOMIC SELECT g(); END; SELECT f() => destructive unbounded-delete",
        "CREATE FUNCTION f() RETURNS void LANGUAGE sql AS 'DELETE FROM t'; ALTER FUNCTION f() RENAME TO h; SELECT h() => destructive rename-object unbounded-delete",
        "CREATE FUNCTION f() RETURNS void LANGUAGE plperl AS 'spi_exec_query(q{DELETE FROM t})'; SELECT f() => unknown dynamic-sql",
        "CREATE FUNCTION f() RETURNS void LANGUAGE sql AS 'DELETE FROM t' => safe",
        "CREATE FUNCTION f() RETURNS void LANGUAGE sql AS 'DELETE FROM t'; DROP FUNCTION f(); SELECT f() => breaking drop-object",
        "CREATE FUNCTION f() RETURNS void LANGUAGE sql AS 'DELETE FROM t'; CREATE OR REPLACE FUNCTION f() RETURNS void LANGUAGE sql AS 'SELECT 1'; SELECT f() => safe",
        "CREATE FUNCTION f(i int) RETURNS void LANGUAGE sql AS 'DELETE FROM t WHERE id = i'; SELECT f(1) => safe",
        "CREATE FUNCTION f() RETURNS void LANGUAGE sql AS 'DELETE FROM t'; SELECT g() => safe",
    })
    void aRoutineCallIsJudgedByTheBodyPgguardSawDefined(String sql, String expected) {
        assertEquals(expected, verdict(Classified.of(17, sql)), sql);
    }

    @org.junit.jupiter.api.Test
    void aStringContinuedOnANewLineIsUnknown() {
        // One literal to the server, read in the first part's mode: the DO body is the whole text, and E'' escapes
        // go on into the continuation, where they end the string early and expose the DROP.
        assertEquals("unknown unreadable-sql", verdict(Classified.of(17, "DO 'BEGIN DELETE FROM t; '\n'END'")));
        assertEquals("unknown unreadable-sql",
                verdict(Classified.of(17, "SELECT E'a'\n'\\'' ; DROP TABLE t; -- '")));
        assertEquals("safe", verdict(Classified.of(17, "SELECT 'a', 'b'\n, 'c'")));
    }

    @org.junit.jupiter.api.Test
    void aRoutineDefinedInOneMigrationFileIsJudgedWhereALaterFileCallsIt() {
        Classifier classifier = new Classifier(17);
        Context run = Context.migration();
        classifier.classifyFile(Lexer.split("CREATE FUNCTION purge() RETURNS void LANGUAGE plpgsql AS $$\n"
                + "BEGIN\n  DELETE FROM audit_log;\nEND $$;"), run);
        List<Classification> later = classifier.classifyFile(Lexer.split("SELECT purge();"), run);
        assertEquals("destructive unbounded-delete", verdict(later));
        assertEquals("calls purge, which runs: DELETE FROM audit_log without WHERE deletes every row",
                later.get(0).findings().get(0).message());
    }
}
