package io.pgguard.policy;

import io.pgguard.classify.Classification;
import io.pgguard.classify.Classifier;
import io.pgguard.classify.Context;
import io.pgguard.sql.Lexer;
import io.pgguard.sql.SqlStatement;
import io.pgguard.sql.Template;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The single entry point the JDBC driver and the agent call: SQL text in, verdict out. A statement string seen
 * before is answered from a bounded cache without lexing or allocating; a new string whose only difference from
 * one seen before is its literal values and comments (the common case of SQL built with inlined values) is
 * answered from a second cache keyed by its {@linkplain Template template}, when its verdict provably does not
 * depend on them.
 */
public final class Guard {

    /** Distinct statement strings remembered; past this the cache starts over (hot statements return at once). */
    static final int CACHE_SIZE = 8192;
    /** Templates answered most recently, tried before any template is built. */
    private static final int RECENT = 4;

    /** The verdict of one string object. */
    private record Seen(String sql, Verdict verdict) {
    }

    private final Classifier classifier;
    private final Target target;
    private final Policy policy;
    /** Whether strings of one template may share a verdict: not when the log shows each statement as written. */
    private final boolean share;
    private final ConcurrentHashMap<String, Verdict> cache = new ConcurrentHashMap<>();
    /** Verdicts shared by every string of one template. */
    private final ConcurrentHashMap<Template, Template.Compact<Verdict>> byTemplate = new ConcurrentHashMap<>();
    /**
     * The last templates answered, most often the one a new string has: matching a string against a template
     * costs less than building its own, which matters as much as it does because it runs for every string no
     * cache holds. Read and written without locks: a slot holds an immutable record or null, and a lost update
     * only costs a later string the longer way.
     */
    @SuppressWarnings("unchecked")
    private final Template.Compact<Verdict>[] recent = new Template.Compact[RECENT];
    /**
     * Per slot of {@link #recent}, the one length a matching string can have (a template of plain text only), or
     * -1: a filter read before the slot's objects, which are seldom in the CPU's cache when a new string comes.
     */
    private final int[] recentLength = new int[RECENT];
    private int nextRecent;
    /**
     * The last string objects decided or answered from {@link #cache}, compared by identity: a statement prepared
     * again and again is usually the same constant string. Strings answered by template are not kept (most are
     * one-offs). Read and written without locks, as {@link #recent}.
     */
    private final Seen[] seen = new Seen[RECENT];
    /** The strings of {@link #seen}, a filter in one cache line; the record is what is trusted. */
    private final String[] seenSql = new String[RECENT];
    private int nextSeen;

    public Guard(Classifier classifier, Target target, Policy policy) {
        this.classifier = classifier;
        this.target = target;
        this.policy = policy;
        this.share = !policy.logRawSql();
    }

    public Target target() {
        return target;
    }

    public Policy policy() {
        return policy;
    }

    /** Classifies and decides every statement of {@code sql}; the verdict is the strictest decision. */
    public Verdict check(String sql) {
        return check(sql, null);
    }

    /** {@link #check(String)}, telling {@code session} (when not null) what answered, for its own next check. */
    private Verdict check(String sql, Session session) {
        for (int i = 0; i < RECENT; i++) {
            if (seenSql[i] == sql) {
                Seen s = seen[i];
                if (s != null && s.sql() == sql) {
                    if (session != null) {
                        session.see(s);
                    }
                    return s.verdict();
                }
            }
        }
        if (share) {
            // Before the exact cache: the cheapest way to answer a string never seen before. The session's own
            // template, when there is one, was just tried and did not match: it is not matched again (had another
            // thread changed it since, skipping it would only send this string the longer way).
            Template.Compact<Verdict> tried = session == null ? null : session.template;
            int length = sql.length();
            for (int i = 0; i < RECENT; i++) {
                int only = recentLength[i];
                if (only >= 0 && only != length) {
                    continue;
                }
                Template.Compact<Verdict> t = recent[i];
                if (t != null && t != tried && t.matches(sql)) {
                    if (session != null) {
                        session.template = t;
                    }
                    return t.value();
                }
            }
        }
        Verdict cached = cache.get(sql);
        if (cached != null) {
            see(sql, cached, session);
            return cached;
        }
        Template template = share ? Template.of(sql) : null;
        if (template != null) {
            Template.Compact<Verdict> same = byTemplate.get(template);
            if (same != null) {
                remember(same, session);
                return same.value();
            }
        }
        Verdict verdict = decide(sql);
        if (template != null && literalIndependent(verdict)) {
            Template.Compact<Verdict> shared = template.compact(verdict);
            put(byTemplate, shared.template(), shared);
            remember(shared, session);
        }
        // A string answered by its template is not added here: one-off strings would only fill this cache.
        put(cache, sql, verdict);
        see(sql, verdict, session);
        return verdict;
    }

    private static boolean literalIndependent(Verdict verdict) {
        for (Decision d : verdict.decisions()) {
            if (!d.classification().literalIndependent()) {
                return false;
            }
        }
        return true;
    }

    private void see(String sql, Verdict verdict, Session session) {
        Seen s = new Seen(sql, verdict);
        int slot = nextSeen;
        seen[slot] = s;
        seenSql[slot] = sql;
        nextSeen = (slot + 1) % RECENT;
        if (session != null) {
            session.see(s);
        }
    }

    private void remember(Template.Compact<Verdict> shared, Session session) {
        int slot = nextRecent;
        recent[slot] = shared;
        recentLength[slot] = shared.plainLength();
        nextRecent = (slot + 1) % RECENT;
        if (session != null) {
            session.template = shared;
        }
    }

    private static <K, V> void put(ConcurrentHashMap<K, V> map, K key, V value) {
        if (map.size() >= CACHE_SIZE) {
            map.clear();
        }
        map.put(key, value);
    }

    /**
     * One connection's way into a shared {@link Guard}, remembering the last string and the last template it was
     * answered for: a connection mostly sends the same string again (a statement prepared on every call) or a new
     * string of the statement it sent last (SQL with inlined values). Kept in fields of the connection's own object
     * (the JDBC layer extends this class), these are answered one reference away, without touching the shared
     * guard: its memos sit in other CPU caches' lines when many connections write them, and in none after the server
     * has run. Fields are read and written without locks: a verdict is only taken from an immutable object that
     * holds it with its string or its template (the string kept beside is a filter, never trusted), so a connection
     * used from two threads at once answers as a longer way would, never with another string's verdict.
     */
    public static class Session {

        private final Guard guard;
        /** The string of {@link #seen}, compared first: a new string is told apart without reading the record. */
        private String seenSql;
        private Seen seen;
        private Template.Compact<Verdict> template;

        public Session(Guard guard) {
            this.guard = guard;
        }

        public final Guard guard() {
            return guard;
        }

        /** The verdict on {@code sql}, as {@link Guard#check} gives it. */
        public final Verdict verdict(String sql) {
            if (seenSql == sql) {
                Seen s = seen;
                if (s != null && s.sql() == sql) {
                    return s.verdict();
                }
            }
            Template.Compact<Verdict> t = template;
            if (t != null && t.matches(sql)) {
                return t.value();
            }
            return guard.check(sql, this);
        }

        private void see(Seen s) {
            seen = s;
            seenSql = s.sql();
        }
    }

    /**
     * Decides {@code sql} on a connection whose open transaction already created {@code newRelations} (lookup
     * keys), so a statement on one of them cannot make another session wait or lose its data, and whose earlier
     * statements defined {@code routines}, so a call is judged by the body it runs. Not cached: the answer depends
     * on the connection.
     */
    public Verdict checkOnConnection(String sql, Set<String> newRelations, Map<String, Classification> routines) {
        List<SqlStatement> statements = Lexer.split(sql);
        return decide(statements, Context.onConnection(newRelations, routines, statements.size() > 1),
                !newRelations.isEmpty());
    }

    private Verdict decide(String sql) {
        List<SqlStatement> statements = Lexer.split(sql);
        return decide(statements, statements.size() > 1 ? Context.oneString() : Context.statements(), false);
    }

    private Verdict decide(List<SqlStatement> statements, Context context, boolean transactionDependent) {
        List<Decision> decisions = new ArrayList<>(statements.size());
        Action action = Action.ALLOW;
        boolean endsTransaction = false;
        for (SqlStatement st : statements) {
            Classification c = classifier.classify(st, context);
            Decision d = policy.decide(c, target);
            decisions.add(d);
            action = Action.max(action, d.action());
            endsTransaction |= c.kind().equals("COMMIT") || c.kind().equals("ROLLBACK");
        }
        Set<String> creates = context.createdKeys();
        return new Verdict(action, List.copyOf(decisions), creates, endsTransaction, transactionDependent,
                context.routineChanges());
    }
}
