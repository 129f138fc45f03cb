package io.pgguard.classify;

import io.pgguard.sql.SqlStatement;
import io.pgguard.sql.TokenType;

import java.util.List;

/**
 * Queries and data changes: unbounded DELETE and UPDATE, whole-table backfills, inserts that bypass a sequence,
 * and data changes mixed with schema changes in one migration. Data-modifying CTEs are classified as what they do.
 */
final class DataRules {

    static final Rule UNBOUNDED_DELETE = new Rule("unbounded-delete", Risk.DESTRUCTIVE,
            "DELETE without a WHERE that bounds it deletes every row",
            "Add a WHERE on a column; to empty a table deliberately, delete in bounded batches",
            "DELETE FROM sessions WHERE expires_at < now() - interval '30 days';");
    static final Rule UNBOUNDED_UPDATE = new Rule("unbounded-update", Risk.DESTRUCTIVE,
            "UPDATE without a WHERE that bounds it overwrites every row",
            "Add a WHERE on a column; for a backfill, update in batches of primary-key ranges",
            "UPDATE orders SET state = status WHERE id BETWEEN 1 AND 10000 AND state IS NULL;");
    static final Rule BATCH_BACKFILL = new Rule("batch-backfill", Risk.UNSAFE,
            "One UPDATE backfilling the whole table locks every row it touches until it commits, bloats the table "
                    + "and can run for hours",
            "Backfill in batches of primary-key ranges with a pause between them, in a DO loop or a script, "
                    + "in its own migration",
            "DO $$ DECLARE lo bigint := 0; BEGIN\n"
                    + "  WHILE lo <= (SELECT max(id) FROM orders) LOOP\n"
                    + "    UPDATE orders SET state = status WHERE id > lo AND id <= lo + 5000 AND state IS NULL;\n"
                    + "    lo := lo + 5000; PERFORM pg_sleep(0.1);\n"
                    + "  END LOOP; END $$;");
    static final Rule MIXED_DDL_DML = new Rule("mixed-ddl-dml", Risk.UNSAFE,
            "Schema changes and a bulk data change on existing tables in one migration: in one transaction the DDL "
                    + "locks are held for as long as the data change runs (a change of a few rows it names, "
                    + "WHERE id = 7 or INSERT ... VALUES, is over at once and does not count)",
            "Split it: a schema migration, then a standalone batched backfill, then the constraint in a third",
            "V7__add_state.sql (ADD COLUMN), V8__backfill_state.sql (batched DO loop), "
                    + "V9__state_not_null.sql (CHECK NOT VALID, VALIDATE)");
    static final Rule EXPLICIT_IDENTITY_INSERT = new Rule("explicit-identity-insert", Risk.BREAKING,
            "INSERT with explicit values for a serial or identity column does not advance its sequence: later "
                    + "inserts fail with duplicate keys",
            "Let the column generate its value, or move the sequence past the inserted values afterwards",
            "SELECT setval(pg_get_serial_sequence('products', 'id'), (SELECT max(id) FROM products));");

    static final Rule COPY_PROGRAM = new Rule("copy-program", Risk.UNKNOWN,
            "COPY ... PROGRAM runs a shell command on the database server as its operating-system user: what it "
                    + "does cannot be checked",
            "Copy through the client (COPY ... TO STDOUT / FROM STDIN, pgjdbc's CopyManager) and run commands "
                    + "outside the database",
            "COPY orders TO STDOUT WITH (FORMAT csv);");

    static final List<Rule> RULES = List.of(UNBOUNDED_DELETE, UNBOUNDED_UPDATE, BATCH_BACKFILL, MIXED_DDL_DML,
            EXPLICIT_IDENTITY_INSERT, COPY_PROGRAM);

    private DataRules() {
    }

    /** SELECT, TABLE, VALUES: the first relation of the top-level FROM, share-locked. */
    static void select(Analysis a, Cursor c) {
        a.kind = c.peek("VALUES") ? "VALUES" : "SELECT";
        if (c.word("TABLE")) {
            a.table = c.name();
            a.lock(LockMode.ACCESS_SHARE);
            return;
        }
        int into = c.findTopLevelWord(c.i, "INTO");
        int from = c.findTopLevelWord(c.i, "FROM");
        if (from >= 0) {
            Cursor f = new Cursor(c.st, from + 1, c.end);
            f.word("ONLY");
            a.table = f.name();
            boolean forUpdate = false;
            for (int k = from; k + 1 < c.end; k++) {
                if (c.st.isWord(k, "FOR") && (c.st.isWord(k + 1, "UPDATE") || c.st.isWord(k + 1, "SHARE")
                        || c.st.isWord(k + 1, "NO") || c.st.isWord(k + 1, "KEY"))) {
                    forUpdate = true;
                }
            }
            if (a.table != null) {
                a.lock(forUpdate ? LockMode.ROW_SHARE : LockMode.ACCESS_SHARE);
            }
        }
        if (into >= 0 && (from < 0 || into < from)) {
            Cursor t = new Cursor(c.st, into + 1, c.end);
            boolean temporary = t.word("TEMP") | t.word("TEMPORARY");
            t.word("UNLOGGED");
            t.word("TABLE");
            String created = t.name();
            if (created != null) {
                a.kind = "SELECT INTO";
                a.context.created(created, temporary, false);
            }
        }
    }

    /** INSERT INTO name [(columns)] ...; the cursor stands after INSERT. */
    static void insert(Analysis a, Cursor c) {
        a.kind = "INSERT";
        c.word("INTO");
        a.table = c.name();
        a.lock(LockMode.ROW_EXCLUSIVE);
        a.dmlOnExisting = !a.context.isNew(a.table);
        if (c.word("AS")) {
            c.name();
        }
        a.fewRows = !c.contains(c.i, c.end, "SELECT") && c.contains(c.i, c.end, "VALUES");
        if (c.peek(TokenType.LPAREN)) {
            int close = c.closing(c.i);
            for (int k = c.i + 1; k < close; k++) {
                if (c.st.is(k, TokenType.WORD) || c.st.is(k, TokenType.QUOTED_IDENT)) {
                    Context.Column col = a.context.column(a.table, c.st.text(k));
                    if (col != null && col.sequenceBacked() && !c.contains(close, c.end, "DEFAULT")) {
                        a.find(EXPLICIT_IDENTITY_INSERT, "INSERT gives " + a.table + "." + c.st.text(k)
                                + " explicit values; its sequence does not move past them");
                        break;
                    }
                }
            }
        }
    }

    /** UPDATE [ONLY] name [*] [[AS] alias] SET ... [FROM ...] [WHERE ...]; the cursor stands after UPDATE. */
    static void update(Analysis a, Cursor c) {
        a.kind = "UPDATE";
        c.word("ONLY");
        a.table = c.name();
        a.lock(LockMode.ROW_EXCLUSIVE);
        boolean isNew = a.context.isNew(a.table);
        a.dmlOnExisting = !isNew;
        Scope scope = target(a, c);
        int where = c.findTopLevelWord(c.i, "WHERE");
        int whereEnd = whereEnd(c, where);
        int from = topLevelFrom(c, c.i, where < 0 ? c.end : where);
        if (from >= 0) {
            FromList.read(c.st, from + 1, where < 0 ? returningOrEnd(c, from) : where, scope::joined);
        }
        boolean unbounded = unbounded(a, c, where, whereEnd, scope);
        a.fewRows = !unbounded && where >= 0 && pointCondition(c.st, where + 1, whereEnd);
        if (isNew) {
            return;
        }
        if (unbounded) {
            a.find(UNBOUNDED_UPDATE, where < 0 ? "UPDATE " + shown(a.table) + " without WHERE overwrites every row"
                    : "UPDATE " + shown(a.table) + " has a WHERE that does not restrict its rows (" + reason(scope) + ")");
        }
        if (a.context.isMigration() && (unbounded || Conditions.onlyNullTests(c.st, where + 1, whereEnd))) {
            a.find(BATCH_BACKFILL, "UPDATE " + shown(a.table) + " backfills the whole table in one transaction");
        }
    }

    /** DELETE FROM [ONLY] name [*] [[AS] alias] [USING ...] [WHERE ...]; the cursor stands after DELETE. */
    static void delete(Analysis a, Cursor c) {
        a.kind = "DELETE";
        c.word("FROM");
        c.word("ONLY");
        a.table = c.name();
        a.lock(LockMode.ROW_EXCLUSIVE);
        a.dmlOnExisting = !a.context.isNew(a.table);
        Scope scope = target(a, c);
        int where = c.findTopLevelWord(c.i, "WHERE");
        if (c.word("USING")) {
            FromList.read(c.st, c.i, where < 0 ? returningOrEnd(c, c.i) : where, scope::joined);
        }
        boolean unbounded = unbounded(a, c, where, whereEnd(c, where), scope);
        a.fewRows = !unbounded && where >= 0 && pointCondition(c.st, where + 1, whereEnd(c, where));
        if (unbounded && a.dmlOnExisting && !isLockTable(a.table)) {
            a.find(UNBOUNDED_DELETE, where < 0 ? "DELETE FROM " + shown(a.table) + " without WHERE deletes every row"
                    : "DELETE FROM " + shown(a.table) + " has a WHERE that does not restrict its rows (" + reason(scope)
                    + ")");
        }
    }

    /** A target's name for a message; one pgguard cannot read is said to be so, not printed as "null". */
    private static String shown(String table) {
        return table == null ? "a table pgguard cannot name" : table;
    }

    /** The target's name and alias, read after its name; the cursor moves past the alias. */
    private static Scope target(Analysis a, Cursor c) {
        Scope scope = new Scope(a.table, a.context.cteTables);
        if (c.peek(TokenType.OPERATOR) && c.st.text(c.i).equals("*")) {
            c.i++;
        }
        scope.alias(FromList.alias(c));
        return scope;
    }

    private static String reason(Scope scope) {
        return scope.joinsAny()
                ? "it can hold for every row; a join condition must name a column of the target"
                : "it can hold for every row";
    }

    /** The top-level FROM of an UPDATE in [from, to), not the FROM of IS DISTINCT FROM; or -1. */
    private static int topLevelFrom(Cursor c, int from, int to) {
        int k = from;
        while (true) {
            k = new Cursor(c.st, k, to).findTopLevelWord(k, "FROM");
            if (k < 0 || !c.st.isWord(k - 1, "DISTINCT")) {
                return k;
            }
            k++;
        }
    }

    private static int returningOrEnd(Cursor c, int from) {
        int returning = c.findTopLevelWord(from, "RETURNING");
        return returning < 0 ? c.end : returning;
    }

    /**
     * Liquibase's lock table holds one row of lock state, which Liquibase itself re-initialises with an unbounded
     * DELETE; emptying it releases a lock and loses no data. (Its history table, databasechangelog, is not exempt.)
     */
    private static boolean isLockTable(String table) {
        return "databasechangeloglock".equals(Cursor.key(table));
    }

    /**
     * MERGE INTO target [[AS] alias] USING source ON join WHEN ...: a WHEN MATCHED that deletes or updates is as
     * bounded as the join and its own condition; a WHEN NOT MATCHED BY SOURCE (17+) that does, only by its own
     * condition (it acts on every target row the source does not match).
     */
    static void merge(Analysis a, Cursor c) {
        a.kind = "MERGE";
        c.word("INTO");
        c.word("ONLY");
        a.table = c.name();
        a.lock(LockMode.ROW_EXCLUSIVE);
        a.dmlOnExisting = !a.context.isNew(a.table);
        Scope scope = target(a, c);
        if (!c.word("USING")) {
            return;
        }
        int on = c.findTopLevelWord(c.i, "ON");
        if (on < 0) {
            return;
        }
        FromList.read(c.st, c.i, on, scope::joined);
        List<Integer> whens = topLevelWords(c.st, on + 1, c.end, "WHEN");
        whens.add(c.end);
        Conditions.Evaluation ev = new Conditions.Evaluation();
        Conditions.Bound join = Conditions.bound(c.st, on + 1, whens.get(0), scope, ev);
        for (int w = 0; w + 1 < whens.size(); w++) {
            Cursor when = new Cursor(c.st, whens.get(w) + 1, whens.get(w + 1));
            boolean bySource;
            if (when.word("MATCHED")) {
                bySource = false;
            } else if (when.words("NOT", "MATCHED") && when.words("BY", "SOURCE")) {
                bySource = true;
            } else {
                continue; // WHEN NOT MATCHED [BY TARGET]: inserts
            }
            List<Integer> thens = topLevelWords(c.st, when.i, when.end, "THEN");
            if (thens.isEmpty()) {
                continue;
            }
            int then = thens.get(0);
            Conditions.Bound own = when.word("AND")
                    ? Conditions.bound(c.st, when.i, then, scope, ev) : Conditions.Bound.TRUE;
            Conditions.Bound rows = bySource ? own : join.and(own);
            if (!a.dmlOnExisting || !rows.unbounded()) {
                continue;
            }
            String clause = bySource ? "WHEN NOT MATCHED BY SOURCE" : "WHEN MATCHED";
            String why = bySource ? "acts on every row of " + a.table + " that the source does not match"
                    : "joins on a condition that does not restrict the rows of " + a.table;
            if (c.st.isWord(then + 1, "DELETE")) {
                a.find(UNBOUNDED_DELETE, "MERGE INTO " + a.table + " " + clause + " THEN DELETE " + why
                        + ": it can delete every row");
            } else if (c.st.isWord(then + 1, "UPDATE")) {
                a.find(UNBOUNDED_UPDATE, "MERGE INTO " + a.table + " " + clause + " THEN UPDATE " + why
                        + ": it can overwrite every row");
            }
        }
        a.readsLiterals |= ev.readsLiterals;
    }

    /** The positions of the word in [from, to) outside parentheses and CASE ... END. */
    private static List<Integer> topLevelWords(SqlStatement st, int from, int to, String word) {
        List<Integer> out = new java.util.ArrayList<>(3);
        int depth = 0;
        int cases = 0;
        for (int k = from; k < to; k++) {
            depth += Conditions.step(st, k);
            cases = Math.max(0, cases + Conditions.caseStep(st, k, depth));
            if (depth == 0 && cases == 0 && st.isWord(k, word)) {
                out.add(k);
            }
        }
        return out;
    }

    /**
     * COPY name FROM ... loads rows; COPY name TO reads them; COPY (query) TO runs the query, which may be a
     * data-modifying statement with RETURNING. TO PROGRAM and FROM PROGRAM run a shell command on the server.
     */
    static void copy(Analysis a, Cursor c, Classifier classifier) {
        if (c.peek(TokenType.LPAREN)) {
            a.kind = "COPY TO";
            int close = c.closing(c.i);
            a.fold(classifier.nested(a, sub(c.st, c.i + 1, close)), false);
            c.i = Math.min(c.end, close + 1);
            c.word("TO");
            program(a, c);
            return;
        }
        a.table = c.name();
        c.skipGroup();
        if (c.word("FROM")) {
            a.kind = "COPY FROM";
            a.lock(LockMode.ROW_EXCLUSIVE);
            a.dmlOnExisting = !a.context.isNew(a.table);
        } else {
            c.word("TO");
            a.kind = "COPY TO";
            a.lock(LockMode.ACCESS_SHARE);
        }
        program(a, c);
    }

    private static void program(Analysis a, Cursor c) {
        if (c.word("PROGRAM")) {
            a.find(COPY_PROGRAM);
        }
    }

    /**
     * WITH [RECURSIVE] name AS [NOT] [MATERIALIZED] (statement) [, ...] statement: each CTE body and the main
     * statement are classified as what they are, and the strictest gives the kind.
     */
    static void with(Analysis a, Cursor c, Classifier classifier) {
        c.word("RECURSIVE");
        Classification strictest = null;
        java.util.Map<String, String> wholeTables = new java.util.HashMap<>(2);
        while (!c.atEnd()) {
            String name = c.name();
            c.skipGroup();
            c.word("AS");
            c.word("NOT");
            c.word("MATERIALIZED");
            if (!c.peek(TokenType.LPAREN)) {
                break;
            }
            int close = c.closing(c.i);
            String whole = FromList.unrestrictedSource(c.st, c.i + 1, close);
            if (name != null && whole != null) {
                wholeTables.put(Cursor.key(name), whole);
            }
            Classification cte = classifier.nested(a, sub(c.st, c.i + 1, close));
            a.fold(cte, false);
            if (strictest == null || cte.risk().compareTo(strictest.risk()) > 0) {
                strictest = cte;
            }
            c.i = close + 1;
            if (!c.take(TokenType.COMMA)) {
                break;
            }
        }
        // A CTE that reads a whole table stands for that table where the main statement joins it.
        java.util.Map<String, String> outer = a.context.cteTables;
        if (!wholeTables.isEmpty()) {
            java.util.Map<String, String> inner = new java.util.HashMap<>(outer);
            inner.putAll(wholeTables);
            a.context.cteTables = inner;
        }
        Classification main;
        try {
            main = c.atEnd() ? null : classifier.nested(a, sub(c.st, c.i, c.end));
        } finally {
            a.context.cteTables = outer;
        }
        if (main != null) {
            a.fold(main, false);
        }
        // The main statement names the kind unless a data-modifying CTE is stricter: a DELETE in a CTE is a DELETE.
        Classification kind = main == null || strictest != null && strictest.risk().compareTo(main.risk()) > 0
                ? strictest : main;
        a.kind = kind == null ? "SELECT" : kind.kind();
        if (kind != null && kind.table() != null) {
            a.table = kind.table();
        }
    }

    /** The tokens [from, to) of a statement as a statement of their own. */
    static SqlStatement sub(SqlStatement st, int from, int to) {
        int start = Math.min(Math.max(0, from), st.size());
        int stop = Math.min(Math.max(start, to), st.size());
        return new SqlStatement(st.source(), st.tokens().subList(start, stop), List.of(), st.line(), st.column(),
                null);
    }

    /**
     * Takes {@code explicit-identity-insert} off the inserts of a file that a later statement of the same file
     * makes moot by moving the sequence past them ({@code setval}).
     */
    static void dropMootIdentityInserts(List<Classification> file) {
        boolean setvalLater = false;
        for (int i = file.size() - 1; i >= 0; i--) {
            Classification c = file.get(i);
            if (setvalLater && c.hasRule(EXPLICIT_IDENTITY_INSERT.id())) {
                file.set(i, c.without(java.util.Set.of(EXPLICIT_IDENTITY_INSERT.id())));
            }
            setvalLater |= callsSetval(c.statement());
        }
    }

    /** Where the last statement of {@code text} that calls setval starts, or -1. */
    static int lastSetvalCall(String text) {
        if (!containsIgnoreCase(text, "setval")) {
            return -1;
        }
        int last = -1;
        for (java.util.Iterator<SqlStatement> it = io.pgguard.sql.Lexer.statements(text, 0, true); it.hasNext(); ) {
            SqlStatement st = it.next();
            if (callsSetval(st)) {
                last = st.start();
            }
        }
        return last;
    }

    /** The classification without its explicit-identity-insert finding when a later statement calls setval. */
    static Classification mootIdentityInsert(Classification c, int lastSetvalCall) {
        if (lastSetvalCall > c.statement().start() && c.hasRule(EXPLICIT_IDENTITY_INSERT.id())) {
            return c.without(java.util.Set.of(EXPLICIT_IDENTITY_INSERT.id()));
        }
        return c;
    }

    private static boolean containsIgnoreCase(String text, String word) {
        int n = word.length();
        for (int i = 0; i + n <= text.length(); i++) {
            if (text.regionMatches(true, i, word, 0, n)) {
                return true;
            }
        }
        return false;
    }

    private static boolean callsSetval(SqlStatement st) {
        for (int i = 0; i + 1 < st.size(); i++) {
            if (st.isWord(i, "SETVAL") && st.is(i + 1, TokenType.LPAREN)) {
                return true;
            }
        }
        return false;
    }

    /** In a migration, a statement mixing schema and data changes on existing tables in one file. */
    static void checkMixed(Analysis a) {
        if (!a.context.isMigration()) {
            return;
        }
        if (a.ddlOnExisting) {
            if (a.context.dmlOnExisting) {
                a.find(MIXED_DDL_DML, "Schema change after data changes in the same migration");
            }
            a.context.ddlOnExisting = true;
        }
        // what the rule is for: a transaction that holds a schema change's lock while a data change of many rows
        // runs (or the other way round); a change of a few rows it names is over at once
        if (a.dmlOnExisting && !a.fewRows) {
            if (a.context.ddlOnExisting) {
                a.find(MIXED_DDL_DML, "Data change after schema changes in the same migration");
            }
            a.context.dmlOnExisting = true;
        }
    }

    /**
     * Whether a WHERE (tokens [from, to)) names its rows: an AND, with no OR at the top, of conditions one of which
     * is a column equal to a value ({@code id = 7}, {@code id = ?}) or in a list of values ({@code id IN (1, 2)}).
     */
    static boolean pointCondition(SqlStatement st, int from, int to) {
        boolean names = false;
        int depth = 0;
        for (int k = from; k < to; k++) {
            if (depth == 0) {
                if (st.isWord(k, "OR")) {
                    return false;
                }
                boolean column = st.is(k, TokenType.WORD) || st.is(k, TokenType.QUOTED_IDENT);
                if (column && st.is(k + 1, TokenType.OPERATOR) && st.text(k + 1).equals("=")
                        && k + 2 < to && st.type(k + 2).isLiteral()
                        && (k + 3 >= to || st.isWord(k + 3, "AND"))) {
                    names = true;
                }
                if (column && st.isWord(k + 1, "IN") && st.is(k + 2, TokenType.LPAREN)) {
                    boolean values = true;
                    int j = k + 3;
                    for (; j < to && !st.is(j, TokenType.RPAREN); j++) {
                        values &= st.type(j).isLiteral() || st.is(j, TokenType.COMMA);
                    }
                    names |= values && j > k + 3;
                }
            }
            depth += Conditions.step(st, k);
        }
        return names;
    }

    private static int whereEnd(Cursor c, int where) {
        if (where < 0) {
            return -1;
        }
        int returning = c.findTopLevelWord(where, "RETURNING");
        return returning < 0 ? c.end : returning;
    }

    private static boolean unbounded(Analysis a, Cursor c, int where, int whereEnd, Scope scope) {
        if (where < 0) {
            return true;
        }
        if (c.st.isWords(where + 1, "CURRENT", "OF")) {
            return false;
        }
        Conditions.Evaluation ev = new Conditions.Evaluation();
        boolean unbounded = Conditions.unbounded(c.st, where + 1, whereEnd, scope, ev);
        a.readsLiterals |= ev.readsLiterals;
        return unbounded;
    }
}
