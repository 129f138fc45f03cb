package io.pgguard.classify;

import java.util.List;

/** Migrations that can be re-run after a partial failure: IF NOT EXISTS on creation, IF EXISTS on removal. */
final class IdempotencyRules {

    static final Rule PREFER_IF_NOT_EXISTS = new Rule("prefer-if-not-exists", Risk.SAFE,
            "Creation without IF NOT EXISTS fails when a half-applied migration is run again",
            "Guard creation with IF NOT EXISTS so a retried migration converges",
            "CREATE INDEX CONCURRENTLY IF NOT EXISTS orders_customer_id_idx ON orders (customer_id);");
    static final Rule PREFER_IF_EXISTS = new Rule("prefer-if-exists", Risk.SAFE,
            "Removal without IF EXISTS fails when a half-applied migration is run again",
            "Guard removal with IF EXISTS so a retried migration converges",
            "DROP INDEX CONCURRENTLY IF EXISTS orders_status_idx;");

    static final List<Rule> RULES = List.of(PREFER_IF_NOT_EXISTS, PREFER_IF_EXISTS);

    private IdempotencyRules() {
    }

    /** An unnamed index gets a generated name: a rerun creates a duplicate instead of failing. */
    static void unnamedIndex(Analysis a) {
        if (a.context.isMigration()) {
            a.find(PREFER_IF_NOT_EXISTS);
        }
    }

    /** Consumes IF NOT EXISTS when the cursor is at it, saying whether it was; advises it in a migration otherwise. */
    static boolean requireIfNotExists(Analysis a, Cursor c) {
        boolean present = c.ifNotExists();
        if (!present && a.context.isMigration()) {
            a.find(PREFER_IF_NOT_EXISTS);
        }
        return present;
    }

    /** Consumes IF EXISTS when the cursor is at it; advises it in a migration otherwise. */
    static void requireIfExists(Analysis a, Cursor c) {
        if (!c.ifExists() && a.context.isMigration()) {
            a.find(PREFER_IF_EXISTS);
        }
    }
}
