package io.pgguard.policy;

import io.pgguard.classify.Classification;

import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The decision for a whole statement string: the strictest of its statements' decisions; also the relations the
 * string creates and whether it ends a transaction, so a connection can tell which relations are still new.
 * {@code transactionDependent} says the decision counted on relations the open transaction created being new: it
 * holds only while that transaction is open, so a prepared statement decides again before it runs. {@code routines}
 * are the routines and prepared statements the string defines (with what calling them does) or drops (null), which
 * the connection remembers once the string has run, to judge later calls by. {@code readsBackslashes}: a
 * {@code '...'} string of it holds a backslash, so the verdict holds only where standard_conforming_strings is on;
 * {@code changesStringReading}: it changes that setting, or may, for the statements sent after it. {@code asks}: what
 * the connected server's catalog could tell of it (null: nothing); {@code changesCatalog}: it creates, alters or
 * drops something, so what a connection learnt of the catalog may be out of date once it has run.
 */
public record Verdict(Action action, List<Decision> decisions, Set<String> creates, boolean endsTransaction,
                      boolean transactionDependent, Map<String, Classification> routines, boolean readsBackslashes,
                      boolean changesStringReading, Asks asks, boolean changesCatalog) {

    /**
     * What the connected server's catalog knows and the classifier did not: the routines the string calls (their
     * bodies, by lookup key), and the columns whose type it changes without pgguard knowing that type
     * ({@code table + '\u0000' + column}, as written). Lists, so that reading them allocates nothing.
     */
    public record Asks(List<String> calls, List<String> columns) {

        /** The questions, or null when there are none. */
        public static Asks of(List<String> calls, List<String> columns) {
            return calls.isEmpty() && columns.isEmpty() ? null : new Asks(calls, columns);
        }

        /** The routines a verdict calls; none for a null {@code asks}. */
        public static List<String> callsOf(Asks asks) {
            return asks == null ? List.of() : asks.calls;
        }
    }

    /** This verdict with one decision replaced (a live fact changed it), and the action it makes. */
    public Verdict with(int index, Decision replacement) {
        List<Decision> ds = new java.util.ArrayList<>(decisions);
        ds.set(index, replacement);
        Action strictest = Action.ALLOW;
        for (Decision d : ds) {
            strictest = Action.max(strictest, d.action());
        }
        return new Verdict(strictest, List.copyOf(ds), creates, endsTransaction, transactionDependent, routines,
                readsBackslashes, changesStringReading, asks, changesCatalog);
    }

    /** The decision that set the action: the first of the strictest; null for an empty string. */
    public Decision deciding() {
        Decision best = null;
        for (Decision d : decisions) {
            if (best == null || d.action().compareTo(best.action()) > 0) {
                best = d;
            }
        }
        return best;
    }

    public boolean blocked() {
        return action == Action.BLOCK;
    }
}
