package io.pgguard.classify;

import io.pgguard.sql.Lexer;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.util.List;
import java.util.TreeSet;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Data lost or refused by a column type change: a USING that does not read the column replaces every value
 * (destructive), and a narrower type can fail or round (unsafe). Each line: the statement, the column's earlier
 * type in the same lint run (- for unknown), the expected risk and rules.
 */
class TypeChangeTest {

    private static String verdict(String sql, String earlierType) {
        Classifier classifier = new Classifier(17);
        Context run = Context.migration();
        if (!earlierType.equals("-")) {
            classifier.classifyFile(Lexer.split("CREATE TABLE t (id int PRIMARY KEY, c " + earlierType + ", d int)"),
                    run);
        }
        List<Classification> c = classifier.classifyFile(
                Lexer.split("SET lock_timeout = '2s'; SET statement_timeout = '10min'; " + sql), run);
        Classification last = c.get(c.size() - 1);
        return last.risk().id() + " " + String.join(" ", new TreeSet<>(last.ruleIds()));
    }

    /**
     * timestamp <-> timestamptz is relabelled without a table rewrite on PostgreSQL 12+ when the session's TimeZone is
     * UTC (LockIT confirms it on the server), however the file set it; otherwise it rewrites. Either way the change is
     * reported: the column's indexes are rebuilt.
     */
    @ParameterizedTest(name = "{0} on {1}")
    @CsvSource(delimiter = '|', value = {
        "SET timezone = 'UTC'|17|false",
        "SET TIME ZONE 'Etc/UTC'|12|false",
        "SET SESSION timezone TO 'gmt'|17|false",
        "SET TIME ZONE 0|17|false",
        "BEGIN; SET LOCAL timezone = 'UTC'|17|false",
        "SET timezone = 'UTC'|11|true",
        "SET TIME ZONE 'Europe/Paris'|17|true",
        "SET TIME ZONE LOCAL|17|true",
        "SET TIME ZONE INTERVAL '+00:00' HOUR TO MINUTE|17|true",
        "SET timezone = 'UTC'; RESET timezone|17|true",
        "SET timezone = 'UTC'; RESET ALL|17|true",
        "BEGIN; SET LOCAL timezone = 'UTC'; COMMIT|17|true",
        "SET LOCAL timezone = 'UTC'|17|true",
        "SELECT 1|17|true",
        "BEGIN; SET timezone = 'UTC'; ROLLBACK|17|true",
        "BEGIN; SET timezone = 'UTC'; COMMIT|17|false",
        "BEGIN; SET LOCAL timezone = 'UTC'; SET timezone = 'Europe/Paris'|17|true",
        "BEGIN; SET LOCAL timezone = 'UTC'; RESET timezone|17|true",
        "BEGIN; SET LOCAL timezone = 'UTC'; RESET ALL|17|true",
    })
    void timestampToTimestamptzRewritesUnlessTheSessionIsUtc(String session, int pg, boolean rewrite) {
        Classifier classifier = new Classifier(pg);
        Context run = Context.migration();
        classifier.classifyFile(Lexer.split("CREATE TABLE e (id int, at timestamp)"), run);
        List<Classification> c = classifier.classifyFile(
                Lexer.split(session + "; ALTER TABLE e ALTER COLUMN at TYPE timestamptz"), run);
        Classification last = c.get(c.size() - 1);
        org.junit.jupiter.api.Assertions.assertEquals(rewrite, last.rewrite(), last.toString());
        org.junit.jupiter.api.Assertions.assertTrue(last.hasRule("change-column-type"), last.toString());
        org.junit.jupiter.api.Assertions.assertEquals(!rewrite, last.findings().get(0).message()
                .contains("does not rewrite e under a UTC TimeZone, but rebuilds every index on at"), last.toString());
    }

    /** With a precision, the length coercion rewrites the table even under UTC (checked on PostgreSQL 15). */
    @org.junit.jupiter.api.Test
    void aTimestampWithPrecisionRewritesEvenUnderUtc() {
        Classifier classifier = new Classifier(17);
        Context run = Context.migration();
        classifier.classifyFile(Lexer.split("CREATE TABLE e (id int, at timestamp(3))"), run);
        List<Classification> c = classifier.classifyFile(
                Lexer.split("SET timezone = 'UTC'; ALTER TABLE e ALTER COLUMN at TYPE timestamptz(3)"), run);
        org.junit.jupiter.api.Assertions.assertTrue(c.get(1).rewrite(), c.get(1).toString());
    }

    @ParameterizedTest(name = "{0} (from {1})")
    @CsvSource(delimiter = '|', value = {
        "ALTER TABLE t ALTER COLUMN c TYPE int USING 0|text|destructive change-column-type type-change-discards-values",
        "ALTER TABLE t ALTER COLUMN c TYPE text USING NULL|-|destructive change-column-type type-change-discards-values",
        "ALTER TABLE t ALTER COLUMN c SET DATA TYPE date USING now()|-|destructive change-column-type type-change-discards-values",
        "ALTER TABLE t ALTER COLUMN c TYPE int USING d|-|destructive change-column-type type-change-discards-values",
        "ALTER TABLE t ALTER COLUMN c TYPE text USING 'c'|-|destructive change-column-type type-change-discards-values",
        "ALTER TABLE t ALTER COLUMN c TYPE int USING c(1)|-|destructive change-column-type type-change-discards-values",
        "ALTER TABLE t ALTER c TYPE bigint USING 1, ALTER d TYPE bigint|integer|destructive change-column-type type-change-discards-values",
        "ALTER TABLE t ALTER COLUMN c TYPE int USING c::int|text|unsafe change-column-type narrowing-type-change",
        "ALTER TABLE t ALTER COLUMN c TYPE text USING (c)::text|integer|unsafe change-column-type",
        "ALTER TABLE t ALTER COLUMN c TYPE text USING lower(t.c)|text|unsafe change-column-type",
        "ALTER TABLE t ALTER COLUMN \"c\" TYPE text USING concat(\"c\", 'x')|text|unsafe change-column-type",
        "ALTER TABLE t ALTER COLUMN c TYPE varchar(3)|varchar(50)|unsafe change-column-type narrowing-type-change",
        "ALTER TABLE t ALTER COLUMN c TYPE varchar(3)|text|unsafe change-column-type narrowing-type-change",
        "ALTER TABLE t ALTER COLUMN c TYPE varchar(3)|-|unsafe change-column-type narrowing-type-change",
        "ALTER TABLE t ALTER COLUMN c TYPE numeric(5,2)|numeric(10,2)|unsafe change-column-type narrowing-type-change",
        "ALTER TABLE t ALTER COLUMN c TYPE numeric(10,1)|numeric(10,2)|unsafe change-column-type narrowing-type-change",
        "ALTER TABLE t ALTER COLUMN c TYPE integer|bigint|unsafe change-column-type narrowing-type-change",
        "ALTER TABLE t ALTER COLUMN c TYPE smallint|integer|unsafe change-column-type narrowing-type-change",
        "ALTER TABLE t ALTER COLUMN c TYPE integer|numeric|unsafe change-column-type narrowing-type-change",
        "ALTER TABLE t ALTER COLUMN c TYPE real|double precision|unsafe change-column-type narrowing-type-change",
        "ALTER TABLE t ALTER COLUMN c TYPE date|timestamptz|unsafe change-column-type narrowing-type-change",
        "ALTER TABLE t ALTER COLUMN c TYPE timestamp(0)|timestamp|unsafe change-column-type narrowing-type-change",
        "ALTER TABLE t ALTER COLUMN c TYPE varchar(50)|varchar(10)|safe ",
        "ALTER TABLE t ALTER COLUMN c TYPE text|varchar(10)|safe ",
        "ALTER TABLE t ALTER COLUMN c TYPE bigint|integer|unsafe change-column-type",
        "ALTER TABLE t ALTER COLUMN c TYPE numeric(12,2)|numeric(10,2)|safe ",
        "ALTER TABLE t ALTER COLUMN c TYPE double precision|real|unsafe change-column-type",
        "ALTER TABLE t ALTER COLUMN c TYPE bigint|-|unsafe change-column-type",
    })
    void aTypeChangeSaysWhatItCanLose(String sql, String earlierType, String expected) {
        assertEquals(expected.trim(), verdict(sql, earlierType).trim(), sql);
    }
}
