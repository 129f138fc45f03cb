package io.pgguard.classify;

import io.pgguard.sql.TokenType;

import java.util.List;

/** Session settings a migration needs before it queues for a strong lock: lock_timeout and statement_timeout. */
final class SessionRules {

    static final Rule REQUIRE_LOCK_TIMEOUT = new Rule("require-lock-timeout", Risk.UNSAFE,
            "A lock-taking statement without lock_timeout waits behind any long transaction, and every query "
                    + "on the table queues behind it",
            "SET lock_timeout first, and retry the migration when it times out",
            "SET lock_timeout = '5s';");
    static final Rule REQUIRE_STATEMENT_TIMEOUT = new Rule("require-statement-timeout", Risk.UNSAFE,
            "A lock-taking statement without statement_timeout can hold its lock for as long as it runs",
            "SET statement_timeout so a statement that runs long gives its lock back",
            "SET statement_timeout = '15min';");

    static final List<Rule> RULES = List.of(REQUIRE_LOCK_TIMEOUT, REQUIRE_STATEMENT_TIMEOUT);

    private SessionRules() {
    }

    /** SET / SET LOCAL / SET SESSION name {TO|=} value; the cursor stands after SET. */
    static void set(Analysis a, Cursor c) {
        a.kind = "SET";
        if (!c.word("LOCAL")) {
            c.word("SESSION");
        }
        if (c.peek("LOCK_TIMEOUT")) {
            c.i++;
            a.context.lockTimeout = setsPositiveValue(c);
        } else if (c.peek("STATEMENT_TIMEOUT")) {
            c.i++;
            a.context.statementTimeout = setsPositiveValue(c);
        }
    }

    /** RESET name | RESET ALL; the cursor stands after RESET. */
    static void reset(Analysis a, Cursor c) {
        a.kind = "RESET";
        if (c.word("ALL")) {
            a.context.lockTimeout = false;
            a.context.statementTimeout = false;
        } else if (c.word("LOCK_TIMEOUT")) {
            a.context.lockTimeout = false;
        } else if (c.word("STATEMENT_TIMEOUT")) {
            a.context.statementTimeout = false;
        }
    }

    private static boolean setsPositiveValue(Cursor c) {
        if (!c.take(TokenType.OPERATOR)) {
            c.word("TO");
        }
        if (c.atEnd() || c.peek("DEFAULT")) {
            return false;
        }
        String value = c.st.text(c.i).replace("'", "").trim();
        return !value.isEmpty() && !value.matches("0+\\s*[a-zA-Z]*");
    }

    /**
     * In a migration, a statement that takes a lock blocking writes (or reads) on a relation that existed before
     * this file needs both timeouts set earlier in the file.
     */
    static void checkTimeouts(Analysis a, LockMode lockOnExisting) {
        if (!a.context.isMigration() || lockOnExisting == null || !lockOnExisting.blocksWrites()) {
            return;
        }
        if (!a.context.lockTimeout) {
            a.find(REQUIRE_LOCK_TIMEOUT);
        }
        if (!a.context.statementTimeout) {
            a.find(REQUIRE_STATEMENT_TIMEOUT);
        }
    }
}
