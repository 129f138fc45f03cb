package io.pgguard.classify;

import io.pgguard.sql.Lexer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * One line per statement form, with the expected kind, risk, table, lock, rewrite and rules. Locks follow the
 * PostgreSQL documentation ("Explicit Locking" and the ALTER TABLE reference); LockIT checks them on a server.
 */
class ClassifierTest {

    private static Classification one(String sql, int pg) {
        List<Classification> all = Classified.of(pg, sql);
        assertEquals(1, all.size(), "one statement expected in: " + sql);
        return all.get(0);
    }

    private static Set<String> rules(String ids) {
        return ids == null || ids.isBlank() ? Set.of() : new TreeSet<>(Arrays.asList(ids.trim().split("\\s+")));
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', nullValues = "-", value = {
        // statement | pg | kind | risk | table | lock | rewrite | rules
        "CREATE TABLE t (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, name text)|17|CREATE TABLE|safe|t|AccessExclusiveLock|false|-",
        "ALTER TABLE t ADD COLUMN c text|17|ALTER TABLE ADD COLUMN|safe|t|AccessExclusiveLock|false|-",
        "ALTER TABLE t ADD COLUMN c boolean NOT NULL DEFAULT false|17|ALTER TABLE ADD COLUMN|safe|t|AccessExclusiveLock|false|-",
        "ALTER TABLE t ADD COLUMN c timestamptz NOT NULL DEFAULT now()|17|ALTER TABLE ADD COLUMN|safe|t|AccessExclusiveLock|false|-",
        "ALTER TABLE t ADD COLUMN c uuid DEFAULT gen_random_uuid()|17|ALTER TABLE ADD COLUMN|unsafe|t|AccessExclusiveLock|true|adding-column-rewrite",
        "ALTER TABLE t ADD COLUMN c float8 NOT NULL DEFAULT random()|17|ALTER TABLE ADD COLUMN|unsafe|t|AccessExclusiveLock|true|adding-column-rewrite",
        "ALTER TABLE t ADD COLUMN c timestamptz DEFAULT clock_timestamp()|17|ALTER TABLE ADD COLUMN|unsafe|t|AccessExclusiveLock|true|adding-column-rewrite",
        "ALTER TABLE t ADD COLUMN c bigint DEFAULT nextval('s')|17|ALTER TABLE ADD COLUMN|unsafe|t|AccessExclusiveLock|true|adding-column-rewrite",
        "ALTER TABLE t ADD COLUMN c bigserial|17|ALTER TABLE ADD COLUMN|unsafe|t|AccessExclusiveLock|true|adding-column-rewrite prefer-identity",
        "ALTER TABLE t ADD COLUMN c bigint GENERATED ALWAYS AS IDENTITY|17|ALTER TABLE ADD COLUMN|unsafe|t|AccessExclusiveLock|true|adding-column-rewrite",
        "ALTER TABLE t ADD COLUMN c int GENERATED ALWAYS AS (a * 2) STORED|17|ALTER TABLE ADD COLUMN|unsafe|t|AccessExclusiveLock|true|adding-column-rewrite",
        "ALTER TABLE t ADD COLUMN c int GENERATED ALWAYS AS (a * 2) VIRTUAL|18|ALTER TABLE ADD COLUMN|safe|t|AccessExclusiveLock|false|-",
        "ALTER TABLE t ADD COLUMN c text NOT NULL|17|ALTER TABLE ADD COLUMN|unsafe|t|AccessExclusiveLock|false|adding-required-column",
        "ALTER TABLE t DROP COLUMN c|17|ALTER TABLE DROP COLUMN|destructive|t|AccessExclusiveLock|false|drop-column",
        "ALTER TABLE t RENAME COLUMN a TO b|17|ALTER TABLE RENAME COLUMN|breaking|t|AccessExclusiveLock|false|rename-column",
        "ALTER TABLE t RENAME TO u|17|ALTER TABLE RENAME|breaking|t|AccessExclusiveLock|false|rename-table",
        "ALTER TABLE t SET SCHEMA archive|17|ALTER TABLE SET SCHEMA|breaking|t|AccessExclusiveLock|false|rename-table",
        "ALTER TABLE t ALTER COLUMN c TYPE bigint|17|ALTER TABLE ALTER COLUMN TYPE|unsafe|t|AccessExclusiveLock|true|change-column-type",
        "ALTER TABLE t ALTER COLUMN c SET DATA TYPE text USING c::text|17|ALTER TABLE ALTER COLUMN TYPE|unsafe|t|AccessExclusiveLock|true|change-column-type",
        "ALTER TABLE t ALTER COLUMN c SET NOT NULL|17|ALTER TABLE ALTER COLUMN SET NOT NULL|unsafe|t|AccessExclusiveLock|false|set-not-null",
        "ALTER TABLE t ALTER COLUMN c DROP NOT NULL|17|ALTER TABLE ALTER COLUMN DROP NOT NULL|safe|t|AccessExclusiveLock|false|-",
        "ALTER TABLE t ALTER COLUMN c SET DEFAULT 0|17|ALTER TABLE ALTER COLUMN SET DEFAULT|safe|t|AccessExclusiveLock|false|-",
        "ALTER TABLE t ALTER COLUMN c SET STATISTICS 500|17|ALTER TABLE ALTER COLUMN SET|safe|t|ShareUpdateExclusiveLock|false|-",
        "ALTER TABLE t ADD CONSTRAINT c CHECK (a > 0)|17|ALTER TABLE ADD CONSTRAINT CHECK|unsafe|t|AccessExclusiveLock|false|constraint-missing-not-valid",
        "ALTER TABLE t ADD CONSTRAINT c CHECK (a > 0) NOT VALID|17|ALTER TABLE ADD CONSTRAINT CHECK|safe|t|AccessExclusiveLock|false|-",
        "ALTER TABLE t ADD CONSTRAINT fk FOREIGN KEY (u) REFERENCES u (id)|17|ALTER TABLE ADD CONSTRAINT FOREIGN KEY|unsafe|t|ShareRowExclusiveLock|false|foreign-key-missing-not-valid",
        "ALTER TABLE t ADD FOREIGN KEY (u) REFERENCES u (id) NOT VALID|17|ALTER TABLE ADD CONSTRAINT FOREIGN KEY|safe|t|ShareRowExclusiveLock|false|-",
        "ALTER TABLE t VALIDATE CONSTRAINT fk|17|ALTER TABLE VALIDATE CONSTRAINT|safe|t|ShareUpdateExclusiveLock|false|-",
        "ALTER TABLE t ADD CONSTRAINT u UNIQUE (email)|17|ALTER TABLE ADD CONSTRAINT UNIQUE|unsafe|t|AccessExclusiveLock|false|unique-constraint-builds-index",
        "ALTER TABLE t ADD PRIMARY KEY (id)|17|ALTER TABLE ADD CONSTRAINT UNIQUE|unsafe|t|AccessExclusiveLock|false|unique-constraint-builds-index",
        "ALTER TABLE t ADD CONSTRAINT u UNIQUE USING INDEX t_email_idx|17|ALTER TABLE ADD CONSTRAINT UNIQUE|safe|t|AccessExclusiveLock|false|-",
        "ALTER TABLE t ADD CONSTRAINT x EXCLUDE USING gist (r WITH &&)|17|ALTER TABLE ADD CONSTRAINT EXCLUDE|unsafe|t|AccessExclusiveLock|false|exclusion-constraint",
        "ALTER TABLE t ADD CONSTRAINT nn NOT NULL c|18|ALTER TABLE ADD CONSTRAINT NOT NULL|unsafe|t|AccessExclusiveLock|false|set-not-null",
        "ALTER TABLE t ADD CONSTRAINT nn NOT NULL c NOT VALID|18|ALTER TABLE ADD CONSTRAINT NOT NULL|safe|t|AccessExclusiveLock|false|-",
        "ALTER TABLE t DETACH PARTITION p|17|ALTER TABLE DETACH PARTITION|unsafe|t|AccessExclusiveLock|false|require-concurrent-detach",
        "ALTER TABLE t DETACH PARTITION p CONCURRENTLY|17|ALTER TABLE DETACH PARTITION CONCURRENTLY|safe|t|ShareUpdateExclusiveLock|false|-",
        "ALTER TABLE t ATTACH PARTITION p FOR VALUES IN (1)|17|ALTER TABLE ATTACH PARTITION|safe|t|ShareUpdateExclusiveLock|false|-",
        "ALTER TABLE t ATTACH PARTITION p FOR VALUES IN (1)|11|ALTER TABLE ATTACH PARTITION|safe|t|AccessExclusiveLock|false|-",
        "ALTER TABLE t SET LOGGED|17|ALTER TABLE SET LOGGED|unsafe|t|AccessExclusiveLock|true|set-logged-unlogged",
        "ALTER TABLE t SET UNLOGGED|17|ALTER TABLE SET LOGGED|unsafe|t|AccessExclusiveLock|true|set-logged-unlogged",
        "ALTER TABLE t SET TABLESPACE fast|17|ALTER TABLE SET TABLESPACE|unsafe|t|AccessExclusiveLock|true|set-tablespace",
        "ALTER TABLE t SET (fillfactor = 70)|17|ALTER TABLE SET|safe|t|ShareUpdateExclusiveLock|false|-",
        "ALTER TABLE t ENABLE ROW LEVEL SECURITY|17|ALTER TABLE ENABLE ROW LEVEL SECURITY|breaking|t|AccessExclusiveLock|false|enable-row-level-security",
        "ALTER TABLE t DISABLE TRIGGER ALL|17|ALTER TABLE DISABLE TRIGGER|unsafe|t|ShareRowExclusiveLock|false|disable-trigger",
        "ALTER TABLE t DISABLE TRIGGER audit|17|ALTER TABLE DISABLE TRIGGER|safe|t|ShareRowExclusiveLock|false|-",
        "ALTER TABLE t ADD COLUMN a text, ALTER COLUMN b TYPE bigint, DROP COLUMN c|17|ALTER TABLE DROP COLUMN|destructive|t|AccessExclusiveLock|true|drop-column change-column-type",
        "ALTER TABLE t ALTER COLUMN s SET STATISTICS 100, ADD CONSTRAINT f FOREIGN KEY (x) REFERENCES u NOT VALID|17|ALTER TABLE ALTER COLUMN SET|safe|t|ShareRowExclusiveLock|false|-",
        "CREATE INDEX i ON public.orders (created_at)|17|CREATE INDEX|unsafe|public.orders|ShareLock|false|require-concurrent-index",
        "CREATE UNIQUE INDEX CONCURRENTLY IF NOT EXISTS i ON orders (a)|17|CREATE INDEX CONCURRENTLY|safe|orders|ShareUpdateExclusiveLock|false|-",
        "DROP INDEX i|17|DROP INDEX|unsafe|i|AccessExclusiveLock|false|require-concurrent-index-drop",
        "DROP INDEX CONCURRENTLY IF EXISTS i|17|DROP INDEX CONCURRENTLY|safe|i|ShareUpdateExclusiveLock|false|-",
        "REINDEX TABLE orders|17|REINDEX|unsafe|orders|ShareLock|false|require-concurrent-reindex",
        "REINDEX INDEX CONCURRENTLY i|17|REINDEX CONCURRENTLY|safe|i|ShareUpdateExclusiveLock|true|-",
        "REINDEX (VERBOSE) INDEX i|17|REINDEX|unsafe|i|AccessExclusiveLock|true|require-concurrent-reindex",
        "VACUUM FULL orders|17|VACUUM FULL|unsafe|orders|AccessExclusiveLock|true|vacuum-full",
        "VACUUM (FULL, ANALYZE) orders|17|VACUUM FULL|unsafe|orders|AccessExclusiveLock|true|vacuum-full",
        "VACUUM (ANALYZE) orders|17|VACUUM|safe|orders|ShareUpdateExclusiveLock|false|-",
        "CLUSTER orders USING orders_pkey|17|CLUSTER|unsafe|orders|AccessExclusiveLock|true|cluster",
        "REFRESH MATERIALIZED VIEW daily|17|REFRESH MATERIALIZED VIEW|unsafe|daily|AccessExclusiveLock|true|require-concurrent-refresh",
        "REFRESH MATERIALIZED VIEW CONCURRENTLY daily|17|REFRESH MATERIALIZED VIEW CONCURRENTLY|safe|daily|ExclusiveLock|false|-",
        "LOCK TABLE orders IN SHARE MODE|17|LOCK TABLE|unsafe|orders|ShareLock|false|lock-table",
        "LOCK orders|17|LOCK TABLE|unsafe|orders|AccessExclusiveLock|false|lock-table",
        "LOCK TABLE orders IN ROW EXCLUSIVE MODE|17|LOCK TABLE|safe|orders|RowExclusiveLock|false|-",
        "TRUNCATE orders|17|TRUNCATE|destructive|orders|AccessExclusiveLock|true|truncate",
        "TRUNCATE TABLE orders, items CASCADE|17|TRUNCATE|destructive|orders|AccessExclusiveLock|true|truncate drop-cascade",
        "DROP TABLE orders|17|DROP TABLE|destructive|orders|AccessExclusiveLock|false|drop-table",
        "DROP TABLE IF EXISTS a, b CASCADE|17|DROP TABLE|destructive|a|AccessExclusiveLock|false|drop-table drop-cascade",
        "DROP SCHEMA public CASCADE|17|DROP SCHEMA|destructive|-|-|false|drop-schema",
        "DROP DATABASE prod|17|DROP DATABASE|destructive|-|-|false|drop-database",
        "DROP OWNED BY app|17|DROP OWNED|destructive|-|-|false|drop-owned",
        "DROP TYPE mood CASCADE|17|DROP TYPE|destructive|-|-|false|drop-cascade",
        "DROP DOMAIN posint CASCADE|17|DROP DOMAIN|destructive|-|-|false|drop-cascade",
        "DROP EXTENSION hstore CASCADE|17|DROP EXTENSION|destructive|-|-|false|drop-cascade",
        "DROP TYPE mood|17|DROP TYPE|breaking|-|-|false|drop-object",
        "drop sequence if exists customers_SEQ|17|DROP SEQUENCE|destructive|customers_SEQ|AccessExclusiveLock|false|drop-sequence",
        "alter table if exists orders drop constraint if exists FK_x|17|ALTER TABLE DROP CONSTRAINT|breaking|orders|AccessExclusiveLock|false|drop-constraint",
        "DELETE FROM public.databasechangeloglock|17|DELETE|safe|public.databasechangeloglock|RowExclusiveLock|false|-",
        "DELETE FROM databasechangelog|17|DELETE|destructive|databasechangelog|RowExclusiveLock|false|unbounded-delete",
        "DROP MATERIALIZED VIEW IF EXISTS daily|17|DROP MATERIALIZED VIEW|breaking|daily|AccessExclusiveLock|false|drop-object",
        "DROP TRIGGER audit ON orders|17|DROP TRIGGER|breaking|orders|AccessExclusiveLock|false|drop-object",
        "DELETE FROM orders|17|DELETE|destructive|orders|RowExclusiveLock|false|unbounded-delete",
        "DELETE FROM orders WHERE true|17|DELETE|destructive|orders|RowExclusiveLock|false|unbounded-delete",
        "delete from orders where 1 = 1|17|DELETE|destructive|orders|RowExclusiveLock|false|unbounded-delete",
        "DELETE FROM orders WHERE 'a' = 'a'|17|DELETE|destructive|orders|RowExclusiveLock|false|unbounded-delete",
        "DELETE FROM orders WHERE (1=1) AND NOT false|17|DELETE|destructive|orders|RowExclusiveLock|false|unbounded-delete",
        "DELETE FROM orders WHERE id = 1 OR true|17|DELETE|destructive|orders|RowExclusiveLock|false|unbounded-delete",
        "DELETE FROM orders o USING customers c|17|DELETE|destructive|orders|RowExclusiveLock|false|unbounded-delete",
        "DELETE FROM orders WHERE id = ?|17|DELETE|safe|orders|RowExclusiveLock|false|-",
        "DELETE FROM orders WHERE ? = ?|17|DELETE|destructive|orders|RowExclusiveLock|false|unbounded-delete",
        "DELETE FROM orders WHERE now() > '2020-01-01'::timestamptz|17|DELETE|destructive|orders|RowExclusiveLock|false|unbounded-delete",
        "DELETE FROM orders WHERE NOT true|17|DELETE|safe|orders|RowExclusiveLock|false|-",
        "DELETE FROM orders WHERE created_at < now() - interval '30 days'|17|DELETE|safe|orders|RowExclusiveLock|false|-",
        "DELETE FROM orders WHERE \"State\" = 'x'|17|DELETE|safe|orders|RowExclusiveLock|false|-",
        "DELETE FROM orders WHERE 1 = 0|17|DELETE|safe|orders|RowExclusiveLock|false|-",
        "DELETE FROM orders o USING customers c WHERE o.customer_id = c.id AND c.deleted|17|DELETE|safe|orders|RowExclusiveLock|false|-",
        "DELETE FROM orders WHERE CURRENT OF c|17|DELETE|safe|orders|RowExclusiveLock|false|-",
        "UPDATE orders SET state = 'x'|17|UPDATE|destructive|orders|RowExclusiveLock|false|unbounded-update",
        "UPDATE orders SET state = 'x' WHERE id = $1|17|UPDATE|safe|orders|RowExclusiveLock|false|-",
        "UPDATE ONLY orders AS o SET state = 'x' WHERE 2 > 1 RETURNING id|17|UPDATE|destructive|orders|RowExclusiveLock|false|unbounded-update",
        "INSERT INTO orders (a) VALUES (1)|17|INSERT|safe|orders|RowExclusiveLock|false|-",
        "SELECT * FROM orders WHERE id = ?|17|SELECT|safe|orders|AccessShareLock|false|-",
        "SELECT * FROM orders WHERE id = 1 FOR UPDATE|17|SELECT|safe|orders|RowShareLock|false|-",
        "SELECT 1|17|SELECT|safe|-|-|false|-",
        "WITH gone AS (DELETE FROM orders RETURNING id) SELECT count(*) FROM gone|17|DELETE|destructive|orders|RowExclusiveLock|false|unbounded-delete",
        "WITH x AS (SELECT id FROM a) DELETE FROM b WHERE id IN (SELECT id FROM x)|17|DELETE|safe|b|RowExclusiveLock|false|-",
        "WITH RECURSIVE r(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM r WHERE n < 3) SELECT * FROM r|17|SELECT|safe|r|AccessShareLock|false|-",
        "EXPLAIN ANALYZE DELETE FROM orders|17|EXPLAIN ANALYZE|destructive|orders|RowExclusiveLock|false|unbounded-delete",
        "EXPLAIN (ANALYZE, BUFFERS) UPDATE orders SET a = 1|17|EXPLAIN ANALYZE|destructive|orders|RowExclusiveLock|false|unbounded-update",
        "EXPLAIN (ANALYZE false) DELETE FROM orders|17|EXPLAIN|safe|-|-|false|-",
        "EXPLAIN DELETE FROM orders|17|EXPLAIN|safe|-|-|false|-",
        "PREPARE wipe AS DELETE FROM orders|17|PREPARE|destructive|orders|RowExclusiveLock|false|unbounded-delete",
        "PREPARE q (bigint) AS SELECT * FROM orders WHERE id = $1|17|PREPARE|safe|orders|AccessShareLock|false|-",
        "CREATE FUNCTION wipe() RETURNS void LANGUAGE sql AS $$ DELETE FROM orders $$|17|CREATE FUNCTION|safe|-|-|false|-",
        "CREATE PROCEDURE wipe() LANGUAGE sql BEGIN ATOMIC DELETE FROM orders; END|17|CREATE PROCEDURE|safe|-|-|false|-",
        "CREATE TRIGGER t BEFORE UPDATE ON orders FOR EACH ROW EXECUTE FUNCTION f()|17|CREATE TRIGGER|safe|orders|ShareRowExclusiveLock|false|create-trigger",
        "ALTER TYPE mood ADD VALUE 'meh'|11|ALTER TYPE ADD VALUE|unsafe|-|-|false|enum-add-value",
        "ALTER TYPE mood ADD VALUE 'meh'|17|ALTER TYPE ADD VALUE|safe|-|-|false|enum-add-value",
        "SET lock_timeout = '5s'|17|SET|safe|-|-|false|-",
        "BEGIN|17|BEGIN|safe|-|-|false|-",
        "SHOW server_version|17|SHOW|safe|-|-|false|-",
        "{call refresh_stats(?)}|17|CALL|safe|-|-|false|-",
        "frobnicate the database|17|UNKNOWN|unknown|-|-|false|unrecognized-statement",
        "SELECT 'never closed|17|SELECT|unknown|-|-|false|unreadable-sql",
    })
    void classifies(String sql, int pg, String kind, String risk, String table, String lock, boolean rewrite,
                    String ruleIds) {
        Classification c = one(sql, pg);
        assertEquals(kind, c.kind(), "kind");
        assertEquals(risk, c.risk().id(), "risk");
        assertEquals(table, c.table(), "table");
        assertEquals(lock, c.lock() == null ? null : c.lock().pgName(), "lock");
        assertEquals(rewrite, c.rewrite(), "rewrite");
        assertEquals(rules(ruleIds), new TreeSet<>(c.ruleIds()), "rules");
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
        "varchar(50)|varchar(100)|false",
        "varchar(50)|text|false",
        "varchar(50)|varchar|false",
        "varchar(100)|varchar(50)|true",
        "numeric(10,2)|numeric(12,2)|false",
        "numeric(10,2)|numeric(12,3)|true",
        "numeric(10,2)|numeric|false",
        "integer|bigint|true",
        "text|varchar(10)|true",
        "cidr|inet|false",
        "timestamp|timestamptz|true",
    })
    void alterColumnTypeKnowsBinaryCoercibleChangesFromTheRun(String from, String to, boolean rewrite) {
        Context ctx = Context.migration();
        Classifier classifier = new Classifier(17);
        classifier.classifyFile(Lexer.split("CREATE TABLE t (id bigint, c " + from + ")"), ctx);
        Classification c = classifier.classifyFile(Lexer.split(
                "SET lock_timeout = '1s'; SET statement_timeout = '1min'; ALTER TABLE t ALTER COLUMN c TYPE " + to),
                ctx).get(2);
        assertEquals(rewrite, c.rewrite(), from + " -> " + to);
        assertEquals(rewrite ? Risk.UNSAFE : Risk.SAFE, c.risk());
    }

    @Test
    void tablesCreatedInTheSameFileAreNewAndEmpty() {
        Classifier classifier = new Classifier(17);
        List<Classification> c = classifier.classifyFile(Lexer.split("""
                CREATE TABLE IF NOT EXISTS t (id bigint PRIMARY KEY, c text);
                CREATE INDEX IF NOT EXISTS t_c ON t (c);
                ALTER TABLE t ADD COLUMN IF NOT EXISTS d text NOT NULL;
                ALTER TABLE t ADD CONSTRAINT t_c_check CHECK (c <> '');
                DELETE FROM t;
                """), Context.migration());
        for (Classification each : c) {
            assertEquals(Risk.SAFE, each.risk(), each.statement().text() + " " + each.ruleIds());
        }
        // The same index in the next file is on an existing table.
        Context ctx = Context.migration();
        classifier.classifyFile(Lexer.split("CREATE TABLE t (id bigint)"), ctx);
        Classification later = classifier.classifyFile(Lexer.split("CREATE INDEX IF NOT EXISTS t_c ON t (c)"), ctx)
                .get(0);
        assertTrue(later.hasRule("require-concurrent-index"));
    }

    @Test
    void lockTakingDdlNeedsTimeoutsSetEarlierInTheFile() {
        Classifier classifier = new Classifier(17);
        Classification bare = classifier.classifyFile(Lexer.split("ALTER TABLE t ADD COLUMN c text"),
                Context.migration()).get(0);
        assertEquals(Set.of("require-lock-timeout", "require-statement-timeout", "prefer-if-not-exists"),
                Set.copyOf(bare.ruleIds()));
        assertEquals(Risk.UNSAFE, bare.risk());
        List<Classification> set = classifier.classifyFile(Lexer.split(
                "SET lock_timeout = '5s'; SET statement_timeout TO '10min'; ALTER TABLE t ADD COLUMN IF NOT EXISTS c text"),
                Context.migration());
        assertEquals(Risk.SAFE, set.get(2).risk(), set.get(2).ruleIds().toString());
        List<Classification> zero = classifier.classifyFile(Lexer.split(
                "SET lock_timeout = 0; SET statement_timeout = '10min'; ALTER TABLE t ADD COLUMN IF NOT EXISTS c text"),
                Context.migration());
        assertTrue(zero.get(2).hasRule("require-lock-timeout"), "0 disables the timeout");
        // Applications' statements are not migrations: no timeout rule.
        assertFalse(Classified.of(17, "ALTER TABLE t ADD COLUMN c text").get(0)
                .hasRule("require-lock-timeout"));
    }

    @Test
    void setNotNullAfterAValidatedCheckSkipsTheScanFrom12() {
        String file = """
                SET lock_timeout = '5s'; SET statement_timeout = '5min';
                ALTER TABLE orders ADD CONSTRAINT state_nn CHECK (state IS NOT NULL) NOT VALID;
                ALTER TABLE orders VALIDATE CONSTRAINT state_nn;
                ALTER TABLE orders ALTER COLUMN state SET NOT NULL;
                """;
        Classification on17 = new Classifier(17).classifyFile(Lexer.split(file), Context.migration()).get(4);
        assertEquals(Risk.SAFE, on17.risk());
        Classification on11 = new Classifier(11).classifyFile(Lexer.split(file), Context.migration()).get(4);
        assertTrue(on11.hasRule("set-not-null"));
        String unvalidated = file.replace("ALTER TABLE orders VALIDATE CONSTRAINT state_nn;", "");
        assertTrue(new Classifier(17).classifyFile(Lexer.split(unvalidated), Context.migration()).get(3)
                .hasRule("set-not-null"));
    }

    @Test
    void doBlocksAreClassifiedByTheSqlTheyRun() {
        Classifier classifier = new Classifier(17);
        Classification batched = one("""
                DO $$ DECLARE lo bigint := 0; BEGIN
                  WHILE lo < 100000 LOOP
                    UPDATE orders SET state = status WHERE id > lo AND id <= lo + 1000;
                    lo := lo + 1000; PERFORM pg_sleep(0.1);
                  END LOOP;
                END $$""", 17);
        assertEquals("DO", batched.kind());
        assertEquals(Risk.SAFE, batched.risk());
        assertEquals("orders", batched.table());
        assertEquals(LockMode.ROW_EXCLUSIVE, batched.lock());

        assertEquals(Risk.DESTRUCTIVE, one("DO $$ BEGIN IF true THEN DELETE FROM orders; END IF; END $$", 17).risk());
        assertEquals(Risk.DESTRUCTIVE, one("DO 'BEGIN EXECUTE ''TRUNCATE orders''; END'", 17).risk());
        assertEquals(Risk.DESTRUCTIVE, one("DO $$ BEGIN EXECUTE 'DROP ' || 'TABLE orders'; END $$", 17).risk());
        assertEquals(Risk.DESTRUCTIVE, one("DO $a$ BEGIN EXECUTE $b$DROP SCHEMA s CASCADE$b$; END $a$", 17).risk());
        assertEquals(Risk.DESTRUCTIVE,
                one("DO $$ BEGIN FOR r IN DELETE FROM orders RETURNING id LOOP NULL; END LOOP; END $$", 17).risk());
        Classification dynamic = one("DO $$ BEGIN EXECUTE format('DROP TABLE %I', 'orders'); END $$", 17);
        assertEquals(Risk.UNKNOWN, dynamic.risk());
        assertEquals(List.of("dynamic-sql"), dynamic.ruleIds());
        assertEquals(Risk.UNKNOWN, one("DO LANGUAGE plpython3u $$ plpy.execute('drop table t') $$", 17).risk());
        assertEquals(Risk.SAFE, one("DO $$ BEGIN RAISE NOTICE 'DELETE FROM orders'; END $$", 17).risk());
        assertEquals(Risk.SAFE, Classified.of(classifier, "DO $$ BEGIN PERFORM 1; END $$").get(0).risk());
    }

    @Test
    void aMultiStatementStringClassifiesEveryStatement() {
        List<Classification> all = Classified.of(17, 
                "SELECT 1; /* ; */ TRUNCATE orders; SELECT ';'");
        assertEquals(3, all.size());
        assertEquals(Risk.DESTRUCTIVE, all.get(1).risk());
    }

    @Test
    void explicitIdentityInsertIsFlaggedUnlessSetvalFollows() {
        Classifier classifier = new Classifier(17);
        String create = "CREATE TABLE IF NOT EXISTS p (id bigint GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY, n text);";
        Context ctx = Context.migration();
        classifier.classifyFile(Lexer.split(create), ctx);
        Classification bare = classifier.classifyFile(Lexer.split("INSERT INTO p (id, n) VALUES (1, 'a')"), ctx)
                .get(0);
        assertTrue(bare.hasRule("explicit-identity-insert"));
        List<Classification> fixed = classifier.classifyFile(Lexer.split(
                "INSERT INTO p (id, n) VALUES (1, 'a'); SELECT setval(pg_get_serial_sequence('p', 'id'), 1)"), ctx);
        assertFalse(fixed.get(0).hasRule("explicit-identity-insert"));
        assertFalse(classifier.classifyFile(Lexer.split("INSERT INTO p (n) VALUES ('a')"), ctx).get(0)
                .hasRule("explicit-identity-insert"));
    }

    /** DROP INDEX locks the index and its table: the message names what it knows of the table. */
    @Test
    void dropIndexNamesItsLocks() {
        Classification unknown = one("DROP INDEX orders_state_idx", 17);
        assertEquals("DROP INDEX orders_state_idx without CONCURRENTLY takes an AccessExclusiveLock on "
                + "orders_state_idx and on its table: reads and writes of the table wait",
                unknown.findings().get(0).message());
        List<Classification> known = new Classifier(17).classifyFile(Lexer.split(
                "CREATE TABLE t (a int); CREATE INDEX t_a ON t (a); DROP INDEX t_a"), Context.migration());
        assertEquals("t", known.get(2).table());
    }

    @Test
    void mixingSchemaAndDataChangesInOneFileIsFlagged() {
        List<Classification> c = new Classifier(17).classifyFile(Lexer.split("""
                SET lock_timeout = '5s'; SET statement_timeout = '5min';
                ALTER TABLE orders ADD COLUMN IF NOT EXISTS state text;
                UPDATE orders SET state = status WHERE state IS NULL;
                """), Context.migration());
        assertTrue(c.get(3).hasRule("mixed-ddl-dml"));
        assertTrue(c.get(3).hasRule("batch-backfill"));
        assertFalse(c.get(2).hasRule("mixed-ddl-dml"));
    }

    /**
     * The rule is about a transaction holding a schema change's lock while a data change of many rows runs: a change
     * of a few rows it names is over at once, before or after the schema change.
     */
    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "DROP TABLE old_audit; UPDATE orders SET status = 'x' WHERE id = 7                 | false",
        "DROP TABLE old_audit; UPDATE orders SET status = 'x' WHERE id = ? AND v = 2       | false",
        "DROP TABLE old_audit; DELETE FROM orders WHERE id IN (1, 2, 3)                    | false",
        "ALTER TABLE orders ADD COLUMN c int; INSERT INTO orders (id, c) VALUES (1, 2)     | false",
        "UPDATE orders SET status = 'x' WHERE id = 7; ALTER TABLE orders ADD COLUMN c int  | false",
        "DROP TABLE old_audit; UPDATE orders SET status = 'x' WHERE id = 7 OR status IS NULL | true",
        "DROP TABLE old_audit; UPDATE orders SET status = 'x' WHERE created_at < now()     | true",
        "DROP TABLE old_audit; DELETE FROM orders WHERE id > 1000                          | true",
        "ALTER TABLE orders ADD COLUMN c int; INSERT INTO orders (id) SELECT id FROM old_orders | true",
        "UPDATE orders SET status = 'x' WHERE status IS NULL; ALTER TABLE orders ADD COLUMN c int | true",
    })
    void mixedDdlDmlIsAboutBulkDataChanges(String file, boolean flagged) {
        List<Classification> c = new Classifier(17).classifyFile(Lexer.split(file), Context.migration());
        assertEquals(flagged, c.stream().anyMatch(x -> x.hasRule("mixed-ddl-dml")), file);
    }

    /**
     * At run time (a string of several statements, or a transaction's later strings) a relation counts as new only
     * when it was certainly created, under the same qualified name. Each row: the string, which of its statements,
     * the rule, and whether that statement is flagged with it.
     */
    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
        "CREATE TABLE t (id bigint); TRUNCATE t; DROP TABLE t|1|truncate|false",
        "CREATE TABLE t (id bigint); TRUNCATE t; DROP TABLE t|2|drop-table|false",
        "CREATE TABLE t AS SELECT 1 AS a; DROP TABLE t|1|drop-table|false",
        // IF NOT EXISTS may have found t there, with its data
        "CREATE TABLE IF NOT EXISTS t (id bigint); TRUNCATE t; DROP TABLE t|1|truncate|true",
        "CREATE TABLE IF NOT EXISTS t (id bigint); TRUNCATE t; DROP TABLE t|2|drop-table|true",
        // a temporary t is not public.t; an unqualified t finds the temporary one first, as the server does
        "CREATE TEMP TABLE t (id bigint); TRUNCATE public.t|1|truncate|true",
        "CREATE TEMP TABLE t (id bigint); TRUNCATE t|1|truncate|false",
        "SELECT 1 INTO TEMP t; DROP TABLE public.t|1|drop-table|true",
        // a temporary table is the session's own, even one IF NOT EXISTS found there
        "CREATE TEMP TABLE IF NOT EXISTS s (id bigint); TRUNCATE s|1|truncate|false",
        // after a rename, the old name may find another schema's t, and the new one is not tracked
        "CREATE TABLE t (id bigint); ALTER TABLE t RENAME TO u; TRUNCATE t; TRUNCATE u|2|truncate|true",
        "CREATE TABLE t (id bigint); ALTER TABLE t RENAME TO u; TRUNCATE t; TRUNCATE u|3|truncate|true",
        // t created unqualified lands in the search path's first schema, which need not be public
        "CREATE TABLE t (id bigint); DROP TABLE public.t|1|drop-table|true",
        "CREATE TABLE app.t (id bigint); DROP TABLE app.t|1|drop-table|false",
        "CREATE TABLE \"App\".t (id bigint); DROP TABLE \"App\".T|1|drop-table|false",
        "CREATE TABLE \"App\".t (id bigint); DROP TABLE app.t|1|drop-table|true",
    })
    void inAnApplicationsStringOnlyATableItCertainlyCreatedIsNew(String sql, int statement, String rule,
                                                                  boolean flagged) {
        Classification c = Classified.of(17, sql).get(statement);
        assertEquals(flagged, c.hasRule(rule), sql + " " + c.ruleIds());
    }

    /** Lint reads a migration file as running once, in order: there IF NOT EXISTS creates the table. */
    @Test
    void inAMigrationFileIfNotExistsCreates() {
        assertFalse(new Classifier(17).classifyFile(Lexer.split("CREATE TABLE IF NOT EXISTS t (id bigint); TRUNCATE t"),
                Context.migration()).get(1).hasRule("truncate"));
    }

    @Test
    void concurrentlyInsideATransactionBlockFails() {
        List<Classification> c = new Classifier(17).classifyFile(Lexer.split(
                "BEGIN; CREATE INDEX CONCURRENTLY IF NOT EXISTS i ON t (a); COMMIT; "
                        + "CREATE INDEX CONCURRENTLY IF NOT EXISTS j ON t (b)"), Context.migration());
        assertTrue(c.get(1).hasRule("concurrently-in-transaction"));
        assertFalse(c.get(3).hasRule("concurrently-in-transaction"));
    }

    @Test
    void concurrentlyInAMultiStatementStringFailsInItsImplicitTransaction() {
        List<Classification> c = Classified.of(17, 
                "SET lock_timeout = '1s'; CREATE INDEX CONCURRENTLY IF NOT EXISTS i ON t (a)");
        assertTrue(c.get(1).hasRule("concurrently-in-transaction"));
        assertFalse(Classified.of(17, "CREATE INDEX CONCURRENTLY IF NOT EXISTS i ON t (a)").get(0)
                .hasRule("concurrently-in-transaction"));
    }

    @Test
    void identifiersOver63BytesAreFlagged() {
        String name = "a".repeat(64);
        assertTrue(one("CREATE TABLE " + name + " (id bigint)", 17).hasRule("identifier-too-long"));
        assertFalse(one("CREATE TABLE " + "a".repeat(63) + " (id bigint)", 17).hasRule("identifier-too-long"));
        // 22 characters of 3 bytes each: 66 bytes.
        assertTrue(one("CREATE TABLE \"" + "\u20ac".repeat(22) + "\" (id bigint)", 17).hasRule("identifier-too-long"));
    }

    @Test
    void typeHygieneAdvisesWithoutRaisingTheRisk() {
        Classification c = one("CREATE TABLE t (id serial PRIMARY KEY, customer_id int, name varchar(80), "
                + "at timestamp, doc json)", 17);
        assertEquals(Set.of("prefer-bigint", "prefer-identity", "prefer-text", "prefer-timestamptz", "prefer-jsonb"),
                Set.copyOf(c.ruleIds()));
        assertEquals(Risk.SAFE, c.risk());
    }

    @ParameterizedTest
    @org.junit.jupiter.params.provider.ValueSource(strings = {"DROP", "ALTER TABLE t ADD", "PREPARE p (int",
        "WITH x AS (", "EXPLAIN (ANALYZE", "CREATE TABLE t (a int", "DO", "ALTER TABLE t ALTER COLUMN",
        "DELETE FROM", "INSERT INTO t (", "CREATE INDEX ON", "VACUUM (", "LOCK TABLE t IN"})
    void truncatedStatementsAreAnalysedWithoutFallingBackToTheSafetyNet(String sql) {
        for (Classification c : Classified.of(17, sql)) {
            for (Finding f : c.findings()) {
                assertFalse(f.message().contains("could not be analysed"), sql + ": " + f.message());
            }
        }
    }

    @Test
    void unsupportedVersionsAreRefused() {
        assertThrows(IllegalArgumentException.class, () -> new Classifier(10));
        assertThrows(IllegalArgumentException.class, () -> new Classifier(19));
    }

    @Test
    void deeplyNestedInputFailsClosedInsteadOfThrowing() {
        String deep = "DELETE FROM t WHERE " + "(".repeat(5000) + "true" + ")".repeat(5000);
        assertEquals(Risk.DESTRUCTIVE, one(deep, 17).risk());
        StringBuilder nestedDo = new StringBuilder("SELECT 1");
        for (int i = 0; i < 40; i++) {
            nestedDo = new StringBuilder("DO $d" + i + "$ BEGIN EXECUTE $e" + i + "$" + nestedDo + "$e" + i + "$; END $d"
                    + i + "$");
        }
        assertEquals(Risk.UNKNOWN, one(nestedDo.toString(), 17).risk());
    }
}
