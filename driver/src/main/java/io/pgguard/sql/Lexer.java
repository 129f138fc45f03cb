package io.pgguard.sql;

import java.util.ArrayList;
import java.util.List;

/**
 * A single-pass PostgreSQL lexer and statement splitter, following the server's {@code scan.l}, reading
 * {@code '...'} strings as the session's {@code standard_conforming_strings} says: as written when it is on (the
 * default), with backslash escapes when it is off. It splits where the server would: at a semicolon outside parentheses
 * and outside a {@code BEGIN ATOMIC ... END} routine body. It never throws and runs in time linear in the input:
 * every loop advances the position, and a dollar-quote end is searched only at {@code $} characters (a tag holds
 * no {@code $}, so no character is compared twice against the same tag).
 */
public final class Lexer {

    private final String src;
    private final int length;
    private int pos;

    // Line bookkeeping, advanced monotonically so computing positions stays linear.
    private int lineAt;
    private int line = 1;
    private int lineStart;

    /** What marks a comment as a directive to pgguard ({@code /* pgguard:allow ... *}{@code /}). */
    static final String DIRECTIVE = "pgguard:";

    private final List<SqlStatement> statements = new ArrayList<>();
    private List<Token> tokens = new ArrayList<>();
    private int tokenCount;
    private int firstStart;
    // The latest token and the one before it, for the routine-body tracking.
    private TokenType lastType;
    private int lastStart;
    private int lastEnd;
    private TokenType prevType;
    private int prevStart;
    private int prevEnd;
    private List<Comment> comments = List.of();
    private int firstLine;
    private int firstColumn;
    private int semicolonLine = -1;

    // Splitting state of the current statement.
    private int parenDepth;
    private int beginDepth;
    private int caseDepth;
    private int wordIndex;
    private boolean routineDefinition;
    private boolean createSeen;
    private boolean orSeen;

    /** Whether {@code '...'} strings are read as written ({@code standard_conforming_strings = on}). */
    private final boolean standardStrings;

    /**
     * A Liquibase formatted-SQL changelog ({@code --liquibase formatted sql} on its first line): Liquibase cuts it
     * into changesets at each {@code --changeset} line before it splits statements, so a changeset's last statement
     * ends there even without a semicolon.
     */
    private final boolean changesets;

    private Lexer(String src, boolean standardStrings) {
        this.src = src;
        this.length = src.length();
        this.standardStrings = standardStrings;
        this.changesets = liquibaseFormatted(src);
    }

    /** Whether the text starts with Liquibase's {@code --liquibase formatted sql} line. */
    public static boolean liquibaseFormatted(String src) {
        int i = 0;
        while (i < src.length() && (isSpace(src.charAt(i)) || src.charAt(i) == '\uFEFF')) {
            i++;
        }
        if (!src.startsWith("--", i)) {
            return false;
        }
        i += 2;
        while (i < src.length() && (src.charAt(i) == ' ' || src.charAt(i) == '\t')) {
            i++;
        }
        return src.regionMatches(true, i, "liquibase formatted sql", 0, "liquibase formatted sql".length());
    }

    /**
     * Whether the comment at {@code start} is a {@code --changeset author:id ...} line: a {@code --} comment at the
     * start of a line (blanks before it allowed), as Liquibase reads a formatted-SQL changelog.
     */
    public static boolean changesetLine(String src, int start) {
        if (!src.startsWith("--", start)) {
            return false;
        }
        int i = start - 1;
        while (i >= 0 && (src.charAt(i) == ' ' || src.charAt(i) == '\t')) {
            i--;
        }
        if (i >= 0 && src.charAt(i) != '\n' && src.charAt(i) != '\r') {
            return false;
        }
        int j = start + 2;
        while (j < src.length() && (src.charAt(j) == ' ' || src.charAt(j) == '\t')) {
            j++;
        }
        return src.regionMatches(true, j, "changeset", 0, 9) && j + 9 < src.length() && isSpace(src.charAt(j + 9));
    }

    /** Splits {@code sql} into its non-empty statements; an unreadable tail becomes a statement with an error. */
    public static List<SqlStatement> split(String sql) {
        return split(sql, 0, true);
    }

    /** {@link #split(String)} for a session whose {@code standard_conforming_strings} is on or off. */
    public static List<SqlStatement> split(String sql, boolean standardStrings) {
        return split(sql, 0, standardStrings);
    }

    /**
     * Splits {@code sql} from offset {@code from} on (positions, lines and columns stay those of the whole text),
     * reading {@code '...'} strings with backslash escapes unless {@code standardStrings}.
     */
    public static List<SqlStatement> split(String sql, int from, boolean standardStrings) {
        Lexer lexer = new Lexer(sql == null ? "" : sql, standardStrings);
        lexer.pos = Math.max(0, Math.min(from, lexer.length));
        lexer.run();
        return lexer.statements;
    }

    /**
     * Where a plain {@code '...'} string whose body starts at {@code src[bodyStart]} ends, or -1 when it is
     * unterminated or holds a backslash, which the server reads differently when {@code standard_conforming_strings}
     * is off: a string whose reading depends on the session.
     */
    static int plainQuoteEnd(String src, int bodyStart, int length) {
        int i = bodyStart;
        while (i < length) {
            char c = src.charAt(i);
            if (c == '\\') {
                return -1;
            }
            if (c == '\'') {
                if (i + 1 < length && src.charAt(i + 1) == '\'') {
                    i += 2;
                    continue;
                }
                return i + 1;
            }
            i++;
        }
        return -1;
    }

    /**
     * The statements of {@code sql} from offset {@code from} on, lexed one at a time as they are asked for: the tokens
     * of only one statement are held at a time, so a large file costs its text and one statement, not all of its
     * tokens. Positions, lines and columns are those of the whole text.
     */
    public static java.util.Iterator<SqlStatement> statements(String sql, int from, boolean standardStrings) {
        Lexer lexer = new Lexer(sql == null ? "" : sql, standardStrings);
        lexer.pos = Math.max(0, Math.min(from, lexer.length));
        return new java.util.Iterator<>() {
            @Override
            public boolean hasNext() {
                if (lexer.statements.isEmpty() && !lexer.finished) {
                    lexer.run(1);
                }
                return !lexer.statements.isEmpty();
            }

            @Override
            public SqlStatement next() {
                if (!hasNext()) {
                    throw new java.util.NoSuchElementException();
                }
                return lexer.statements.remove(0);
            }
        };
    }

    /** The input is used up: every statement it holds has been made. */
    private boolean finished;

    private void run() {
        run(Integer.MAX_VALUE);
    }

    /**
     * Lexes until {@code want} statements are waiting to be taken or the input is used up. A statement waits until
     * the next one has begun: a comment on the line of its semicolon ({@code DROP TABLE t; -- pgguard:...}) is its own.
     */
    private void run(int want) {
        while (pos < length) {
            if (statements.size() >= want && tokenCount > 0) {
                return;
            }
            char c = src.charAt(pos);
            if (isSpace(c)) {
                pos++;
            } else if (c == '-' && peek(1) == '-') {
                lineComment();
            } else if (c == '/' && peek(1) == '*') {
                if (!blockComment()) {
                    finished = true;
                    return;
                }
            } else if (c == ';') {
                if (parenDepth == 0 && beginDepth == 0) {
                    boolean ended = tokenCount > 0;
                    pos++;
                    finishStatement(null);
                    if (ended) {
                        advanceTo(pos - 1);
                        semicolonLine = line;
                    }
                } else {
                    add(TokenType.SEMICOLON, pos, ++pos);
                    caseDepth = 0;
                }
            } else if (!token(c)) {
                finished = true;
                return;
            }
        }
        if (finished) {
            return;
        }
        finished = true;
        if (beginDepth > 0) {
            finishStatement(new LexError("unterminated BEGIN ATOMIC routine body", firstStart, firstLine,
                    firstColumn));
        } else {
            finishStatement(null);
        }
    }

    /** Reads one token starting at {@code c}; returns false when the input ended inside it (error recorded). */
    private boolean token(char c) {
        int start = pos;
        switch (c) {
            case '\'':
                return quoted(start, pos + 1, !standardStrings, TokenType.STRING, "string");
            case '"':
                return quoted(start, pos + 1, false, TokenType.QUOTED_IDENT, "quoted identifier");
            case '$':
                return dollar(start);
            case '(':
                parenDepth++;
                add(TokenType.LPAREN, start, ++pos);
                return true;
            case ')':
                if (parenDepth > 0) {
                    parenDepth--;
                }
                add(TokenType.RPAREN, start, ++pos);
                return true;
            case '[':
                add(TokenType.LBRACKET, start, ++pos);
                return true;
            case ']':
                add(TokenType.RBRACKET, start, ++pos);
                return true;
            case ',':
                add(TokenType.COMMA, start, ++pos);
                return true;
            case ':':
                if (peek(1) == ':') {
                    pos += 2;
                    add(TokenType.CAST, start, pos);
                } else {
                    add(TokenType.COLON, start, ++pos);
                }
                return true;
            case '.':
                if (isDigit(peek(1))) {
                    number(start);
                } else {
                    add(TokenType.DOT, start, ++pos);
                }
                return true;
            default:
                break;
        }
        if (isDigit(c)) {
            number(start);
            return true;
        }
        if (isIdentStart(c)) {
            return word(start);
        }
        if (isOperatorChar(c)) {
            operator(start);
            return true;
        }
        add(TokenType.OTHER, start, ++pos);
        return true;
    }

    private boolean word(int start) {
        char c = src.charAt(start);
        char next = peek(1);
        // String prefixes: E'', B'', X'', N'' and U&'' / U&"".
        if (next == '\'') {
            char lower = Character.toLowerCase(c);
            if (lower == 'e') {
                return quoted(start, start + 2, true, TokenType.STRING, "escape string");
            }
            if (lower == 'n') {
                return quoted(start, start + 2, !standardStrings, TokenType.STRING, "string");
            }
            if (lower == 'b' || lower == 'x') {
                return quoted(start, start + 2, false, TokenType.STRING, "string");
            }
        }
        if ((c == 'u' || c == 'U') && next == '&') {
            char q = peek(2);
            if (q == '\'') {
                if (!standardStrings) {
                    // The server refuses U&'' when standard_conforming_strings is off.
                    pos = length;
                    add(TokenType.STRING, start, length);
                    finishStatement(error("Unicode escape string while standard_conforming_strings is off", start));
                    return false;
                }
                return quoted(start, start + 3, false, TokenType.STRING, "Unicode string");
            }
            if (q == '"') {
                return quoted(start, start + 3, false, TokenType.QUOTED_IDENT, "Unicode quoted identifier");
            }
        }
        pos++;
        while (pos < length && isIdentChar(src.charAt(pos))) {
            pos++;
        }
        add(TokenType.WORD, start, pos);
        trackRoutineBody(start, pos);
        return true;
    }

    /** A quoted token whose body starts at {@code bodyStart}; the quote is the character just before it. */
    private boolean quoted(int start, int bodyStart, boolean backslashEscapes, TokenType type, String what) {
        int end = quoteEnd(src, bodyStart, backslashEscapes, length);
        if (end >= 0) {
            pos = end;
            add(type, start, pos);
            return true;
        }
        pos = length;
        add(type, start, length);
        finishStatement(error("unterminated " + what, start));
        return false;
    }

    /**
     * Where the quoted token whose body starts at {@code src[bodyStart]} ends (the quote is the character just
     * before it; a doubled quote stays inside), or -1 when it is unterminated.
     */
    static int quoteEnd(String src, int bodyStart, boolean backslashEscapes, int length) {
        char quote = src.charAt(bodyStart - 1);
        int i = bodyStart;
        while (i < length) {
            char c = src.charAt(i);
            if (c == quote) {
                if (i + 1 < length && src.charAt(i + 1) == quote) {
                    i += 2;
                    continue;
                }
                return i + 1;
            }
            i += (c == '\\' && backslashEscapes) ? 2 : 1;
        }
        return -1;
    }

    private boolean dollar(int start) {
        int i = start + 1;
        if (i < length && isDigit(src.charAt(i))) {
            while (i < length && isDigit(src.charAt(i))) {
                i++;
            }
            pos = i;
            add(TokenType.PARAM, start, pos);
            return true;
        }
        if (i < length && src.charAt(i) == '{') {
            // A Flyway or Liquibase placeholder, ${name} (${flyway:defaultSchema}): the migration tool replaces it
            // before the server sees the text, so it is read as the name it stands for. The server itself rejects
            // "${", so nothing it would run is read differently.
            int j = i + 1;
            while (j < length && (isDollarTagChar(src.charAt(j)) || src.charAt(j) == '.' || src.charAt(j) == '-'
                    || src.charAt(j) == ':')) {
                j++;
            }
            if (j > i + 1 && j < length && src.charAt(j) == '}') {
                pos = j + 1;
                add(TokenType.WORD, start, pos);
                return true;
            }
        }
        if (i < length && isIdentStart(src.charAt(i))) {
            while (i < length && isDollarTagChar(src.charAt(i))) {
                i++;
            }
        }
        if (i >= length || src.charAt(i) != '$') {
            // A lone '$' is not valid SQL; keep it as a token the classifier will not recognise.
            add(TokenType.OTHER, start, ++pos);
            return true;
        }
        int tagEnd = i + 1;
        int tagLength = tagEnd - start;
        int j = tagEnd;
        while (j < length) {
            int candidate = src.indexOf('$', j);
            if (candidate < 0) {
                break;
            }
            if (src.regionMatches(candidate, src, start, tagLength)) {
                pos = candidate + tagLength;
                push(TokenType.DOLLAR_STRING, start, pos, tagEnd, candidate);
                return true;
            }
            j = candidate + 1;
        }
        pos = length;
        push(TokenType.DOLLAR_STRING, start, length, tagEnd, length);
        finishStatement(error("unterminated dollar-quoted string " + src.substring(start, tagEnd), start));
        return false;
    }

    private void number(int start) {
        pos = numberEnd(src, start, length);
        add(TokenType.NUMBER, start, pos);
    }

    /** Where the number literal starting at {@code src[start]} (a digit, or a dot before one) ends. */
    static int numberEnd(String src, int start, int length) {
        int i = start;
        if (src.charAt(i) == '0' && i + 1 < length && "xXoObB".indexOf(src.charAt(i + 1)) >= 0
                && i + 2 < length && isIdentChar(src.charAt(i + 2))) {
            i += 2;
            while (i < length && (isIdentChar(src.charAt(i)))) {
                i++;
            }
        } else {
            while (i < length && (isDigit(src.charAt(i)) || src.charAt(i) == '_')) {
                i++;
            }
            if (i < length && src.charAt(i) == '.' && !(i + 1 < length && src.charAt(i + 1) == '.')) {
                i++;
                while (i < length && (isDigit(src.charAt(i)) || src.charAt(i) == '_')) {
                    i++;
                }
            }
            if (i < length && (src.charAt(i) == 'e' || src.charAt(i) == 'E')) {
                int e = i + 1;
                if (e < length && (src.charAt(e) == '+' || src.charAt(e) == '-')) {
                    e++;
                }
                if (e < length && isDigit(src.charAt(e))) {
                    i = e;
                    while (i < length && isDigit(src.charAt(i))) {
                        i++;
                    }
                }
            }
        }
        return i;
    }

    private void operator(int start) {
        int i = start;
        while (i < length && isOperatorChar(src.charAt(i))) {
            char c = src.charAt(i);
            // A comment start ends the operator, as in scan.l.
            if (i > start && ((c == '-' && i + 1 < length && src.charAt(i + 1) == '-')
                    || (c == '/' && i + 1 < length && src.charAt(i + 1) == '*'))) {
                break;
            }
            i++;
        }
        pos = i;
        add(TokenType.OPERATOR, start, pos);
    }

    /** {@code --} runs to the end of the line: a {@code \n} or a {@code \r}, as in scan.l and pgjdbc. */
    private void lineComment() {
        int start = pos;
        if (changesets && tokenCount > 0 && changesetLine(src, start)) {
            // the changeset before it ends here, as Liquibase cuts the file
            finishStatement(null);
        }
        int end = lineCommentEnd(src, start, length);
        pos = end;
        addComment(start, end, start + 2, end, true);
    }

    /** Where the {@code --} comment starting at {@code src[start]} ends: at its {@code \n} or {@code \r}. */
    static int lineCommentEnd(String src, int start, int length) {
        int end = start;
        while (end < length && src.charAt(end) != '\n' && src.charAt(end) != '\r') {
            end++;
        }
        return end;
    }

    private boolean blockComment() {
        int start = pos;
        int end = blockCommentEnd(src, start, length);
        if (end >= 0) {
            pos = end;
            addComment(start, end, start + 2, end - 2, false);
            return true;
        }
        pos = length;
        addComment(start, length, start + 2, length, false);
        finishStatement(error("unterminated /* comment", start));
        return false;
    }

    /** Where the block comment starting at {@code src[start]} ends, nested ones included; -1 when unterminated. */
    static int blockCommentEnd(String src, int start, int length) {
        int depth = 0;
        int i = start;
        while (i < length) {
            char c = src.charAt(i);
            if (c == '/' && i + 1 < length && src.charAt(i + 1) == '*') {
                depth++;
                i += 2;
            } else if (c == '*' && i + 1 < length && src.charAt(i + 1) == '/') {
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

    /**
     * Tracks {@code CREATE [OR REPLACE] FUNCTION|PROCEDURE ... BEGIN ATOMIC ... END}, inside which semicolons do not
     * end the statement. Unlike psql's heuristic, a bare {@code BEGIN} does not count (a function may be named
     * {@code begin}, and missing a split would hide the next statement), and only an {@code END} that starts a
     * body statement closes the body: other {@code END}s close a {@code CASE} or are column labels
     * ({@code SELECT 1 AS end}, {@code r.end}).
     */
    private void trackRoutineBody(int start, int end) {
        int index = wordIndex++;
        if (index == 0) {
            createSeen = matches(start, end, "CREATE");
            return;
        }
        if (index == 1 && createSeen) {
            orSeen = matches(start, end, "OR");
            routineDefinition = matches(start, end, "FUNCTION") || matches(start, end, "PROCEDURE");
            return;
        }
        if (index == 3 && orSeen) {
            routineDefinition = matches(start, end, "FUNCTION") || matches(start, end, "PROCEDURE");
            return;
        }
        if (!routineDefinition || parenDepth > 0) {
            return;
        }
        // The word itself is the latest token; prev* is the token before it.
        if (beginDepth == 0) {
            if (matches(start, end, "ATOMIC") && prevType == TokenType.WORD && matches(prevStart, prevEnd, "BEGIN")) {
                beginDepth = 1;
                caseDepth = 0;
            }
            return;
        }
        boolean label = prevType == TokenType.DOT || prevType == TokenType.WORD && matches(prevStart, prevEnd, "AS");
        if (matches(start, end, "END")) {
            boolean startsStatement = prevType == TokenType.SEMICOLON
                    || prevType == TokenType.WORD && matches(prevStart, prevEnd, "ATOMIC");
            if (startsStatement) {
                beginDepth = 0;
            } else if (!label && caseDepth > 0) {
                caseDepth--;
            }
        } else if (!label && matches(start, end, "CASE")) {
            caseDepth++;
        }
    }

    /** Whether {@code src[from, to)} holds {@value #DIRECTIVE}, looking only inside the range (so scans stay linear). */
    static boolean containsDirective(String src, int from, int to) {
        for (int i = from; i + DIRECTIVE.length() <= to; i++) {
            if (src.charAt(i) == 'p' && src.startsWith(DIRECTIVE, i)) {
                return true;
            }
        }
        return false;
    }

    private boolean matches(int start, int end, String upper) {
        return end - start == upper.length() && src.regionMatches(true, start, upper, 0, upper.length());
    }

    private void add(TokenType type, int start, int end) {
        push(type, start, end, start, end);
    }

    private void push(TokenType type, int start, int end, int bodyStart, int bodyEnd) {
        tokens.add(new Token(type, start, end, bodyStart, bodyEnd));
        prevType = lastType;
        prevStart = lastStart;
        prevEnd = lastEnd;
        lastType = type;
        lastStart = start;
        lastEnd = end;
        tokenCount++;
        markFirst(start);
    }

    private void markFirst(int start) {
        if (tokenCount == 1) {
            firstStart = start;
            semicolonLine = -1;
            advanceTo(start);
            firstLine = line;
            firstColumn = start - lineStart + 1;
        }
    }

    private void addComment(int start, int end, int bodyStart, int bodyEnd, boolean lineComment) {
        String body = src.substring(bodyStart, bodyEnd);
        advanceTo(start);
        Comment comment = new Comment(start, end, line, body);
        if (lineComment && tokenCount == 0 && line == semicolonLine && !statements.isEmpty()) {
            // "DROP TABLE t; -- pgguard:..." speaks of the statement it follows on the same line.
            SqlStatement previous = statements.remove(statements.size() - 1);
            List<Comment> merged = new ArrayList<>(previous.comments());
            merged.add(comment);
            statements.add(new SqlStatement(src, previous.tokens(), List.copyOf(merged), previous.line(),
                    previous.column(), previous.error()));
            return;
        }
        if (comments.isEmpty()) {
            comments = new ArrayList<>(2);
        }
        comments.add(comment);
    }

    private LexError error(String message, int offset) {
        advanceTo(offset);
        return new LexError(message, offset, line, offset - lineStart + 1);
    }

    private void finishStatement(LexError error) {
        if (!tokens.isEmpty()) {
            // The list is handed over, not copied: this lexer never touches it again.
            statements.add(new SqlStatement(src, java.util.Collections.unmodifiableList(tokens),
                    comments.isEmpty() ? List.of() : List.copyOf(comments), firstLine, firstColumn, error));
            tokens = new ArrayList<>();
        } else if (error != null) {
            // An unterminated comment with no statement: keep the error visible as an unreadable statement.
            statements.add(new SqlStatement(src, List.of(new Token(TokenType.OTHER, error.offset(), length)),
                    List.copyOf(comments), error.line(), error.column(), error));
        }
        comments = List.of();
        tokens.clear();
        tokenCount = 0;
        lastType = null;
        prevType = null;
        parenDepth = 0;
        beginDepth = 0;
        caseDepth = 0;
        wordIndex = 0;
        routineDefinition = false;
        createSeen = false;
        orSeen = false;
    }

    private void advanceTo(int offset) {
        if (offset < lineAt) {
            return;
        }
        for (int i = lineAt; i < offset; i++) {
            // Lines are counted at \n (as grep -n and editors with \n or \r\n endings count them).
            if (src.charAt(i) == '\n') {
                line++;
                lineStart = i + 1;
            }
        }
        lineAt = offset;
    }

    private char peek(int ahead) {
        int i = pos + ahead;
        return i < length ? src.charAt(i) : '\0';
    }

    private static boolean isSpace(char c) {
        return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == 0x0B;
    }

    static boolean isDigit(char c) {
        return c >= '0' && c <= '9';
    }

    private static boolean isIdentStart(char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || c >= 0x80;
    }

    private static boolean isIdentChar(char c) {
        return isIdentStart(c) || isDigit(c) || c == '$';
    }

    private static boolean isDollarTagChar(char c) {
        return isIdentStart(c) || isDigit(c);
    }

    private static boolean isOperatorChar(char c) {
        switch (c) {
            case '+', '-', '*', '/', '<', '>', '=', '~', '!', '@', '#', '%', '^', '&', '|', '`', '?':
                return true;
            default:
                return false;
        }
    }
}
