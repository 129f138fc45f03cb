package io.pgguard.classify;

import io.pgguard.sql.SqlStatement;
import io.pgguard.sql.TokenType;

/** A forward reader over a range of a statement's tokens, for the small grammar each rule family needs. */
final class Cursor {

    final SqlStatement st;
    int i;
    final int end;

    Cursor(SqlStatement st) {
        this(st, 0, st.size());
    }

    Cursor(SqlStatement st, int from, int end) {
        this.st = st;
        this.i = from;
        this.end = end;
    }

    boolean atEnd() {
        return i >= end;
    }

    boolean peek(String upper) {
        return i < end && st.isWord(i, upper);
    }

    boolean peek(int ahead, String upper) {
        return i + ahead < end && st.isWord(i + ahead, upper);
    }

    boolean peek(TokenType type) {
        return i < end && st.is(i, type);
    }

    /** Consumes the word if it is next. */
    boolean word(String upper) {
        if (peek(upper)) {
            i++;
            return true;
        }
        return false;
    }

    /** Consumes the words if they all come next, in order; consumes nothing otherwise. */
    boolean words(String... upper) {
        if (i + upper.length > end || !st.isWords(i, upper)) {
            return false;
        }
        i += upper.length;
        return true;
    }

    boolean take(TokenType type) {
        if (peek(type)) {
            i++;
            return true;
        }
        return false;
    }

    /** Consumes {@code IF NOT EXISTS}; reports whether it was there. */
    boolean ifNotExists() {
        return words("IF", "NOT", "EXISTS");
    }

    boolean ifExists() {
        return words("IF", "EXISTS");
    }

    /** Reads a possibly qualified name and returns it as written, or null when no name comes next. */
    String name() {
        if (!isNamePart(i)) {
            return null;
        }
        int first = i;
        i++;
        while (i + 1 < end && st.is(i, TokenType.DOT) && isNamePart(i + 1)) {
            i += 2;
        }
        return st.source().substring(st.token(first).start(), st.token(i - 1).end());
    }

    private boolean isNamePart(int k) {
        return k < end && (st.is(k, TokenType.WORD) || st.is(k, TokenType.QUOTED_IDENT));
    }

    /** Skips a parenthesised group if one comes next. */
    void skipGroup() {
        if (!peek(TokenType.LPAREN)) {
            return;
        }
        i = Math.min(end, closing(i) + 1);
    }

    /** The index of the parenthesis closing the one at {@code open}, or the range end when unbalanced. */
    int closing(int open) {
        int depth = 0;
        for (int k = open; k < end; k++) {
            TokenType t = st.type(k);
            if (t == TokenType.LPAREN) {
                depth++;
            } else if (t == TokenType.RPAREN && --depth == 0) {
                return k;
            }
        }
        return end;
    }

    /** The index of the next top-level token of the given type from {@code from}, or the range end. */
    int nextTopLevel(int from, TokenType type) {
        int depth = 0;
        for (int k = from; k < end; k++) {
            TokenType t = st.type(k);
            if (t == TokenType.LPAREN || t == TokenType.LBRACKET) {
                depth++;
            } else if (t == TokenType.RPAREN || t == TokenType.RBRACKET) {
                depth--;
            } else if (depth == 0 && t == type) {
                return k;
            }
        }
        return end;
    }

    /** The index of the next top-level word {@code upper} from {@code from}, or -1. */
    int findTopLevelWord(int from, String upper) {
        int depth = 0;
        for (int k = from; k < end; k++) {
            TokenType t = st.type(k);
            if (t == TokenType.LPAREN || t == TokenType.LBRACKET) {
                depth++;
            } else if (t == TokenType.RPAREN || t == TokenType.RBRACKET) {
                depth--;
            } else if (depth == 0 && st.isWord(k, upper)) {
                return k;
            }
        }
        return -1;
    }

    /** Whether the word appears anywhere in [from, to). */
    boolean contains(int from, int to, String upper) {
        for (int k = from; k < to; k++) {
            if (st.isWord(k, upper)) {
                return true;
            }
        }
        return false;
    }

    /** Whether token {@code k} turns an option off: {@code false}, {@code off} or {@code 0}. */
    static boolean isFalse(SqlStatement st, int k) {
        return st.isWord(k, "FALSE") || st.isWord(k, "OFF") || (st.is(k, TokenType.NUMBER) && st.text(k).equals("0"));
    }

    /** A lookup key for a relation or column name: unquoted parts folded to lower case, the schema dropped. */
    static String key(String name) {
        if (name == null) {
            return null;
        }
        String last = lastPart(name);
        if (last.startsWith("\"") && last.endsWith("\"") && last.length() >= 2) {
            return last.substring(1, last.length() - 1).replace("\"\"", "\"");
        }
        if ((last.startsWith("U&\"") || last.startsWith("u&\"")) && last.endsWith("\"") && last.length() >= 4) {
            return unicodeName(last.substring(3, last.length() - 1).replace("\"\"", "\""));
        }
        return last.toLowerCase(java.util.Locale.ROOT);
    }

    /** The body of a {@code U&"..."} identifier with its escapes ({@code \0070}, {@code \+000070}, {@code \\}) read. */
    private static String unicodeName(String body) {
        StringBuilder sb = new StringBuilder(body.length());
        for (int i = 0; i < body.length(); i++) {
            char c = body.charAt(i);
            if (c == '\\' && i + 1 < body.length()) {
                char n = body.charAt(i + 1);
                int digits = n == '+' ? 6 : 4;
                int from = n == '+' ? i + 2 : i + 1;
                if (n == '\\') {
                    sb.append('\\');
                    i++;
                    continue;
                }
                if (from + digits <= body.length()) {
                    try {
                        sb.appendCodePoint(Integer.parseInt(body.substring(from, from + digits), 16));
                        i = from + digits - 1;
                        continue;
                    } catch (IllegalArgumentException e) {
                        // not an escape: kept as written
                    }
                }
            }
            sb.append(c);
        }
        return sb.toString();
    }

    /**
     * The lookup key of what qualifies a name ({@code public} of {@code public.orders}, {@code db.public} of
     * {@code db.public.orders}), each part folded as in {@link #key}; empty for an unqualified name.
     */
    static String qualifierKey(String name) {
        int dot = name == null ? -1 : lastDot(name);
        if (dot < 0) {
            return "";
        }
        String qualifier = name.substring(0, dot);
        String outer = qualifierKey(qualifier);
        return outer.isEmpty() ? key(qualifier) : outer + "." + key(qualifier);
    }

    private static String lastPart(String name) {
        return name.substring(lastDot(name) + 1).trim();
    }

    /** Where the last dot outside double quotes is, or -1. */
    private static int lastDot(String name) {
        boolean quoted = false;
        int dot = -1;
        for (int k = 0; k < name.length(); k++) {
            char c = name.charAt(k);
            if (c == '"') {
                quoted = !quoted;
            } else if (c == '.' && !quoted) {
                dot = k;
            }
        }
        return dot;
    }
}
