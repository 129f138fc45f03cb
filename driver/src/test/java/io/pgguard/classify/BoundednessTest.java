package io.pgguard.classify;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;


import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Whether a data change restricts its target's rows, one line per form: the rule in {@link Conditions} (a
 * condition bounds only when every way it can be true depends on a column of the target). DataLossIT runs the
 * same families against a server.
 */
class BoundednessTest {

    private static String verdict(String sql, int pg) {
        return Classified.summary(Classified.of(pg, sql));
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
        // Conditions true, or possibly true, for every row.
        "DELETE FROM t WHERE NOT false|destructive unbounded-delete",
        "DELETE FROM t WHERE 1 <> 2|destructive unbounded-delete",
        "DELETE FROM t WHERE a = 1 OR true|destructive unbounded-delete",
        "DELETE FROM t WHERE id = 1 OR 1 = 1|destructive unbounded-delete",
        "DELETE FROM t WHERE (id = 1) OR NOT (1 = 2)|destructive unbounded-delete",
        "DELETE FROM t WHERE NOT (id = 1 AND false)|destructive unbounded-delete",
        "DELETE FROM t WHERE true AND true|destructive unbounded-delete",
        "DELETE FROM t WHERE coalesce(null, true)|destructive unbounded-delete",
        "DELETE FROM t WHERE 1 IN (1, 2)|destructive unbounded-delete",
        "DELETE FROM t WHERE NULL IS NULL|destructive unbounded-delete",
        "DELETE FROM t WHERE 2 BETWEEN 1 AND 3|destructive unbounded-delete",
        "DELETE FROM t WHERE id IS NOT DISTINCT FROM id|destructive unbounded-delete",
        "DELETE FROM t WHERE t.id = t.id|destructive unbounded-delete",
        "DELETE FROM t WHERE EXISTS (SELECT 1)|destructive unbounded-delete",
        "DELETE FROM t WHERE EXISTS (SELECT 1 FROM u WHERE u.x = 1)|destructive unbounded-delete",
        "DELETE FROM t WHERE EXISTS (SELECT 1 FROM u WHERE x = 1)|destructive unbounded-delete",
        "DELETE FROM t WHERE EXISTS (SELECT 1 FROM t WHERE t.id = 1)|destructive unbounded-delete",
        "DELETE FROM t WHERE (SELECT true)|destructive unbounded-delete",
        "DELETE FROM t WHERE 5 IN (SELECT id FROM u)|destructive unbounded-delete",
        "DELETE FROM t WHERE id IN (SELECT id FROM t)|destructive unbounded-delete",
        "DELETE FROM t WHERE 't'::boolean|destructive unbounded-delete",
        "DELETE FROM t WHERE true::bool|destructive unbounded-delete",
        "DELETE FROM t WHERE random() < 2|destructive unbounded-delete",
        "DELETE FROM t WHERE ? IS NULL OR id = ?|destructive unbounded-delete",
        "DELETE FROM t WHERE CASE WHEN id > 0 THEN true ELSE true END OR 1 = 1|destructive unbounded-delete",
        "DELETE FROM t USING u WHERE u.id = 5|destructive unbounded-delete",
        "DELETE FROM t AS x USING u AS y WHERE y.id = 5 AND y.a > 1|destructive unbounded-delete",
        "DELETE FROM t USING t AS t2 WHERE t.id = t2.id|destructive unbounded-delete",
        "UPDATE t SET a = 1 FROM u WHERE u.x = 1|destructive unbounded-update",
        "UPDATE t AS x SET a = 1 FROM u WHERE u.x = 1 RETURNING x.id|destructive unbounded-update",
        "UPDATE t SET a = a IS DISTINCT FROM b FROM u WHERE u.x = 1|destructive unbounded-update",
        "DELETE FROM t WHERE id = ANY (SELECT id FROM t)|destructive unbounded-delete",
        "DELETE FROM t WHERE id IN (SELECT id FROM t WHERE true)|destructive unbounded-delete",
        "DELETE FROM t WHERE id IN (SELECT id FROM t AS x WHERE x.a = x.a OR 1 = 1 ORDER BY id)|destructive unbounded-delete",
        "DELETE FROM t WHERE id IN (SELECT id FROM t WHERE a > 5)|safe",
        "WITH s AS (SELECT * FROM t WHERE 1 = 1) DELETE FROM t USING s WHERE t.id = s.id|destructive unbounded-delete",
        "DELETE FROM t WHERE EXISTS (SELECT 1 FROM t AS t2 WHERE t2.id = t.id)|destructive unbounded-delete",
        "WITH s AS (SELECT * FROM t) DELETE FROM t USING s WHERE t.id = s.id|destructive unbounded-delete",
        "WITH s AS (SELECT * FROM t) MERGE INTO t USING s ON t.id = s.id WHEN MATCHED THEN DELETE|destructive unbounded-delete",
        // Bounded by a column of the target.
        "DELETE FROM t WHERE EXISTS (SELECT 1 FROM t AS t2 WHERE t2.id = t.id AND t2.a > 5)|safe",
        "WITH s AS (SELECT * FROM t WHERE a > 5) DELETE FROM t USING s WHERE t.id = s.id|safe",
        "WITH s AS (SELECT * FROM t) DELETE FROM t USING s WHERE t.id = s.id AND s.a = 3|safe",
        "DELETE FROM t WHERE id = 5|safe",
        // column names that are keywords elsewhere (value, date, time, zone, keys, ...) restrict like any column
        "DELETE FROM t WHERE value LIKE '%x%'|safe",
        "DELETE FROM t WHERE date < '2020-01-01'|safe",
        "DELETE FROM t WHERE time > now() - interval '1 day'|safe",
        "DELETE FROM t WHERE zone = 'eu' OR keys IS NULL|safe",
        "DELETE FROM t WHERE document IS NOT NULL|safe",
        "DELETE FROM t WHERE timestamp AT TIME ZONE 'UTC' < now()|safe",
        "DELETE FROM t WHERE row = 3|safe",
        // a Flyway or Liquibase ${placeholder} can stand for any text: it restricts nothing
        "DELETE FROM t WHERE ${condition}|destructive unbounded-delete",
        "DELETE FROM t WHERE ${column} = 1 OR ${flag}|destructive unbounded-delete",
        "DELETE FROM ${schema}.t WHERE id = ${id}|safe",
        // and where they are keywords, they restrict nothing
        "DELETE FROM t WHERE date '2020-01-01' < now()|destructive unbounded-delete",
        "DELETE FROM t WHERE TIMESTAMP WITH TIME ZONE '2020-01-01 00:00+00' < now()|destructive unbounded-delete",
        "DELETE FROM t WHERE '{}' IS JSON OBJECT|destructive unbounded-delete",
        "DELETE FROM t WHERE 'a' IS NOT NFC NORMALIZED OR 'b' IS NORMALIZED|destructive unbounded-delete",
        "DELETE FROM t WHERE ROW(1, 2) IS NOT NULL|destructive unbounded-delete",
        "DELETE FROM t WHERE 'x' LIKE 'y' ESCAPE '!'|destructive unbounded-delete",
        "DELETE FROM t WHERE CAST('1' AS date) < now()|destructive unbounded-delete",
        "DELETE FROM t WHERE id = ?|safe",
        "DELETE FROM t WHERE t.id IN (SELECT tid FROM u)|safe",
        "DELETE FROM t WHERE EXISTS (SELECT 1 FROM u WHERE u.tid = t.id)|safe",
        "DELETE FROM t x WHERE EXISTS (SELECT 1 FROM u WHERE u.tid = x.id)|safe",
        "DELETE FROM t USING u WHERE t.id = u.tid AND u.x = 1|safe",
        "DELETE FROM t WHERE created < now() - interval '1 day'|safe",
        "DELETE FROM t WHERE id BETWEEN 1 AND 10|safe",
        "DELETE FROM t WHERE id = 5 AND (? IS NULL OR a = ?)|safe",
        "DELETE FROM t WHERE id = 1 OR false|safe",
        "DELETE FROM t WHERE false|safe",
        "DELETE FROM t WHERE 1 = 0|safe",
        "DELETE FROM t WHERE CURRENT OF c|safe",
        "UPDATE t SET a = u.a FROM u WHERE t.id = u.tid RETURNING t.id|safe",
        "UPDATE t SET a = 1 WHERE id = 1 RETURNING *|safe",
        "UPDATE t SET a = CASE WHEN b THEN 1 ELSE 2 END WHERE id = 3|safe",
        "DELETE FROM t USING t AS t2 WHERE t.id = t2.id AND t2.a > 5|safe",
        "INSERT INTO t (id, a) VALUES (1, 2) ON CONFLICT (id) DO UPDATE SET a = excluded.a|safe",
    })
    void aConditionBoundsOnlyWhenItDependsOnTheTarget(String sql, String expected) {
        assertEquals(expected, verdict(sql, 17), sql);
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
        "MERGE INTO t USING u ON true WHEN MATCHED THEN DELETE|destructive unbounded-delete",
        "MERGE INTO t USING u ON 1 = 1 WHEN MATCHED THEN UPDATE SET a = 0|destructive unbounded-update",
        "MERGE INTO t USING u s ON s.x = s.x WHEN MATCHED THEN DELETE|destructive unbounded-delete",
        "MERGE INTO t USING u ON u.id = 1 WHEN MATCHED THEN DELETE|destructive unbounded-delete",
        "MERGE INTO t USING t AS s ON t.id = s.id WHEN MATCHED THEN DELETE|destructive unbounded-delete",
        "MERGE INTO t USING (SELECT * FROM t) s ON t.id = s.id WHEN MATCHED THEN DELETE|destructive unbounded-delete",
        "MERGE INTO t USING (SELECT * FROM t WHERE NOT false) s ON t.id = s.id WHEN MATCHED THEN DELETE|destructive unbounded-delete",
        "MERGE INTO t USING (SELECT * FROM t WHERE t.a < 0) s ON t.id = s.id WHEN MATCHED THEN DELETE|safe",
        "MERGE INTO t x USING (SELECT id FROM t) s ON x.id = s.id WHEN MATCHED AND s.id > 0 THEN UPDATE SET a = 1|safe",
        "MERGE INTO t USING (VALUES (1)) v(id) ON t.id = v.id WHEN NOT MATCHED BY SOURCE THEN DELETE|destructive unbounded-delete",
        "MERGE INTO t USING u ON t.id = u.id WHEN MATCHED THEN UPDATE SET a = CASE WHEN u.a > 0 THEN 1 END WHEN NOT MATCHED BY SOURCE THEN UPDATE SET a = 0|destructive unbounded-update",
        "MERGE INTO t USING (VALUES (1, 2)) v(id, a) ON t.id = v.id WHEN MATCHED THEN UPDATE SET a = v.a|safe",
        "MERGE INTO t USING u ON t.id = u.id WHEN MATCHED THEN DELETE WHEN NOT MATCHED THEN INSERT (id) VALUES (u.id)|safe",
        "MERGE INTO t USING u ON true WHEN NOT MATCHED THEN INSERT (id) VALUES (u.id)|safe",
        "MERGE INTO t USING u ON t.id = u.id WHEN NOT MATCHED BY SOURCE AND t.a < 0 THEN DELETE|safe",
        "MERGE INTO t USING u ON true WHEN MATCHED AND t.id = 3 THEN DELETE|safe",
    })
    void mergeIsAsBoundedAsItsJoin(String sql, String expected) {
        assertEquals(expected, verdict(sql, 17), sql);
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
        "COPY (DELETE FROM t RETURNING *) TO STDOUT|destructive unbounded-delete",
        "COPY (UPDATE t SET a = 1 WHERE true RETURNING id) TO STDOUT WITH (FORMAT csv)|destructive unbounded-update",
        "COPY (WITH d AS (DELETE FROM t RETURNING id) SELECT * FROM d) TO STDOUT|destructive unbounded-delete",
        "COPY (SELECT * FROM t) TO STDOUT|safe",
        "COPY (DELETE FROM t WHERE id = 1 RETURNING *) TO STDOUT|safe",
        "COPY t TO PROGRAM 'gzip > /tmp/t.gz'|unknown copy-program",
        "COPY t FROM PROGRAM 'cat /tmp/x'|unknown copy-program",
        "COPY (SELECT 1) TO PROGRAM 'rm -rf /'|unknown copy-program",
    })
    void copyRunsItsQuery(String sql, String expected) {
        assertEquals(expected, verdict(sql, 17), sql);
    }
}
