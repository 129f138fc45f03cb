package io.pgguard.classify;

import io.pgguard.sql.TokenType;

import java.util.List;
import java.util.Locale;
import java.util.Set;

/** ADD, DROP, RENAME and ALTER COLUMN: required columns, rewriting defaults, type changes and SET NOT NULL. */
final class ColumnRules {

    static final Rule DROP_COLUMN = new Rule("drop-column", Risk.DESTRUCTIVE,
            "DROP COLUMN deletes the column's data, and code that still reads or writes it fails",
            "Expand-contract: stop using the column in a release, then drop it in a later migration",
            "-- release 1: the app stops reading orders.status\n-- release 2: ALTER TABLE orders DROP COLUMN IF EXISTS status;");
    static final Rule RENAME_COLUMN = new Rule("rename-column", Risk.BREAKING,
            "Renaming a column breaks every running query that uses the old name",
            "Expand-contract: add the new column, write both, backfill, switch reads, then drop the old one; "
                    + "or keep a view with the old name for the old code",
            "ALTER TABLE orders ADD COLUMN state text; -- dual-write, batched backfill, switch reads, drop status");
    static final Rule ADDING_REQUIRED_COLUMN = new Rule("adding-required-column", Risk.UNSAFE,
            "ADD COLUMN ... NOT NULL without a DEFAULT fails on a table that has rows",
            "Add it with a constant DEFAULT (no rewrite since PostgreSQL 11), or nullable, backfill, then "
                    + "CHECK (col IS NOT NULL) NOT VALID, VALIDATE CONSTRAINT, SET NOT NULL",
            "ALTER TABLE customers ADD COLUMN marketing_opt_in boolean NOT NULL DEFAULT false;");
    static final Rule ADDING_COLUMN_REWRITE = new Rule("adding-column-rewrite", Risk.UNSAFE,
            "This new column rewrites the whole table under an AccessExclusiveLock: a volatile default, serial, "
                    + "identity or a stored generated column gives every row its own value",
            "Add the column nullable without the default, set the default for new rows, then backfill in batches",
            "ALTER TABLE orders ADD COLUMN export_ref uuid;\n"
                    + "ALTER TABLE orders ALTER COLUMN export_ref SET DEFAULT gen_random_uuid();\n"
                    + "-- then a batched backfill of existing rows");
    static final Rule CHANGE_COLUMN_TYPE = new Rule("change-column-type", Risk.UNSAFE,
            "ALTER COLUMN TYPE takes an AccessExclusiveLock and rewrites the table and its indexes unless the "
                    + "change is binary-coercible",
            "Expand-contract: add a column of the new type, dual-write, backfill in batches, switch, drop the old one. "
                    + "Only widening varchar(n), varchar to text and raising numeric precision are free",
            "ALTER TABLE order_items ADD COLUMN quantity_new bigint; -- then dual-write and backfill");
    static final Rule SET_NOT_NULL = new Rule("set-not-null", Risk.UNSAFE,
            "SET NOT NULL scans the whole table under an AccessExclusiveLock",
            "ADD CONSTRAINT ... CHECK (col IS NOT NULL) NOT VALID; VALIDATE CONSTRAINT; then SET NOT NULL uses the "
                    + "valid check and skips the scan (PostgreSQL 12+); drop the check afterwards",
            "ALTER TABLE orders ADD CONSTRAINT orders_state_nn CHECK (state IS NOT NULL) NOT VALID;\n"
                    + "ALTER TABLE orders VALIDATE CONSTRAINT orders_state_nn;\n"
                    + "ALTER TABLE orders ALTER COLUMN state SET NOT NULL;");

    static final Rule TYPE_CHANGE_DISCARDS_VALUES = new Rule("type-change-discards-values", Risk.DESTRUCTIVE,
            "ALTER COLUMN TYPE ... USING an expression that does not read the column replaces every value of it "
                    + "(with a constant, NULL, another column): the old values are gone",
            "Add a new column of the new type, fill it, check it, then drop the old column in a later release; or "
                    + "convert the old value in USING (USING col::new_type)",
            "ALTER TABLE orders ALTER COLUMN total TYPE numeric(12,2) USING total::numeric(12,2);");
    static final Rule NARROWING_TYPE_CHANGE = new Rule("narrowing-type-change", Risk.UNSAFE,
            "The new column type holds less than the old one (shorter, fewer digits, a smaller integer, a coarser "
                    + "time): the change fails on the first value that does not fit, or an explicit cast rounds or "
                    + "cuts it",
            "Check the data first (SELECT max(length(col)) ...), or keep the wider type and add a CHECK constraint "
                    + "NOT VALID, then VALIDATE it",
            "ALTER TABLE customers ADD CONSTRAINT customers_code_len CHECK (length(code) <= 3) NOT VALID;\n"
                    + "ALTER TABLE customers VALIDATE CONSTRAINT customers_code_len;");

    static final List<Rule> RULES = List.of(DROP_COLUMN, RENAME_COLUMN, ADDING_REQUIRED_COLUMN,
            ADDING_COLUMN_REWRITE, CHANGE_COLUMN_TYPE, SET_NOT_NULL, TYPE_CHANGE_DISCARDS_VALUES,
            NARROWING_TYPE_CHANGE);

    /** Functions whose value differs per row, so a DEFAULT using them is evaluated for every existing row. */
    private static final Set<String> VOLATILE_FUNCTIONS = Set.of("random", "random_normal", "gen_random_uuid",
            "uuid_generate_v1", "uuid_generate_v1mc", "uuid_generate_v4", "uuidv4", "uuidv7", "clock_timestamp",
            "timeofday", "nextval", "setval", "txid_current", "pg_current_xact_id", "gen_random_bytes");

    private ColumnRules() {
    }

    /** A NOT NULL that scans rows to prove itself: of a domain, or a table's NOT NULL constraint (18+). */
    static void notNullScan(Analysis a, String message) {
        a.find(SET_NOT_NULL, message);
    }

    /** ADD [COLUMN] [IF NOT EXISTS] name type [constraints]; the cursor stands after ADD [COLUMN]. */
    static void addColumn(Analysis a, Cursor c, String table) {
        a.lock(LockMode.ACCESS_EXCLUSIVE);
        IdempotencyRules.requireIfNotExists(a, c);
        String column = c.name();
        if (column == null) {
            return;
        }
        ColumnType type = ColumnType.read(c);
        ColumnDefinition def = ColumnDefinition.read(c, type);
        boolean isNew = a.context.isNew(table);
        a.context.column(table, column, type, def.identity || def.serial);
        TypeRules.checkNewColumn(a, column, type, def.primaryKey);
        if (def.primaryKey || def.unique) {
            ConstraintRules.uniqueIndexBuilt(a, isNew);
        }
        if (def.identity || def.storedGenerated || def.serial || def.volatileDefault != null) {
            a.rewrite = true;
            if (!isNew) {
                String why = def.volatileDefault != null
                        ? "DEFAULT " + def.volatileDefault + "() is volatile: every row gets its own value"
                        : type != null && type.isSerial() ? type.name() + " fills every existing row from a sequence"
                        : def.identity ? "an identity column fills every existing row from a sequence"
                        : "a stored generated column is computed for every existing row";
                a.find(ADDING_COLUMN_REWRITE, "ADD COLUMN " + column + " rewrites " + table + ": " + why);
            }
        }
        if (def.notNull && !def.hasDefault && !def.generatesValues() && !isNew) {
            a.find(ADDING_REQUIRED_COLUMN, "ADD COLUMN " + column + " NOT NULL without a DEFAULT fails when "
                    + table + " has rows");
        }
    }

    /** DROP [COLUMN] [IF EXISTS] name; the cursor stands after DROP [COLUMN]. */
    static void dropColumn(Analysis a, Cursor c, String table) {
        a.lock(LockMode.ACCESS_EXCLUSIVE);
        IdempotencyRules.requireIfExists(a, c);
        String column = c.name();
        a.context.dropColumn(table, column);
        if (!a.context.isNew(table)) {
            a.find(DROP_COLUMN, "DROP COLUMN " + column + " deletes its data from " + table);
        }
    }

    /**
     * Whether the USING expression in tokens [from, to) names the column (unqualified, or qualified with the
     * table), so that it computes the new value from the old one. A string, a function of that name or another
     * column does not.
     */
    private static boolean readsColumn(io.pgguard.sql.SqlStatement st, int from, int to, String table,
                                       String column) {
        String key = Cursor.key(column);
        for (int k = from; k < to; k++) {
            boolean name = st.is(k, TokenType.WORD) || st.is(k, TokenType.QUOTED_IDENT);
            if (!name || st.is(k + 1, TokenType.LPAREN) || st.is(k - 1, TokenType.CAST)
                    || !Cursor.key(st.text(k)).equals(key)) {
                continue;
            }
            if (!st.is(k - 1, TokenType.DOT)) {
                return true;
            }
            if (k >= 2 && Cursor.key(st.text(k - 2)).equals(Cursor.key(table))) {
                return true;
            }
        }
        return false;
    }

    /** RENAME [COLUMN] a TO b; the cursor stands at the old name. */
    static void renameColumn(Analysis a, Cursor c, String table) {
        a.lock(LockMode.ACCESS_EXCLUSIVE);
        String from = c.name();
        c.word("TO");
        String to = c.name();
        a.context.renameColumn(table, from, to);
        if (!a.context.isNew(table)) {
            a.find(RENAME_COLUMN, "Renaming " + table + "." + from + " to " + to
                    + " breaks running code that uses " + from);
        }
    }

    /** ALTER [COLUMN] name ...; the cursor stands at the column name. Returns the sub-command's kind. */
    static String alterColumn(Analysis a, Cursor c, String table) {
        String column = c.name();
        boolean isNew = a.context.isNew(table);
        if (c.words("SET", "DATA", "TYPE") || c.word("TYPE")) {
            a.lock(LockMode.ACCESS_EXCLUSIVE);
            ColumnType target = ColumnType.read(c);
            int usingAt = c.findTopLevelWord(c.i, "USING");
            boolean using = usingAt >= 0;
            Context.Column known = a.context.column(table, column);
            ColumnType from = known == null ? null : known.type();
            if (known == null && !isNew) {
                a.context.askColumn(table, column);
            }
            boolean discards = using && !readsColumn(c.st, usingAt + 1, c.end, table, column);
            if (!isNew && discards) {
                a.find(TYPE_CHANGE_DISCARDS_VALUES, "ALTER COLUMN " + column + " TYPE " + target + " USING "
                        + c.st.source().substring(c.st.token(usingAt + 1 < c.end ? usingAt + 1 : usingAt).start(),
                        c.st.token(c.end - 1).end()) + " does not read " + column + ": every value of "
                        + table + "." + column + " is replaced");
            }
            String narrowing = target == null || discards ? null : from == null ? target.limitReason()
                    : from.narrowingTo(target);
            if (!isNew && narrowing != null) {
                a.find(NARROWING_TYPE_CHANGE, "ALTER COLUMN " + column + " TYPE " + target
                        + (from == null ? "" : " (from " + from + ")") + ": " + narrowing);
            }
            // PostgreSQL 12+ relabels timestamp <-> timestamptz (without a precision, which a length coercion
            // would apply) without rewriting the table when the session's TimeZone is UTC; the column's indexes
            // change operator class and are rebuilt all the same
            boolean utcRelabel = !using && from != null && target != null && !from.array() && !target.array()
                    && from.modifiers() == null && target.modifiers() == null
                    && (from.name().equals("timestamp") && target.name().equals("timestamptz")
                    || from.name().equals("timestamptz") && target.name().equals("timestamp"))
                    && a.pgMajor >= 12 && a.context.timeZoneIsUtc();
            boolean free = !using && from != null && target != null && from.changesWithoutRewriteTo(target);
            if (!free && !utcRelabel) {
                a.rewrite = true;
            }
            if (target != null) {
                a.context.column(table, column, target, known != null && known.sequenceBacked());
            }
            if (!isNew && !free) {
                String what = from == null
                        ? "ALTER COLUMN " + column + " TYPE " + target + " rewrites " + table
                                + " unless the old type is binary-coercible to it"
                        : utcRelabel ? "ALTER COLUMN " + column + " TYPE " + from + " -> " + target + " does not "
                                + "rewrite " + table + " under a UTC TimeZone, but rebuilds every index on " + column
                                + " under an AccessExclusiveLock"
                        : "ALTER COLUMN " + column + " TYPE " + from + " -> " + target + " rewrites " + table
                                + " and its indexes under an AccessExclusiveLock";
                a.find(CHANGE_COLUMN_TYPE, what);
            }
            return "ALTER TABLE ALTER COLUMN TYPE";
        }
        if (c.words("SET", "NOT", "NULL")) {
            a.lock(LockMode.ACCESS_EXCLUSIVE);
            a.context.markedNotNull(table, column);
            if (!isNew && !(a.pgMajor >= 12 && a.context.provenNotNull(table, column))) {
                a.find(SET_NOT_NULL, "SET NOT NULL on " + table + "." + column
                        + " scans the whole table under an AccessExclusiveLock");
            }
            return "ALTER TABLE ALTER COLUMN SET NOT NULL";
        }
        if (c.words("SET", "STATISTICS") || c.peek("SET") && c.st.is(c.i + 1, TokenType.LPAREN)
                || c.peek("RESET")) {
            a.lock(LockMode.SHARE_UPDATE_EXCLUSIVE);
            return "ALTER TABLE ALTER COLUMN SET";
        }
        if (c.words("SET", "EXPRESSION")) {
            a.lock(LockMode.ACCESS_EXCLUSIVE);
            a.rewrite = true;
            if (!isNew) {
                a.find(CHANGE_COLUMN_TYPE, "SET EXPRESSION recomputes " + column + " for every row of " + table);
            }
            return "ALTER TABLE ALTER COLUMN SET EXPRESSION";
        }
        a.lock(LockMode.ACCESS_EXCLUSIVE);
        if (c.words("SET", "DEFAULT")) {
            return "ALTER TABLE ALTER COLUMN SET DEFAULT";
        }
        if (c.words("DROP", "DEFAULT")) {
            return "ALTER TABLE ALTER COLUMN DROP DEFAULT";
        }
        if (c.words("DROP", "NOT", "NULL")) {
            return "ALTER TABLE ALTER COLUMN DROP NOT NULL";
        }
        return "ALTER TABLE ALTER COLUMN";
    }

    /** What the constraints after a column's type say, as far as rewrites and NOT NULL go. */
    static final class ColumnDefinition {
        boolean notNull;
        boolean hasDefault;
        boolean identity;
        boolean storedGenerated;
        boolean virtual;
        boolean primaryKey;
        boolean unique;
        boolean serial;
        String volatileDefault;

        boolean generatesValues() {
            return identity || storedGenerated || serial || virtual;
        }

        /** Reads column constraints up to the next top-level comma or the end. */
        static ColumnDefinition read(Cursor c, ColumnType type) {
            ColumnDefinition d = new ColumnDefinition();
            d.serial = type != null && type.isSerial();
            int end = c.nextTopLevel(c.i, TokenType.COMMA);
            while (c.i < end) {
                if (c.words("NOT", "NULL")) {
                    d.notNull = true;
                } else if (c.words("PRIMARY", "KEY")) {
                    d.primaryKey = true;
                    d.notNull = true;
                } else if (c.word("UNIQUE")) {
                    d.unique = true;
                } else if (c.word("DEFAULT")) {
                    d.hasDefault = true;
                    d.volatileDefault = volatileCall(c, end);
                } else if (c.word("GENERATED")) {
                    int close = c.i;
                    while (close < end && !c.st.isWord(close, "AS")) {
                        close++;
                    }
                    c.i = Math.min(close + 1, end);
                    if (c.word("IDENTITY")) {
                        d.identity = true;
                    } else if (c.peek(TokenType.LPAREN)) {
                        c.skipGroup();
                        if (c.word("STORED")) {
                            d.storedGenerated = true;
                        } else {
                            c.word("VIRTUAL");
                            d.virtual = true;
                        }
                    }
                } else if (c.peek(TokenType.LPAREN)) {
                    c.skipGroup();
                } else {
                    c.i++;
                }
            }
            return d;
        }

        /** The first volatile function the DEFAULT expression calls, or null. */
        private static String volatileCall(Cursor c, int end) {
            int depth = 0;
            String found = null;
            while (c.i < end) {
                TokenType t = c.st.type(c.i);
                if (t == TokenType.LPAREN) {
                    depth++;
                } else if (t == TokenType.RPAREN) {
                    depth--;
                } else if (depth == 0 && t == TokenType.WORD && isConstraintStart(c)) {
                    return found;
                } else if (t == TokenType.WORD && c.st.is(c.i + 1, TokenType.LPAREN) && found == null) {
                    String fn = c.st.text(c.i).toLowerCase(Locale.ROOT);
                    if (VOLATILE_FUNCTIONS.contains(fn)) {
                        found = fn;
                    }
                }
                c.i++;
            }
            return found;
        }

        private static boolean isConstraintStart(Cursor c) {
            return c.peek("NOT") || c.peek("NULL") || c.peek("CONSTRAINT") || c.peek("CHECK")
                    || c.peek("REFERENCES") || c.peek("PRIMARY") || c.peek("UNIQUE") || c.peek("GENERATED")
                    || c.peek("COLLATE");
        }
    }
}
