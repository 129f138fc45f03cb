package io.pgguard.bench;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * A generated corpus of migration files that read like a real project's history: tables created and then
 * altered in every way the rules care about, indexes, seeds with quoted strings, backfills in DO blocks, trigger
 * functions in dollar quotes, comments of both kinds. Names vary from file to file; the same seed gives the same
 * corpus.
 */
final class MigrationCorpus {

    private static final String[] NOUNS = {"customers", "orders", "invoices", "payments", "products",
        "shipments", "accounts", "sessions", "addresses", "refunds", "coupons", "reviews", "suppliers", "warehouses",
        "tickets", "events"};
    private static final String[] COLUMNS = {"name", "email", "phone", "status", "state", "total_cents", "note",
        "created_at", "updated_at", "deleted_at", "code", "currency", "country", "region", "score", "payload",
        "external_ref", "priority", "due_on", "locale"};
    private static final String[] TYPES = {"text", "integer", "bigint", "boolean", "numeric(12,2)", "timestamptz",
        "jsonb", "varchar(255)", "date", "uuid", "smallint", "text[]"};
    private static final String[] WORDS = {"release", "backfill", "the", "orders", "rename", "expand", "contract",
        "step", "lock", "timeout", "replica", "batch", "index", "nullable", "default", "constraint", "validated",
        "later", "trigger", "keeps", "columns", "in", "sync", "while", "app", "v2.3", "runs", "side", "by"};
    private static final String[] NAMES = {"Ada", "Grace", "Linus", "Bjarne", "Guido", "Anders", "Müller",
        "Ørsted", "O'Brien", "東京", "São Paulo", "Zoë", "d'Artagnan", "Ελλάδα"};

    private final SplittableRandom random;
    private final List<String> tables = new ArrayList<>();
    private int counter;

    private MigrationCorpus(long seed) {
        this.random = new SplittableRandom(seed);
    }

    /** Files totalling at least {@code bytes} bytes of UTF-8, in migration order. */
    static List<String> generate(long bytes, long seed) {
        MigrationCorpus corpus = new MigrationCorpus(seed);
        List<String> files = new ArrayList<>();
        long total = 0;
        while (total < bytes) {
            String file = corpus.file(files.size() + 1);
            files.add(file);
            total += utf8Length(file);
        }
        return files;
    }

    static long utf8Length(String s) {
        return s.getBytes(StandardCharsets.UTF_8).length;
    }

    private String file(int version) {
        StringBuilder sb = new StringBuilder(8192);
        sb.append("-- V").append(version).append(": ").append(sentence(6, 14)).append('\n');
        for (int i = random.nextInt(4); i > 0; i--) {
            sb.append("--   ").append(sentence(8, 16)).append('\n');
        }
        if (random.nextInt(3) > 0) {
            sb.append("SET lock_timeout = '").append(1 + random.nextInt(10)).append("s';\n");
            sb.append("SET statement_timeout = '15min';\n");
        }
        sb.append('\n');
        int statements = 6 + random.nextInt(30);
        for (int i = 0; i < statements; i++) {
            if (random.nextInt(4) == 0) {
                comment(sb);
            }
            statement(sb);
            sb.append('\n');
        }
        return sb.toString();
    }

    private void statement(StringBuilder sb) {
        if (tables.size() < 4 || random.nextInt(8) == 0) {
            createTable(sb);
            return;
        }
        switch (random.nextInt(16)) {
            case 0, 1, 2 -> alterTable(sb);
            case 3 -> alterTableMulti(sb);
            case 4, 5 -> createIndex(sb);
            case 6, 7 -> insertSeed(sb);
            case 8 -> update(sb);
            case 9 -> delete(sb);
            case 10 -> doBlock(sb);
            case 11 -> triggerFunction(sb);
            case 12 -> commentOn(sb);
            case 13 -> view(sb);
            case 14 -> drop(sb);
            default -> alterTable(sb);
        }
    }

    private void createTable(StringBuilder sb) {
        String table = pick(NOUNS) + "_" + (++counter);
        sb.append("CREATE TABLE ").append(random.nextBoolean() ? "IF NOT EXISTS " : "").append(table).append(" (\n");
        sb.append("    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY");
        int columns = 3 + random.nextInt(10);
        for (int i = 0; i < columns; i++) {
            sb.append(",\n    ").append(column(i)).append(' ').append(pick(TYPES));
            switch (random.nextInt(6)) {
                case 0 -> sb.append(" NOT NULL");
                case 1 -> sb.append(" NOT NULL DEFAULT now()");
                case 2 -> sb.append(" DEFAULT 'n/a'");
                default -> { }
            }
        }
        if (!tables.isEmpty() && random.nextBoolean()) {
            String other = pickTable();
            sb.append(",\n    ").append(other).append("_id bigint REFERENCES ").append(other).append(" (id)");
        }
        if (random.nextBoolean()) {
            sb.append(",\n    CONSTRAINT ").append(table).append("_code_check CHECK (char_length(code) <= 32)");
        }
        sb.append("\n);\n");
        tables.add(table);
    }

    private void alterTable(StringBuilder sb) {
        String table = pickTable();
        String column = column(random.nextInt(1000));
        sb.append("ALTER TABLE ").append(table);
        switch (random.nextInt(12)) {
            case 0 -> sb.append(" ADD COLUMN ").append(column).append(' ').append(pick(TYPES));
            case 1 -> sb.append(" ADD COLUMN IF NOT EXISTS ").append(column).append(" boolean NOT NULL DEFAULT false");
            case 2 -> sb.append(" ADD COLUMN ").append(column).append(" timestamptz DEFAULT clock_timestamp()");
            case 3 -> sb.append(" ALTER COLUMN ").append(column).append(" TYPE ").append(pick(TYPES));
            case 4 -> sb.append(" ALTER COLUMN ").append(column).append(" SET NOT NULL");
            case 5 -> sb.append(" ALTER COLUMN ").append(column).append(" SET DEFAULT 0");
            case 6 -> sb.append("\n    ADD CONSTRAINT ").append(table).append('_').append(column)
                    .append("_fkey\n    FOREIGN KEY (").append(column).append(") REFERENCES ").append(pickTable())
                    .append(" (id) NOT VALID");
            case 7 -> sb.append(" VALIDATE CONSTRAINT ").append(table).append('_').append(column).append("_fkey");
            case 8 -> sb.append(" ADD CONSTRAINT ").append(table).append('_').append(column)
                    .append("_check CHECK (").append(column).append(" IS NOT NULL)")
                    .append(random.nextBoolean() ? " NOT VALID" : "");
            case 9 -> sb.append(" DROP COLUMN IF EXISTS ").append(column);
            case 10 -> sb.append(" RENAME COLUMN ").append(column).append(" TO ").append(column).append("_old");
            default -> sb.append(" ADD CONSTRAINT ").append(table).append("_uniq UNIQUE (").append(column)
                    .append(')');
        }
        sb.append(";\n");
    }

    private void alterTableMulti(StringBuilder sb) {
        sb.append("ALTER TABLE ").append(pickTable());
        int actions = 2 + random.nextInt(4);
        for (int i = 0; i < actions; i++) {
            sb.append(i == 0 ? "\n    " : ",\n    ");
            String column = column(random.nextInt(1000));
            switch (random.nextInt(4)) {
                case 0 -> sb.append("ADD COLUMN ").append(column).append(' ').append(pick(TYPES));
                case 1 -> sb.append("ADD COLUMN ").append(column).append(" text DEFAULT 'x'");
                case 2 -> sb.append("ALTER COLUMN ").append(column).append(" DROP NOT NULL");
                default -> sb.append("DROP COLUMN ").append(column);
            }
        }
        sb.append(";\n");
    }

    private void createIndex(StringBuilder sb) {
        String table = pickTable();
        String column = column(random.nextInt(100));
        boolean unique = random.nextInt(4) == 0;
        sb.append("CREATE ").append(unique ? "UNIQUE " : "").append("INDEX ")
                .append(random.nextInt(3) > 0 ? "CONCURRENTLY " : "")
                .append(random.nextBoolean() ? "IF NOT EXISTS " : "")
                .append(table).append('_').append(column).append("_idx_").append(++counter)
                .append(" ON ").append(table).append(random.nextBoolean() ? " USING btree" : "")
                .append(" (").append(column).append(random.nextBoolean() ? ", created_at DESC" : "")
                .append(')').append(random.nextBoolean() ? " WHERE deleted_at IS NULL" : "").append(";\n");
    }

    private void insertSeed(StringBuilder sb) {
        String table = pickTable();
        sb.append("INSERT INTO ").append(table).append(" (code, name, note, score) VALUES\n");
        int rows = random.nextInt(10) == 0 ? 50 + random.nextInt(200) : 1 + random.nextInt(12);
        for (int i = 0; i < rows; i++) {
            String name = pick(NAMES).replace("'", "''");
            sb.append(i == 0 ? "    (" : ",\n    (").append('\'').append(table, 0, 3).append('-').append(++counter)
                    .append("', '").append(name).append(' ').append(i).append("', ");
            switch (random.nextInt(4)) {
                case 0 -> sb.append("NULL");
                case 1 -> sb.append("E'line one\\nline two: ").append(sentence(3, 8)).append("\\t(tab)'");
                case 2 -> sb.append("'it''s ").append(sentence(4, 12)).append(";'");
                default -> sb.append('\'').append(sentence(2, 20)).append('\'');
            }
            sb.append(", ").append(random.nextInt(10_000)).append(')');
        }
        sb.append(random.nextBoolean() ? "\nON CONFLICT (code) DO NOTHING;\n" : ";\n");
    }

    private void update(StringBuilder sb) {
        String table = pickTable();
        sb.append("UPDATE ").append(table).append(" SET ").append(column(random.nextInt(50))).append(" = ");
        sb.append(random.nextBoolean() ? "'" + pick(WORDS) + "'" : String.valueOf(random.nextInt(100)));
        switch (random.nextInt(4)) {
            case 0 -> sb.append(" WHERE id BETWEEN ").append(random.nextInt(100_000)).append(" AND ")
                    .append(100_000 + random.nextInt(100_000));
            case 1 -> sb.append(" WHERE state IS NULL");
            case 2 -> sb.append(" WHERE code = 'x-").append(random.nextInt(1000)).append('\'');
            default -> { }
        }
        sb.append(";\n");
    }

    private void delete(StringBuilder sb) {
        sb.append("DELETE FROM ").append(pickTable());
        if (random.nextInt(5) > 0) {
            sb.append(" WHERE created_at < now() - interval '").append(30 + random.nextInt(365)).append(" days'");
        }
        sb.append(";\n");
    }

    private void doBlock(StringBuilder sb) {
        String table = pickTable();
        String tag = random.nextBoolean() ? "" : "backfill" + random.nextInt(100);
        sb.append("DO $").append(tag).append("$\nDECLARE\n    batch_size constant bigint := 5000;\n")
                .append("    lo bigint;\n    max_id bigint;\n    touched bigint;\nBEGIN\n")
                .append("    SELECT min(id), max(id) INTO lo, max_id FROM ").append(table).append(";\n")
                .append("    IF lo IS NULL THEN\n        RAISE NOTICE '").append(table)
                .append(" is empty, nothing to do';\n        RETURN;\n    END IF;\n")
                .append("    WHILE lo <= max_id LOOP\n        UPDATE ").append(table)
                .append("\n           SET state = status\n")
                .append("         WHERE id BETWEEN lo AND lo + batch_size - 1\n           AND state IS NULL;\n")
                .append("        GET DIAGNOSTICS touched = ROW_COUNT;\n")
                .append("        RAISE NOTICE 'backfill: ids %..% -> % rows', lo, lo + batch_size - 1, touched;\n")
                .append("        lo := lo + batch_size;\n        PERFORM pg_sleep(0.05);\n    END LOOP;\n");
        if (random.nextBoolean()) {
            sb.append("    EXECUTE 'ANALYZE ").append(table).append("';\n");
        }
        if (random.nextInt(4) == 0) {
            sb.append("    EXECUTE format('ALTER TABLE %I SET (fillfactor = 90)', '").append(table).append("');\n");
        }
        sb.append("END\n$").append(tag).append("$;\n");
    }

    private void triggerFunction(StringBuilder sb) {
        String table = pickTable();
        String fn = table + "_touch_" + (++counter);
        sb.append("CREATE OR REPLACE FUNCTION ").append(fn).append("() RETURNS trigger\nLANGUAGE plpgsql\nAS $$\n")
                .append("BEGIN\n    -- keep updated_at current; the app does not always set it\n")
                .append("    IF TG_OP = 'UPDATE' AND NEW IS DISTINCT FROM OLD THEN\n")
                .append("        NEW.updated_at := now();\n    END IF;\n    RETURN NEW;\nEND;\n$$;\n\n")
                .append("CREATE TRIGGER ").append(fn).append("\n    BEFORE INSERT OR UPDATE ON ").append(table)
                .append("\n    FOR EACH ROW\n    EXECUTE FUNCTION ").append(fn).append("();\n");
    }

    private void commentOn(StringBuilder sb) {
        sb.append("COMMENT ON COLUMN ").append(pickTable()).append('.').append(column(random.nextInt(20)))
                .append(" IS E'").append(sentence(5, 15)).append(".\\nDon''t write it from new code.';\n");
    }

    private void view(StringBuilder sb) {
        String table = pickTable();
        sb.append("CREATE OR REPLACE VIEW ").append(table).append("_active AS\n    SELECT id, code, name\n")
                .append("      FROM ").append(table).append("\n     WHERE deleted_at IS NULL;\n");
    }

    private void drop(StringBuilder sb) {
        switch (random.nextInt(3)) {
            case 0 -> sb.append("DROP INDEX CONCURRENTLY IF EXISTS ").append(pickTable()).append("_old_idx;\n");
            case 1 -> sb.append("DROP VIEW IF EXISTS ").append(pickTable()).append("_active;\n");
            default -> sb.append("DROP TABLE IF EXISTS ").append(pickTable()).append("_tmp;\n");
        }
    }

    private void comment(StringBuilder sb) {
        if (random.nextBoolean()) {
            sb.append("-- ").append(sentence(4, 14)).append('\n');
        } else {
            sb.append("/*\n * ").append(sentence(6, 14)).append("\n * ").append(sentence(6, 14))
                    .append(" /* nested: see V").append(random.nextInt(500)).append(" */\n */\n");
        }
    }

    private String column(int i) {
        String base = COLUMNS[i % COLUMNS.length];
        return i < COLUMNS.length ? base : base + "_" + (i / COLUMNS.length);
    }

    private String pickTable() {
        // Recent tables more often, as migrations mostly touch what was just created.
        int n = tables.size();
        int i = random.nextBoolean() ? n - 1 - random.nextInt(Math.min(n, 8)) : random.nextInt(n);
        return tables.get(i);
    }

    private String pick(String[] values) {
        return values[random.nextInt(values.length)];
    }

    private String sentence(int min, int max) {
        StringBuilder sb = new StringBuilder();
        int words = min + random.nextInt(max - min + 1);
        for (int i = 0; i < words; i++) {
            if (i > 0) {
                sb.append(' ');
            }
            sb.append(pick(WORDS));
        }
        return sb.toString();
    }
}
