package io.pgguard.classify;

import io.pgguard.sql.TokenType;

import java.util.Locale;

/** The grammar of CREATE: tables (with their columns' types), indexes, triggers, policies and the rest. */
final class CreateStatements {

    private CreateStatements() {
    }

    /** CREATE ...; the cursor stands after CREATE. */
    static void create(Analysis a, Cursor c) {
        c.words("OR", "REPLACE");
        if (c.word("UNIQUE") || c.peek("INDEX")) {
            IndexRules.createIndex(a, c);
            return;
        }
        if (c.word("CONSTRAINT") || c.peek("TRIGGER")) {
            c.word("TRIGGER");
            TableRules.createTrigger(a, c);
            return;
        }
        if (c.word("POLICY")) {
            TableRules.createPolicy(a, c);
            return;
        }
        boolean temporary = false;
        while (c.word("GLOBAL") || c.word("LOCAL") || c.word("UNLOGGED") || (c.word("TEMP") || c.word("TEMPORARY"))) {
            temporary |= c.st.isWord(c.i - 1, "TEMP") || c.st.isWord(c.i - 1, "TEMPORARY");
        }
        if (c.word("TABLE")) {
            table(a, c, temporary);
            return;
        }
        if (c.peek("FUNCTION") || c.peek("PROCEDURE")) {
            // The body is not executed at creation: it cannot make the CREATE destructive.
            a.kind = "CREATE " + c.st.text(c.i).toUpperCase(Locale.ROOT);
            return;
        }
        if (c.words("MATERIALIZED", "VIEW")) {
            a.kind = "CREATE MATERIALIZED VIEW";
            boolean ifNotExists = IdempotencyRules.requireIfNotExists(a, c);
            created(a, c.name(), ifNotExists);
            query(a, c);
            return;
        }
        if (c.word("RULE")) {
            rule(a, c);
            return;
        }
        if (c.word("STATISTICS")) {
            // CREATE STATISTICS [IF NOT EXISTS] [name] [(kinds)] ON columns FROM table
            a.kind = "CREATE STATISTICS";
            int from = c.findTopLevelWord(c.i, "FROM");
            if (from >= 0) {
                c.i = from + 1;
                a.table = c.name();
                a.lock(LockMode.SHARE_UPDATE_EXCLUSIVE);
            }
            return;
        }
        String object = c.atEnd() ? "" : c.st.text(c.i).toUpperCase(Locale.ROOT);
        c.i++;
        a.kind = "CREATE " + object;
        if (object.equals("VIEW") || object.equals("RECURSIVE")) {
            a.kind = "CREATE VIEW";
            created(a, c.name(), false);
            query(a, c);
        } else if (object.equals("SCHEMA") || object.equals("SEQUENCE") || object.equals("EXTENSION")) {
            boolean ifNotExists = IdempotencyRules.requireIfNotExists(a, c);
            created(a, c.name(), ifNotExists);
        }
    }

    /**
     * The query of CREATE [MATERIALIZED] VIEW ... AS: it is read (planned, and for a materialized view run), so the
     * view reports the relation it reads and its AccessShareLock.
     */
    private static void query(Analysis a, Cursor c) {
        int as = c.findTopLevelWord(c.i, "AS");
        if (as >= 0) {
            a.foldNested(as + 1, c.end);
        }
    }

    /**
     * CREATE [OR REPLACE] RULE name AS ON event TO table [WHERE ...] DO [ALSO | INSTEAD] { NOTHING | command |
     * (command; ...) }: an AccessExclusiveLock on the table, and each command classified as what it will run.
     */
    private static void rule(Analysis a, Cursor c) {
        a.kind = "CREATE RULE";
        int to = c.findTopLevelWord(c.i, "TO");
        if (to < 0) {
            return;
        }
        c.i = to + 1;
        a.table = c.name();
        a.lock(LockMode.ACCESS_EXCLUSIVE);
        if (!a.context.isNew(a.table)) {
            a.ddlOnExisting = true;
        }
        int doWord = c.findTopLevelWord(c.i, "DO");
        if (doWord < 0) {
            return;
        }
        c.i = doWord + 1;
        if (!c.word("ALSO")) {
            c.word("INSTEAD");
        }
        if (c.peek(io.pgguard.sql.TokenType.LPAREN)) {
            int close = c.closing(c.i);
            int start = c.i + 1;
            for (int k = start; k <= close; k++) {
                if (k == close || c.st.is(k, io.pgguard.sql.TokenType.SEMICOLON)) {
                    if (k > start) {
                        a.foldNested(start, k);
                    }
                    start = k + 1;
                }
            }
        } else if (!c.peek("NOTHING") && !c.atEnd()) {
            a.foldNested(c.i, c.end);
        }
    }

    private static void created(Analysis a, String name, boolean ifNotExists) {
        if (name != null) {
            a.context.created(name, false, ifNotExists);
        }
    }

    /** CREATE TABLE [IF NOT EXISTS] name (...) | PARTITION OF parent | AS query; after TABLE. */
    private static void table(Analysis a, Cursor c, boolean temporary) {
        a.kind = "CREATE TABLE";
        boolean ifNotExists = temporary ? c.ifNotExists() : IdempotencyRules.requireIfNotExists(a, c);
        String name = c.name();
        a.table = name;
        a.lock(LockMode.ACCESS_EXCLUSIVE);
        if (name != null) {
            a.context.created(name, temporary, ifNotExists);
        }
        if (c.words("PARTITION", "OF")) {
            String parent = c.name();
            a.kind = "CREATE TABLE PARTITION OF";
            if (!a.context.isNew(parent)) {
                TableRules.partitionOf(a, name, parent);
            }
            return;
        }
        if (c.peek(TokenType.LPAREN)) {
            int close = c.closing(c.i);
            if (c.st.isWord(c.i + 1, "LIKE")) {
                // CREATE TABLE n (LIKE t ...): the new table is nobody's yet; t is read under an AccessShareLock.
                Cursor like = new Cursor(c.st, c.i + 2, close);
                String source = like.name();
                if (source != null && c.nextTopLevel(c.i + 1, TokenType.COMMA) >= close) {
                    a.table = source;
                    a.lock = LockMode.ACCESS_SHARE;
                }
            }
            columns(a, new Cursor(c.st, c.i + 1, close), name);
            c.i = close + 1;
        }
        int as = c.findTopLevelWord(c.i, "AS");
        if (as >= 0) {
            a.kind = "CREATE TABLE AS";
            // The new table is nobody's yet: what matters is what the query reads (and, with a data-modifying
            // WITH or an EXECUTE, changes), so the table and lock are the query's.
            a.table = null;
            a.lock = null;
            a.foldNested(as + 1, c.end);
        }
    }

    private static void columns(Analysis a, Cursor c, String table) {
        boolean referencesExisting = false;
        while (!c.atEnd()) {
            int end = c.nextTopLevel(c.i, TokenType.COMMA);
            Cursor element = new Cursor(c.st, c.i, end);
            for (int k = element.i; k + 1 < end; k++) {
                if (c.st.isWord(k, "REFERENCES")) {
                    Cursor ref = new Cursor(c.st, k + 1, end);
                    String target = ref.name();
                    referencesExisting |= target != null && !a.context.isNew(target)
                            && !Cursor.key(target).equals(Cursor.key(table));
                }
            }
            boolean constraint = element.peek("CONSTRAINT") || element.peek("CHECK") || element.peek("UNIQUE")
                    || element.peek("PRIMARY") || element.peek("FOREIGN") || element.peek("EXCLUDE")
                    || element.peek("LIKE");
            if (!constraint) {
                String column = element.name();
                ColumnType type = ColumnType.read(element);
                ColumnRules.ColumnDefinition def = ColumnRules.ColumnDefinition.read(element, type);
                if (column != null) {
                    a.context.column(table, column, type, def.identity || def.serial);
                    TypeRules.checkNewColumn(a, column, type, def.primaryKey);
                }
            }
            c.i = end + 1;
        }
        if (referencesExisting) {
            // A foreign key takes a ShareRowExclusiveLock on the referenced table.
            SessionRules.checkTimeouts(a, LockMode.SHARE_ROW_EXCLUSIVE);
        }
    }
}
