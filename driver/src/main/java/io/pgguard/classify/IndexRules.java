package io.pgguard.classify;

import java.util.List;

/** CREATE INDEX, DROP INDEX and REINDEX, and CONCURRENTLY where it cannot run. */
final class IndexRules {

    static final Rule REQUIRE_CONCURRENT_INDEX = new Rule("require-concurrent-index", Risk.UNSAFE,
            "CREATE INDEX without CONCURRENTLY takes a ShareLock: every INSERT, UPDATE and DELETE waits until "
                    + "the index is built",
            "CREATE INDEX CONCURRENTLY, outside a transaction block; drop and retry if it leaves an INVALID index",
            "CREATE INDEX CONCURRENTLY IF NOT EXISTS orders_created_at_idx ON orders (created_at);");
    static final Rule REQUIRE_CONCURRENT_INDEX_DROP = new Rule("require-concurrent-index-drop", Risk.UNSAFE,
            "DROP INDEX without CONCURRENTLY takes an AccessExclusiveLock on the table: reads and writes wait",
            "DROP INDEX CONCURRENTLY, outside a transaction block",
            "DROP INDEX CONCURRENTLY IF EXISTS orders_status_idx;");
    static final Rule REQUIRE_CONCURRENT_REINDEX = new Rule("require-concurrent-reindex", Risk.UNSAFE,
            "REINDEX without CONCURRENTLY blocks writes to the table (and reads that use the index)",
            "REINDEX ... CONCURRENTLY (PostgreSQL 12+); before 12, CREATE INDEX CONCURRENTLY a copy and swap it in",
            "REINDEX INDEX CONCURRENTLY orders_customer_id_idx;");
    static final Rule CONCURRENTLY_IN_TRANSACTION = new Rule("concurrently-in-transaction", Risk.UNSAFE,
            "CONCURRENTLY cannot run inside a transaction block: the statement fails",
            "Run it alone, outside BEGIN ... COMMIT (Flyway: its own migration file, mixed=true; Liquibase: "
                    + "runInTransaction=false)",
            "-- V5__index.sql, not wrapped in a transaction\nCREATE INDEX CONCURRENTLY IF NOT EXISTS i ON t (c);");

    static final List<Rule> RULES = List.of(REQUIRE_CONCURRENT_INDEX, REQUIRE_CONCURRENT_INDEX_DROP,
            REQUIRE_CONCURRENT_REINDEX, CONCURRENTLY_IN_TRANSACTION);

    private IndexRules() {
    }

    /** CREATE [UNIQUE] INDEX; the cursor stands after CREATE [UNIQUE]. */
    static void createIndex(Analysis a, Cursor c) {
        c.word("INDEX");
        a.kind = "CREATE INDEX";
        boolean concurrently = c.word("CONCURRENTLY");
        String index = null;
        boolean ifNotExists = false;
        if (!c.peek("ON")) {
            ifNotExists = IdempotencyRules.requireIfNotExists(a, c);
            index = c.name();
        } else {
            IdempotencyRules.unnamedIndex(a);
        }
        c.word("ON");
        c.word("ONLY");
        a.table = c.name();
        if (index != null) {
            a.context.created(index, false, ifNotExists);
            a.context.index(index, a.table);
        }
        if (concurrently) {
            a.kind = "CREATE INDEX CONCURRENTLY";
            a.lock(LockMode.SHARE_UPDATE_EXCLUSIVE);
            concurrentlyOutsideTransaction(a);
        } else {
            a.lock(LockMode.SHARE);
            if (!a.context.isNew(a.table)) {
                a.find(REQUIRE_CONCURRENT_INDEX, "CREATE INDEX on " + a.table
                        + " without CONCURRENTLY takes a ShareLock: writes wait until the index is built");
                SessionRules.checkTimeouts(a, LockMode.SHARE);
            }
        }
    }

    /** DROP INDEX; the cursor stands at INDEX. */
    static void dropIndex(Analysis a, Cursor c) {
        c.word("INDEX");
        a.kind = "DROP INDEX";
        boolean concurrently = c.word("CONCURRENTLY");
        IdempotencyRules.requireIfExists(a, c);
        String index = c.name();
        // DROP INDEX locks the index's table as strongly as the index: name the table when the run created it.
        String table = a.context.indexTable(index);
        a.table = table != null ? table : index;
        if (concurrently) {
            a.kind = "DROP INDEX CONCURRENTLY";
            a.lock(LockMode.SHARE_UPDATE_EXCLUSIVE);
            concurrentlyOutsideTransaction(a);
        } else {
            a.lock(LockMode.ACCESS_EXCLUSIVE);
            if (!a.context.isNew(index)) {
                a.find(REQUIRE_CONCURRENT_INDEX_DROP, table != null
                        ? "DROP INDEX " + index + " without CONCURRENTLY takes an AccessExclusiveLock on " + table
                                + ": reads and writes wait"
                        : "DROP INDEX " + index + " without CONCURRENTLY takes an AccessExclusiveLock on " + index
                                + " and on its table: reads and writes of the table wait");
                SessionRules.checkTimeouts(a, LockMode.ACCESS_EXCLUSIVE);
            }
        }
        if (c.findTopLevelWord(c.i, "CASCADE") >= 0) {
            DropRules.cascade(a, "DROP INDEX ... CASCADE also drops constraints that use the index");
        }
        a.context.dropped(index);
    }

    /** REINDEX; the cursor stands after REINDEX. */
    static void reindex(Analysis a, Cursor c) {
        a.kind = "REINDEX";
        boolean concurrently = false;
        if (c.peek(io.pgguard.sql.TokenType.LPAREN)) {
            int close = c.closing(c.i);
            concurrently = c.contains(c.i, close, "CONCURRENTLY");
            c.i = close + 1;
        }
        boolean index = c.word("INDEX");
        boolean table = !index && c.word("TABLE");
        if (!index && !table) {
            // SCHEMA, DATABASE, SYSTEM: every table in turn.
            c.i++;
        }
        concurrently |= c.word("CONCURRENTLY");
        String name = c.name();
        // REINDEX INDEX builds the index anew into new storage under an AccessExclusiveLock on the index and a
        // ShareLock on its table; REINDEX TABLE leaves the table's own storage alone. The table is named when the run
        // created the index (then the table's storage is untouched); else the index.
        String indexTable = index ? a.context.indexTable(name) : null;
        a.rewrite = index && indexTable == null;
        if (index || table) {
            a.table = indexTable != null ? indexTable : name;
            a.lock(concurrently ? LockMode.SHARE_UPDATE_EXCLUSIVE
                    : index && indexTable == null ? LockMode.ACCESS_EXCLUSIVE : LockMode.SHARE);
        }
        if (concurrently) {
            a.kind = "REINDEX CONCURRENTLY";
            concurrentlyOutsideTransaction(a);
        } else if (!a.context.isNew(name)) {
            a.find(REQUIRE_CONCURRENT_REINDEX, a.pgMajor >= 12 ? REQUIRE_CONCURRENT_REINDEX.message()
                    : "REINDEX blocks writes to the table; PostgreSQL " + a.pgMajor + " has no REINDEX CONCURRENTLY");
            SessionRules.checkTimeouts(a, LockMode.SHARE);
        }
    }

    static void concurrentlyOutsideTransaction(Analysis a) {
        if (a.context.inTransaction) {
            a.find(CONCURRENTLY_IN_TRANSACTION);
        } else if (a.context.isOneString()) {
            a.find(CONCURRENTLY_IN_TRANSACTION, "CONCURRENTLY fails in a string of several statements: PostgreSQL "
                    + "runs them in one implicit transaction; send it alone");
        }
    }
}
