package io.pgguard.sql;

import java.util.ArrayList;
import java.util.List;

/**
 * Checks the property the guard's template cache relies on, for any input: when a string has a {@link Template},
 * lexing the template gives the string's own tokens, each literal as {@code \0} and no comments, statement by
 * statement, with the same errors (an unterminated routine body is an error of the tokens, which the template
 * keeps). Two strings with one template therefore lex alike except for literal values. A string with a
 * {@code pgguard:} directive has no template. And {@link Template#matches} says what comparing templates says,
 * for the string and for strings one edit away from it (where a boundary between plain text and a literal,
 * comment or quoted identifier moves).
 */
public final class TemplateCheck {

    private TemplateCheck() {
    }

    /** What is wrong with {@code sql}'s template, or null when nothing is. */
    public static String violation(String sql) {
        Template template = Template.of(sql);
        List<SqlStatement> statements = Lexer.split(sql);
        if (template == null) {
            return null;
        }
        for (SqlStatement st : statements) {
            for (Comment c : st.comments()) {
                if (c.body().contains(Lexer.DIRECTIVE)) {
                    return "a template for a string with a directive";
                }
            }
        }
        List<List<String>> expected = tokensOf(sql, statements);
        List<List<String>> actual = tokensOfTemplate(template.toString());
        if (!expected.equals(actual)) {
            return "template " + printable(template.toString()) + " lexes to " + actual + ", the string to " + expected;
        }
        return matchViolation(sql, template.compact(Boolean.TRUE));
    }

    /** Characters whose insertion or removal moves a boundary the scan decides on. */
    private static final String EDITS = "-/*'\"1.$&e \n\0";

    private static String matchViolation(String sql, Template.Compact<Boolean> compact) {
        if (!compact.matches(sql)) {
            return "template " + printable(compact.template().toString()) + " does not match its own string";
        }
        int n = sql.length();
        int[] positions = {0, 1, n / 3, n / 2, n - 2, n - 1, n};
        for (int at : positions) {
            if (at < 0 || at > n) {
                continue;
            }
            for (int e = 0; e < EDITS.length(); e++) {
                String inserted = sql.substring(0, at) + EDITS.charAt(e) + sql.substring(at);
                String problem = compare(compact, inserted);
                if (problem != null) {
                    return problem;
                }
            }
            if (at < n) {
                String problem = compare(compact, sql.substring(0, at) + sql.substring(at + 1));
                if (problem != null) {
                    return problem;
                }
            }
        }
        return null;
    }

    private static String compare(Template.Compact<Boolean> compact, String other) {
        boolean expected = compact.template().equals(Template.of(other));
        if (compact.matches(other) != expected) {
            return "template " + printable(compact.template().toString())
                    + (expected ? " does not match " : " matches ") + printable(other);
        }
        return null;
    }

    private static List<List<String>> tokensOf(String sql, List<SqlStatement> statements) {
        List<List<String>> out = new ArrayList<>();
        for (SqlStatement st : statements) {
            List<String> tokens = new ArrayList<>();
            for (Token t : st.tokens()) {
                tokens.add(t.type().isLiteral() ? String.valueOf(Template.LITERAL) : sql.substring(t.start(), t.end()));
            }
            if (st.error() != null) {
                tokens.add("error: " + st.error().message());
            }
            out.add(tokens);
        }
        return out;
    }

    private static List<List<String>> tokensOfTemplate(String text) {
        List<List<String>> out = new ArrayList<>();
        for (SqlStatement st : Lexer.split(text)) {
            List<String> tokens = new ArrayList<>();
            for (Token t : st.tokens()) {
                String s = text.substring(t.start(), t.end());
                if (!s.equals(String.valueOf(Template.COMMENT))) {
                    tokens.add(s);
                }
            }
            if (st.error() != null) {
                tokens.add("error: " + st.error().message());
            }
            if (!tokens.isEmpty()) {
                out.add(tokens);
            }
        }
        return out;
    }

    private static String printable(String s) {
        return s.replace("\0", "\\0").replace("\1", "\\1");
    }
}
