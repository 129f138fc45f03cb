package io.pgguard.fuzz;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.stream.Stream;

/**
 * Inputs for fuzzing the lexer and classifier: random characters and bytes, SQL-like token soup built from the
 * pieces the lexer treats specially, and mutations of real migrations (insert, delete, duplicate and swap chunks,
 * inject quotes, dollar tags, comment starts, escapes, unicode and NULs). Deterministic for a given seed.
 */
final class FuzzInputs {

    /** The kinds of input, in the order a run cycles through them. */
    enum Kind { RANDOM_CHARS, RANDOM_BYTES, GRAMMAR, MUTATION }

    /** Fragments that open, close or escape something, or change how the lexer splits. */
    static final String[] SPECIAL = {"'", "''", "\"", "\"\"", "$", "$$", "$a$", "$tag$", "$1", "$_$", "/*", "*/",
        "--", "\n", "\r\n", "\r", ";", "(", ")", "[", "]", "E'", "e'", "U&'", "u&\"", "B'", "X'", "N'", "\\", "\\'",
        "\\\\", "::", "\u0000", "\u000B", "\f", "\t", "é", "東", "😀", "\uD800", "\uDC00", "\uFFFF", "\u00A0", "\u2028",
        "BEGIN ATOMIC ", " END", " CASE ", "CREATE FUNCTION f() ", "DO ", "EXECUTE ", " LOOP ", "$body$", "?", "{",
        "}", "0x", "1e", ".5", "-- pgguard:allow drop-table reason=\"x\"\n", "/* pgguard:ignore drop-column */"};

    private static final String[] KEYWORDS = {"SELECT", "FROM", "WHERE", "AND", "OR", "NOT", "NULL", "TRUE", "FALSE",
        "INSERT", "INTO", "VALUES", "UPDATE", "SET", "DELETE", "MERGE", "USING", "WITH", "AS", "RECURSIVE", "CREATE",
        "OR", "REPLACE", "TABLE", "INDEX", "CONCURRENTLY", "UNIQUE", "ON", "IF", "EXISTS", "ALTER", "ADD", "COLUMN",
        "DROP", "RENAME", "TO", "TYPE", "DEFAULT", "CONSTRAINT", "CHECK", "FOREIGN", "KEY", "PRIMARY", "REFERENCES",
        "VALID", "VALIDATE", "TRUNCATE", "CASCADE", "DO", "LANGUAGE", "plpgsql", "BEGIN", "ATOMIC", "END", "CASE",
        "WHEN", "THEN", "ELSE", "ELSIF", "LOOP", "FOR", "IN", "WHILE", "EXECUTE", "PERFORM", "DECLARE", "RETURN",
        "FUNCTION", "PROCEDURE", "RETURNS", "TRIGGER", "VIEW", "MATERIALIZED", "REFRESH", "VACUUM", "ANALYZE",
        "EXPLAIN", "PREPARE", "LOCK", "MODE", "COMMIT", "ROLLBACK", "REINDEX", "CLUSTER", "COPY", "GRANT",
        "COMMENT", "IS", "GENERATED", "ALWAYS", "IDENTITY", "STORED", "SCHEMA", "SEQUENCE", "ENUM", "setval",
        "now", "format", "INTERVAL", "BETWEEN", "LIMIT", "RETURNING", "ONLY", "ENABLE", "DISABLE", "DETACH",
        "PARTITION", "ATTACH", "lock_timeout", "statement_timeout"};
    private static final String[] IDENTIFIERS = {"t", "orders", "customers", "public.orders", "a", "b", "id",
        "state", "x$y", "_z", "Ünïcode", "表", "col1", "\"Quoted\"", "\"we\"\"ird\"", "U&\"d\\0061t\"", "s.t.u"};
    private static final String[] OPERATORS = {"=", "<>", "!=", "<", ">=", "+", "-", "*", "/", "||", "->>", "@>",
        "~", "!", "#", "%", "^", "&", "|", "`", "?", "+-", "*/", "-/", ".", ",", ":", "::", ":=", "=>"};

    private final SplittableRandom random;
    private final List<String> seeds;

    FuzzInputs(long seed, List<String> seeds) {
        this.random = new SplittableRandom(seed);
        this.seeds = seeds;
    }

    String next(Kind kind) {
        return switch (kind) {
            case RANDOM_CHARS -> randomChars();
            case RANDOM_BYTES -> randomBytes();
            case GRAMMAR -> grammar(0);
            case MUTATION -> mutate(random.nextInt(4) == 0 ? grammar(0) : seeds.get(random.nextInt(seeds.size())));
        };
    }

    /** Characters from a mix of SQL punctuation, letters, control characters and arbitrary UTF-16 units. */
    String randomChars() {
        int length = random.nextInt(4) == 0 ? random.nextInt(1000) : random.nextInt(64);
        StringBuilder sb = new StringBuilder(length);
        String punctuation = "'\"$;()-/*\\Ee U&:.,[]{}?=<>!@#%^|`~+\n\t\r0123456789abcxyz_";
        while (sb.length() < length) {
            switch (random.nextInt(10)) {
                case 0 -> sb.append((char) random.nextInt(0x10000));
                case 1 -> sb.append((char) random.nextInt(0x20));
                case 2 -> sb.append(SPECIAL[random.nextInt(SPECIAL.length)]);
                default -> sb.append(punctuation.charAt(random.nextInt(punctuation.length())));
            }
        }
        return sb.toString();
    }

    /** Random bytes decoded as UTF-8 (malformed sequences become U+FFFD) or as ISO-8859-1 (every byte a char). */
    String randomBytes() {
        byte[] bytes = new byte[random.nextInt(4) == 0 ? random.nextInt(2000) : random.nextInt(80)];
        for (int i = 0; i < bytes.length; i++) {
            bytes[i] = (byte) (random.nextInt(3) == 0 ? random.nextInt(0x80) : random.nextInt(256));
        }
        return new String(bytes, random.nextBoolean() ? StandardCharsets.UTF_8 : StandardCharsets.ISO_8859_1);
    }

    /** One or more statements of token soup, with quoted bodies that hold nested statements. */
    String grammar(int depth) {
        StringBuilder sb = new StringBuilder();
        int statements = 1 + random.nextInt(depth == 0 ? 4 : 2);
        for (int s = 0; s < statements; s++) {
            if (random.nextInt(3) == 0) {
                sb.append(KEYWORDS[random.nextInt(8)]).append(' ');
            }
            int tokens = 1 + random.nextInt(depth == 0 ? 30 : 10);
            for (int i = 0; i < tokens; i++) {
                token(sb, depth);
                separator(sb);
            }
            if (random.nextInt(5) > 0) {
                sb.append(';');
            }
            separator(sb);
        }
        return sb.toString();
    }

    private void token(StringBuilder sb, int depth) {
        switch (random.nextInt(20)) {
            case 0, 1, 2, 3, 4, 5 -> sb.append(KEYWORDS[random.nextInt(KEYWORDS.length)]);
            case 6, 7, 8 -> sb.append(IDENTIFIERS[random.nextInt(IDENTIFIERS.length)]);
            case 9 -> sb.append(OPERATORS[random.nextInt(OPERATORS.length)]);
            case 10 -> sb.append(number());
            case 11 -> sb.append(string());
            case 12 -> {
                if (depth < 2) {
                    dollar(sb, grammar(depth + 1));
                } else {
                    sb.append("$$x$$");
                }
            }
            case 13 -> sb.append(random.nextBoolean() ? "(" : ")");
            case 14 -> sb.append(random.nextBoolean() ? "$" + (1 + random.nextInt(9)) : "?");
            case 15 -> comment(sb);
            case 16 -> sb.append(SPECIAL[random.nextInt(SPECIAL.length)]);
            case 17 -> {
                if (depth < 2) {
                    sb.append("EXECUTE '").append(grammar(depth + 1).replace("'", "''")).append('\'');
                } else {
                    sb.append("EXECUTE 'SELECT 1'");
                }
            }
            case 18 -> sb.append(random.nextBoolean() ? "(" : "[").append(number())
                    .append(random.nextBoolean() ? ")" : "]");
            default -> sb.append(",");
        }
    }

    private String number() {
        return switch (random.nextInt(8)) {
            case 0 -> "0";
            case 1 -> String.valueOf(random.nextInt());
            case 2 -> random.nextInt(1000) + "." + random.nextInt(1000);
            case 3 -> "." + random.nextInt(100);
            case 4 -> random.nextInt(10) + "e" + (random.nextBoolean() ? "-" : "") + random.nextInt(400);
            case 5 -> "0x" + Integer.toHexString(random.nextInt());
            case 6 -> "1_000_000";
            default -> random.nextInt(100) + "..";
        };
    }

    private String string() {
        String body = switch (random.nextInt(6)) {
            case 0 -> "";
            case 1 -> "it''s";
            case 2 -> "a;b -- not a comment /* nor this";
            case 3 -> "東京 😀 é";
            case 4 -> "$$ $tag$";
            default -> "x";
        };
        return switch (random.nextInt(8)) {
            case 0 -> "E'" + body + "\\' \\\\ \\n'";
            case 1 -> "U&'" + body + "\\0061'";
            case 2 -> "B'1010'";
            case 3 -> "X'1F'";
            case 4 -> "N'" + body + "'";
            case 5 -> "\"" + body.replace("\"", "\"\"") + "\"";
            default -> "'" + body + "'";
        };
    }

    private void dollar(StringBuilder sb, String body) {
        String tag = switch (random.nextInt(4)) {
            case 0 -> "";
            case 1 -> "body";
            case 2 -> "_" + random.nextInt(10);
            default -> "t" + random.nextInt(3);
        };
        String open = "$" + tag + "$";
        if (random.nextInt(3) == 0) {
            sb.append(random.nextBoolean() ? "DO " : "CREATE FUNCTION f() RETURNS void LANGUAGE plpgsql AS ");
        }
        sb.append(open).append(random.nextBoolean() ? "BEGIN " : "").append(body)
                .append(random.nextBoolean() ? " END;" : "");
        if (random.nextInt(12) > 0) {
            sb.append(open);
        }
    }

    private void comment(StringBuilder sb) {
        switch (random.nextInt(4)) {
            case 0 -> sb.append("-- line; 'comment\n");
            case 1 -> sb.append("/* block; $$ */");
            case 2 -> sb.append("/* outer /* inner */ still; */");
            default -> sb.append("/* pgguard:allow unbounded-delete reason=\"fuzz\" */");
        }
    }

    private void separator(StringBuilder sb) {
        switch (random.nextInt(12)) {
            case 0 -> sb.append('\n');
            case 1 -> {
                // Some tokens touch: "a$b", "1.5e3x", "E'x'".
            }
            case 2 -> sb.append("\t");
            case 3 -> sb.append(" \r\n  ");
            default -> sb.append(' ');
        }
    }

    /** Applies 1 to 8 random edits to {@code seed}. */
    String mutate(String seed) {
        StringBuilder sb = new StringBuilder(seed);
        int edits = 1 + random.nextInt(8);
        for (int e = 0; e < edits; e++) {
            int length = sb.length();
            int at = length == 0 ? 0 : random.nextInt(length + 1);
            switch (random.nextInt(9)) {
                case 0, 1, 2 -> sb.insert(at, SPECIAL[random.nextInt(SPECIAL.length)]);
                case 3 -> {
                    // delete a chunk
                    int end = Math.min(length, at + 1 + random.nextInt(Math.max(1, Math.min(200, length / 4 + 1))));
                    sb.delete(Math.min(at, end), end);
                }
                case 4 -> {
                    // duplicate a chunk in place
                    int end = Math.min(length, at + random.nextInt(100));
                    sb.insert(at, sb.substring(at, end));
                }
                case 5 -> {
                    // swap two chunks
                    if (length > 4) {
                        int a = random.nextInt(length / 2);
                        int aEnd = a + random.nextInt(Math.max(1, Math.min(80, length / 2 - a)));
                        int b = length / 2 + random.nextInt(length - length / 2);
                        int bEnd = Math.min(length, b + random.nextInt(80));
                        String first = sb.substring(a, aEnd);
                        String second = sb.substring(b, bEnd);
                        sb.replace(b, bEnd, first);
                        sb.replace(a, aEnd, second);
                    }
                }
                case 6 -> {
                    // a chunk of another seed
                    String other = seeds.get(random.nextInt(seeds.size()));
                    int from = random.nextInt(other.length() + 1);
                    sb.insert(at, other, from, Math.min(other.length(), from + random.nextInt(300)));
                }
                case 7 -> {
                    // truncate
                    sb.setLength(at);
                }
                default -> {
                    // replace one character with a special one
                    String replacements = "'\"$;()/*-\\\u0000E\n";
                    if (at < length) {
                        sb.setCharAt(at, replacements.charAt(random.nextInt(replacements.length())));
                    }
                }
            }
        }
        return sb.toString();
    }

    /**
     * The example migrations (found from the working directory up), plus statements covering the lexer's special
     * cases, so that mutation has real SQL to start from even when the examples are not there.
     */
    static List<String> seeds() {
        List<String> seeds = new ArrayList<>(List.of(
                "SELECT id, name FROM customers WHERE id = ?",
                "UPDATE orders SET state = 'paid' WHERE id = $1; DELETE FROM sessions WHERE expires_at < now()",
                "SELECT 'a;b', E'it\\'s', U&'d\\0061t', B'1010', X'1F', N'x', \"q;\"\"x\", $$a;b$$, $t$ $$ $t$ FROM t",
                "CREATE FUNCTION f() RETURNS int LANGUAGE sql BEGIN ATOMIC SELECT 1; SELECT CASE WHEN true THEN 1 END;"
                        + " END; DROP TABLE x",
                "DO $do$ BEGIN EXECUTE 'DROP TABLE a'; FOR r IN SELECT 1 LOOP UPDATE t SET a = 1; END LOOP; END $do$;",
                "SELECT 1 /* c; /* nested; */ still; */; SELECT 2 -- tail; x\n;",
                "WITH d AS (DELETE FROM t RETURNING *) SELECT * FROM d; EXPLAIN ANALYZE DELETE FROM t;",
                "ALTER TABLE t ADD COLUMN a int NOT NULL DEFAULT 0, ALTER COLUMN b TYPE bigint, DROP COLUMN c;",
                "CREATE INDEX CONCURRENTLY IF NOT EXISTS i ON t (a) WHERE b IS NULL; DROP TABLE t; -- pgguard:allow "
                        + "drop-table reason=\"cleanup\"",
                "PREPARE p (int) AS UPDATE t SET a = $1; {call f(?)}; SET lock_timeout = '5s'; TRUNCATE t CASCADE;"));
        Path dir = examples();
        if (dir != null) {
            try (Stream<Path> files = Files.list(dir)) {
                for (Path f : files.filter(p -> p.toString().endsWith(".sql")).sorted().toList()) {
                    seeds.add(Files.readString(f, StandardCharsets.UTF_8));
                }
            } catch (IOException e) {
                throw new IllegalStateException("cannot read " + dir, e);
            }
        }
        return List.copyOf(seeds);
    }

    /** {@code examples/migrations} from the working directory (the module under Maven) or a parent. */
    static Path examples() {
        Path dir = Path.of("").toAbsolutePath();
        for (int i = 0; i < 3 && dir != null; i++, dir = dir.getParent()) {
            Path candidate = dir.resolve("examples").resolve("migrations");
            if (Files.isDirectory(candidate)) {
                return candidate;
            }
        }
        return null;
    }
}
