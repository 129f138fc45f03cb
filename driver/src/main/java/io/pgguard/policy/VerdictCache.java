package io.pgguard.policy;

import io.pgguard.sql.Template;

import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;

/**
 * The memos that answer a statement string seen before without lexing or allocating, for one {@link Guard}: a
 * bounded cache by string; a second one keyed by its {@linkplain Template template}, for a new string whose only
 * difference from one seen before is its literal values and comments (the common case of SQL built with inlined
 * values), when its verdict provably does not depend on them; and the last strings and templates answered, tried
 * first. Nothing here decides: a string no memo holds goes to the guard's pipeline.
 */
public final class VerdictCache {

    /** Distinct statement strings remembered; past this the cache starts over (hot statements return at once). */
    static final int CACHE_SIZE = 8192;
    /** Templates answered most recently, tried before any template is built. */
    private static final int RECENT = 4;

    /** The verdict of one string object. */
    private record Seen(String sql, Verdict verdict) {
    }

    /** Decides a string no memo answers: the guard's pipeline. */
    private final Function<String, Verdict> decide;
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

    VerdictCache(Function<String, Verdict> decide, boolean share) {
        this.decide = decide;
        this.share = share;
    }

    /**
     * The verdict on {@code sql}, from a memo when one holds it, else decided and remembered; {@code session}, when
     * not null, is told what answered, for its own next check.
     */
    Verdict verdict(String sql, Memo session) {
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
        Verdict verdict = decide.apply(sql);
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

    private void see(String sql, Verdict verdict, Memo session) {
        Seen s = new Seen(sql, verdict);
        int slot = nextSeen;
        seen[slot] = s;
        seenSql[slot] = sql;
        nextSeen = (slot + 1) % RECENT;
        if (session != null) {
            session.see(s);
        }
    }

    private void remember(Template.Compact<Verdict> shared, Memo session) {
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
     * One connection's way into a shared guard's {@link VerdictCache}, remembering the last string and the last
     * template it was answered for: a connection mostly sends the same string again (a statement prepared on every
     * call) or a new string of the statement it sent last (SQL with inlined values). Kept in fields of the connection's own object
     * (the JDBC layer extends this class), these are answered one reference away, without touching the shared
     * guard: its memos sit in other CPU caches' lines when many connections write them, and in none after the server
     * has run. Fields are read and written without locks: a verdict is only taken from an immutable object that
     * holds it with its string or its template (the string kept beside is a filter, never trusted), so a connection
     * used from two threads at once answers as a longer way would, never with another string's verdict.
     */
    public static class Memo {

        private final Guard guard;
        private final VerdictCache cache;
        /** The string of {@link #seen}, compared first: a new string is told apart without reading the record. */
        private String seenSql;
        private Seen seen;
        private Template.Compact<Verdict> template;

        public Memo(Guard guard) {
            this.guard = guard;
            this.cache = guard.cache();
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
            return cache.verdict(sql, this);
        }

        private void see(Seen s) {
            seen = s;
            seenSql = s.sql();
        }
    }
}
