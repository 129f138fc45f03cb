package io.pgguard.fuzz;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.pgguard.classify.Classification;
import io.pgguard.classify.Classified;
import io.pgguard.classify.Classifier;
import io.pgguard.classify.Context;
import io.pgguard.classify.Finding;
import io.pgguard.classify.Risk;
import io.pgguard.cli.Main;
import io.pgguard.policy.Decision;
import io.pgguard.policy.Guard;
import io.pgguard.policy.Policy;
import io.pgguard.policy.Target;
import io.pgguard.policy.Verdict;
import io.pgguard.sql.Lexer;
import io.pgguard.sql.SqlStatement;
import io.pgguard.sql.TemplateCheck;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * Runs one input through everything that reads SQL text: the lexer (checked by {@link LexerInvariants}), the
 * classifier for an application and for a migration file, the policy, the guard and {@code pgguard lint}. Nothing
 * may throw, and what each produces must be consistent with the lexer's statements.
 */
final class PipelineChecks {

    /** Key prefix of a rule exception the classifier caught and turned into an unreadable-sql finding. */
    static final String CLASSIFIER_CAUGHT = "classifier-caught-";

    private static final ObjectMapper JSON = new ObjectMapper();

    private final Classifier classifier = new Classifier(17);
    private final Policy policy = Policy.defaults();
    private final Target target = Target.production("fuzz");

    /** The first rule exception the classifier caught during the last {@link #check}, or null. */
    private Violation caught;

    /**
     * Checks the lexer, then everything downstream of it; throws a {@link Violation} or whatever main code threw. A
     * rule exception the classifier caught does not stop the checks; it is thrown at the end.
     */
    void check(String sql) {
        caught = null;
        List<SqlStatement> statements = Lexer.split(sql);
        LexerInvariants.checkStatements(sql, statements);
        String template = TemplateCheck.violation(sql);
        if (template != null) {
            throw new Violation("template", template);
        }
        standardStringsShortcut(sql, statements);
        List<Classification> single = Classified.of(classifier, sql);
        checkClassifications(statements, single);
        checkClassifications(statements, classifier.classifyFile(statements, Context.migration()));
        for (Classification c : single) {
            Decision d = policy.decide(c, target);
            if (d == null || d.action() == null) {
                throw new Violation("decision-null", "no decision for " + c);
            }
        }
        for (SqlStatement st : statements) {
            if (st.fingerprint() == null) {
                throw new Violation("fingerprint-null", "no fingerprint");
            }
        }
        // A guard of its own: a shared one would keep thousands of inputs alive in its cache.
        Verdict verdict = new Guard(classifier, target, policy).check(sql);
        if (verdict.decisions().size() != statements.size()) {
            throw new Violation("verdict-size", verdict.decisions().size() + " decisions for " + statements.size()
                    + " statements");
        }
        if (caught != null) {
            throw caught;
        }
    }

    /**
     * The driver asks the session how it reads strings only for a string whose '...' literals hold a backslash:
     * without one, a reader with backslash escapes must split and tokenize the input exactly as a standard one. The
     * one other difference is a U&'' string, which the server refuses outright when the setting is off.
     */
    private static void standardStringsShortcut(String sql, List<SqlStatement> standard) {
        if (standard.stream().anyMatch(SqlStatement::readsBackslashes) || sql.contains("&'")) {
            return;
        }
        List<SqlStatement> escaped = Lexer.split(sql, false);
        boolean same = escaped.size() == standard.size();
        for (int i = 0; same && i < escaped.size(); i++) {
            same = escaped.get(i).tokens().equals(standard.get(i).tokens())
                    && java.util.Objects.equals(escaped.get(i).error(), standard.get(i).error());
        }
        if (!same) {
            throw new Violation("standard-strings", "no backslash in a '...' literal, yet the two readings differ");
        }
    }

    /**
     * Runs {@code pgguard lint --format FORMAT -} on the input: it must not throw, JSON and SARIF output must parse,
     * and the status is 2 (input error) exactly when a statement cannot be read.
     */
    void checkLint(String sql, String format) {
        byte[] bytes = sql.getBytes(StandardCharsets.UTF_8);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int status = Main.run(new String[] {"lint", "--format", format, "-"}, new ByteArrayInputStream(bytes),
                new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8));
        String text = new String(bytes, StandardCharsets.UTF_8);
        if (text.startsWith("\uFEFF")) {
            text = text.substring(1);
        }
        boolean unreadable = Lexer.split(text).stream().anyMatch(st -> !st.readable());
        if (unreadable ? status != 2 : status != 0 && status != 1) {
            throw new Violation("lint-status", "status " + status + " (unreadable statements: " + unreadable
                    + "); stderr: " + LexerInvariants.abbreviate(err.toString(StandardCharsets.UTF_8)));
        }
        if (format.equals("json") || format.equals("sarif")) {
            try {
                JSON.readTree(out.toByteArray());
            } catch (IOException e) {
                throw new Violation("lint-" + format + "-invalid", e.getMessage());
            }
        }
    }

    private void checkClassifications(List<SqlStatement> statements, List<Classification> classifications) {
        if (classifications.size() != statements.size()) {
            throw new Violation("classification-count", classifications.size() + " classifications for "
                    + statements.size() + " statements");
        }
        for (int i = 0; i < classifications.size(); i++) {
            Classification c = classifications.get(i);
            if (c.kind() == null || c.risk() == null || c.findings() == null) {
                throw new Violation("classification-null", String.valueOf(c));
            }
            if (!c.statement().text().equals(statements.get(i).text())) {
                throw new Violation("classification-statement", "classification " + i + " is of another statement");
            }
            Risk strictest = Risk.SAFE;
            for (Finding f : c.findings()) {
                strictest = Risk.max(strictest, f.risk());
                // The classifier turns its own exceptions into an unreadable-sql finding (fail closed); that is
                // safe, but it means a rule threw on input the lexer read.
                String message = f.message() == null ? "" : f.message();
                if (message.startsWith("statement could not be analysed") && caught == null) {
                    caught = new Violation(CLASSIFIER_CAUGHT + message.substring(message.lastIndexOf(' ') + 1),
                            "statement " + i + ": " + message);
                }
            }
            if (c.risk() != strictest) {
                throw new Violation("classification-risk", c.risk() + " but strictest finding " + strictest);
            }
            if (!statements.get(i).readable() && (c.risk() != Risk.UNKNOWN || !c.hasRule("unreadable-sql"))) {
                throw new Violation("unreadable-not-unknown", "statement " + i + " has error "
                        + statements.get(i).error() + " but risk " + c.risk());
            }
        }
    }
}
