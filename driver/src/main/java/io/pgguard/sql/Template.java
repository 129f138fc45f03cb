package io.pgguard.sql;

import java.util.Arrays;

/**
 * A statement string with every literal masked: the text as written, each string and number literal replaced by
 * {@code \0} and each comment by {@code \1}. Two strings with the same template differ only in literal values and
 * comment text, so they lex to the same tokens apart from literal values, and a verdict that does not depend on
 * those values holds for both (this is what lets a string never seen before be answered without classifying it).
 *
 * <p>Made by a scan much smaller than the {@link Lexer}'s, because it runs for every string no cache knows, while
 * pgjdbc's own work has just evicted our code from the CPU caches: most characters are copied by one tight loop,
 * and only quotes, digits, dots, dashes, slashes and dollars stop it. Whatever that scan does not read exactly as
 * the lexer would, it does not guess at: the string has no template ({@link #of} returns null) and is classified
 * on its own. That is the case for a {@code $} starting a token (parameters, dollar quotes), a quote right after a
 * word or {@code &} (the {@code E''}, {@code B''}, {@code X''}, {@code N''} and {@code U&''} forms), a backslash in
 * a {@code '...'} string (read differently when {@code standard_conforming_strings} is off), control
 * characters, anything unterminated, and a comment holding a {@code pgguard:} directive (which a verdict depends
 * on).
 */
public final class Template {

    static final char LITERAL = '\0';
    static final char COMMENT = '\1';

    // Character classes of ASCII; everything at or above 0x80 is a word character, as in the lexer.
    private static final byte KEPT = 0;
    private static final byte WORD = 1;
    private static final byte DIGIT = 2;
    private static final byte STOP = 3;
    private static final byte UNREADABLE = 4;
    private static final byte[] CLASS = new byte[128];

    static {
        for (int c = 0; c < ' '; c++) {
            CLASS[c] = UNREADABLE;
        }
        for (char c : "\t\n\r\f\u000B".toCharArray()) {
            CLASS[c] = KEPT;
        }
        for (int c = 'a'; c <= 'z'; c++) {
            CLASS[c] = WORD;
            CLASS[Character.toUpperCase(c)] = WORD;
        }
        CLASS['_'] = WORD;
        for (int c = '0'; c <= '9'; c++) {
            CLASS[c] = DIGIT;
        }
        for (char c : "'\".-/$".toCharArray()) {
            CLASS[c] = STOP;
        }
    }

    // What the character at a stop is, as element() returns it in the upper half of a long (the end below).
    private static final int NONE = 0;
    /** One character kept as written: a digit in a word, a {@code $} in a word, a '.', '-' or '/' alone. */
    private static final int CHAR = 1;
    /** A quoted identifier, kept as written. */
    private static final int QUOTED = 2;
    private static final int LITERAL_END = 3;
    private static final int COMMENT_END = 4;

    private final char[] chars;
    private final int length;
    private final int hash;

    private Template(char[] chars, int length) {
        this.chars = chars;
        this.length = length;
        int h = 0;
        for (int i = 0; i < length; i++) {
            h = 31 * h + chars[i];
        }
        this.hash = h;
    }

    /** The template of {@code sql}, or null when it has none (see the class comment). */
    public static Template of(String sql) {
        char[] out = new char[sql.length()];
        int n = mask(sql, out);
        return n < 0 ? null : new Template(out, n);
    }

    /**
     * This template in the form to keep in a cache, holding only its own characters, ready for
     * {@link Compact#matches}, with {@code value} attached: what the cache answers for strings of this template.
     */
    public <T> Compact<T> compact(T value) {
        char[] own = Arrays.copyOf(chars, length);
        String text = new String(own);
        int[] stops = new int[stops(text, null)];
        stops(text, stops);
        return new Compact<>(new Template(own, length), stops, value);
    }

    /**
     * A template with a value, answering whether a string has it without building the string's own template. One
     * object holds all that a match reads (the characters, where the stops are, the value) one reference away:
     * a match mostly runs right after pgjdbc and the server have evicted our data from the CPU's caches, and each
     * object in a chain of references is one more wait for memory. Immutable, so it can be shared without locks.
     *
     * @param <T> the value attached
     */
    public static final class Compact<T> {

        private final char[] text;
        /** Where the elements other than plain text start. */
        private final int[] stops;
        private final T value;
        private final Template template;

        private Compact(Template template, int[] stops, T value) {
            this.text = template.chars;
            this.stops = stops;
            this.value = value;
            this.template = template;
        }

        /** The template, equal to {@link Template#of} of every string this matches: the key to keep it under. */
        public Template template() {
            return template;
        }

        public T value() {
            return value;
        }

        /** The length of the strings that can match when the template is plain text only, else -1. */
        public int plainLength() {
            return stops.length == 0 ? text.length : -1;
        }

        /**
         * Whether {@code sql} has this template, as {@code template().equals(Template.of(sql))} would say, but
         * without building one: the plain text between stops is compared as it is, and only the stops are read as
         * the scan reads them.
         */
        public boolean matches(String sql) {
            char[] text = this.text;
            int[] stops = this.stops;
            int length = text.length;
            int n = sql.length();
            if (stops.length == 0 && n != length) { // all plain text: a string of another length cannot match
                return false;
            }
            int r = 0;
            int j = 0;
            boolean inWord = false;
            char before = 0;
            for (int k = 0; ; k++) {
                int stop = k < stops.length ? stops[k] : length;
                int plain = stop - j;
                if (plain > 0) {
                    // The scan keeps plain characters as they are, whatever came before: comparing them is enough.
                    if (!sameText(sql, r, text, j, plain)) {
                        return false;
                    }
                    r += plain;
                    j = stop;
                    before = text[j - 1];
                    inWord = isWord(before);
                }
                if (k == stops.length) {
                    return r == n;
                }
                if (r == n) {
                    return false;
                }
                char t = text[j];
                // The two common stops, a plain number and a flat block comment, read without the general element().
                int quick = t == LITERAL && !inWord ? plainNumberEnd(sql, r, n)
                        : t == COMMENT ? flatCommentEnd(sql, r, n) : -1;
                if (quick == 0) {
                    return false;
                }
                if (quick > 0) {
                    j++;
                    inWord = false;
                    before = 0;
                    r = quick;
                    continue;
                }
                long element = element(sql, r, n, inWord, before);
                int end = (int) element;
                char c = sql.charAt(r);
                switch ((int) (element >>> 32)) {
                    case CHAR -> {
                        if (t != c) {
                            return false;
                        }
                    }
                    case QUOTED -> {
                        if (!sameText(sql, r, text, j, end - r)) {
                            return false;
                        }
                        j += end - r - 1;
                    }
                    case LITERAL_END -> {
                        if (t != LITERAL) {
                            return false;
                        }
                    }
                    case COMMENT_END -> {
                        if (t != COMMENT) {
                            return false;
                        }
                    }
                    default -> {
                        return false;
                    }
                }
                j++;
                inWord = stillInWord(inWord, element, c);
                before = element >>> 32 == CHAR ? c : 0;
                r = end;
            }
        }
    }

    /** Counts the stops of a template's text, writing where they are into {@code into} unless it is null. */
    private static int stops(String text, int[] into) {
        int count = 0;
        int i = 0;
        int length = text.length();
        while (i < length) {
            char c = text.charAt(i);
            if (c >= 128 || CLASS[c] <= WORD) {
                i++;
                continue;
            }
            if (into != null) {
                into[count] = i;
            }
            count++;
            i = c == '"' ? Lexer.quoteEnd(text, i + 1, false, length) : i + 1;
        }
        return count;
    }

    /** Whether {@code sql[r, r + n)} holds the same characters as {@code text[j, j + n)}. */
    private static boolean sameText(String sql, int r, char[] text, int j, int n) {
        if (r + n > sql.length()) {
            return false;
        }
        for (int i = 0; i < n; i++) {
            if (sql.charAt(r + i) != text[j + i]) {
                return false;
            }
        }
        return true;
    }

    /**
     * Where a number of digits only, starting at {@code s[r]}, ends; -1 when it is some other literal or none, for
     * {@link #element} to read.
     */
    private static int plainNumberEnd(String s, int r, int length) {
        int i = r;
        while (i < length && Lexer.isDigit(s.charAt(i))) {
            i++;
        }
        if (i == r) {
            return -1;
        }
        char after = i < length ? s.charAt(i) : ' ';
        // 1.5, 1_000, 1e3 and 0x1F go on past the digits; so does 1a, which the lexer reads as 1 and a.
        return after == '.' || after == '_' || isWord(after) ? -1 : i;
    }

    /**
     * Where the block comment starting at {@code s[r]} ends when it nests no other; 0 when it holds a directive
     * (no template); -1 when it is no block comment, nests one or is unterminated, for {@link #element} to read.
     */
    private static int flatCommentEnd(String s, int r, int length) {
        if (r + 1 >= length || s.charAt(r) != '/' || s.charAt(r + 1) != '*') {
            return -1;
        }
        for (int i = r + 2; i + 1 < length; i++) {
            char c = s.charAt(i);
            if (c == '*' && s.charAt(i + 1) == '/') {
                return i + 2;
            }
            if (c == '/' && s.charAt(i + 1) == '*') {
                return -1;
            }
            // A directive has no '*', so one that starts inside the comment ends inside it.
            if (c == 'p' && s.startsWith(Lexer.DIRECTIVE, i)) {
                return 0;
            }
        }
        return -1;
    }

    /** The template as text (markers included), for tests and diagnostics. */
    @Override
    public String toString() {
        return new String(chars, 0, length);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Template t && t.hash == hash && t.length == length
                && Arrays.equals(chars, 0, length, t.chars, 0, length);
    }

    @Override
    public int hashCode() {
        return hash;
    }

    /**
     * Writes the template of {@code s} to {@code out} (never longer than {@code s}: a literal or comment becomes one
     * character) and returns its length, or -1 when the string has none.
     */
    private static int mask(String s, char[] out) {
        int length = s.length();
        int w = 0;
        int r = 0;
        boolean inWord = false;
        char before = 0;
        while (r < length) {
            // Words, spaces, punctuation and most operators are kept as they are: copy the whole run.
            int run = r;
            char c = 0;
            while (r < length && ((c = s.charAt(r)) >= 128 || CLASS[c] <= WORD)) {
                r++;
            }
            if (r > run) {
                s.getChars(run, r, out, w);
                w += r - run;
                before = s.charAt(r - 1);
                inWord = isWord(before);
                if (r == length) {
                    break;
                }
            }
            long element = element(s, r, length, inWord, before);
            int end = (int) element;
            switch ((int) (element >>> 32)) {
                case CHAR -> out[w++] = c;
                case QUOTED -> {
                    s.getChars(r, end, out, w);
                    w += end - r;
                }
                case LITERAL_END -> out[w++] = LITERAL;
                case COMMENT_END -> out[w++] = COMMENT;
                default -> {
                    return -1;
                }
            }
            inWord = stillInWord(inWord, element, c);
            before = element >>> 32 == CHAR ? c : 0;
            r = end;
        }
        return w;
    }

    /**
     * What starts at {@code s[r]}, a character that is not plain text, given what came just before: the kind
     * ({@link #CHAR}, {@link #QUOTED}, {@link #LITERAL_END}, {@link #COMMENT_END}, or {@link #NONE} when the string
     * has no template) in the upper 32 bits, and where it ends in the lower. The one place that decides this, for
     * both {@link #mask} and {@link Compact#matches}.
     */
    private static long element(String s, int r, int length, boolean inWord, char before) {
        char c = s.charAt(r);
        char next = r + 1 < length ? s.charAt(r + 1) : 0;
        int kind;
        int end;
        switch (c) {
            case '\'' -> {
                // E'', B'', X'', N'' and U&'' are read differently by the lexer; a backslash inside is read
                // differently when standard_conforming_strings is off, so such a string decides on its own.
                end = inWord || before == '&' ? -1 : Lexer.plainQuoteEnd(s, r + 1, length);
                kind = LITERAL_END;
            }
            case '"' -> {
                end = Lexer.quoteEnd(s, r + 1, false, length);
                kind = QUOTED;
            }
            case '.' -> {
                boolean number = Lexer.isDigit(next);
                end = number ? Lexer.numberEnd(s, r, length) : r + 1;
                kind = number ? LITERAL_END : CHAR;
            }
            case '-' -> {
                if (next == '-') {
                    end = Lexer.lineCommentEnd(s, r, length);
                    end = Lexer.containsDirective(s, r + 2, end) ? -1 : end;
                    kind = COMMENT_END;
                } else {
                    end = r + 1;
                    kind = CHAR;
                }
            }
            case '/' -> {
                end = next == '*' ? blockCommentEnd(s, r, length) : r + 1;
                kind = next == '*' ? COMMENT_END : CHAR;
            }
            case '$' -> { // part of a word (a$b), else a parameter or a dollar quote
                end = inWord ? r + 1 : -1;
                kind = CHAR;
            }
            default -> {
                if (!Lexer.isDigit(c)) { // a control character
                    return NONE;
                }
                end = inWord ? r + 1 : Lexer.numberEnd(s, r, length); // a digit in a word, as in t1 or col_2
                kind = inWord ? CHAR : LITERAL_END;
            }
        }
        return end < 0 ? NONE : (long) kind << 32 | end;
    }

    /**
     * Whether a word goes on past {@code element}, which starts with {@code c}: only a digit or {@code $} kept
     * inside a word continues it. The one state rule after an element, for {@link #mask} and {@link Compact#matches}.
     */
    private static boolean stillInWord(boolean inWord, long element, char c) {
        return inWord && element >>> 32 == CHAR && (c == '$' || Lexer.isDigit(c));
    }

    /**
     * Whether {@code c} is a word character (a letter, {@code _}, or anything at or above 0x80), as {@link #CLASS}
     * says, computed rather than looked up: the matcher asks this once per stop, and the table is one more page of
     * memory to wait for when the server has just run.
     */
    private static boolean isWord(char c) {
        int lower = c | 0x20;
        return c >= 128 || c == '_' || lower >= 'a' && lower <= 'z';
    }

    /** Where the block comment starting at {@code s[r]} ends; -1 when it is unterminated or holds a directive. */
    private static int blockCommentEnd(String s, int r, int length) {
        int end = Lexer.blockCommentEnd(s, r, length);
        return end < 0 || Lexer.containsDirective(s, r + 2, end - 2) ? -1 : end;
    }
}
