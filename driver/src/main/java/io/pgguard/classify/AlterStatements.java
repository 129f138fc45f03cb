package io.pgguard.classify;

import io.pgguard.sql.TokenType;

import java.util.Locale;

/**
 * The grammar of ALTER TABLE (every sub-command, split at top-level commas, each handed to its rule family; the
 * table's lock is the strongest of them) and of the other ALTER statements that can hurt.
 */
final class AlterStatements {

    private AlterStatements() {
    }

    /** ALTER TABLE | FOREIGN TABLE; the cursor stands after TABLE. */
    static void alterTable(Analysis a, Cursor c) {
        a.kind = "ALTER TABLE";
        if (c.words("ALL", "IN", "TABLESPACE")) {
            TableRules.setTablespace(a, false, "ALTER TABLE ALL IN TABLESPACE moves every table, each under an "
                    + "AccessExclusiveLock");
            return;
        }
        c.ifExists();
        c.word("ONLY");
        String table = c.name();
        if (c.peek(TokenType.OPERATOR) && c.st.text(c.i).equals("*")) {
            c.i++;
        }
        a.table = table;
        boolean isNew = a.context.isNew(table);
        if (c.word("RENAME")) {
            rename(a, c, table);
        } else if (c.words("SET", "SCHEMA")) {
            a.kind = "ALTER TABLE SET SCHEMA";
            TableRules.renameTable(a, table, c.name() + "." + Cursor.key(table));
        } else {
            a.kind = null;
            while (!c.atEnd()) {
                int end = c.nextTopLevel(c.i, TokenType.COMMA);
                Cursor action = new Cursor(c.st, c.i, end);
                int before = a.findingCount();
                a.subKind(action(a, action, table, isNew), before);
                c.i = end + 1;
            }
            if (a.kind == null) {
                a.kind = "ALTER TABLE";
            }
        }
        a.ddlOnExisting = !isNew;
        if (!isNew) {
            SessionRules.checkTimeouts(a, a.lock);
        }
    }

    private static void rename(Analysis a, Cursor c, String table) {
        if (c.word("CONSTRAINT")) {
            a.kind = "ALTER TABLE RENAME CONSTRAINT";
            a.lock(LockMode.ACCESS_EXCLUSIVE);
        } else if (c.word("TO")) {
            a.kind = "ALTER TABLE RENAME";
            String to = c.name();
            TableRules.renameTable(a, table, to);
        } else {
            c.word("COLUMN");
            a.kind = "ALTER TABLE RENAME COLUMN";
            ColumnRules.renameColumn(a, c, table);
        }
    }

    /** One ALTER TABLE sub-command; returns its kind. */
    private static String action(Analysis a, Cursor c, String table, boolean isNew) {
        if (c.word("ADD")) {
            if (c.peek("CONSTRAINT") || c.peek("CHECK") || c.peek("UNIQUE") || c.peek("PRIMARY")
                    || c.peek("EXCLUDE") || c.peek("FOREIGN")) {
                return ConstraintRules.addConstraint(a, c, table);
            }
            c.word("COLUMN");
            ColumnRules.addColumn(a, c, table);
            return "ALTER TABLE ADD COLUMN";
        }
        if (c.word("DROP")) {
            if (c.word("CONSTRAINT")) {
                a.lock(LockMode.ACCESS_EXCLUSIVE);
                IdempotencyRules.requireIfExists(a, c);
                String constraint = c.name();
                if (!isNew && !a.context.isRedundantNotNullCheck(constraint)) {
                    DropRules.dropConstraint(a, constraint, table);
                }
                return "ALTER TABLE DROP CONSTRAINT";
            }
            c.word("COLUMN");
            ColumnRules.dropColumn(a, c, table);
            return "ALTER TABLE DROP COLUMN";
        }
        if (c.word("ALTER")) {
            if (c.word("CONSTRAINT")) {
                a.lock(LockMode.ACCESS_EXCLUSIVE);
                return "ALTER TABLE ALTER CONSTRAINT";
            }
            c.word("COLUMN");
            return ColumnRules.alterColumn(a, c, table);
        }
        if (c.words("VALIDATE", "CONSTRAINT")) {
            return ConstraintRules.validate(a, c);
        }
        if (c.words("ATTACH", "PARTITION")) {
            return TableRules.attachPartition(a, c);
        }
        if (c.words("DETACH", "PARTITION")) {
            return TableRules.detachPartition(a, c);
        }
        if (c.word("SET")) {
            return TableRules.set(a, c, isNew);
        }
        if (c.word("RESET")) {
            a.lock(LockMode.SHARE_UPDATE_EXCLUSIVE);
            return "ALTER TABLE RESET";
        }
        if (c.word("ENABLE")) {
            c.word("ALWAYS");
            c.word("REPLICA");
            return TableRules.toggle(a, c, true, isNew);
        }
        if (c.word("DISABLE")) {
            return TableRules.toggle(a, c, false, isNew);
        }
        if (c.word("FORCE")) {
            return TableRules.toggle(a, c, true, isNew);
        }
        if (c.words("NO", "FORCE")) {
            return TableRules.toggle(a, c, false, isNew);
        }
        if (c.words("CLUSTER", "ON")) {
            a.lock(LockMode.SHARE_UPDATE_EXCLUSIVE);
            return "ALTER TABLE CLUSTER ON";
        }
        // OWNER TO, REPLICA IDENTITY, INHERIT, NO INHERIT, OF, NOT OF and anything newer: PostgreSQL's default.
        a.lock(LockMode.ACCESS_EXCLUSIVE);
        return c.atEnd() ? "ALTER TABLE" : "ALTER TABLE " + c.st.text(c.i).toUpperCase(Locale.ROOT);
    }

    /** ALTER of anything but a table; the cursor stands after ALTER. */
    static void alterOther(Analysis a, Cursor c) {
        if (c.word("INDEX")) {
            alterIndex(a, c);
            return;
        }
        boolean materialized = c.word("MATERIALIZED");
        if (c.word("VIEW")) {
            a.kind = materialized ? "ALTER MATERIALIZED VIEW" : "ALTER VIEW";
            c.ifExists();
            String view = c.name();
            a.table = view;
            a.lock(LockMode.ACCESS_EXCLUSIVE);
            if (c.words("RENAME", "TO") || c.words("SET", "SCHEMA")) {
                TableRules.renameTable(a, view, c.name());
            } else if (c.words("SET", "TABLESPACE")) {
                TableRules.setTablespace(a, a.context.isNew(view), null);
            }
            return;
        }
        if (c.word("TYPE")) {
            a.kind = "ALTER TYPE";
            c.name();
            if (c.words("ADD", "VALUE")) {
                a.kind = "ALTER TYPE ADD VALUE";
                IdempotencyRules.requireIfNotExists(a, c);
                TypeRules.enumAddValue(a);
            } else if (c.word("RENAME")) {
                a.kind = "ALTER TYPE RENAME";
                TableRules.renameObject(a);
            }
            return;
        }
        if (c.word("DOMAIN")) {
            a.kind = "ALTER DOMAIN";
            c.name();
            if (c.word("ADD")) {
                int notValid = -1;
                for (int k = c.i; k + 1 < c.end; k++) {
                    if (c.st.isWords(k, "NOT", "VALID")) {
                        notValid = k;
                    }
                }
                if (notValid < 0) {
                    ConstraintRules.domainConstraint(a);
                }
            } else if (c.words("SET", "NOT", "NULL")) {
                ColumnRules.notNullScan(a, "ALTER DOMAIN SET NOT NULL scans every column of the domain's type");
            }
            return;
        }
        String object = c.atEnd() ? "" : c.st.text(c.i).toUpperCase(Locale.ROOT);
        a.kind = "ALTER " + object;
        if (object.equals("TRIGGER") || object.equals("POLICY")) {
            // ALTER TRIGGER name ON table ... / ALTER POLICY name ON table ...
            int on = c.findTopLevelWord(c.i, "ON");
            if (on >= 0) {
                c.i = on + 1;
                a.table = c.name();
                a.lock(LockMode.ACCESS_EXCLUSIVE);
            }
            return;
        }
        if (object.equals("SEQUENCE")) {
            Cursor seq = new Cursor(c.st, c.i + 1, c.end);
            seq.ifExists();
            a.table = seq.name();
            a.lock(LockMode.SHARE_ROW_EXCLUSIVE);
            // Any sequence parameter (RESTART, INCREMENT, AS, CACHE, ...) writes the sequence anew; OWNED BY, a
            // rename, a new schema or owner does not.
            a.rewrite = !seq.atEnd() && !seq.peek("OWNED") && !seq.peek("RENAME") && !seq.peek("OWNER")
                    && !seq.words("SET", "SCHEMA");
        }
        if (object.equals("SCHEMA") || object.equals("FUNCTION") || object.equals("PROCEDURE")
                || object.equals("SEQUENCE") || object.equals("ROUTINE")) {
            c.i++;
            c.ifExists();
            c.name();
            c.skipGroup();
            if (c.word("RENAME") || c.words("SET", "SCHEMA")) {
                a.kind = "ALTER " + object + " RENAME";
                TableRules.renameObject(a);
            }
        }
    }

    /**
     * COMMENT ON object IS ...: a ShareUpdateExclusiveLock on the relation the object is, or belongs to (a column's
     * table, the table of a constraint, trigger, policy or rule); other objects take no table lock.
     */
    static void comment(Analysis a, Cursor c) {
        a.kind = "COMMENT";
        if (!c.word("ON")) {
            return;
        }
        String relation = null;
        if (c.word("TABLE") || c.word("INDEX") || c.word("SEQUENCE") || c.word("VIEW")
                || c.words("MATERIALIZED", "VIEW") || c.words("FOREIGN", "TABLE")) {
            relation = c.name();
        } else if (c.word("COLUMN")) {
            String column = c.name();
            int dot = column == null ? -1 : column.lastIndexOf('.');
            relation = dot > 0 ? column.substring(0, dot) : null;
        } else if (c.word("CONSTRAINT") || c.word("TRIGGER") || c.word("POLICY") || c.word("RULE")) {
            // An object that belongs to a table: the table is only read (AccessShareLock).
            c.name();
            if (c.word("ON") && !c.word("DOMAIN")) {
                a.table = c.name();
                a.lock(LockMode.ACCESS_SHARE);
            }
            return;
        }
        if (relation != null) {
            a.table = relation;
            a.lock(LockMode.SHARE_UPDATE_EXCLUSIVE);
        }
    }

    private static void alterIndex(Analysis a, Cursor c) {
        a.kind = "ALTER INDEX";
        c.ifExists();
        a.table = c.name();
        if (c.words("RENAME", "TO")) {
            a.kind = "ALTER INDEX RENAME";
            a.lock(a.pgMajor >= 12 ? LockMode.SHARE_UPDATE_EXCLUSIVE : LockMode.ACCESS_EXCLUSIVE);
        } else if (c.words("SET", "TABLESPACE")) {
            a.kind = "ALTER INDEX SET TABLESPACE";
            TableRules.setTablespace(a, a.context.isNew(a.table), "ALTER INDEX SET TABLESPACE copies the index "
                    + "under an AccessExclusiveLock");
        } else if (c.word("SET") || c.word("RESET") || c.words("ALTER", "COLUMN") || c.word("ALTER")) {
            // Storage parameters and an expression column's statistics target.
            a.lock(LockMode.SHARE_UPDATE_EXCLUSIVE);
        } else {
            a.lock(LockMode.ACCESS_EXCLUSIVE);
        }
    }
}
