package io.pgguard.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import io.pgguard.classify.Classification;
import io.pgguard.classify.Classifier;
import io.pgguard.classify.Context;
import io.pgguard.sql.Lexer;
import io.pgguard.testkit.PostgresTest;
import io.pgguard.testkit.TestDatabase;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The lock table checked against the server, not against our code: each row runs one statement in a transaction
 * on fresh fixtures, reads what {@code pg_locks} shows for this backend on the relation the classifier names, and
 * whether that relation's {@code relfilenode} changed, then rolls back.
 *
 * <p>The expected values are the server's, measured live for the running major ({@code -Dpgguard.test.pgMajor});
 * the classifier is built for that same major. A failing row is a classifier bug (or a server version difference
 * the classifier does not model yet), not a row to relax.
 */
@PostgresTest
class LockIT {

    /**
     * Fixtures every row gets, in a schema of its own: {@code t} (a table with rows, indexes, a NOT VALID check,
     * a trigger, a column to reference {@code parent}), {@code u} (no primary key), {@code lg} (unlogged),
     * {@code pt} (range-partitioned, one partition {@code pt_1}, {@code pt_2} ready to attach) and {@code mv}.
     */
    private static final String[] FIXTURES = {
        "CREATE TABLE parent (id int PRIMARY KEY)",
        "INSERT INTO parent SELECT g FROM generate_series(1, 10) g",
        "CREATE TABLE t (id int PRIMARY KEY, a int NOT NULL, b int, v varchar(20), p int)",
        "INSERT INTO t SELECT g, g, g, 'v' || g, 1 + g % 10 FROM generate_series(1, 20) g",
        "CREATE INDEX t_a_idx ON t (a)",
        "CREATE UNIQUE INDEX t_v_uidx ON t (v)",
        "ALTER TABLE t ADD CONSTRAINT t_b_nv CHECK (b > 0) NOT VALID",
        "CREATE FUNCTION trg_fn() RETURNS trigger LANGUAGE plpgsql AS $$BEGIN RETURN NEW; END$$",
        "CREATE TRIGGER t_trg BEFORE UPDATE ON t FOR EACH ROW EXECUTE FUNCTION trg_fn()",
        "CREATE TABLE u (id int, x text)",
        "INSERT INTO u SELECT g, 'x' FROM generate_series(1, 20) g",
        "CREATE UNLOGGED TABLE lg (id int)",
        "INSERT INTO lg SELECT g FROM generate_series(1, 20) g",
        "CREATE TABLE pt (id int NOT NULL, x text) PARTITION BY RANGE (id)",
        "CREATE TABLE pt_1 PARTITION OF pt FOR VALUES FROM (0) TO (100)",
        "INSERT INTO pt SELECT g, 'x' FROM generate_series(1, 20) g",
        "CREATE TABLE pt_2 (id int NOT NULL, x text)",
        "INSERT INTO pt_2 SELECT g, 'y' FROM generate_series(100, 120) g",
        "CREATE MATERIALIZED VIEW mv AS SELECT id % 3 AS k, count(*) AS n FROM parent GROUP BY 1",
        "CREATE UNIQUE INDEX mv_k ON mv (k)",
        "ALTER TABLE t ADD COLUMN g int GENERATED ALWAYS AS (id * 2) STORED",
        "CREATE INDEX t_expr_idx ON t ((a + b))",
        "CREATE RULE u_keep AS ON DELETE TO u WHERE false DO INSTEAD NOTHING",
        "CREATE POLICY t_pol0 ON t USING (id > 0)",
        "CREATE TABLE parent_like (id int, x text)",
        "CREATE TABLE ts (id int, at timestamp, atz timestamptz, atp timestamp(3))",
        "INSERT INTO ts SELECT g, now(), now(), now() FROM generate_series(1, 20) g",
        "CREATE INDEX ts_at_idx ON ts (at)",
        "CREATE SEQUENCE t_seq OWNED BY t.id",
        "ANALYZE",
    };

    /**
     * One row per statement form: a label, the relation whose lock and rewrite matter (the one the classifier
     * must name in {@code table()}), the statement, and the first major that accepts it.
     */
    record Row(String label, String target, String sql, int minMajor, String session) {
        Row(String label, String target, String sql) {
            this(label, target, sql, TestDatabase.MIN_MAJOR, null);
        }

        Row(String label, String target, String sql, int minMajor) {
            this(label, target, sql, minMajor, null);
        }

        @Override
        public String toString() {
            return label;
        }
    }

    static List<Row> rows() {
        List<Row> r = new ArrayList<>();
        r.add(new Row("create table", "n", "CREATE TABLE n (id int)"));
        r.add(new Row("create table partition of", "pt",
                "CREATE TABLE pt_3 PARTITION OF pt FOR VALUES FROM (200) TO (300)"));
        r.add(new Row("add column null", "t", "ALTER TABLE t ADD COLUMN c1 int"));
        r.add(new Row("add column constant default", "t", "ALTER TABLE t ADD COLUMN c1 int DEFAULT 7"));
        r.add(new Row("add column not null constant default", "t",
                "ALTER TABLE t ADD COLUMN c1 int NOT NULL DEFAULT 0"));
        r.add(new Row("add column volatile default", "t",
                "ALTER TABLE t ADD COLUMN c1 double precision DEFAULT random()"));
        r.add(new Row("add column identity", "t", "ALTER TABLE t ADD COLUMN c1 int GENERATED ALWAYS AS IDENTITY"));
        r.add(new Row("add column stored generated", "t",
                "ALTER TABLE t ADD COLUMN c1 int GENERATED ALWAYS AS (a * 2) STORED"));
        r.add(new Row("drop column", "t", "ALTER TABLE t DROP COLUMN b"));
        r.add(new Row("rename column", "t", "ALTER TABLE t RENAME COLUMN b TO b2"));
        r.add(new Row("rename table", "t", "ALTER TABLE t RENAME TO t2"));
        r.add(new Row("alter column type int to bigint", "t", "ALTER TABLE t ALTER COLUMN a TYPE bigint"));
        r.add(new Row("alter column type varchar widening", "t", "ALTER TABLE t ALTER COLUMN v TYPE varchar(50)"));
        r.add(new Row("alter column type varchar to text", "t", "ALTER TABLE t ALTER COLUMN v TYPE text"));
        r.add(new Row("alter column type varchar narrowing", "t", "ALTER TABLE t ALTER COLUMN v TYPE varchar(10)"));
        // timestamp <-> timestamptz: relabelled without a rewrite when the session's TimeZone is UTC (12+)
        r.add(new Row("timestamp to timestamptz in UTC", "ts", "ALTER TABLE ts ALTER COLUMN at TYPE timestamptz",
                TestDatabase.MIN_MAJOR, "SET timezone = 'UTC'"));
        r.add(new Row("timestamptz to timestamp in Etc/UTC", "ts", "ALTER TABLE ts ALTER COLUMN atz TYPE timestamp",
                TestDatabase.MIN_MAJOR, "SET TIME ZONE 'Etc/UTC'"));
        r.add(new Row("timestamp to timestamptz in Paris", "ts", "ALTER TABLE ts ALTER COLUMN at TYPE timestamptz",
                TestDatabase.MIN_MAJOR, "SET TIME ZONE 'Europe/Paris'"));
        r.add(new Row("timestamp(3) to timestamptz(3) in UTC", "ts",
                "ALTER TABLE ts ALTER COLUMN atp TYPE timestamptz(3)", TestDatabase.MIN_MAJOR, "SET timezone = 'UTC'"));
        r.add(new Row("set not null", "t", "ALTER TABLE t ALTER COLUMN b SET NOT NULL"));
        r.add(new Row("drop not null", "t", "ALTER TABLE t ALTER COLUMN a DROP NOT NULL"));
        r.add(new Row("set default", "t", "ALTER TABLE t ALTER COLUMN b SET DEFAULT 0"));
        r.add(new Row("drop default", "t", "ALTER TABLE t ALTER COLUMN b DROP DEFAULT"));
        r.add(new Row("set statistics", "t", "ALTER TABLE t ALTER COLUMN a SET STATISTICS 500"));
        r.add(new Row("set fillfactor", "t", "ALTER TABLE t SET (fillfactor = 70)"));
        r.add(new Row("add check", "t", "ALTER TABLE t ADD CONSTRAINT t_a_pos CHECK (a > 0)"));
        r.add(new Row("add check not valid", "t", "ALTER TABLE t ADD CONSTRAINT t_a_pos CHECK (a > 0) NOT VALID"));
        r.add(new Row("add foreign key", "t",
                "ALTER TABLE t ADD CONSTRAINT t_p_fk FOREIGN KEY (p) REFERENCES parent (id)"));
        r.add(new Row("add foreign key not valid", "t",
                "ALTER TABLE t ADD CONSTRAINT t_p_fk FOREIGN KEY (p) REFERENCES parent (id) NOT VALID"));
        r.add(new Row("validate constraint", "t", "ALTER TABLE t VALIDATE CONSTRAINT t_b_nv"));
        r.add(new Row("add unique", "t", "ALTER TABLE t ADD CONSTRAINT t_b_key UNIQUE (b)"));
        r.add(new Row("add primary key", "u", "ALTER TABLE u ADD PRIMARY KEY (id)"));
        r.add(new Row("add unique using index", "t", "ALTER TABLE t ADD CONSTRAINT t_v_key UNIQUE USING INDEX t_v_uidx"));
        r.add(new Row("add exclude", "t", "ALTER TABLE t ADD CONSTRAINT t_a_excl EXCLUDE (a WITH =)"));
        r.add(new Row("drop constraint", "t", "ALTER TABLE t DROP CONSTRAINT t_b_nv"));
        r.add(new Row("disable trigger", "t", "ALTER TABLE t DISABLE TRIGGER t_trg"));
        r.add(new Row("enable trigger", "t", "ALTER TABLE t ENABLE TRIGGER t_trg"));
        r.add(new Row("enable row level security", "t", "ALTER TABLE t ENABLE ROW LEVEL SECURITY"));
        r.add(new Row("set unlogged", "t", "ALTER TABLE t SET UNLOGGED"));
        r.add(new Row("set logged", "lg", "ALTER TABLE lg SET LOGGED"));
        r.add(new Row("attach partition", "pt",
                "ALTER TABLE pt ATTACH PARTITION pt_2 FOR VALUES FROM (100) TO (200)"));
        r.add(new Row("detach partition", "pt", "ALTER TABLE pt DETACH PARTITION pt_1"));
        r.add(new Row("multi-subcommand: set statistics + add foreign key not valid", "t",
                "ALTER TABLE t ALTER COLUMN a SET STATISTICS 200,"
                        + " ADD CONSTRAINT t_p_fk FOREIGN KEY (p) REFERENCES parent (id) NOT VALID"));
        r.add(new Row("multi-subcommand: set statistics + set default", "t",
                "ALTER TABLE t ALTER COLUMN a SET STATISTICS 200, ALTER COLUMN b SET DEFAULT 1"));
        r.add(new Row("cluster", "t", "CLUSTER t USING t_pkey"));
        r.add(new Row("reindex table", "t", "REINDEX TABLE t"));
                r.add(new Row("create index", "t", "CREATE INDEX t_b_idx ON t (b)"));
        r.add(new Row("create unique index", "t", "CREATE UNIQUE INDEX t_id_b_idx ON t (id, b)"));
        r.add(new Row("drop index", "t", "DROP INDEX t_a_idx"));
        r.add(new Row("alter index rename", "t_a_idx", "ALTER INDEX t_a_idx RENAME TO t_a_idx2"));
        r.add(new Row("create trigger", "t",
                "CREATE TRIGGER t_trg2 BEFORE INSERT ON t FOR EACH ROW EXECUTE FUNCTION trg_fn()"));
        r.add(new Row("drop trigger", "t", "DROP TRIGGER t_trg ON t"));
        r.add(new Row("create policy", "t", "CREATE POLICY t_pol ON t USING (a > 0)"));
        r.add(new Row("truncate", "t", "TRUNCATE t"));
        r.add(new Row("drop table", "t", "DROP TABLE t"));
        r.add(new Row("refresh materialized view", "mv", "REFRESH MATERIALIZED VIEW mv"));
        r.add(new Row("lock access share", "t", "LOCK TABLE t IN ACCESS SHARE MODE"));
        r.add(new Row("lock row share", "t", "LOCK TABLE t IN ROW SHARE MODE"));
        r.add(new Row("lock row exclusive", "t", "LOCK TABLE t IN ROW EXCLUSIVE MODE"));
        r.add(new Row("lock share update exclusive", "t", "LOCK TABLE t IN SHARE UPDATE EXCLUSIVE MODE"));
        r.add(new Row("lock share", "t", "LOCK TABLE t IN SHARE MODE"));
        r.add(new Row("lock share row exclusive", "t", "LOCK TABLE t IN SHARE ROW EXCLUSIVE MODE"));
        r.add(new Row("lock exclusive", "t", "LOCK TABLE t IN EXCLUSIVE MODE"));
        r.add(new Row("lock (default access exclusive)", "t", "LOCK TABLE t"));
        r.add(new Row("insert", "t", "INSERT INTO t (id, a, b, v) VALUES (100, 100, 1, 'x')"));
        r.add(new Row("update", "t", "UPDATE t SET b = b + 1 WHERE a = 1"));
        r.add(new Row("delete", "t", "DELETE FROM t WHERE a = 1"));
        r.add(new Row("select", "t", "SELECT * FROM t"));
        r.add(new Row("select for update", "t", "SELECT * FROM t WHERE a = 1 FOR UPDATE"));
        r.add(new Row("select for share", "t", "SELECT * FROM t WHERE a = 1 FOR SHARE"));
        r.add(new Row("analyze", "t", "ANALYZE t"));
        r.add(new Row("comment on table", "t", "COMMENT ON TABLE t IS 'orders'"));
        r.add(new Row("comment on column", "t", "COMMENT ON COLUMN t.a IS 'amount'"));
        r.add(new Row("comment on index", "t_a_idx", "COMMENT ON INDEX t_a_idx IS 'by a'"));
        r.add(new Row("create rule", "t", "CREATE RULE t_rule AS ON INSERT TO t DO ALSO NOTIFY t_changed"));
        r.add(new Row("create rule instead nothing", "u", "CREATE RULE u_rule AS ON UPDATE TO u DO INSTEAD NOTHING"));
        r.add(new Row("comment on constraint", "t", "COMMENT ON CONSTRAINT t_b_nv ON t IS 'b positive'"));
        r.add(new Row("comment on trigger", "t", "COMMENT ON TRIGGER t_trg ON t IS 'audit'"));
        r.add(new Row("comment on policy", "t", "COMMENT ON POLICY t_pol0 ON t IS 'rls'"));
        r.add(new Row("comment on materialized view", "mv", "COMMENT ON MATERIALIZED VIEW mv IS 'agg'"));
        r.add(new Row("create materialized view", "t", "CREATE MATERIALIZED VIEW mv2 AS SELECT a FROM t"));
        r.add(new Row("create rule with action", "t",
                "CREATE RULE t_audit AS ON UPDATE TO t DO ALSO INSERT INTO parent VALUES (NEW.id + 100)"));
        r.add(new Row("create statistics if not exists", "t",
                "CREATE STATISTICS IF NOT EXISTS t_stats2 (ndistinct) ON a, b FROM t", 14));
        r.add(new Row("create statistics", "t", "CREATE STATISTICS t_stats ON a, b FROM t"));
        r.add(new Row("reindex index on table", "t", "REINDEX INDEX t_a_idx"));
        r.add(new Row("set tablespace", "t", "ALTER TABLE t SET TABLESPACE pgguard_lockit"));
        r.add(new Row("alter index set tablespace", "t_a_idx", "ALTER INDEX t_a_idx SET TABLESPACE pgguard_lockit"));
        r.add(new Row("set access method", "t", "ALTER TABLE t SET ACCESS METHOD heap", 15));
        r.add(new Row("reset storage parameter", "t", "ALTER TABLE t RESET (fillfactor)"));
        r.add(new Row("cluster on", "t", "ALTER TABLE t CLUSTER ON t_a_idx"));
        r.add(new Row("set without cluster", "t", "ALTER TABLE t SET WITHOUT CLUSTER"));
        r.add(new Row("replica identity full", "t", "ALTER TABLE t REPLICA IDENTITY FULL"));
        r.add(new Row("force row level security", "t", "ALTER TABLE t FORCE ROW LEVEL SECURITY"));
        r.add(new Row("set storage", "t", "ALTER TABLE t ALTER COLUMN v SET STORAGE EXTERNAL"));
        r.add(new Row("set compression", "t", "ALTER TABLE t ALTER COLUMN v SET COMPRESSION pglz"));
        r.add(new Row("add identity", "u", "ALTER TABLE u ALTER COLUMN id SET NOT NULL, ALTER COLUMN id ADD GENERATED BY DEFAULT AS IDENTITY"));
        r.add(new Row("rename constraint", "t", "ALTER TABLE t RENAME CONSTRAINT t_b_nv TO t_b_nv2"));
        r.add(new Row("validate foreign key", "t", "ALTER TABLE t VALIDATE CONSTRAINT t_b_nv"));
        r.add(new Row("inherit", "u", "ALTER TABLE u INHERIT parent_like"));
        r.add(new Row("disable rule", "u", "ALTER TABLE u DISABLE RULE u_keep"));
        r.add(new Row("owner to", "t", "ALTER TABLE t OWNER TO CURRENT_USER"));
        r.add(new Row("set schema", "t", "ALTER TABLE t SET SCHEMA public"));
        r.add(new Row("alter trigger rename", "t", "ALTER TRIGGER t_trg ON t RENAME TO t_trg2"));
        r.add(new Row("drop policy", "t", "DROP POLICY t_pol0 ON t"));
        r.add(new Row("alter policy", "t", "ALTER POLICY t_pol0 ON t USING (a > 1)"));
        r.add(new Row("drop rule", "u", "DROP RULE u_keep ON u"));
        r.add(new Row("create view", "t", "CREATE VIEW tv AS SELECT * FROM t"));
        r.add(new Row("create table as", "t", "CREATE TABLE t_copy AS SELECT * FROM t"));
        r.add(new Row("create table like", "t", "CREATE TABLE t_like (LIKE t INCLUDING ALL)"));
        r.add(new Row("add column references", "t", "ALTER TABLE t ADD COLUMN q int REFERENCES parent (id)"));
        r.add(new Row("alter sequence restart", "t_seq", "ALTER SEQUENCE t_seq RESTART WITH 100"));
        r.add(new Row("alter sequence increment", "t_seq", "ALTER SEQUENCE t_seq INCREMENT BY 2"));
        r.add(new Row("alter sequence as", "t_seq", "ALTER SEQUENCE t_seq AS bigint"));
        r.add(new Row("alter sequence owned by", "t_seq", "ALTER SEQUENCE t_seq OWNED BY NONE"));
        r.add(new Row("alter sequence cache", "t_seq", "ALTER SEQUENCE t_seq CACHE 10"));
        r.add(new Row("select for no key update", "t", "SELECT * FROM t WHERE a = 1 FOR NO KEY UPDATE"));
        r.add(new Row("select for key share", "t", "SELECT * FROM t WHERE a = 1 FOR KEY SHARE"));
        r.add(new Row("truncate only", "t", "TRUNCATE ONLY t"));
        r.add(new Row("drop column cascade", "t", "ALTER TABLE t DROP COLUMN b CASCADE"));
        r.add(new Row("attach partition default", "pt", "ALTER TABLE pt ATTACH PARTITION pt_2 DEFAULT"));
        r.add(new Row("drop expression", "t", "ALTER TABLE t ALTER COLUMN g DROP EXPRESSION"));
        r.add(new Row("set expression", "t", "ALTER TABLE t ALTER COLUMN g SET EXPRESSION AS (a * 3)", 17));
        r.add(new Row("refresh materialized view concurrently", "mv", "REFRESH MATERIALIZED VIEW CONCURRENTLY mv"));
        r.add(new Row("alter materialized view rename", "mv", "ALTER MATERIALIZED VIEW mv RENAME TO mv2"));
        r.add(new Row("drop materialized view", "mv", "DROP MATERIALIZED VIEW mv"));
        r.add(new Row("alter index set statistics", "t_expr_idx", "ALTER INDEX t_expr_idx ALTER COLUMN 1 SET STATISTICS 100"));
        r.add(new Row("create index on partitioned", "pt", "CREATE INDEX pt_x_idx ON pt (x)"));
        r.add(new Row("create index only on partitioned", "pt", "CREATE INDEX pt_x_idx ON ONLY pt (x)"));
        r.add(new Row("delete using", "t", "DELETE FROM t USING parent WHERE t.p = parent.id AND parent.id = 3"));
        r.add(new Row("update from", "t", "UPDATE t SET b = 5 FROM parent WHERE t.p = parent.id AND parent.id = 3"));
        r.add(new Row("insert on conflict", "t", "INSERT INTO t (id, a) VALUES (1, 1) ON CONFLICT (id) DO UPDATE SET b = 5"));
        r.add(new Row("merge", "t",
                "MERGE INTO t USING parent ON t.p = parent.id WHEN MATCHED THEN UPDATE SET b = 1", 15));
        r.add(new Row("add column virtual generated", "t",
                "ALTER TABLE t ADD COLUMN c1 int GENERATED ALWAYS AS (a * 2) VIRTUAL", 18));
        r.add(new Row("add not null constraint not valid", "t",
                "ALTER TABLE t ADD CONSTRAINT t_b_nn NOT NULL b NOT VALID", 18));
        return r;
    }

    /** Whether the tablespace the SET TABLESPACE rows move to could be made (the server must own its directory). */
    private static boolean tablespace;

    @org.junit.jupiter.api.BeforeAll
    static void tablespace(io.pgguard.testkit.PgDatabase db) throws Exception {
        java.nio.file.Path dir = java.nio.file.Files.createTempDirectory("pgguard-lockit-ts");
        try (Connection c = db.connect(); Statement s = c.createStatement()) {
            s.execute("DROP TABLESPACE IF EXISTS pgguard_lockit");
            s.execute("CREATE TABLESPACE pgguard_lockit LOCATION '" + dir.toAbsolutePath() + "'");
            tablespace = true;
        } catch (SQLException e) {
            System.err.println("LockIT: no tablespace (" + e.getMessage() + "): SET TABLESPACE rows are skipped");
        }
    }

    static Stream<Arguments> cases() {
        List<Row> rows = rows();
        List<Arguments> out = new ArrayList<>(rows.size());
        for (int i = 0; i < rows.size(); i++) {
            out.add(Arguments.of(i, rows.get(i)));
        }
        return out.stream();
    }

    @ParameterizedTest(name = "[{index}] {1}")
    @MethodSource("cases")
    void serverLockAndRewriteMatchTheClassifier(int index, Row row, Connection c, TestDatabase pg)
            throws SQLException {
        int major = pg.majorVersion();
        assumeTrue(major >= row.minMajor(), () -> "PostgreSQL " + major + " does not accept " + row.sql());
        assumeTrue(tablespace || !row.sql().contains("TABLESPACE"), "the server could not make a tablespace");
        Classifier classifier = new Classifier(major);
        // The fixtures come from an earlier migration of the same run: their tables are not new, but their
        // column types are known, as in a lint run (so varchar widening is known to be free).
        Context run = Context.migration();
        classifier.classifyFile(Lexer.split(String.join(";\n", FIXTURES)), run);
        // a session setting the row needs is set in the same file, before it
        String file = row.session() == null ? row.sql() : row.session() + ";\n" + row.sql();
        List<Classification> classified = classifier.classifyFile(Lexer.split(file), run);
        assertEquals(row.session() == null ? 1 : 2, classified.size(), () -> "one statement expected: " + row.sql());
        Classification cl = classified.get(classified.size() - 1);

        String schema = "lk_" + index;
        try (Statement s = c.createStatement()) {
            s.execute("DROP SCHEMA IF EXISTS " + schema + " CASCADE");
            s.execute("CREATE SCHEMA " + schema);
            s.execute("SET search_path TO " + schema);
            for (String f : FIXTURES) {
                s.execute(f);
            }
            if (row.session() != null) {
                s.execute(row.session());
            }
        }

        Observation seen;
        c.setAutoCommit(false);
        try {
            seen = observe(c, row, cl);
        } finally {
            c.rollback();
            c.setAutoCommit(true);
            try (Statement s = c.createStatement()) {
                s.execute("RESET timezone");
                s.execute("DROP SCHEMA " + schema + " CASCADE");
            }
        }

        String where = "PostgreSQL " + major + ", statement: " + row.sql();
        assertNotNull(seen.strongest, () -> where + ": the server shows no lock on " + row.target()
                + " (the harness is wrong, not the classifier)");
        assertEquals(seen.targetOid, seen.classifierOid, () -> where + ": classifier names table "
                + cl.table() + ", the statement acts on " + row.target() + " (server: " + seen.strongest
                + " on " + row.target() + ", classifier: " + cl.lock() + ")");
        assertEquals(seen.strongest, cl.lock() == null ? null : cl.lock().pgName(),
                () -> where + ": server mode " + seen.strongest + " (all modes held on " + row.target() + ": "
                        + seen.modes + "), classifier mode " + cl.lock());
        assertEquals(seen.rewritten, cl.rewrite(), () -> where + ": server rewrite " + seen.rewritten
                + " (relfilenode " + seen.filenodeBefore + " -> " + seen.filenodeAfter + "), classifier rewrite "
                + cl.rewrite() + " (server mode " + seen.strongest + ", classifier mode " + cl.lock() + ")");
    }

    /** What the server did, seen from inside the transaction. */
    static final class Observation {
        Long targetOid;
        Long classifierOid;
        String strongest;
        List<String> modes = new ArrayList<>();
        Long filenodeBefore;
        Long filenodeAfter;
        boolean rewritten;
    }

    private static Observation observe(Connection c, Row row, Classification cl) throws SQLException {
        Observation o = new Observation();
        // Resolved before the statement (it may rename or drop the relation); a relation the statement creates
        // is resolved after it.
        o.targetOid = regclass(c, row.target());
        o.classifierOid = cl.table() == null ? null : regclass(c, cl.table());
        o.filenodeBefore = o.targetOid == null ? null : filenode(c, o.targetOid);
        try (Statement s = c.createStatement()) {
            s.execute(row.sql());
        }
        if (o.targetOid == null) {
            o.targetOid = regclass(c, row.target());
        }
        if (o.classifierOid == null && cl.table() != null) {
            o.classifierOid = regclass(c, cl.table());
        }
        if (o.targetOid == null) {
            return o;
        }
        o.filenodeAfter = filenode(c, o.targetOid);
        // A relation that was there before and still is afterwards, on a new file: rewritten. (A dropped or
        // newly created relation has no before or no after.)
        o.rewritten = o.filenodeBefore != null && o.filenodeAfter != null
                && !o.filenodeBefore.equals(o.filenodeAfter);
        try (PreparedStatement ps = c.prepareStatement("SELECT l.mode FROM pg_locks l"
                + " WHERE l.pid = pg_backend_pid() AND l.locktype = 'relation' AND l.granted"
                + " AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database())"
                + " AND l.relation = ?::oid ORDER BY l.mode")) {
            ps.setLong(1, o.targetOid);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    String mode = rs.getString(1);
                    o.modes.add(mode);
                    if (o.strongest == null || strength(mode) > strength(o.strongest)) {
                        o.strongest = mode;
                    }
                }
            }
        }
        return o;
    }

    /** PostgreSQL's table lock modes, weakest first (our own copy: the order under test is not ours to use). */
    private static final List<String> STRENGTH = List.of("AccessShareLock", "RowShareLock", "RowExclusiveLock",
            "ShareUpdateExclusiveLock", "ShareLock", "ShareRowExclusiveLock", "ExclusiveLock",
            "AccessExclusiveLock");

    private static int strength(String mode) {
        int i = STRENGTH.indexOf(mode);
        if (i < 0) {
            throw new IllegalStateException("unexpected pg_locks.mode " + mode);
        }
        return i;
    }

    private static Long regclass(Connection c, String name) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT to_regclass(?)::oid")) {
            ps.setString(1, name);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                long oid = rs.getLong(1);
                return rs.wasNull() ? null : oid;
            }
        }
    }

    private static Long filenode(Connection c, long oid) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT pg_relation_filenode(?::oid)")) {
            ps.setLong(1, oid);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                long node = rs.getLong(1);
                return rs.wasNull() ? null : node;
            }
        }
    }
}
