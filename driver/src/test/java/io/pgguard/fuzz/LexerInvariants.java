package io.pgguard.fuzz;

import io.pgguard.sql.Comment;
import io.pgguard.sql.LexError;
import io.pgguard.sql.SqlStatement;
import io.pgguard.sql.Token;
import io.pgguard.sql.TokenType;

import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * What must hold for any input, checked against the input itself rather than against the lexer's own logic: every
 * character is in a token, a comment, whitespace or a top-level semicolon; statements and tokens are in order and
 * do not overlap; a quoted token either closes exactly at its end or runs to the end of the input with an error
 * there; every error, statement and comment sits at the line and column its offset has.
 */
final class LexerInvariants {

    private static final Set<String> STRING_PREFIXES = Set.of("", "E", "B", "X", "N", "U&");
    private static final Set<String> IDENT_PREFIXES = Set.of("", "U&");

    private LexerInvariants() {
    }

    /** Checks what {@link io.pgguard.sql.Lexer#split} returned for {@code sql}; throws a {@link Violation}. */
    static void checkStatements(String sql, List<SqlStatement> statements) {
        int n = sql.length();
        int[] lines = lineStarts(sql);
        int accounted = 0;
        for (int s = 0; s < statements.size(); s++) {
            SqlStatement st = statements.get(s);
            boolean last = s == statements.size() - 1;
            if (st.source() != sql) {
                throw new Violation("source", "statement " + s + " does not refer to the input");
            }
            if (st.tokens().isEmpty()) {
                throw new Violation("empty-statement", "statement " + s + " has no tokens");
            }
            if (!last && st.error() != null) {
                throw new Violation("error-not-last", "statement " + s + " has error " + st.error() + " but "
                        + (statements.size() - s - 1) + " statements follow");
            }
            Gap before = gap(sql, accounted, st.start(), true);
            if (s > 0 && before.semicolons == 0) {
                throw new Violation("split-without-semicolon", "statements " + (s - 1) + " and " + s
                        + " are split at " + st.start() + " without a semicolon");
            }
            requirePosition(lines, st.start(), st.line(), st.column(), "statement-position", "statement " + s);
            boolean explained = st.error() == null;
            int previousEnd = -1;
            List<Token> tokens = st.tokens();
            for (int k = 0; k < tokens.size(); k++) {
                Token t = tokens.get(k);
                if (t.start() < 0 || t.start() >= t.end() || t.end() > n) {
                    throw new Violation("token-bounds", t + " in an input of " + n);
                }
                if (previousEnd >= 0) {
                    gap(sql, previousEnd, t.start(), false);
                }
                explained |= checkToken(sql, st, k, last && k == tokens.size() - 1);
                previousEnd = t.end();
            }
            if (!st.text().equals(sql.substring(st.start(), st.end()))) {
                throw new Violation("text", "statement " + s);
            }
            for (Comment c : st.comments()) {
                checkComment(sql, lines, c);
            }
            LexError e = st.error();
            if (e != null) {
                if (e.offset() < 0 || e.offset() >= n) {
                    throw new Violation("error-offset", e + " at " + e.offset() + ", outside [0, " + n + ")");
                }
                requirePosition(lines, e.offset(), e.line(), e.column(), "error-position", e.toString());
                if (!explained && e.message().contains("BEGIN ATOMIC") && e.offset() == st.start()) {
                    explained = true;
                }
                if (!explained && gap(sql, st.end(), n, true).unclosedComment != e.offset()) {
                    throw new Violation("unexplained-error", e + " matches no unterminated token or comment");
                }
            }
            accounted = st.end();
        }
        int unclosed = gap(sql, accounted, n, true).unclosedComment;
        if (unclosed >= 0) {
            LexError e = statements.isEmpty() ? null : statements.get(statements.size() - 1).error();
            if (e == null || e.offset() != unclosed) {
                throw new Violation("unterminated-without-error", "comment at " + unclosed + " never closes; "
                        + "error: " + e);
            }
        }
    }

    /** Checks token {@code k}; returns true when it explains the statement's error (an unterminated quote). */
    private static boolean checkToken(String sql, SqlStatement st, int k, boolean lastOfInput) {
        Token t = st.token(k);
        if (t.type() != TokenType.DOLLAR_STRING && (t.bodyStart() != t.start() || t.bodyEnd() != t.end())) {
            throw new Violation("token-body", t.toString());
        }
        switch (t.type()) {
            case STRING:
                return checkQuoted(sql, st, t, '\'', STRING_PREFIXES);
            case QUOTED_IDENT:
                return checkQuoted(sql, st, t, '"', IDENT_PREFIXES);
            case DOLLAR_STRING:
                return checkDollar(sql, st, k, t);
            case WORD:
                if (t.end() < sql.length() && isIdentChar(sql.charAt(t.end()))) {
                    throw new Violation("word-not-maximal", "word at " + t.start() + " is followed by "
                            + describe(sql.charAt(t.end())));
                }
                return false;
            case OTHER:
                if (t.length() == 1) {
                    return false;
                }
                // Only the stand-in for an unterminated comment outside any statement is longer than one char.
                if (!lastOfInput || !sql.startsWith("/*", t.start()) || t.end() != sql.length() || st.error() == null
                        || st.error().offset() != t.start()) {
                    throw new Violation("other-token", t + " " + abbreviate(sql.substring(t.start(), t.end())));
                }
                return true;
            default:
                return false;
        }
    }

    private static boolean checkQuoted(String sql, SqlStatement st, Token t, char quote, Set<String> prefixes) {
        int open = sql.indexOf(quote, t.start());
        if (open < 0 || open >= t.end()) {
            throw new Violation("quote-missing", t.toString());
        }
        String prefix = sql.substring(t.start(), open).toUpperCase(Locale.ROOT);
        if (!prefixes.contains(prefix)) {
            throw new Violation("quote-prefix", "prefix " + prefix + " of " + t);
        }
        boolean escapes = prefix.equals("E");
        for (int i = open + 1; i < t.end(); ) {
            char c = sql.charAt(i);
            if (c != quote) {
                i += escapes && c == '\\' ? 2 : 1;
            } else if (i + 1 < t.end() && sql.charAt(i + 1) == quote) {
                i += 2;
            } else if (i != t.end() - 1) {
                throw new Violation("quote-closes-early", t + " closes at " + i);
            } else if (t.end() < sql.length() && sql.charAt(t.end()) == quote) {
                throw new Violation("quote-not-maximal", t + " is followed by a doubled quote");
            } else {
                return false;
            }
        }
        requireUnterminated(sql, st, t);
        return true;
    }

    private static boolean checkDollar(String sql, SqlStatement st, int k, Token t) {
        int second = sql.indexOf('$', t.start() + 1);
        if (sql.charAt(t.start()) != '$' || second < 0 || second >= t.end()) {
            throw new Violation("dollar-tag", t.toString());
        }
        String tag = sql.substring(t.start(), second + 1);
        for (int i = 1; i < tag.length() - 1; i++) {
            char c = tag.charAt(i);
            if (!isIdentStart(c) && (i == 1 || !isDigit(c))) {
                throw new Violation("dollar-tag", "tag " + tag + " of " + t);
            }
        }
        if (k > 0 && st.token(k - 1).type() == TokenType.WORD && st.token(k - 1).end() == t.start()) {
            throw new Violation("dollar-in-identifier", "dollar quote at " + t.start() + " continues a word");
        }
        int body = t.start() + tag.length();
        int close = sql.indexOf(tag, body);
        boolean closed = close >= 0 && close + tag.length() <= t.end();
        if (closed && close + tag.length() != t.end()) {
            throw new Violation("dollar-closes-early", tag + " closes at " + close + ", inside " + t);
        }
        if (t.bodyStart() != body || t.bodyEnd() != (closed ? close : t.end())) {
            throw new Violation("dollar-body", t.toString());
        }
        if (closed) {
            return false;
        }
        requireUnterminated(sql, st, t);
        return true;
    }

    private static void requireUnterminated(String sql, SqlStatement st, Token t) {
        if (t.end() != sql.length()) {
            throw new Violation("unterminated-before-end", t + " does not close but ends before the input ("
                    + sql.length() + ")");
        }
        if (st.error() == null || st.error().offset() != t.start()) {
            throw new Violation("unterminated-without-error", t + " does not close; error: " + st.error());
        }
    }

    private static void checkComment(String sql, int[] lines, Comment c) {
        if (c.start() < 0 || c.start() >= c.end() || c.end() > sql.length()) {
            throw new Violation("comment-bounds", c.toString());
        }
        requirePosition(lines, c.start(), c.line(), -1, "comment-position", c.toString());
        String expected;
        if (sql.startsWith("--", c.start())) {
            expected = sql.substring(c.start() + 2, c.end());
        } else if (sql.startsWith("/*", c.start())) {
            int end = blockCommentEnd(sql, c.start());
            if (end != c.end() && !(end < 0 && c.end() == sql.length())) {
                throw new Violation("comment-end", c + " but the comment ends at " + end);
            }
            expected = end < 0 ? sql.substring(c.start() + 2) : sql.substring(c.start() + 2, end - 2);
        } else {
            throw new Violation("comment-start", c.toString());
        }
        if (!c.body().equals(expected)) {
            throw new Violation("comment-body", c + ", expected body " + abbreviate(expected));
        }
    }

    /** What lies between tokens: the semicolons found, and where a comment starts that never closes (or -1). */
    record Gap(int semicolons, int unclosedComment) {
    }

    /**
     * Reads [from, to): only whitespace, complete comments and, between statements, semicolons may be there. A
     * comment that never closes ends the gap (it can only be the input's last).
     */
    static Gap gap(String sql, int from, int to, boolean betweenStatements) {
        if (from > to) {
            throw new Violation("overlap", "[" + from + ", " + to + ")");
        }
        int n = sql.length();
        int semicolons = 0;
        int i = from;
        while (i < to) {
            char c = sql.charAt(i);
            if (isSpace(c)) {
                i++;
            } else if (c == ';' && betweenStatements) {
                semicolons++;
                i++;
            } else if (c == '-' && i + 1 < n && sql.charAt(i + 1) == '-') {
                // As in the server's scan.l: a line comment ends at \n or \r.
                i += 2;
                while (i < n && sql.charAt(i) != '\n' && sql.charAt(i) != '\r') {
                    i++;
                }
            } else if (c == '/' && i + 1 < n && sql.charAt(i + 1) == '*') {
                int end = blockCommentEnd(sql, i);
                if (end < 0) {
                    if (!betweenStatements) {
                        throw new Violation("unclosed-comment-inside", "comment at " + i + " inside a statement");
                    }
                    return new Gap(semicolons, i);
                }
                i = end;
            } else {
                throw new Violation("content-lost", describe(c) + " at " + i + " is in no token, comment or separator");
            }
            if (i > to) {
                throw new Violation("comment-overlaps-token", "comment before " + i + " runs into a token at " + to);
            }
        }
        return new Gap(semicolons, -1);
    }

    /** The end of the (nested) block comment starting at {@code start}, or -1 when it never closes. */
    private static int blockCommentEnd(String sql, int start) {
        int depth = 0;
        int i = start;
        while (i < sql.length()) {
            if (sql.startsWith("/*", i)) {
                depth++;
                i += 2;
            } else if (sql.startsWith("*/", i)) {
                depth--;
                i += 2;
                if (depth == 0) {
                    return i;
                }
            } else {
                i++;
            }
        }
        return -1;
    }

    /** Offsets at which lines start, counted here from the input (a line ends at '\n', as in the server). */
    private static int[] lineStarts(String sql) {
        int[] starts = new int[16];
        int count = 1;
        for (int i = 0; i < sql.length(); i++) {
            if (sql.charAt(i) == '\n') {
                if (count == starts.length) {
                    starts = Arrays.copyOf(starts, count * 2);
                }
                starts[count++] = i + 1;
            }
        }
        return Arrays.copyOf(starts, count);
    }

    /** Checks the 1-based line and column (column -1: not checked) given for {@code offset}. */
    private static void requirePosition(int[] lineStarts, int offset, int line, int column, String key, String what) {
        int index = Arrays.binarySearch(lineStarts, offset);
        int expectedLine = index >= 0 ? index + 1 : -index - 1;
        int expectedColumn = offset - lineStarts[expectedLine - 1] + 1;
        if (line != expectedLine || (column >= 0 && column != expectedColumn)) {
            throw new Violation(key, what + " at offset " + offset + " says " + line + ":" + column + ", the input "
                    + expectedLine + ":" + expectedColumn);
        }
    }

    private static boolean isSpace(char c) {
        return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == 0x0B;
    }

    private static boolean isDigit(char c) {
        return c >= '0' && c <= '9';
    }

    private static boolean isIdentStart(char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || c >= 0x80;
    }

    private static boolean isIdentChar(char c) {
        return isIdentStart(c) || isDigit(c) || c == '$';
    }

    static String describe(char c) {
        return c >= 0x20 && c < 0x7F ? "'" + c + "'" : String.format("U+%04X", (int) c);
    }

    static String abbreviate(String s) {
        return s.length() <= 60 ? s : s.substring(0, 57) + "...";
    }
}
