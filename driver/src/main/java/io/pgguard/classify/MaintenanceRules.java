package io.pgguard.classify;

import io.pgguard.sql.TokenType;

import java.util.List;
import java.util.Locale;

/** VACUUM, CLUSTER, REFRESH MATERIALIZED VIEW and explicit LOCK TABLE. */
final class MaintenanceRules {

    static final Rule VACUUM_FULL = new Rule("vacuum-full", Risk.UNSAFE,
            "VACUUM FULL rewrites the table under an AccessExclusiveLock: reads and writes wait until it ends",
            "Use pg_repack or pg_squeeze to reclaim space online; plain VACUUM does not block",
            "pg_repack --table=orders mydb");
    static final Rule CLUSTER = new Rule("cluster", Risk.UNSAFE,
            "CLUSTER rewrites the table in index order under an AccessExclusiveLock",
            "Use pg_repack --order-by to reorder online",
            "pg_repack --table=orders --order-by=created_at mydb");
    static final Rule REQUIRE_CONCURRENT_REFRESH = new Rule("require-concurrent-refresh", Risk.UNSAFE,
            "REFRESH MATERIALIZED VIEW without CONCURRENTLY takes an AccessExclusiveLock: reads of the view wait",
            "REFRESH MATERIALIZED VIEW CONCURRENTLY (needs a unique index on the view)",
            "CREATE UNIQUE INDEX CONCURRENTLY daily_sales_day_key ON daily_sales (day);\n"
                    + "REFRESH MATERIALIZED VIEW CONCURRENTLY daily_sales;");
    static final Rule LOCK_TABLE = new Rule("lock-table", Risk.UNSAFE,
            "LOCK TABLE in this mode blocks writes (or reads) until the transaction ends",
            "Keep the transaction short and set lock_timeout, or avoid the explicit lock",
            "SET lock_timeout = '5s'; LOCK TABLE orders IN SHARE ROW EXCLUSIVE MODE; -- short transaction");

    static final List<Rule> RULES = List.of(VACUUM_FULL, CLUSTER, REQUIRE_CONCURRENT_REFRESH, LOCK_TABLE);

    private MaintenanceRules() {
    }

    /** VACUUM [FULL] [FREEZE] [VERBOSE] [ANALYZE] [(options)] [table, ...]; the cursor stands after VACUUM. */
    static void vacuum(Analysis a, Cursor c) {
        a.kind = "VACUUM";
        boolean full = false;
        if (c.peek(TokenType.LPAREN)) {
            int close = c.closing(c.i);
            for (int k = c.i + 1; k < close; k++) {
                if (c.st.isWord(k, "FULL") && !Cursor.isFalse(c.st, k + 1)) {
                    full = true;
                }
            }
            c.i = close + 1;
        }
        while (true) {
            // Options in the old syntax.
            if (c.word("FULL")) {
                full = true;
            } else if (!(c.word("FREEZE") || c.word("VERBOSE") || c.word("ANALYZE") || c.word("ANALYSE"))) {
                break;
            }
        }
        a.table = c.name();
        if (full) {
            a.kind = "VACUUM FULL";
            a.lock(LockMode.ACCESS_EXCLUSIVE);
            a.rewrite = true;
            a.find(VACUUM_FULL);
        } else {
            a.lock(LockMode.SHARE_UPDATE_EXCLUSIVE);
        }
    }

    /** CLUSTER [VERBOSE] [table [USING index]]; the cursor stands after CLUSTER. */
    static void cluster(Analysis a, Cursor c) {
        a.kind = "CLUSTER";
        c.skipGroup();
        c.word("VERBOSE");
        a.table = c.name();
        a.lock(LockMode.ACCESS_EXCLUSIVE);
        a.rewrite = true;
        if (!a.context.isNew(a.table)) {
            a.find(CLUSTER);
        }
    }

    /** REFRESH MATERIALIZED VIEW [CONCURRENTLY] name; the cursor stands after REFRESH MATERIALIZED VIEW. */
    static void refresh(Analysis a, Cursor c) {
        boolean concurrently = c.word("CONCURRENTLY");
        a.table = c.name();
        if (concurrently) {
            a.kind = "REFRESH MATERIALIZED VIEW CONCURRENTLY";
            a.lock(LockMode.EXCLUSIVE);
            IndexRules.concurrentlyOutsideTransaction(a);
        } else {
            a.kind = "REFRESH MATERIALIZED VIEW";
            a.lock(LockMode.ACCESS_EXCLUSIVE);
            a.rewrite = true;
            if (!a.context.isNew(a.table)) {
                a.find(REQUIRE_CONCURRENT_REFRESH);
            }
        }
    }

    /** LOCK [TABLE] [ONLY] name [, ...] [IN mode MODE] [NOWAIT]; the cursor stands after LOCK. */
    static void lock(Analysis a, Cursor c) {
        a.kind = "LOCK TABLE";
        c.word("TABLE");
        c.word("ONLY");
        a.table = c.name();
        LockMode mode = LockMode.ACCESS_EXCLUSIVE;
        int in = c.findTopLevelWord(c.i, "IN");
        if (in >= 0) {
            StringBuilder words = new StringBuilder();
            for (int k = in + 1; k < c.end && !c.st.isWord(k, "MODE"); k++) {
                words.append(c.st.text(k).toUpperCase(Locale.ROOT)).append(' ');
            }
            mode = switch (words.toString().trim()) {
                case "ACCESS SHARE" -> LockMode.ACCESS_SHARE;
                case "ROW SHARE" -> LockMode.ROW_SHARE;
                case "ROW EXCLUSIVE" -> LockMode.ROW_EXCLUSIVE;
                case "SHARE UPDATE EXCLUSIVE" -> LockMode.SHARE_UPDATE_EXCLUSIVE;
                case "SHARE" -> LockMode.SHARE;
                case "SHARE ROW EXCLUSIVE" -> LockMode.SHARE_ROW_EXCLUSIVE;
                case "EXCLUSIVE" -> LockMode.EXCLUSIVE;
                default -> LockMode.ACCESS_EXCLUSIVE;
            };
        }
        a.lock(mode);
        if (mode.blocksWrites() && !a.context.isNew(a.table)) {
            a.find(LOCK_TABLE, "LOCK TABLE " + a.table + " IN " + mode.pgName() + " mode blocks "
                    + (mode.blocksReads() ? "reads and writes" : "writes") + " until the transaction ends");
            SessionRules.checkTimeouts(a, mode);
        }
    }
}
