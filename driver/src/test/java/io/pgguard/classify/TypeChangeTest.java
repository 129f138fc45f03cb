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
