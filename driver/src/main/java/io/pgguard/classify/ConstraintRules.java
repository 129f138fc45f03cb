package io.pgguard.classify;

import io.pgguard.sql.TokenType;

import java.util.List;

/** ADD CONSTRAINT: CHECK and FOREIGN KEY without NOT VALID, UNIQUE and PRIMARY KEY that build an index, EXCLUDE. */
final class ConstraintRules {

    static final Rule CONSTRAINT_MISSING_NOT_VALID = new Rule("constraint-missing-not-valid", Risk.UNSAFE,
            "Adding a CHECK constraint scans the whole table under an AccessExclusiveLock",
            "Add it NOT VALID (only new rows are checked), then VALIDATE CONSTRAINT in a later statement, which "
                    + "takes only a ShareUpdateExclusiveLock",
            "ALTER TABLE orders ADD CONSTRAINT orders_total_positive CHECK (total_cents >= 0) NOT VALID;\n"
                    + "ALTER TABLE orders VALIDATE CONSTRAINT orders_total_positive;");
    static final Rule FOREIGN_KEY_MISSING_NOT_VALID = new Rule("foreign-key-missing-not-valid", Risk.UNSAFE,
            "Adding a FOREIGN KEY checks every row while holding a ShareRowExclusiveLock on both tables: writes wait",
            "Add it NOT VALID, then VALIDATE CONSTRAINT in a later statement",
            "ALTER TABLE order_items ADD CONSTRAINT order_items_product_fk FOREIGN KEY (product_id) "
                    + "REFERENCES products (id) NOT VALID;\n"
                    + "ALTER TABLE order_items VALIDATE CONSTRAINT order_items_product_fk;");
    static final Rule UNIQUE_CONSTRAINT_BUILDS_INDEX = new Rule("unique-constraint-builds-index", Risk.UNSAFE,
            "ADD UNIQUE or PRIMARY KEY builds its index under an AccessExclusiveLock: reads and writes wait",
            "CREATE UNIQUE INDEX CONCURRENTLY first, then ADD CONSTRAINT ... UNIQUE (or PRIMARY KEY) USING INDEX",
            "CREATE UNIQUE INDEX CONCURRENTLY customers_email_key ON customers (email);\n"
                    + "ALTER TABLE customers ADD CONSTRAINT customers_email_key UNIQUE USING INDEX customers_email_key;");
    static final Rule EXCLUSION_CONSTRAINT = new Rule("exclusion-constraint", Risk.UNSAFE,
            "ADD EXCLUDE builds its index under an AccessExclusiveLock, and there is no concurrent way to add it",
            "Create the table with the constraint, or add it in a maintenance window with lock_timeout set",
            "CREATE TABLE bookings (room bigint, during tstzrange, EXCLUDE USING gist (room WITH =, during WITH &&));");

    static final List<Rule> RULES = List.of(CONSTRAINT_MISSING_NOT_VALID, FOREIGN_KEY_MISSING_NOT_VALID,
            UNIQUE_CONSTRAINT_BUILDS_INDEX, EXCLUSION_CONSTRAINT);

    private ConstraintRules() {
    }

    /** ALTER DOMAIN ADD CONSTRAINT without NOT VALID: every column of the domain's type is checked. */
    static void domainConstraint(Analysis a) {
        a.find(CONSTRAINT_MISSING_NOT_VALID, "ALTER DOMAIN ADD CONSTRAINT checks every column of the domain's type "
                + "in every table; add it NOT VALID, then VALIDATE");
    }

    /** ADD [CONSTRAINT name] CHECK|FOREIGN KEY|UNIQUE|PRIMARY KEY|EXCLUDE|NOT NULL; the cursor stands after ADD. */
    static String addConstraint(Analysis a, Cursor c, String table) {
        String name = c.word("CONSTRAINT") ? c.name() : null;
        int end = c.nextTopLevel(c.i, TokenType.COMMA);
        boolean notValid = false;
        for (int k = c.i; k + 1 < end; k++) {
            if (c.st.isWord(k, "NOT") && c.st.isWord(k + 1, "VALID")) {
                notValid = true;
            }
        }
        boolean isNew = a.context.isNew(table);
        if (c.word("CHECK")) {
            a.lock(LockMode.ACCESS_EXCLUSIVE);
            rememberNotNullCheck(a, c, name, table, !notValid);
            if (!notValid && !isNew) {
                a.find(CONSTRAINT_MISSING_NOT_VALID);
            }
            c.i = end;
            return "ALTER TABLE ADD CONSTRAINT CHECK";
        }
        if (c.words("FOREIGN", "KEY")) {
            a.lock(LockMode.SHARE_ROW_EXCLUSIVE);
            if (!notValid && !isNew) {
                a.find(FOREIGN_KEY_MISSING_NOT_VALID);
            }
            c.i = end;
            return "ALTER TABLE ADD CONSTRAINT FOREIGN KEY";
        }
        if (c.word("UNIQUE") || c.words("PRIMARY", "KEY")) {
            a.lock(LockMode.ACCESS_EXCLUSIVE);
            boolean usingIndex = false;
            for (int k = c.i; k + 1 < end; k++) {
                if (c.st.isWord(k, "USING") && c.st.isWord(k + 1, "INDEX")) {
                    usingIndex = true;
                }
            }
            if (!usingIndex) {
                uniqueIndexBuilt(a, isNew);
            }
            c.i = end;
            return "ALTER TABLE ADD CONSTRAINT UNIQUE";
        }
        if (c.word("EXCLUDE")) {
            a.lock(LockMode.ACCESS_EXCLUSIVE);
            if (!isNew) {
                a.find(EXCLUSION_CONSTRAINT);
            }
            c.i = end;
            return "ALTER TABLE ADD CONSTRAINT EXCLUDE";
        }
        if (c.words("NOT", "NULL")) {
            // PostgreSQL 18: ADD CONSTRAINT name NOT NULL col [NOT VALID].
            a.lock(LockMode.ACCESS_EXCLUSIVE);
            String column = c.name();
            a.context.notNullCheck(name, table, column, !notValid);
            if (!notValid && !isNew) {
                ColumnRules.notNullScan(a, "ADD CONSTRAINT ... NOT NULL " + column
                        + " scans the whole table under an AccessExclusiveLock; add it NOT VALID, then VALIDATE");
            }
            c.i = end;
            return "ALTER TABLE ADD CONSTRAINT NOT NULL";
        }
        a.lock(LockMode.ACCESS_EXCLUSIVE);
        c.i = end;
        return "ALTER TABLE ADD CONSTRAINT";
    }

    /** VALIDATE CONSTRAINT name; the cursor stands after VALIDATE CONSTRAINT. */
    static String validate(Analysis a, Cursor c) {
        a.lock(LockMode.SHARE_UPDATE_EXCLUSIVE);
        String name = c.name();
        a.context.validated(name);
        return "ALTER TABLE VALIDATE CONSTRAINT";
    }

    /** A unique index built while the table is locked: fine on a new table, a finding on an existing one. */
    static void uniqueIndexBuilt(Analysis a, boolean isNew) {
        if (!isNew) {
            a.find(UNIQUE_CONSTRAINT_BUILDS_INDEX);
        }
    }

    /** Remembers CHECK (col IS NOT NULL) so a later SET NOT NULL can be known to skip its scan. */
    private static void rememberNotNullCheck(Analysis a, Cursor c, String name, String table, boolean valid) {
        // Tokens: ( col IS NOT NULL )
        int k = c.i;
        if (c.st.is(k, TokenType.LPAREN) && (c.st.is(k + 1, TokenType.WORD) || c.st.is(k + 1, TokenType.QUOTED_IDENT))
                && c.st.isWords(k + 2, "IS", "NOT", "NULL") && c.st.is(k + 5, TokenType.RPAREN)) {
            a.context.notNullCheck(name, table, c.st.text(k + 1), valid);
        }
    }
}
