package io.pgguard.classify;

import java.util.List;

/** Table-level changes: renames, partitions, storage (logged, tablespace, access method), triggers and RLS. */
final class TableRules {

    static final Rule RENAME_TABLE = new Rule("rename-table", Risk.BREAKING,
            "Renaming or moving a table or view breaks every running query that uses the old name",
            "Rename, then create a view with the old name for the old code; drop the view when no code uses it",
            "ALTER TABLE customers RENAME TO clients;\nCREATE VIEW customers AS SELECT * FROM clients;");
    static final Rule RENAME_OBJECT = new Rule("rename-object", Risk.BREAKING,
            "Renaming a schema, type, enum value, function or sequence breaks code that uses the old name",
            "Create the new object beside the old one, move its users over, then drop the old one",
            "CREATE FUNCTION order_total_v2(bigint) ...; -- move callers; DROP FUNCTION order_total(bigint);");
    static final Rule REQUIRE_CONCURRENT_DETACH = new Rule("require-concurrent-detach", Risk.UNSAFE,
            "DETACH PARTITION without CONCURRENTLY takes an AccessExclusiveLock on the parent table",
            "DETACH PARTITION ... CONCURRENTLY (PostgreSQL 14+), outside a transaction block",
            "ALTER TABLE events DETACH PARTITION events_2024 CONCURRENTLY;");
    static final Rule SET_LOGGED_UNLOGGED = new Rule("set-logged-unlogged", Risk.UNSAFE,
            "SET LOGGED / SET UNLOGGED rewrites the whole table under an AccessExclusiveLock",
            "Create the table with the persistence it needs; for bulk loads, load into a new table and swap",
            "CREATE UNLOGGED TABLE import_staging (LIKE orders); -- load, then INSERT ... SELECT in batches");
    static final Rule SET_TABLESPACE = new Rule("set-tablespace", Risk.UNSAFE,
            "SET TABLESPACE copies the table's files under an AccessExclusiveLock: reads and writes wait",
            "Move data online with pg_repack --tablespace, or logical replication into a table in the new tablespace",
            "pg_repack --table=orders --tablespace=fast_ssd mydb");
    static final Rule SET_ACCESS_METHOD = new Rule("set-access-method", Risk.UNSAFE,
            "SET ACCESS METHOD rewrites the whole table under an AccessExclusiveLock",
            "Create a new table with the access method and copy data in batches, then swap",
            "CREATE TABLE orders_new (LIKE orders INCLUDING ALL) USING columnar; -- batched copy, swap");
    static final Rule CREATE_PARTITION_LOCKS_PARENT = new Rule("create-partition-locks-parent", Risk.UNSAFE,
            "CREATE TABLE ... PARTITION OF takes an AccessExclusiveLock on the parent table",
            "Create the table standalone (LIKE the parent), add a matching CHECK, then ATTACH PARTITION, which "
                    + "takes only a ShareUpdateExclusiveLock on the parent (PostgreSQL 12+)",
            "CREATE TABLE events_2027 (LIKE events INCLUDING DEFAULTS INCLUDING CONSTRAINTS);\n"
                    + "ALTER TABLE events ATTACH PARTITION events_2027 FOR VALUES FROM ('2027-01-01') TO ('2028-01-01');");
    static final Rule CREATE_TRIGGER = new Rule("create-trigger", Risk.SAFE,
            "CREATE TRIGGER takes a ShareRowExclusiveLock (writes wait), and the trigger adds work to every write",
            "Set lock_timeout first; keep trigger bodies small and drop dual-write triggers after the migration",
            "SET lock_timeout = '5s';\nCREATE TRIGGER orders_sync BEFORE INSERT OR UPDATE ON orders "
                    + "FOR EACH ROW EXECUTE FUNCTION orders_sync_state();");
    static final Rule DISABLE_TRIGGER = new Rule("disable-trigger", Risk.UNSAFE,
            "DISABLE TRIGGER ALL or USER stops triggers on every write, including the ones that enforce foreign keys",
            "Disable the one trigger you mean by name, for as short a time as possible",
            "ALTER TABLE orders DISABLE TRIGGER orders_audit; -- ...; ALTER TABLE orders ENABLE TRIGGER orders_audit;");
    static final Rule ENABLE_ROW_LEVEL_SECURITY = new Rule("enable-row-level-security", Risk.BREAKING,
            "With row level security enabled and no policy, roles other than the owner see and change no rows",
            "Create the policies first, in the same migration, then enable row level security",
            "CREATE POLICY tenant_isolation ON orders USING (tenant_id = current_setting('app.tenant')::bigint);\n"
                    + "ALTER TABLE orders ENABLE ROW LEVEL SECURITY;");

    static final List<Rule> RULES = List.of(RENAME_TABLE, RENAME_OBJECT, REQUIRE_CONCURRENT_DETACH,
            SET_LOGGED_UNLOGGED, SET_TABLESPACE, SET_ACCESS_METHOD, CREATE_PARTITION_LOCKS_PARENT, CREATE_TRIGGER,
            DISABLE_TRIGGER, ENABLE_ROW_LEVEL_SECURITY);

    private TableRules() {
    }

    /** RENAME TO new / SET SCHEMA s of a table or view. */
    static void renameTable(Analysis a, String table, String to) {
        a.lock(LockMode.ACCESS_EXCLUSIVE);
        if (!a.context.isNew(table)) {
            a.find(RENAME_TABLE, "Renaming " + table + " to " + to + " breaks running code that uses " + table);
        }
        // The old name may now find another schema's table on the search path; the new one is not tracked.
        a.context.dropped(table);
    }

    /** DETACH PARTITION p [CONCURRENTLY | FINALIZE]; the cursor stands after DETACH PARTITION. */
    static String detachPartition(Analysis a, Cursor c) {
        c.name();
        if (c.word("CONCURRENTLY")) {
            a.lock(LockMode.SHARE_UPDATE_EXCLUSIVE);
            IndexRules.concurrentlyOutsideTransaction(a);
            return "ALTER TABLE DETACH PARTITION CONCURRENTLY";
        }
        if (c.word("FINALIZE")) {
            a.lock(LockMode.SHARE_UPDATE_EXCLUSIVE);
            return "ALTER TABLE DETACH PARTITION FINALIZE";
        }
        a.lock(LockMode.ACCESS_EXCLUSIVE);
        a.find(REQUIRE_CONCURRENT_DETACH, a.pgMajor >= 14 ? REQUIRE_CONCURRENT_DETACH.message()
                : "DETACH PARTITION takes an AccessExclusiveLock on the parent; PostgreSQL " + a.pgMajor
                        + " has no CONCURRENTLY (14+)");
        return "ALTER TABLE DETACH PARTITION";
    }

    /** ATTACH PARTITION: ShareUpdateExclusiveLock on the parent since PostgreSQL 12. */
    static String attachPartition(Analysis a, Cursor c) {
        c.name();
        a.lock(a.pgMajor >= 12 ? LockMode.SHARE_UPDATE_EXCLUSIVE : LockMode.ACCESS_EXCLUSIVE);
        c.i = c.end;
        return "ALTER TABLE ATTACH PARTITION";
    }

    /**
     * SET TABLESPACE of {@code what} (a view's, an index's, every table's): copied under an AccessExclusiveLock;
     * {@code message} null for the rule's own.
     */
    static void setTablespace(Analysis a, boolean isNew, String message) {
        a.lock(LockMode.ACCESS_EXCLUSIVE);
        a.rewrite = true;
        if (!isNew) {
            a.find(message == null ? SET_TABLESPACE.finding() : SET_TABLESPACE.finding(message));
        }
    }

    /** A type, function, schema or sequence renamed or moved: code using the old name breaks. */
    static void renameObject(Analysis a) {
        a.find(RENAME_OBJECT);
    }

    /** CREATE TABLE name PARTITION OF parent, where the parent existed before this run. */
    static void partitionOf(Analysis a, String name, String parent) {
        a.table = parent;
        a.ddlOnExisting = true;
        a.find(CREATE_PARTITION_LOCKS_PARENT, "CREATE TABLE " + name + " PARTITION OF " + parent
                + " takes an AccessExclusiveLock on " + parent);
        SessionRules.checkTimeouts(a, LockMode.ACCESS_EXCLUSIVE);
    }

    /** SET LOGGED | UNLOGGED | TABLESPACE | ACCESS METHOD | WITHOUT ...; the cursor stands after SET. */
    static String set(Analysis a, Cursor c, boolean isNew) {
        if (c.word("LOGGED") || c.word("UNLOGGED")) {
            a.lock(LockMode.ACCESS_EXCLUSIVE);
            a.rewrite = true;
            if (!isNew) {
                a.find(SET_LOGGED_UNLOGGED);
            }
            return "ALTER TABLE SET LOGGED";
        }
        if (c.word("TABLESPACE")) {
            setTablespace(a, isNew, null);
            return "ALTER TABLE SET TABLESPACE";
        }
        if (c.words("ACCESS", "METHOD")) {
            a.lock(LockMode.ACCESS_EXCLUSIVE);
            // heap is the only access method PostgreSQL ships and the default: moving to it changes nothing.
            boolean toHeap = c.peek("HEAP") || c.peek("DEFAULT");
            a.rewrite = !toHeap;
            if (!isNew && !toHeap) {
                a.find(SET_ACCESS_METHOD);
            }
            return "ALTER TABLE SET ACCESS METHOD";
        }
        if (c.words("WITHOUT", "CLUSTER")) {
            a.lock(LockMode.SHARE_UPDATE_EXCLUSIVE);
            return "ALTER TABLE SET WITHOUT CLUSTER";
        }
        if (c.peek(io.pgguard.sql.TokenType.LPAREN)) {
            // Storage parameters such as fillfactor and autovacuum settings.
            a.lock(LockMode.SHARE_UPDATE_EXCLUSIVE);
            c.skipGroup();
            return "ALTER TABLE SET";
        }
        a.lock(LockMode.ACCESS_EXCLUSIVE);
        return "ALTER TABLE SET";
    }

    /** ENABLE | DISABLE | FORCE | NO FORCE of triggers, rules and row level security. */
    static String toggle(Analysis a, Cursor c, boolean enable, boolean isNew) {
        if (c.word("TRIGGER")) {
            a.lock(LockMode.SHARE_ROW_EXCLUSIVE);
            if (!enable && (c.peek("ALL") || c.peek("USER")) && !isNew) {
                a.find(DISABLE_TRIGGER);
            }
            return enable ? "ALTER TABLE ENABLE TRIGGER" : "ALTER TABLE DISABLE TRIGGER";
        }
        a.lock(LockMode.ACCESS_EXCLUSIVE);
        if (c.words("ROW", "LEVEL", "SECURITY")) {
            if (enable && !isNew) {
                a.find(ENABLE_ROW_LEVEL_SECURITY);
            }
            return enable ? "ALTER TABLE ENABLE ROW LEVEL SECURITY" : "ALTER TABLE DISABLE ROW LEVEL SECURITY";
        }
        return enable ? "ALTER TABLE ENABLE" : "ALTER TABLE DISABLE";
    }

    /** CREATE [CONSTRAINT] TRIGGER name ... ON table; the cursor stands after TRIGGER. */
    static void createTrigger(Analysis a, Cursor c) {
        a.kind = "CREATE TRIGGER";
        int on = c.findTopLevelWord(c.i, "ON");
        if (on >= 0) {
            c.i = on + 1;
            a.table = c.name();
        }
        a.lock(LockMode.SHARE_ROW_EXCLUSIVE);
        if (!a.context.isNew(a.table)) {
            a.ddlOnExisting = true;
            a.find(CREATE_TRIGGER);
            SessionRules.checkTimeouts(a, LockMode.SHARE_ROW_EXCLUSIVE);
        }
    }

    /** CREATE POLICY name ON table: an AccessExclusiveLock, briefly. */
    static void createPolicy(Analysis a, Cursor c) {
        a.kind = "CREATE POLICY";
        c.name();
        c.word("ON");
        a.table = c.name();
        a.lock(LockMode.ACCESS_EXCLUSIVE);
        if (!a.context.isNew(a.table)) {
            a.ddlOnExisting = true;
            SessionRules.checkTimeouts(a, LockMode.ACCESS_EXCLUSIVE);
        }
    }
}
