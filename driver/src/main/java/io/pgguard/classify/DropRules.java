package io.pgguard.classify;

import io.pgguard.sql.TokenType;

import java.util.List;
import java.util.Locale;

/** DROP of databases, schemas, tables and other objects, DROP OWNED and TRUNCATE. */
final class DropRules {

    static final Rule DROP_DATABASE = new Rule("drop-database", Risk.DESTRUCTIVE,
            "DROP DATABASE deletes every table and row of the database",
            "Never from an application or a migration; take a backup and drop it by hand, deliberately",
            "-- pg_dump first, then from psql: DROP DATABASE old_reporting;");
    static final Rule DROP_SCHEMA = new Rule("drop-schema", Risk.DESTRUCTIVE,
            "DROP SCHEMA deletes the schema and, with CASCADE, every table in it (flyway clean, create-drop)",
            "Point schema-resetting tools only at local databases; drop a production schema by hand after a backup",
            "-- flyway.cleanDisabled=true in production; DROP SCHEMA scratch; -- empty schema only");
    static final Rule DROP_OWNED = new Rule("drop-owned", Risk.DESTRUCTIVE,
            "DROP OWNED deletes every object the role owns, with its data",
            "REASSIGN OWNED BY old_role TO new_role first, then DROP OWNED only drops privileges",
            "REASSIGN OWNED BY app_old TO app; DROP OWNED BY app_old;");
    static final Rule DROP_TABLE = new Rule("drop-table", Risk.DESTRUCTIVE,
            "DROP TABLE deletes the table and all its rows",
            "Expand-contract: stop reading and writing it, rename it away for a release, drop it after a backup",
            "ALTER TABLE orders_old RENAME TO orders_old_unused_2026_11; -- release; then DROP TABLE later");
    static final Rule TRUNCATE = new Rule("truncate", Risk.DESTRUCTIVE,
            "TRUNCATE deletes every row at once and takes an AccessExclusiveLock",
            "Delete in bounded batches, or truncate only tables you own locally",
            "DELETE FROM events WHERE id IN (SELECT id FROM events WHERE created_at < now() - interval '90 days' LIMIT 10000);");
    static final Rule DROP_CASCADE = new Rule("drop-cascade", Risk.DESTRUCTIVE,
            "DROP ... CASCADE also drops every dependent object: columns of a type or domain, views, tables of an extension",
            "Drop without CASCADE and remove the dependent objects explicitly, one reviewed statement each",
            "ALTER TABLE orders DROP COLUMN legacy_status; DROP TYPE legacy_status_enum;");
    static final Rule DROP_SEQUENCE = new Rule("drop-sequence", Risk.DESTRUCTIVE,
            "DROP SEQUENCE loses the sequence's position: a sequence created again starts over and hands out ids "
                    + "that existing rows already have (Hibernate create-drop, flyway clean)",
            "Keep the sequence; to retire it, drop it only after nothing uses it, and never recreate it from 1",
            "-- hibernate.hbm2ddl.auto=validate in production; ALTER SEQUENCE orders_seq RESTART WITH 100000;");
    static final Rule DROP_CONSTRAINT = new Rule("drop-constraint", Risk.BREAKING,
            "Dropping a constraint removes a guarantee (uniqueness, a reference, a check) the data and the code "
                    + "rely on; adding it back later validates every row",
            "Drop it only after the code no longer relies on it; to change it, add the new one NOT VALID first",
            "ALTER TABLE orders ADD CONSTRAINT orders_customer_fk2 FOREIGN KEY (customer_id) REFERENCES customers "
                    + "NOT VALID; -- validate, then drop the old one");
    static final Rule DROP_OBJECT = new Rule("drop-object", Risk.BREAKING,
            "Dropping a view, function, type, sequence, trigger or other object breaks code that still uses it",
            "Remove its last user in an earlier release, then drop it (IF EXISTS)",
            "-- release 1: stop calling order_total(); release 2: DROP FUNCTION IF EXISTS order_total(bigint);");

    static final List<Rule> RULES = List.of(DROP_DATABASE, DROP_SCHEMA, DROP_OWNED, DROP_TABLE, TRUNCATE,
            DROP_SEQUENCE, DROP_CASCADE, DROP_CONSTRAINT, DROP_OBJECT);

    private DropRules() {
    }

    /** ALTER TABLE ... DROP CONSTRAINT on a table that existed before this run. */
    static void dropConstraint(Analysis a, String constraint, String table) {
        a.find(DROP_CONSTRAINT, "DROP CONSTRAINT " + constraint + " removes a guarantee from " + table);
    }

    /** A CASCADE that drops more than the statement names. */
    static void cascade(Analysis a, String message) {
        a.find(DROP_CASCADE, message);
    }

    /** DROP ...; the cursor stands after DROP. */
    static void drop(Analysis a, Cursor c) {
        boolean cascade = c.findTopLevelWord(c.i, "CASCADE") >= 0;
        if (c.word("DATABASE")) {
            a.kind = "DROP DATABASE";
            IdempotencyRules.requireIfExists(a, c);
            a.find(DROP_DATABASE);
            return;
        }
        if (c.word("SCHEMA")) {
            a.kind = "DROP SCHEMA";
            a.find(DROP_SCHEMA, cascade
                    ? "DROP SCHEMA ... CASCADE deletes every table, view and function in the schema"
                    : DROP_SCHEMA.message());
            a.ddlOnExisting = true;
            IdempotencyRules.requireIfExists(a, c);
            return;
        }
        if (c.word("OWNED")) {
            a.kind = "DROP OWNED";
            a.find(DROP_OWNED);
            return;
        }
        if (c.peek("TABLE") || c.peek("FOREIGN") && c.peek(1, "TABLE")) {
            boolean foreign = c.word("FOREIGN");
            c.word("TABLE");
            a.kind = foreign ? "DROP FOREIGN TABLE" : "DROP TABLE";
            IdempotencyRules.requireIfExists(a, c);
            boolean onlyNew = true;
            String first = null;
            do {
                String name = c.name();
                if (name == null) {
                    break;
                }
                if (first == null) {
                    first = name;
                }
                onlyNew &= a.context.isNew(name);
                a.context.dropped(name);
            } while (c.take(TokenType.COMMA));
            a.table = first;
            a.lock(LockMode.ACCESS_EXCLUSIVE);
            if (!onlyNew || first == null) {
                a.find(DROP_TABLE);
                a.ddlOnExisting = true;
                if (cascade) {
                    a.find(DROP_CASCADE);
                }
            }
            return;
        }
        if (c.peek("INDEX")) {
            IndexRules.dropIndex(a, c);
            return;
        }
        dropOther(a, c, cascade);
    }

    private static final String[][] MULTI_WORD_OBJECTS = {
        {"MATERIALIZED", "VIEW"}, {"FOREIGN", "DATA", "WRAPPER"}, {"TEXT", "SEARCH", "CONFIGURATION"},
        {"TEXT", "SEARCH", "DICTIONARY"}, {"TEXT", "SEARCH", "PARSER"}, {"TEXT", "SEARCH", "TEMPLATE"},
        {"EVENT", "TRIGGER"}, {"USER", "MAPPING"}, {"ACCESS", "METHOD"}, {"OPERATOR", "CLASS"},
        {"OPERATOR", "FAMILY"}};

    private static void dropOther(Analysis a, Cursor c, boolean cascade) {
        String object = null;
        for (String[] words : MULTI_WORD_OBJECTS) {
            if (c.words(words)) {
                object = String.join(" ", words);
                break;
            }
        }
        if (object == null) {
            if (c.atEnd()) {
                a.kind = "DROP";
                ProceduralRules.unrecognized(a, "DROP of what?");
                return;
            }
            object = c.st.text(c.i).toUpperCase(Locale.ROOT);
            c.i++;
        }
        a.kind = "DROP " + object;
        IdempotencyRules.requireIfExists(a, c);
        String name = c.name();
        if (c.word("ON")) {
            // DROP TRIGGER name ON table, DROP POLICY name ON table, DROP RULE name ON table.
            a.table = c.name();
            a.lock(LockMode.ACCESS_EXCLUSIVE);
            a.ddlOnExisting = !a.context.isNew(a.table);
        } else if (object.endsWith("VIEW") || object.equals("SEQUENCE")) {
            a.table = name;
            a.lock(LockMode.ACCESS_EXCLUSIVE);
        }
        if (cascade) {
            a.find(DROP_CASCADE);
        }
        if (a.context.isNew(name)) {
            return;
        }
        if (object.equals("SEQUENCE")) {
            a.find(DROP_SEQUENCE, "DROP SEQUENCE " + name + " loses its position; a new one starts over");
        } else if (!cascade) {
            a.find(DROP_OBJECT, "DROP " + object + " breaks code and objects that still use it");
        }
    }

    /** TRUNCATE [TABLE] [ONLY] name [, ...]; the cursor stands after TRUNCATE. */
    static void truncate(Analysis a, Cursor c) {
        a.kind = "TRUNCATE";
        c.word("TABLE");
        c.word("ONLY");
        a.table = c.name();
        a.lock(LockMode.ACCESS_EXCLUSIVE);
        // The table gets new, empty storage (a new relfilenode), as trace observes it.
        a.rewrite = true;
        a.dmlOnExisting = !a.context.isNew(a.table);
        if (a.dmlOnExisting) {
            a.find(TRUNCATE);
            if (c.findTopLevelWord(c.i, "CASCADE") >= 0) {
                a.find(DROP_CASCADE.finding("TRUNCATE ... CASCADE also empties every table that references it"));
            }
        }
    }
}
