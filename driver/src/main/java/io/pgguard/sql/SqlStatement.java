package io.pgguard.sql;

import java.util.List;

/**
 * One top-level statement as PostgreSQL would split the input: its tokens, the comments that belong to it (those
 * after the previous statement's semicolon up to its own), where it starts, and the lexical error that ended it, if
 * any. Positions are offsets into {@code source}, the whole input.
 */
public record SqlStatement(String source, List<Token> tokens, List<Comment> comments, int line, int column,
                           LexError error) {

    /** First character of the first token. */
    public int start() {
        return tokens.isEmpty() ? 0 : tokens.get(0).start();
    }

    /** End of the last token (the terminating semicolon excluded). */
    public int end() {
        return tokens.isEmpty() ? 0 : tokens.get(tokens.size() - 1).end();
    }

    /** The statement as written, without leading comments and the terminating semicolon. */
    public String text() {
        return source.substring(start(), end());
    }

    public int size() {
        return tokens.size();
    }

    public Token token(int i) {
        return tokens.get(i);
    }

    public TokenType type(int i) {
        return i < tokens.size() ? tokens.get(i).type() : null;
    }

    /** The source text of token {@code i}. */
    public String text(int i) {
        Token t = tokens.get(i);
        return source.substring(t.start(), t.end());
    }

    /** Whether token {@code i} is the unquoted word {@code upper} (given in upper case), ignoring case. */
    public boolean isWord(int i, String upper) {
        if (i < 0 || i >= tokens.size()) {
            return false;
        }
        Token t = tokens.get(i);
        return t.type() == TokenType.WORD && t.length() == upper.length()
                && source.regionMatches(true, t.start(), upper, 0, upper.length());
    }

    /** Whether the tokens from {@code i} on are the given words, in order. */
    public boolean isWords(int i, String... upper) {
        for (int k = 0; k < upper.length; k++) {
            if (!isWord(i + k, upper[k])) {
                return false;
            }
        }
        return true;
    }

    public boolean is(int i, TokenType type) {
        return i >= 0 && i < tokens.size() && tokens.get(i).type() == type;
    }

    /** The statement with literals and parameters replaced by {@code ?}, comments dropped and spacing folded. */
    public String fingerprint() {
        return Fingerprint.of(this);
    }

    /**
     * Whether a plain {@code '...'} (or {@code N'...'}) string of the statement holds a backslash: the server reads
     * such a string differently when {@code standard_conforming_strings} is off, so the statement's meaning depends
     * on the session. Without one, both settings read the statement the same.
     */
    public boolean readsBackslashes() {
        for (Token t : tokens) {
            if (t.type() == TokenType.STRING) {
                char first = source.charAt(t.start());
                boolean plain = first == '\'' || (first == 'n' || first == 'N') && t.length() > 1
                        && source.charAt(t.start() + 1) == '\'';
                if (plain) {
                    for (int i = t.start(); i < t.end(); i++) {
                        if (source.charAt(i) == '\\') {
                            return true;
                        }
                    }
                }
            }
        }
        return false;
    }

    /** Whether the lexer could read the whole statement. */
    public boolean readable() {
        return error == null;
    }
}
