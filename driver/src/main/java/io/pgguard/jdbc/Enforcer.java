package io.pgguard.jdbc;

import io.pgguard.GuardBlockedException;
import io.pgguard.GuardEvent;
import io.pgguard.GuardListeners;
import io.pgguard.classify.Classification;
import io.pgguard.classify.Finding;
import io.pgguard.classify.LockMode;
import io.pgguard.classify.Risk;
import io.pgguard.policy.Action;
import io.pgguard.policy.Decision;
import io.pgguard.policy.Guard;
import io.pgguard.policy.VerdictCache;
import io.pgguard.policy.Target;
import io.pgguard.policy.Verdict;
import org.postgresql.core.QueryExecutor;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Enforces the guard's verdicts on one connection: checks SQL before it is sent, throws for a block, logs a warning
 * once per statement fingerprint per connection (a hot prepared statement does not flood the log), and keeps what
 * the connection's earlier statements established (relations new to the open transaction, routines it defined).
 * It is the connection's {@link VerdictCache.Memo}, so the memo lives in the object every check reads anyway.
 */
final class Enforcer extends VerdictCache.Memo {

    /** Logger of decisions: one WARN per warned statement, one ERROR per blocked one. */
    static final GuardLog LOG = GuardLog.named("io.pgguard.guard");

    /** Fingerprints remembered per connection before the set starts over. */
    private static final int WARNED_LIMIT = 1024;

    private final Set<String> warned = ConcurrentHashMap.newKeySet();
    /** Relations created by the open transaction: new, empty and invisible to other sessions until it ends. */
    private final Set<String> createdInTransaction = ConcurrentHashMap.newKeySet();
    private volatile boolean autoCommit = true;
    /**
     * Routines and prepared statements this connection defined whose running is not safe, with what calling them
     * does (as their bodies read); null while there are none, so the common check reads one field.
     */
    private volatile Map<String, Classification> routines;
    /** How many times {@link #routines} changed: a prepared statement decided before a change decides again. */
    private volatile int routineDefinitions;

    /**
     * pgjdbc's query executor, which follows the server's reports of standard_conforming_strings (at connect time
     * and after every change, whatever made it); null when it cannot be reached, and then the setting is unknown.
     */
    private final QueryExecutor pgjdbc;

    /**
     * Asks the connected server what static rules guess (a table's size and lock holders, routine bodies, column
     * types) and sets lock_timeout around a statement; null where there is nothing to ask (a local target, or only
     * pgjdbc's executor is known).
     */
    private final LiveProbe probe;

    /** Names of routines looked up in the server's catalog since it last changed (this connection's DDL). */
    private final Set<String> lookedUp = ConcurrentHashMap.newKeySet();
    /** Of those, the ones whose running is not safe, with what running them does (the worst overload). */
    private final Map<String, Classification> catalogRoutines = new ConcurrentHashMap<>();

    /** How long what was read of the catalog is used before it is read again (another session may change it). */
    private static final long CATALOG_TTL_NANOS = 60_000_000_000L;
    /** Statements that asked {@link #catalog} (every 256th looks at the time), and since when the answers are. */
    private int catalogCalls;
    private volatile long catalogSince = System.nanoTime();

    /** Changes whenever {@link #lookedUp} or {@link #catalogRoutines} does. */
    private volatile int catalogEpoch;
    private volatile CatalogAnswer lastAnswer;

    /** pgguard.lockTimeout in milliseconds, or -1: read here, where the hot path reads its other fields. */
    private final long lockTimeoutMs;

    /** The session's lock_timeout (pg_settings' milliseconds) to restore once the running statement ends; or null. */
    private volatile String lockTimeoutToRestore;

    /** How many rounds of lookups a call may take (a routine calling a routine ... ) before pgguard gives up. */
    private static final int CATALOG_ROUNDS = 16;

    Enforcer(Guard guard, QueryExecutor pgjdbc) {
        this(guard, pgjdbc, null);
    }

    Enforcer(Guard guard, QueryExecutor pgjdbc, LiveProbe probe) {
        super(guard);
        this.pgjdbc = pgjdbc;
        this.probe = probe;
        this.lockTimeoutMs = probe == null ? -1 : guard.policy().live().lockTimeoutMs();
    }

    /** Whether the current thread runs the guard's own question to the server (the agent lets it pass). */
    boolean asking() {
        return probe != null && probe.asking();
    }

    /** How the server reads '...' strings now: TRUE as written, FALSE with backslash escapes, null unknown. */
    Boolean standardStrings() {
        return pgjdbc == null ? null : pgjdbc.getStandardConformingStrings();
    }

    Target target() {
        return guard().target();
    }

    /**
     * Checks SQL about to be sent: throws when it is blocked, logs warnings; returns what {@link #enforce}
     * returns, for {@link #ran} once the statement has run.
     */
    Verdict check(String sql) throws GuardBlockedException {
        return admit(decide(sql));
    }

    /**
     * Decides SQL (at prepare time): warnings are logged now, once per fingerprint per connection; an override
     * is logged every time, since each use is a deliberate act worth an audit line; a block is thrown by
     * {@link #enforce}. Deciding changes nothing: what a statement creates counts only once it has run.
     */
    Verdict decide(String sql) {
        if (!GuardListeners.active()) {
            return decideNow(sql);
        }
        long start = System.nanoTime();
        Verdict v = decideNow(sql);
        lastDecideNanos = System.nanoTime() - start;
        return v;
    }

    private Verdict decideNow(String sql) {
        String text = sql == null ? "" : sql;
        Verdict v = verdict(text);
        LiveProbe live = probe;
        // The shared verdict reads '...' strings as written; one that holds a backslash is read again as this
        // session's server reads it, whenever that is not certain to be the same.
        Boolean standard = v.readsBackslashes() ? standardStrings() : Boolean.TRUE;
        Map<String, Classification> known = routines;
        boolean calls = known != null && mentionsAny(text, known);
        Verdict.Asks asks = live == null ? null : v.asks();
        Map<String, Classification> fromCatalog = asks == null || asks.calls().isEmpty() ? null : catalog(v, asks);
        Map<String, String> columnTypes = asks == null || asks.columns().isEmpty() ? null
                : live.columnTypes(asks.columns());
        if (calls || fromCatalog != null || columnTypes != null && !columnTypes.isEmpty()
                || standard != Boolean.TRUE) {
            Map<String, Classification> bodies = fromCatalog == null ? (calls ? known : Map.of())
                    : merged(fromCatalog, known);
            v = guard().checkOnConnection(text, Set.copyOf(createdInTransaction), bodies, standard,
                    columnTypes == null ? Map.of() : columnTypes);
        } else if (v.action() != Action.ALLOW && !createdInTransaction.isEmpty()) {
            v = guard().checkOnConnection(text, Set.copyOf(createdInTransaction), Map.of(), Boolean.TRUE);
        }
        if (v.action() == Action.WARN) {
            v = warn(v, live);
        }
        return v;
    }

    /**
     * Logs the warnings of a verdict: once per fingerprint per connection, an override every time. For a
     * lock-taking statement against a non-local target the server is asked about its table first: a lock-risk
     * warning about an empty table nobody holds a lock on is not worth logging (nor is it remembered as logged), and
     * with pgguard.largeTable the policy may make it a block, asked at every run.
     */
    private Verdict warn(Verdict v, LiveProbe live) {
        boolean everyRun = guard().policy().live().largeTableSet();
        List<Decision> ds = v.decisions();
        for (int i = 0; i < ds.size(); i++) {
            Decision d = ds.get(i);
            if (d.action() != Action.WARN) {
                continue;
            }
            Classification c = d.classification();
            boolean overridden = !d.overridden().isEmpty();
            boolean askable = live != null && !overridden && c.table() != null && c.lock() != null
                    && (c.rewrite() || c.lock().compareTo(LockMode.SHARE_UPDATE_EXCLUSIVE) >= 0);
            if (askable && (everyRun || !warned.contains(d.fingerprint()))) {
                LiveProbe.TableFacts facts = live.table(c.table(), c.lock());
                if (facts != null) {
                    Decision after = guard().policy().onTable(d, facts.rows(), facts.bytes(), facts.summary());
                    if (after != d) {
                        v = v.with(i, after);
                        if (after.action() == Action.WARN) {
                            logWarning(after, null);
                        }
                        continue;
                    }
                    if (facts.empty() && c.risk() == Risk.UNSAFE && momentary(c) && live.ownTransaction()) {
                        // a lock on a table without a single page, which nobody holds or waits for, taken by a
                        // statement that is its own transaction, is over at once
                        continue;
                    }
                }
                if (firstTime(d.fingerprint())) {
                    logWarning(d, facts);
                }
            } else if (overridden || firstTime(d.fingerprint())) {
                logWarning(d, null);
            }
        }
        return v;
    }

    /**
     * Whether the statement's lock is only its own, on the one table asked about: not a LOCK TABLE (held to the end of
     * the transaction, and maybe of several tables), not a constraint that also locks the table it references.
     */
    private static boolean momentary(Classification c) {
        if (c.kind().startsWith("LOCK")) {
            return false;
        }
        io.pgguard.sql.SqlStatement st = c.statement();
        for (int i = 0; i < st.size(); i++) {
            if (st.isWord(i, "REFERENCES") || st.isWord(i, "INHERIT") || st.isWord(i, "ATTACH")) {
                return false;
            }
        }
        return true;
    }

    /**
     * What running the called routines that the server's catalog holds does, for those not safe; null when none is.
     * A name is looked up once per connection until the connection changes the catalog.
     */
    private Map<String, Classification> catalog(Verdict v, Verdict.Asks asks) {
        Map<String, Classification> out;
        // a statement run again (prepared per call, the same text) finds its answer without a lookup
        if ((++catalogCalls & 255) == 0 && System.nanoTime() - catalogSince > CATALOG_TTL_NANOS && !lookedUp.isEmpty()) {
            // another session may have replaced a routine since: what was read goes after a while
            forgetCatalog();
        }
        CatalogAnswer last = lastAnswer;
        if (last != null && last.verdict == v && last.epoch == catalogEpoch) {
            return last.routines;
        }
        int epoch = catalogEpoch;
        List<String> calls = asks.calls();
        List<String> missing = null;
        for (int i = 0; i < calls.size(); i++) {
            String name = calls.get(i);
            if (!lookedUp.contains(name)) {
                if (missing == null) {
                    missing = new ArrayList<>();
                }
                missing.add(name);
            }
        }
        if (missing != null) {
            lookUp(missing);
            epoch = catalogEpoch;
        }
        out = null;
        for (int i = 0; i < calls.size(); i++) {
            Classification body = catalogRoutines.get(calls.get(i));
            if (body != null) {
                if (out == null) {
                    out = new HashMap<>();
                }
                out.put(calls.get(i), body);
            }
        }
        lastAnswer = new CatalogAnswer(v, epoch, out);
        return out;
    }

    /** What {@link #catalog} answered last, for which verdict, in which state of what was looked up. */
    private record CatalogAnswer(Verdict verdict, int epoch, Map<String, Classification> routines) {
    }

    /**
     * Reads the definitions of the named routines from the catalog, and of the routines they call, a few levels
     * deep, and judges each body as the classifier judges a CREATE FUNCTION it sees run: by what it does, knowing
     * what the routines it calls do. The worst overload counts.
     */
    private synchronized void lookUp(List<String> names) {
        Map<String, List<String>> definitions = new HashMap<>();
        List<String> asking = names;
        int rounds = 0;
        while (!asking.isEmpty()) {
            if (++rounds > CATALOG_ROUNDS) {
                // routines that call routines this deep are not followed to the end: nothing of it is remembered,
                // and the calls are judged as written this time
                return;
            }
            Map<String, List<String>> found = probe.routines(asking);
            if (found == null) {
                // the server could not say (a failed transaction, an error): nothing is remembered, it is asked again
                return;
            }
            definitions.putAll(found);
            List<String> next = new ArrayList<>();
            for (List<String> defs : found.values()) {
                for (String def : defs) {
                    for (String called : Verdict.Asks.callsOf(guard().check(def).asks())) {
                        if (!definitions.containsKey(called) && !lookedUp.contains(called)
                                && !next.contains(called)) {
                            next.add(called);
                        }
                    }
                }
            }
            asking = next;
        }
        // judged again until nothing changes: a body that calls a routine that calls a DELETE is judged by the DELETE
        Map<String, Classification> bodies = new HashMap<>(catalogRoutines);
        for (int pass = 0; pass <= rounds; pass++) {
            boolean changed = false;
            for (Map.Entry<String, List<String>> e : definitions.entrySet()) {
                Classification worst = null;
                for (String def : e.getValue()) {
                    // the routine a definition defines (an aggregate's are its functions, under their own names)
                    for (Classification body : guard().checkOnConnection(def, Set.of(), bodies, Boolean.TRUE)
                            .routines().values()) {
                        if (body != null && body.risk() != Risk.SAFE
                                && (worst == null || body.risk().compareTo(worst.risk()) > 0)) {
                            worst = body;
                        }
                    }
                }
                if (worst != null) {
                    Classification before = bodies.put(e.getKey(), worst);
                    changed |= before == null || before.risk() != worst.risk()
                            || !before.ruleIds().equals(worst.ruleIds());
                }
            }
            if (!changed) {
                break;
            }
        }
        for (String name : definitions.keySet()) {
            Classification body = bodies.get(name);
            if (body != null) {
                catalogRoutines.put(name, body);
            }
        }
        lookedUp.addAll(names);
        lookedUp.addAll(definitions.keySet());
        catalogEpoch++;
    }

    /** The catalog's routines with the connection's own definitions over them (they are the newer). */
    private static Map<String, Classification> merged(Map<String, Classification> catalog,
                                                      Map<String, Classification> connection) {
        if (connection == null) {
            return catalog;
        }
        Map<String, Classification> out = new HashMap<>(catalog);
        out.putAll(connection);
        return out;
    }

    /**
     * Decides SQL as a server whose reading of '...' strings cannot be told would: a later item of a batch whose
     * earlier items change standard_conforming_strings. A string with a backslash in a literal is then unknown.
     */
    Verdict decideUnsure(String sql) {
        Map<String, Classification> known = routines;
        return guard().checkOnConnection(sql == null ? "" : sql, Set.copyOf(createdInTransaction),
                known == null ? Map.of() : known, null);
    }

    /**
     * Throws for a blocked verdict, logging it at ERROR each time it is attempted. A statement that ends the
     * transaction ends what it created being new, from now on: forgetting early only makes the guard stricter.
     * Returns {@code v} when its run changes what is new in the transaction, for {@link #ran}; else null, decided
     * now so that nothing of the guard's is read again after the round trip (the server has emptied the CPU's
     * caches by then).
     */
    Verdict enforce(Verdict v) throws GuardBlockedException {
        if (v.action() == Action.BLOCK) {
            throw blocked(v);
        }
        if (v.changesCatalog() && !lookedUp.isEmpty()) {
            // what this connection read of the catalog may change now; prepared statements decide again
            forgetCatalog();
        }
        boolean definesRoutines = !v.routines().isEmpty();
        if (v.endsTransaction()) {
            createdInTransaction.clear();
            return definesRoutines ? v : null;
        }
        return (autoCommit || !v.transactionDependent() && v.creates().isEmpty()) && !definesRoutines ? null : v;
    }

    /**
     * The statement of {@code v}, as {@link #enforce} returned it, ran without error: the relations it created are
     * new to the rest of its transaction. Only a statement that ran counts: one that was prepared but not run, was
     * blocked, or failed (a {@code CREATE TABLE} of a name that exists, undone by pgjdbc's autosave) created
     * nothing. A verdict decided against the transaction's new relations lists those that are still new after it:
     * what it dropped or renamed is no longer new.
     */
    void ran(Verdict v) {
        if (lockTimeoutToRestore != null) {
            restoreLockTimeout();
        }
        if (!v.routines().isEmpty()) {
            learn(v.routines(), false);
        }
        if (v.endsTransaction() || autoCommit) {
            return;
        }
        if (v.transactionDependent()) {
            createdInTransaction.retainAll(v.creates());
        }
        if (!v.creates().isEmpty()) {
            createdInTransaction.addAll(v.creates());
        }
    }

    /**
     * Enforces a verdict on SQL about to run (as {@link #enforce}); then, with pgguard.lockTimeout against a non-local
     * target, sets lock_timeout for a statement that takes a lock blocking writes, unless the session's is shorter.
     * What it returns goes to {@link #ran} once the statement has run, or {@link #failed} when it threw: either puts
     * lock_timeout back.
     */
    Verdict admit(Verdict v) throws GuardBlockedException {
        if (GuardListeners.active()) {
            publish(v);
        }
        Verdict toRecord = enforce(v);
        if (lockTimeoutMs > 0 && !probe.asking() && blocksWrites(v)) {
            String before = probe.setLockTimeout(lockTimeoutMs);
            if (before != null) {
                lockTimeoutToRestore = before;
                return v;
            }
        }
        return toRecord;
    }

    /** Time the last decision on this connection took, for the listeners; 0 once told (a cached verdict's). */
    private long lastDecideNanos;

    /** Tells the listeners what was decided for each statement of a string about to run (or be blocked). */
    private void publish(Verdict v) {
        long nanos = lastDecideNanos;
        lastDecideNanos = 0;
        for (Decision d : v.decisions()) {
            Classification c = d.classification();
            String action = d.action() == Action.BLOCK ? "block" : !d.overridden().isEmpty() ? "override"
                    : d.action() == Action.WARN ? "warn" : "allow";
            Finding f = d.finding() != null ? d.finding() : d.overridden().isEmpty() ? null : d.overridden().get(0);
            GuardListeners.publish(new GuardEvent(action, c.risk().id(), f == null ? null : f.ruleId(),
                    c.lock() == null ? null : c.lock().pgName(), c.table(),
                    d.fingerprint(),
                    d.target().description(), d.target().local(), nanos));
        }
    }

    /** The statement admitted last did not run to the end (the server or pgjdbc threw): lock_timeout goes back. */
    void failed() {
        if (lockTimeoutToRestore != null) {
            restoreLockTimeout();
        }
    }

    private void restoreLockTimeout() {
        String before = lockTimeoutToRestore;
        lockTimeoutToRestore = null;
        if (before != null) {
            probe.restoreLockTimeout(before);
        }
    }

    /**
     * Whether a statement of the string takes a lock that blocks writes, and none of them sets lock_timeout itself
     * (a string that does manages its own, and keeps what it set).
     */
    private static boolean blocksWrites(Verdict v) {
        boolean blocks = false;
        for (Decision d : v.decisions()) {
            LockMode lock = d.classification().lock();
            blocks |= lock != null && lock.compareTo(LockMode.SHARE) >= 0;
            String kind = d.classification().kind();
            if (kind.equals("BEGIN") || kind.equals("COMMIT") || kind.equals("ROLLBACK") || kind.startsWith("PREPARE")
                    || kind.startsWith("SAVEPOINT") || kind.startsWith("RELEASE")) {
                // a string that opens or ends transactions itself: what pgguard would set could outlive it
                return false;
            }
            if ((kind.startsWith("SET") || kind.startsWith("RESET") || kind.startsWith("SELECT"))
                    && d.classification().statement().text().toLowerCase(Locale.ROOT).contains("lock_timeout")) {
                return false;
            }
        }
        return blocks;
    }

    /** This connection's DDL may have changed routines the catalog holds: they are looked up again when called. */
    private synchronized void forgetCatalog() {
        lookedUp.clear();
        catalogRoutines.clear();
        catalogEpoch++;
        catalogSince = System.nanoTime();
        routineDefinitions++;
    }

    /**
     * Remembers the routines a statement that ran defined or dropped. A routine's definition outlives its
     * transaction only if it commits; remembering it longer only makes the guard stricter.
     */
    private synchronized void learn(Map<String, Classification> changes, boolean onlyStricter) {
        Map<String, Classification> next = routines == null ? new HashMap<>() : new HashMap<>(routines);
        changes.forEach((key, body) -> {
            if (body != null && body.risk() != Risk.SAFE) {
                next.put(key, body);
            } else if (!onlyStricter) {
                next.remove(key);
            }
        });
        routines = next.isEmpty() ? null : Map.copyOf(next);
        routineDefinitions++;
    }

    /**
     * A string was added to a batch: the routines it defines count from now on, for the strings added after it
     * and before the batch runs. What it drops or makes safe counts only once it has run (this only adds).
     */
    void batched(Verdict v) {
        if (v != null && !v.routines().isEmpty()) {
            learn(v.routines(), true);
        }
    }

    int routineDefinitions() {
        return routineDefinitions;
    }

    /**
     * Whether {@code sql} may name one of the routines: the name as a whole word, in any case (a cheap text test;
     * the classifier decides).
     */
    private static boolean mentionsAny(String sql, Map<String, Classification> known) {
        String lower = sql.toLowerCase(Locale.ROOT);
        for (String key : known.keySet()) {
            String name = key.charAt(0) == '\u0001' ? key.substring(1) : key;
            if (containsWord(lower, name) || containsWord(sql, name)) {
                return true;
            }
        }
        return false;
    }

    private static boolean containsWord(String text, String word) {
        for (int at = text.indexOf(word); at >= 0; at = text.indexOf(word, at + 1)) {
            int end = at + word.length();
            boolean starts = at == 0 || !isWordChar(text.charAt(at - 1));
            if (starts && (end == text.length() || !isWordChar(text.charAt(end)))) {
                return true;
            }
        }
        return false;
    }

    private static boolean isWordChar(char c) {
        return Character.isLetterOrDigit(c) || c == '_' || c == '$';
    }

    private GuardBlockedException blocked(Verdict v) {
        Decision d = v.deciding();
        String shown = shown(d);
        Finding f = d.finding();
        String risk = f.risk().id();
        String message = "pgguard blocked " + (risk.startsWith("u") ? "an " : "a ") + risk + " statement against " + describe(d.target()) + ": "
                + f.ruleId() + ": " + f.message() + ". Statement: " + shown + ". Nothing was sent to the server. "
                + "To run it deliberately, put /* pgguard:allow " + f.ruleId() + " reason=\"why\" */ in the statement, "
                + "or set pgguard.allow=" + f.ruleId() + " for this process.";
        LOG.decision(true, message, d);
        return new GuardBlockedException(message, f.ruleId(), f.risk().id(), d.fingerprint());
    }

    /** The connection's autocommit mode: in autocommit, each string is its own transaction. */
    void autoCommit(boolean on) {
        autoCommit = on;
        createdInTransaction.clear();
    }

    /** Whether the open transaction created relations (only then does its end change a decision). */
    boolean hasNewRelations() {
        return !createdInTransaction.isEmpty();
    }

    /** The transaction ended (commit or rollback): what it created is visible, or gone, now. */
    void transactionEnded() {
        createdInTransaction.clear();
    }

    private boolean firstTime(String fingerprint) {
        if (warned.size() >= WARNED_LIMIT) {
            warned.clear();
        }
        return warned.add(fingerprint);
    }

    private void logWarning(Decision d, LiveProbe.TableFacts facts) {
        Classification c = d.classification();
        StringBuilder sb = new StringBuilder(160);
        if (!d.overridden().isEmpty()) {
            sb.append("pgguard override: ");
            for (Finding f : d.overridden()) {
                sb.append(f.ruleId()).append(' ');
            }
            sb.append("allowed explicitly (").append(d.overrideReason()).append(") against ")
                    .append(describe(d.target())).append(": ");
        } else {
            sb.append("pgguard: ").append(c.risk().id()).append(" statement against ").append(describe(d.target()))
                    .append(": ");
        }
        sb.append(shown(d));
        if (c.lock() != null) {
            sb.append(" | lock ").append(c.lock().pgName());
            if (c.table() != null) {
                sb.append(" on ").append(c.table());
            }
        }
        if (c.rewrite()) {
            sb.append(" | rewrites the table");
        }
        if (facts != null) {
            sb.append(" | ").append(facts.text());
        }
        sb.append(" | rules ").append(String.join(",", c.ruleIds()));
        Finding f = d.finding();
        if (f != null) {
            sb.append(" | ").append(f.message()).append(" | safe alternative: ").append(f.rule().alternative());
        }
        String line = sb.toString();
        LOG.decision(false, line, d);
    }

    private String shown(Decision d) {
        return guard().policy().logRawSql() ? d.classification().statement().text() : d.fingerprint();
    }

    private static String describe(Target t) {
        return (t.local() ? "local target " : "non-local target ") + t.description();
    }

}
