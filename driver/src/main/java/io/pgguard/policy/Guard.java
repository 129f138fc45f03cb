package io.pgguard.policy;

import io.pgguard.classify.Classification;
import io.pgguard.classify.Classifier;
import io.pgguard.classify.Context;
import io.pgguard.sql.Lexer;
import io.pgguard.sql.SqlStatement;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.UnaryOperator;

/**
 * The one place where lexer, classifier and policy meet: SQL text in, one decision per statement out, for the
 * JDBC driver, {@code GuardDataSource}, {@code lint} and the agent alike. The pipeline runs one way: the text is
 * split into statements ({@link Lexer}), each is classified in the context of the ones before it
 * ({@link Classifier}), and each classification is decided for the target ({@link Policy}). An application's
 * strings are answered from a {@link VerdictCache} when one was seen before.
 */
public final class Guard {

    private final Classifier classifier;
    private final Target target;
    private final Policy policy;
    /** Verdicts of strings seen before; what they do not hold is decided by {@link #decide(String)}. */
    private final VerdictCache cache;

    public Guard(Classifier classifier, Target target, Policy policy) {
        this.classifier = classifier;
        this.target = target;
        this.policy = policy;
        // Strings of one template may share a verdict, except when the log shows each statement as written.
        // an inner class, not a method reference: a short run (lint) never starts java.lang.invoke for it
        this.cache = new VerdictCache(new java.util.function.Function<String, Verdict>() {
            @Override
            public Verdict apply(String sql) {
                return decide(sql);
            }
        }, !policy.logRawSql());
    }

    public Target target() {
        return target;
    }

    public Policy policy() {
        return policy;
    }

    /** Classifies and decides every statement of {@code sql}; the verdict is the strictest decision. */
    public Verdict check(String sql) {
        return cache.verdict(sql, null);
    }

    VerdictCache cache() {
        return cache;
    }

    /**
     * Decides {@code sql} on a connection whose open transaction already created {@code newRelations} (lookup
     * keys), so a statement on one of them cannot make another session wait or lose its data; whose earlier
     * statements defined {@code routines}, so a call is judged by the body it runs; and whose server reads
     * {@code '...'} strings as {@code standardStrings} says (TRUE as written, FALSE with backslash escapes, null when
     * it cannot be told, which makes a string holding a backslash unknown). Not cached: the answer depends on the
     * connection.
     */
    public Verdict checkOnConnection(String sql, Set<String> newRelations, Map<String, Classification> routines,
                                     Boolean standardStrings) {
        return checkOnConnection(sql, newRelations, routines, standardStrings, Map.of());
    }

    /**
     * As {@link #checkOnConnection(String, Set, Map, Boolean)}, where the connected server also said which type
     * columns have ({@code table + '\u0000' + column}, as the verdict asked, to {@code format_type}'s text).
     */
    public Verdict checkOnConnection(String sql, Set<String> newRelations, Map<String, Classification> routines,
                                     Boolean standardStrings, Map<String, String> columnTypes) {
        List<SqlStatement> statements = Lexer.split(sql, !Boolean.FALSE.equals(standardStrings));
        Context context = Context.onConnection(newRelations, routines, statements.size() > 1, standardStrings);
        columnTypes.forEach((key, type) -> {
            int cut = key.indexOf('\u0000');
            context.knownColumnType(key.substring(0, cut), key.substring(cut + 1), type);
        });
        return decide(statements, context, !newRelations.isEmpty());
    }

    /**
     * Decides the statements of one migration file in order, in the context of the run (earlier files' tables,
     * columns and routines), as {@code lint} reads it. {@code review} may take findings out of a classification
     * before it is decided (a file's {@code pgguard:ignore} suppressions); it sees each statement once, in order.
     */
    public List<Decision> checkFile(String text, Context run, UnaryOperator<Classification> review) {
        List<Decision> decisions = new ArrayList<>();
        checkFile(text, run, review, decisions::add);
        return decisions;
    }

    /**
     * As {@link #checkFile(String, Context, UnaryOperator)}, handing each decision to {@code sink} as soon as it is
     * made: the statements are lexed one at a time, so a large file holds its text and one statement's tokens, not
     * all of them.
     */
    public void checkFile(String text, Context run, UnaryOperator<Classification> review,
                          java.util.function.Consumer<Decision> sink) {
        run.startFile();
        // What a later statement makes moot (an identity insert followed by setval) is known before the first one.
        int lastSetval = Classifier.lastSetvalCall(text);
        // The file is read as the server reads it: after a statement that changes standard_conforming_strings,
        // the rest of the file is lexed again with the new reading of '...' strings.
        boolean standard = true;
        java.util.Iterator<SqlStatement> statements = Lexer.statements(text, 0, true);
        while (statements.hasNext()) {
            SqlStatement st = statements.next();
            Classification c = classifier.afterFile(classifier.classify(st, run), lastSetval);
            boolean now = !Boolean.FALSE.equals(run.standardStrings());
            if (now != standard) {
                standard = now;
                statements = Lexer.statements(text, st.end(), standard);
            }
            sink.accept(policy.decide(review.apply(c), target));
        }
    }

    private Verdict decide(String sql) {
        List<SqlStatement> statements = Lexer.split(sql);
        return decide(statements, statements.size() > 1 ? Context.oneString() : Context.statements(), false);
    }

    private Verdict decide(List<SqlStatement> statements, Context context, boolean transactionDependent) {
        List<Decision> decisions = new ArrayList<>(statements.size());
        Action action = Action.ALLOW;
        boolean endsTransaction = false;
        boolean backslashes = false;
        boolean changesCatalog = false;
        for (SqlStatement st : statements) {
            backslashes |= st.readsBackslashes();
            Classification c = classifier.classify(st, context);
            Decision d = policy.decide(c, target);
            decisions.add(d);
            action = Action.max(action, d.action());
            endsTransaction |= c.kind().equals("COMMIT") || c.kind().equals("ROLLBACK");
            changesCatalog |= c.kind().startsWith("CREATE") || c.kind().startsWith("ALTER")
                    || c.kind().startsWith("DROP");
        }
        Set<String> creates = context.createdKeys();
        return new Verdict(action, List.copyOf(decisions), creates, endsTransaction, transactionDependent,
                context.routineChanges(), backslashes, context.changesStringReading(),
                Verdict.Asks.of(context.calls(), context.columnsAsked()), changesCatalog);
    }
}
