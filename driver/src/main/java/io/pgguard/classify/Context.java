package io.pgguard.classify;

import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;

/**
 * What earlier statements of one run established, for the statements after them: the tables and column types
 * they created (for the whole run), and, per migration file, which relations are new and still empty, the
 * timeouts set, and whether a transaction is open. A context for single statements ({@link #statements()})
 * applies no file-level rules.
 */
public final class Context {

    /** Where temporary relations live, whatever the statement wrote. */
    private static final String TEMP_SCHEMA = "pg_temp";

    /** A column as an earlier CREATE TABLE or ADD COLUMN declared it; sequence-backed: serial or identity. */
    record Column(ColumnType type, boolean sequenceBacked) {
    }

    private final boolean migration;
    /** The statements arrive in one string: PostgreSQL runs them in one implicit transaction. */
    private final boolean oneString;
    private final Map<String, Map<String, Column>> tables = new HashMap<>();
    private final Set<String> newInFile = new HashSet<>();
    /** Indexes created in this run, by lookup key, with their table as written. */
    private Map<String, String> indexTables;
    /** CHECK (col IS NOT NULL) constraints by name: {table, column}. */
    private final Map<String, String[]> notNullChecks = new HashMap<>();
    /** "table.column" pairs a valid CHECK (col IS NOT NULL) covers, so SET NOT NULL skips its scan (12+). */
    private final Set<String> provenNotNull = new HashSet<>();
    /** "table.column" pairs an earlier SET NOT NULL covers. */
    private final Set<String> notNullColumns = new HashSet<>();
    /**
     * Routines and prepared statements defined in this run whose running is not safe, by {@link #callKey}: what
     * calling them does, as their bodies read. A routine replaced by a safe body, or dropped, is removed.
     */
    private Map<String, Classification> routines;
    /** The routines this context defined or dropped (null: dropped), for a connection to remember. */
    private Map<String, Classification> routineChanges;
    /**
     * The names (lookup keys) of the functions and procedures the statements call, which a connection may look up in
     * the catalog; a routine body's context adds to its parent's. Null while there are none.
     */
    private Set<String> calls;
    /** The context whose {@link #calls} and {@link #columnsAsked} a routine body's context adds to, or null. */
    private Context parent;
    /**
     * Columns whose type a statement changed without pgguard knowing the type they had, as
     * {@code table + '\u0000' + column} as written: the catalog of the connected server knows it. Null while none.
     */
    private Set<String> columnsAsked;
    /**
     * While a WITH's main statement is classified: its CTEs that read a whole table, by CTE name, with that table
     * (a join with one is a self-join).
     */
    Map<String, String> cteTables = Map.of();
    /**
     * A session setting as SET, SET LOCAL, BEGIN, COMMIT and ROLLBACK leave it: its value now, the session's value
     * (which a SET LOCAL does not change, and which returns when the transaction ends), and the session's value when
     * the open transaction began (which a ROLLBACK restores).
     */
    private static final class Setting {
        Boolean now;
        Boolean session;
        Boolean atBegin;

        Setting(Boolean initial) {
            now = initial;
            session = initial;
            atBegin = initial;
        }

        void set(Boolean value, boolean local) {
            if (!local) {
                session = value;
            }
            now = value;
        }

        void began() {
            atBegin = session;
        }

        void ended(boolean committed) {
            if (!committed) {
                session = atBegin;
            }
            now = session;
        }
    }

    /**
     * How the server reads {@code '...'} strings now ({@code strings.now}): TRUE as written
     * ({@code standard_conforming_strings} on, the default), FALSE with backslash escapes, null when pgguard cannot
     * tell.
     */
    private Setting strings = new Setting(Boolean.TRUE);
    /**
     * An earlier statement of an application's string changed the setting: the server reads the rest of the string
     * with the old value in the simple protocol and with the new one in the extended protocol.
     */
    private boolean stringsChangedInString;
    /** A statement classified in this context changed how strings are read, or may have. */
    private boolean stringsTouched;
    boolean lockTimeout;
    boolean statementTimeout;
    /**
     * Whether the session's TimeZone is UTC, as SET timezone in the file left it (TRUE, FALSE), or null when it
     * was not set: a timestamp / timestamptz change does not rewrite under UTC (PostgreSQL 12+).
     */
    private Setting timeZoneUtc = new Setting(null);
    boolean inTransaction;
    boolean ddlOnExisting;
    boolean dmlOnExisting;

    private Context(boolean migration, boolean oneString) {
        this.migration = migration;
        this.oneString = oneString;
    }

    /** A context for a migration run (lint): file-level rules apply and earlier statements are remembered. */
    public static Context migration() {
        return new Context(true, false);
    }

    /** A context for statements an application sends one string at a time. */
    public static Context statements() {
        return new Context(false, false);
    }

    /** A context for the statements of one string an application sends, which run in one implicit transaction. */
    public static Context oneString() {
        return new Context(false, true);
    }

    /**
     * A context for an application's string on a connection whose earlier statements defined the given routines
     * (as {@link #routineChanges()} reported them) and whose open transaction created the given relations.
     */
    public static Context onConnection(java.util.Collection<String> relations, Map<String, Classification> routines,
                                       boolean oneString, Boolean standardStrings) {
        Context c = new Context(false, oneString);
        c.newInFile.addAll(relations);
        c.routines = routines.isEmpty() ? null : new HashMap<>(routines);
        c.strings.now = standardStrings;
        c.strings.session = standardStrings;
        return c;
    }

    /**
     * The routines and prepared statements the statements classified so far defined (with what running them does)
     * or dropped (mapped to null), by lookup key; a connection that ran them remembers the change.
     */
    public Map<String, Classification> routineChanges() {
        if (routineChanges == null) {
            return Map.of();
        }
        return java.util.Collections.unmodifiableMap(new HashMap<>(routineChanges));
    }

    /** A statement calls a function or procedure of this name (as written). */
    void calls(String name) {
        Context root = this;
        while (root.parent != null) {
            root = root.parent;
        }
        if (root.calls == null) {
            root.calls = new HashSet<>();
        }
        root.calls.add(callKey(name));
    }

    /** The lookup keys of the routines the statements classified in this context call. */
    public java.util.List<String> calls() {
        return calls == null ? java.util.List.of() : java.util.List.copyOf(calls);
    }

    /** A statement changes the type of a column pgguard does not know the type of. */
    void askColumn(String relation, String column) {
        Context root = this;
        while (root.parent != null) {
            root = root.parent;
        }
        if (root.columnsAsked == null) {
            root.columnsAsked = new HashSet<>();
        }
        root.columnsAsked.add(relation + '\u0000' + column);
    }

    /**
     * The columns whose current type the statements needed and pgguard did not know, as
     * {@code table + '\u0000' + column}, both as written.
     */
    public java.util.List<String> columnsAsked() {
        return columnsAsked == null ? java.util.List.of() : java.util.List.copyOf(columnsAsked);
    }

    /**
     * The connected server says the column has this type ({@code format_type}'s text): a type change of it is
     * judged from it.
     */
    public void knownColumnType(String relation, String column, String type) {
        java.util.List<io.pgguard.sql.SqlStatement> parsed = io.pgguard.sql.Lexer.split(type);
        if (parsed.size() != 1) {
            return;
        }
        ColumnType t = ColumnType.read(new Cursor(parsed.get(0)));
        if (t != null) {
            column(relation, column, t, false);
        }
    }

    /** The lookup key of a routine's name (schema and argument types dropped: every overload counts). */
    static String callKey(String name) {
        return Cursor.key(name);
    }

    /** The lookup key of a prepared statement's name; apart from routines' keys. */
    static String preparedKey(String name) {
        return "\u0001" + Cursor.key(name);
    }

    /**
     * A context to read a routine's body in: it knows the routines defined so far (a body may call them), and
     * nothing the body does (a table it creates, a SET) counts for the statements after the CREATE, which does not
     * run it.
     */
    Context forRoutineBody() {
        Context c = new Context(false, false);
        c.parent = this;
        c.routines = routines == null ? null : new HashMap<>(routines);
        c.strings.now = strings.now;
        c.strings.session = strings.now;
        return c;
    }

    /** A routine or prepared statement was defined: running it does what {@code body} says. */
    void defined(String key, Classification body) {
        if (body.risk() == Risk.SAFE) {
            if (routines != null) {
                routines.remove(key);
            }
        } else {
            if (routines == null) {
                routines = new HashMap<>();
            }
            routines.put(key, body);
        }
        changed(key, body);
    }

    private void changed(String key, Classification body) {
        if (routineChanges == null) {
            routineChanges = new HashMap<>();
        }
        routineChanges.put(key, body);
    }

    void undefined(String key) {
        if (routines != null) {
            routines.remove(key);
        }
        changed(key, null);
    }

    /** What running the routine or prepared statement of this key does, when it is not safe; else null. */
    Classification routine(String key) {
        return routines == null ? null : routines.get(key);
    }

    boolean knowsRoutines() {
        return routines != null && !routines.isEmpty();
    }

    /** The lookup keys of the relations created by the statements classified in this context so far. */
    public Set<String> createdKeys() {
        return Set.copyOf(newInFile);
    }

    boolean isOneString() {
        return oneString;
    }

    public boolean isMigration() {
        return migration;
    }

    /**
     * How the server reads {@code '...'} strings at this point: TRUE as written, FALSE with backslash escapes, null
     * when it cannot be told.
     */
    public Boolean standardStrings() {
        return strings.now;
    }

    /**
     * Whether pgguard cannot be sure how the server reads a {@code '...'} string holding a backslash here: the
     * setting is unknown, or an earlier statement of the same application string changed it.
     */
    boolean stringsUncertain() {
        return strings.now == null || stringsChangedInString;
    }

    /** SET [LOCAL] standard_conforming_strings, RESET or set_config: {@code value} null when not a known value. */
    void setStandardStrings(Boolean value, boolean local) {
        if (localIgnored(local)) {
            return;
        }
        if (!java.util.Objects.equals(strings.now, value)) {
            stringsTouched = true;
            stringsChangedInString |= !migration;
        }
        strings.set(value, local);
    }

    /** SET [LOCAL] timezone, RESET: {@code utc} null when the value is not known to be UTC or not. */
    void setTimeZoneUtc(Boolean utc, boolean local) {
        if (!localIgnored(local)) {
            timeZoneUtc.set(utc, local);
        }
    }

    /** In a migration file, outside a transaction block, a SET LOCAL has no effect. */
    private boolean localIgnored(boolean local) {
        return local && !inTransaction && migration;
    }

    /**
     * Whether the statements classified so far changed how the server reads strings, or may have: statements sent
     * after them (a later item of the same batch) cannot be read with the value the session has now.
     */
    public boolean changesStringReading() {
        return stringsTouched;
    }

    /** BEGIN: a ROLLBACK restores what the session has now. */
    void transactionBegan() {
        inTransaction = true;
        timeZoneUtc.began();
        strings.began();
    }

    /** COMMIT or ROLLBACK: SET LOCAL ends, and a ROLLBACK undoes the transaction's SETs. */
    void transactionEnded(boolean committed) {
        inTransaction = false;
        timeZoneUtc.ended(committed);
        Boolean before = strings.now;
        strings.ended(committed);
        if (!java.util.Objects.equals(before, strings.now) && !migration) {
            stringsChangedInString = true;
        }
    }

    /** Whether the session's TimeZone is known to be UTC here. */
    boolean timeZoneIsUtc() {
        return Boolean.TRUE.equals(timeZoneUtc.now);
    }

    /** Starts a new migration file: its relations are no longer new, and its session settings start over. */
    public void startFile() {
        newInFile.clear();
        lockTimeout = false;
        statementTimeout = false;
        timeZoneUtc = new Setting(null);
        inTransaction = false;
        strings = new Setting(Boolean.TRUE);
        ddlOnExisting = false;
        dmlOnExisting = false;
    }

    void created(String relation) {
        created(relation, false, false);
    }

    /**
     * {@code relation} was created: new and empty for the statements after it. Outside a migration file, a
     * {@code CREATE ... IF NOT EXISTS} may have found the relation there already, full of data, so it makes
     * nothing new; a migration file (lint) is read as running once, in order, where it does create. A temporary
     * table is this session's own either way: no other session sees it or waits for it.
     */
    void created(String relation, boolean temporary, boolean ifNotExists) {
        tables.putIfAbsent(Cursor.key(relation), new HashMap<>());
        if (!ifNotExists || migration || temporary) {
            newInFile.add(newKey(temporary ? TEMP_SCHEMA : Cursor.qualifierKey(relation), Cursor.key(relation)));
        }
    }

    void dropped(String relation) {
        String entry = newEntry(relation);
        if (entry != null) {
            newInFile.remove(entry);
        }
        tables.remove(Cursor.key(relation));
    }

    /**
     * Whether the relation was created earlier in this file, so it is empty and nobody else uses it yet. The name
     * must be qualified as it was when created: {@code public.orders} is not the {@code orders} a statement
     * created unqualified (the search path may put another schema first) nor a temporary {@code orders}. An
     * unqualified name finds a temporary table first, as the server does.
     */
    boolean isNew(String relation) {
        return relation != null && newEntry(relation) != null;
    }

    /** The key of {@link #newInFile} that {@code relation} names, as {@link #isNew} reads it, or null. */
    private String newEntry(String relation) {
        String qualifier = Cursor.qualifierKey(relation);
        String name = Cursor.key(relation);
        String written = newKey(qualifier, name);
        if (newInFile.contains(written)) {
            return written;
        }
        String temporary = newKey(TEMP_SCHEMA, name);
        return qualifier.isEmpty() && newInFile.contains(temporary) ? temporary : null;
    }

    /** A key of {@link #newInFile}: qualifier and name apart by a character no identifier holds. */
    private static String newKey(String qualifier, String name) {
        return qualifier + '\0' + name;
    }

    /** An index created in this run, on {@code table}: an index statement locks that table too. */
    void index(String index, String table) {
        if (index != null && table != null) {
            if (indexTables == null) {
                indexTables = new HashMap<>();
            }
            indexTables.put(Cursor.key(index), table);
        }
    }

    /** The table of an index created in this run, or null when pgguard did not see it created. */
    String indexTable(String index) {
        return index == null || indexTables == null ? null : indexTables.get(Cursor.key(index));
    }

    void column(String relation, String column, ColumnType type, boolean sequenceBacked) {
        Map<String, Column> columns = tables.get(Cursor.key(relation));
        if (columns == null) {
            columns = new HashMap<>();
            tables.put(Cursor.key(relation), columns);
        }
        columns.put(Cursor.key(column), new Column(type, sequenceBacked));
    }

    Column column(String relation, String column) {
        Map<String, Column> columns = tables.get(Cursor.key(relation));
        return columns == null ? null : columns.get(Cursor.key(column));
    }

    void renameColumn(String relation, String from, String to) {
        Map<String, Column> columns = tables.get(Cursor.key(relation));
        if (columns != null) {
            Column c = columns.remove(Cursor.key(from));
            if (c != null) {
                columns.put(Cursor.key(to), c);
            }
        }
    }

    void dropColumn(String relation, String column) {
        Map<String, Column> columns = tables.get(Cursor.key(relation));
        if (columns != null) {
            columns.remove(Cursor.key(column));
        }
    }

    void notNullCheck(String constraint, String table, String column, boolean valid) {
        if (constraint != null) {
            notNullChecks.put(Cursor.key(constraint), new String[] {Cursor.key(table), Cursor.key(column)});
        }
        if (valid) {
            provenNotNull.add(Cursor.key(table) + "." + Cursor.key(column));
        }
    }

    void validated(String constraint) {
        String[] check = notNullChecks.get(Cursor.key(constraint));
        if (check != null) {
            provenNotNull.add(check[0] + "." + check[1]);
        }
    }

    /** The column is NOT NULL now: a CHECK (column IS NOT NULL) on it guarantees nothing more. */
    void markedNotNull(String table, String column) {
        notNullColumns.add(Cursor.key(table) + "." + Cursor.key(column));
    }

    /** Whether the named constraint is a CHECK (col IS NOT NULL) whose column has since been SET NOT NULL. */
    boolean isRedundantNotNullCheck(String constraint) {
        String[] check = notNullChecks.get(Cursor.key(constraint));
        return check != null && notNullColumns.contains(check[0] + "." + check[1]);
    }

    boolean provenNotNull(String table, String column) {
        return provenNotNull.contains(Cursor.key(table) + "." + Cursor.key(column));
    }
}
