package io.pgguard.cli;

import io.pgguard.classify.Classification;
import io.pgguard.classify.Context;
import io.pgguard.classify.Finding;
import io.pgguard.classify.Rule;
import io.pgguard.classify.RuleCatalog;
import io.pgguard.policy.Decision;
import io.pgguard.policy.Directive;
import io.pgguard.policy.Guard;
import io.pgguard.sql.Lexer;
import io.pgguard.sql.SqlStatement;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * Lints migration files in order through the {@link Guard}, with one {@link Context}, so later files know the
 * columns and routines earlier ones created; applies {@code pgguard:ignore} suppressions and reports the ones that
 * are unused or have no reason.
 */
final class Linter {

    private final Guard guard;
    private final Context context = Context.migration();
    /** Where each problem goes as it is found. */
    private final java.util.function.Consumer<Problem> onProblem;

    Linter(Guard guard) {
        this(guard, null);
    }

    Linter(Guard guard, java.util.function.Consumer<Problem> onProblem) {
        this.guard = guard;
        this.onProblem = onProblem;
    }

    List<LintedStatement> lint(SourceFile file) {
        List<LintedStatement> out = new ArrayList<>();
        lint(file, out::add);
        return out;
    }

    /** Lints a file, handing each statement to {@code sink} as soon as it is decided (or its transaction ends). */
    void lint(SourceFile file, java.util.function.Consumer<LintedStatement> sink) {
        FileRun run = new FileRun(file, sink);
        current = run;
        try {
            guard.checkFile(file.text(), context, run, run.decisions);
            run.release();
        } finally {
            current = null;
        }
    }

    /**
     * Reads a file of the history ({@code lint --history}): what it creates and changes is known to the files after
     * it, and nothing of it is reported; returns what could not be read in it (an unterminated string, ...).
     */
    List<Problem> read(SourceFile file) {
        unread = new ArrayList<>(0);
        try {
            lint(file, NOTHING);
            return unread;
        } finally {
            unread = null;
        }
    }

    /** While a history file is read: its input errors, instead of reporting them. */
    private List<Problem> unread;

    private static final java.util.function.Consumer<LintedStatement> NOTHING = new java.util.function.Consumer<>() {
        @Override
        public void accept(LintedStatement s) {
        }
    };

    /** The file being linted, whose problems wait with its statements while a transaction is open. */
    private FileRun current;

    /**
     * How many statements a transaction's per-transaction finding may hold back before it is reported with the count
     * so far, so that a long transaction does not keep all its statements in memory; a later statement of the same
     * transaction then reports it again, with its own count.
     */
    static final int MAX_HELD = 10_000;
    /** The same bound in tokens (a held statement keeps its tokens): a few megabytes, whatever the statements. */
    static final int MAX_HELD_TOKENS = 200_000;

    /**
     * One file's run: its suppressions applied to each classification, then each decision handed on. A class, not
     * lambdas: a short run of the tool never starts java.lang.invoke (see LintCommand).
     *
     * <p>A per-transaction rule ({@link Rule#perTransaction}: the timeouts) is reported at the first statement
     * of a transaction it fires on, saying how many after it it holds for; on those it is taken off (it is in their
     * {@link LintedStatement#repeats()}). So that first statement waits, with what follows it, until the transaction
     * ends: at BEGIN, COMMIT or ROLLBACK, at a Liquibase {@code --changeset}, or at the end of the file.
     */
    private final class FileRun implements java.util.function.UnaryOperator<Classification> {
        private final SourceFile file;
        private final java.util.function.Consumer<LintedStatement> sink;
        private List<String> ignored = List.of();
        private List<LintedStatement.Repeat> repeats = List.of();
        /** What {@link #apply} found new for the statement whose decision {@link #decisions} gets next (in turn). */
        private final List<Rule> newHeads = new ArrayList<>(2);
        private int index;
        /** The open transaction's per-transaction findings, each at its first statement. */
        private final List<Head> heads = new ArrayList<>(2);
        /** What waits for the transaction to end: statements ({@link LintedStatement}) and problems, in order. */
        private final List<Object> held = new ArrayList<>();
        private int heldTokens;
        final java.util.function.Consumer<Decision> decisions = new java.util.function.Consumer<>() {
            @Override
            public void accept(Decision d) {
                SqlStatement st = d.classification().statement();
                if (!st.readable()) {
                    add(new Problem(file.name(), st.error().line(), st.error().column(),
                            st.error().message() + " (statement starting at line " + st.line() + ")", true));
                }
                if (sink == NOTHING) {
                    return; // a history file: nothing of it is reported, so nothing is held
                }
                LintedStatement s = new LintedStatement(file.name(), index++, d.classification(), d, ignored, repeats);
                for (Rule r : newHeads) {
                    heads.add(new Head(r, held.size(), st.line()));
                }
                if (!newHeads.isEmpty() || !held.isEmpty()) {
                    held.add(s);
                    heldTokens += st.size();
                    if (held.size() >= MAX_HELD || heldTokens >= MAX_HELD_TOKENS) {
                        release();
                    }
                } else {
                    sink.accept(s);
                }
            }
        };

        /** A Liquibase formatted-SQL changelog: each changeset is a transaction of its own. */
        private final boolean liquibase;

        FileRun(SourceFile file, java.util.function.Consumer<LintedStatement> sink) {
            this.file = file;
            this.sink = sink;
            this.liquibase = Lexer.liquibaseFormatted(file.text());
        }

        @Override
        public Classification apply(Classification c) {
            if (endsTransaction(c)) {
                release();
            }
            List<String> ids = suppressions(file.name(), c);
            ignored = List.copyOf(ids);
            Classification kept = ids.isEmpty() ? c : c.without(Set.copyOf(ids));
            repeats = List.of();
            newHeads.clear();
            Set<String> folded = null;
            for (Finding f : kept.findings()) {
                if (!f.rule().perTransaction()) {
                    continue;
                }
                Head head = head(f.rule());
                if (head == null) {
                    newHeads.add(f.rule());
                    continue;
                }
                head.more++;
                head.lastLine = c.statement().line();
                if (folded == null) {
                    folded = new java.util.HashSet<>(4);
                    repeats = new ArrayList<>(2);
                }
                folded.add(f.ruleId());
                repeats.add(new LintedStatement.Repeat(f.ruleId(), head.line));
            }
            return folded == null ? kept : kept.without(folded);
        }

        private Head head(Rule rule) {
            for (Head h : heads) {
                if (h.rule == rule) {
                    return h;
                }
            }
            return null;
        }

        /** BEGIN, COMMIT, ROLLBACK, PREPARE TRANSACTION, or the first statement of a Liquibase changeset. */
        private boolean endsTransaction(Classification c) {
            switch (c.kind()) {
                case "BEGIN", "PREPARE TRANSACTION" -> {
                    return true;
                }
                case "COMMIT", "ROLLBACK" -> {
                    // not ROLLBACK [WORK] TO SAVEPOINT, nor COMMIT / ROLLBACK PREPARED 'gid'
                    SqlStatement st = c.statement();
                    return !st.isWord(1, "TO") && !st.isWord(2, "TO") && !st.isWord(1, "PREPARED");
                }
                default -> {
                    if (!liquibase) {
                        return false;
                    }
                    for (io.pgguard.sql.Comment comment : c.statement().comments()) {
                        if (comment.start() < c.statement().start()
                                && Lexer.changesetLine(c.statement().source(), comment.start())) {
                            return true;
                        }
                    }
                    return false;
                }
            }
        }

        /**
         * Hands on what is held, each finding with the count of the statements it stands for: the transaction ended,
         * or it holds as much as it may.
         */
        void release() {
            for (Head h : heads) {
                held.set(h.at, withCount((LintedStatement) held.get(h.at), h));
            }
            heads.clear();
            for (Object o : held) {
                if (o instanceof LintedStatement s) {
                    sink.accept(s);
                } else {
                    hand((Problem) o);
                }
            }
            held.clear();
            heldTokens = 0;
        }

        void hold(Problem p) {
            held.add(p);
        }

        boolean holding() {
            return !held.isEmpty();
        }
    }

    /** A per-transaction finding at the first statement it fires on, and how many later statements it holds for. */
    private static final class Head {
        final Rule rule;
        /** Where its statement waits in {@link FileRun#held}. */
        final int at;
        final int line;
        int more;
        int lastLine;

        Head(Rule rule, int at, int line) {
            this.rule = rule;
            this.at = at;
            this.line = line;
        }
    }

    /** The statement with the head's finding saying how many later statements of the transaction it holds for. */
    private static LintedStatement withCount(LintedStatement s, Head h) {
        if (h.more == 0) {
            return s;
        }
        Classification c = s.classification();
        List<Finding> findings = new ArrayList<>(c.findings());
        for (int i = 0; i < findings.size(); i++) {
            Finding f = findings.get(i);
            if (f.rule() == h.rule) {
                findings.set(i, new Finding(f.rule(), f.risk(), f.message() + "; so do "
                        + LintSummary.count(h.more, "more statement") + " of this transaction, to line "
                        + h.lastLine));
            }
        }
        Classification counted = new Classification(c.statement(), c.kind(), c.risk(), c.table(), c.lock(),
                c.rewrite(), List.copyOf(findings), c.literalIndependent());
        return new LintedStatement(s.file(), s.index(), counted, s.decision(), s.ignored(), s.repeats());
    }

    /** A problem found: handed on (after the statements before it, when a transaction holds them). */
    void add(Problem p) {
        if (unread != null) {
            if (p.inputError()) {
                unread.add(p);
            }
            return;
        }
        if (current != null && current.holding()) {
            current.hold(p);
        } else {
            hand(p);
        }
    }

    private void hand(Problem p) {
        if (onProblem != null) {
            onProblem.accept(p);
        }
    }

    private List<String> suppressions(String file, Classification c) {
        List<String> ignored = new ArrayList<>();
        for (Directive d : Directive.parse(c.statement(), "ignore")) {
            if (d.ruleIds().isEmpty()) {
                add(problem(file, d, "pgguard:ignore names no rule; write pgguard:ignore rule-id "
                        + "reason=\"...\""));
                continue;
            }
            for (String id : d.ruleIds()) {
                if (RuleCatalog.byId(id) == null) {
                    add(problem(file, d, "pgguard:ignore names unknown rule " + id));
                } else if (!d.hasReason()) {
                    add(problem(file, d, "pgguard:ignore " + id + " has no reason=\"...\"; not applied"));
                } else if (!c.hasRule(id)) {
                    add(problem(file, d, "unused suppression: " + id + " does not fire on this statement"));
                } else {
                    ignored.add(id);
                }
            }
        }
        return ignored;
    }

    private static Problem problem(String file, Directive d, String message) {
        return new Problem(file, d.line(), 1, message, false);
    }
}
