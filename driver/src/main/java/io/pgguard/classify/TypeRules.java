package io.pgguard.classify;

import io.pgguard.sql.SqlStatement;
import io.pgguard.sql.Token;
import io.pgguard.sql.TokenType;

import java.nio.charset.StandardCharsets;
import java.util.List;

/** Type hygiene for new columns, enum changes, and names PostgreSQL would silently truncate. */
final class TypeRules {

    static final Rule PREFER_BIGINT = new Rule("prefer-bigint", Risk.SAFE,
            "An integer or smallint key runs out at 2^31 (or 2^15) values, and changing it later rewrites the table",
            "Use bigint for keys and the columns that reference them",
            "id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, customer_id bigint NOT NULL");
    static final Rule PREFER_IDENTITY = new Rule("prefer-identity", Risk.SAFE,
            "serial columns own a sequence with surprising permissions and ownership semantics",
            "Use an identity column",
            "id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY");
    static final Rule PREFER_TEXT = new Rule("prefer-text", Risk.SAFE,
            "varchar(n) and char(n) limits are changed later with a lock, and char(n) pads with spaces",
            "Use text, with a CHECK constraint where a limit is a real rule",
            "email text NOT NULL CHECK (length(email) <= 320)");
    static final Rule PREFER_TIMESTAMPTZ = new Rule("prefer-timestamptz", Risk.SAFE,
            "timestamp without time zone stores wall-clock time and loses the instant when zones differ",
            "Use timestamptz",
            "created_at timestamptz NOT NULL DEFAULT now()");
    static final Rule PREFER_JSONB = new Rule("prefer-jsonb", Risk.SAFE,
            "json is stored as text: no equality operator, no GIN index, reparsed on every access",
            "Use jsonb",
            "attributes jsonb NOT NULL DEFAULT '{}'");
    static final Rule ENUM_ADD_VALUE = new Rule("enum-add-value", Risk.UNSAFE,
            "ALTER TYPE ... ADD VALUE cannot run inside a transaction block before PostgreSQL 12, and the new "
                    + "value cannot be used in the transaction that adds it",
            "Add the value in its own migration outside a transaction (Flyway: a separate file), then use it "
                    + "in a later one; or use a lookup table or a CHECK constraint instead of an enum",
            "ALTER TYPE order_state ADD VALUE IF NOT EXISTS 'refunded';");
    static final Rule IDENTIFIER_TOO_LONG = new Rule("identifier-too-long", Risk.BREAKING,
            "PostgreSQL truncates identifiers longer than 63 bytes, so the object gets another name than written",
            "Keep names within 63 bytes (NAMEDATALEN - 1)",
            "CREATE INDEX CONCURRENTLY orders_customer_created_idx ON orders (customer_id, created_at);");

    static final List<Rule> RULES = List.of(PREFER_BIGINT, PREFER_IDENTITY, PREFER_TEXT, PREFER_TIMESTAMPTZ,
            PREFER_JSONB, ENUM_ADD_VALUE, IDENTIFIER_TOO_LONG);

    private static final int MAX_IDENTIFIER_BYTES = 63;

    private TypeRules() {
    }

    /** Advice on the type of a new column. */
    static void checkNewColumn(Analysis a, String column, ColumnType type, boolean key) {
        if (type == null) {
            return;
        }
        String col = Cursor.key(column);
        boolean idLike = key || col.equals("id") || col.endsWith("_id");
        if (type.isSmallInteger() && idLike) {
            a.find(PREFER_BIGINT, "Column " + column + " is " + type.name() + "; keys outgrow it");
        }
        if (type.isSerial()) {
            a.find(PREFER_IDENTITY, "Column " + column + " is " + type.name() + "; prefer an identity column");
        }
        if ((type.name().equals("varchar") && type.modifiers() != null) || type.name().equals("char")) {
            a.find(PREFER_TEXT, "Column " + column + " is " + type + "; prefer text with a CHECK");
        }
        if (type.name().equals("timestamp")) {
            a.find(PREFER_TIMESTAMPTZ, "Column " + column + " is timestamp without time zone");
        }
        if (type.name().equals("json")) {
            a.find(PREFER_JSONB, "Column " + column + " is json; prefer jsonb");
        }
    }

    /** ALTER TYPE name ADD VALUE; the risk depends on the server version. */
    static void enumAddValue(Analysis a) {
        if (a.pgMajor < 12) {
            a.find(ENUM_ADD_VALUE);
        } else {
            a.find(ENUM_ADD_VALUE.finding(Risk.SAFE, "The new enum value cannot be used in the transaction that "
                    + "adds it; use it in a later migration"));
        }
    }

    /** Any name in a DDL statement longer than PostgreSQL keeps. */
    static void checkIdentifierLengths(Analysis a) {
        SqlStatement st = a.statement;
        for (Token t : st.tokens()) {
            int chars = t.length();
            if (chars <= MAX_IDENTIFIER_BYTES / 3) {
                continue;
            }
            String name;
            if (t.type() == TokenType.WORD) {
                name = st.source().substring(t.start(), t.end());
            } else if (t.type() == TokenType.QUOTED_IDENT && st.source().charAt(t.start()) == '"') {
                name = st.source().substring(t.start() + 1, t.end() - 1).replace("\"\"", "\"");
            } else {
                continue;
            }
            int bytes = name.getBytes(StandardCharsets.UTF_8).length;
            if (bytes > MAX_IDENTIFIER_BYTES) {
                a.find(IDENTIFIER_TOO_LONG, "Identifier " + shorten(name) + " is " + bytes
                        + " bytes; PostgreSQL keeps the first 63");
                return;
            }
        }
    }

    private static String shorten(String name) {
        return name.length() <= 40 ? name : name.substring(0, 37) + "...";
    }
}
